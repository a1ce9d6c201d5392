"""Documents: one structured model, loaders for uploaded files, writers for downloads."""

from govpilot.documents.loaders import SUPPORTED_INPUT_SUFFIXES, load_bytes, load_document
from govpilot.documents.model import Block, Document
from govpilot.documents.writers import (
    SUPPORTED_OUTPUT_SUFFIXES,
    check_output_path,
    render_document,
    write_document,
)

__all__ = [
    "SUPPORTED_INPUT_SUFFIXES",
    "SUPPORTED_OUTPUT_SUFFIXES",
    "Block",
    "Document",
    "check_output_path",
    "load_bytes",
    "load_document",
    "render_document",
    "write_document",
]
