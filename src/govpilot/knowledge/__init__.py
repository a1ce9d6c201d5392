"""Knowledge collections: a department's documents, ingested, chunked and searchable."""

from govpilot.knowledge.chunking import ChunkDraft, chunk_document, chunk_faq, make_chunks
from govpilot.knowledge.collections import Collection, CollectionStore
from govpilot.knowledge.documents import DocumentStore, KnowledgeDocument
from govpilot.knowledge.faq import FaqEntry, load_spreadsheet
from govpilot.knowledge.ingest import IngestItem, Ingestor, IngestReport
from govpilot.knowledge.ocr import OcrEngine, OcrLine, RapidOcrEngine
from govpilot.knowledge.sources import KNOWLEDGE_SUFFIXES, ParsedSource, parse_source
from govpilot.knowledge.uploads import UploadedFile, UploadReport, index_uploads

__all__ = [
    "KNOWLEDGE_SUFFIXES",
    "ChunkDraft",
    "Collection",
    "CollectionStore",
    "DocumentStore",
    "FaqEntry",
    "IngestItem",
    "IngestReport",
    "Ingestor",
    "KnowledgeDocument",
    "OcrEngine",
    "OcrLine",
    "ParsedSource",
    "RapidOcrEngine",
    "UploadReport",
    "UploadedFile",
    "chunk_document",
    "chunk_faq",
    "index_uploads",
    "load_spreadsheet",
    "make_chunks",
    "parse_source",
]
