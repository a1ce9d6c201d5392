from __future__ import annotations

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.translate import translate_document
from govpilot.capabilities.translation_terms import document_glossary, document_terms
from govpilot.documents.model import Block, Document
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary

BODY = [
    "The Welsh Parliament will debate harbourfront renewal.",
    "Members of the Welsh Parliament support the harbourfront renewal.",
]


def test_the_title_and_repeated_names_are_document_terms(glossary: Glossary) -> None:
    texts = [*BODY, "The Transport Department and the Transport Department agree."]
    terms = document_terms(texts, "Harbourfront renewal", glossary)
    # Names the glossary holds are left to it; a name used once is not a term.
    assert terms == ["Harbourfront renewal", "Welsh Parliament"]
    assert document_terms(["Housing in Sha Tin."], "A" + " long title" * 6, glossary) == []


def test_answers_not_in_chinese_are_not_fixed(glossary: Glossary) -> None:
    answers = {"Harbourfront renewal": "海濱更新。", "Welsh Parliament": "Welsh Parliament"}
    merged, fixed = document_glossary(glossary, answers, answers.__getitem__)
    assert fixed == {"Harbourfront renewal": "海濱更新"}
    assert merged.lookup("harbourfront renewal") is not None and len(merged) == len(glossary) + 1


def test_a_document_renders_its_title_and_names_one_way(
    ctx: CallContext, glossary: Glossary
) -> None:
    def respond(messages: list[ChatMessage]) -> str:
        text = messages[-1].content
        fixed = {"Harbourfront renewal": "海滨更新", "Welsh Parliament": "威尔士议会"}
        if text in fixed:
            return fixed[text]
        # In context the model would say 海旁翻新; the source it sees already holds the term.
        return text.replace("The ", "").replace("Members of the ", "").replace(" ", "")

    model = ScriptedModel(responder=respond)
    gateway = ModelGateway([model], MemoryAuditSink())
    doc = Document(
        [Block("heading", "Harbourfront renewal", level=1), *(Block("paragraph", t) for t in BODY)],
        title="Harbourfront renewal",
    )
    out, report = translate_document(gateway, ctx, doc, "zh-Hant", glossary=glossary)
    assert report.document_terms == {
        "Harbourfront renewal": "海濱更新",
        "Welsh Parliament": "威爾士議會",
    }
    assert out.title == out.blocks[0].text == "海濱更新"
    seen = [c.prompt for c in model.calls]
    assert any("威爾士議會" in p and "海濱更新" in p and "Welsh" not in p for p in seen)
    assert all("海濱更新" in b.text and "威爾士議會" in b.text for b in out.blocks[1:])
    assert report.glossary_misses == []
