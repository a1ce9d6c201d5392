from __future__ import annotations

from pathlib import Path

import pytest

from govpilot.access import CallContext
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.draft import DraftTemplate, TemplateLibrary, draft_text
from govpilot.documents.model import Block, Document
from govpilot.errors import EmptyDocument, InputError, NotFound
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary

REPLY = """Dear Sir/Madam,

Thank you for your e-mail of 3 May about noise
from the construction site.

- The contractor has been reminded.
- Works stop at 7 pm.

Yours faithfully,"""


def test_packaged_templates_cover_the_four_kinds_in_both_languages() -> None:
    library = TemplateLibrary.load()
    assert library.names() == ["legco-reply-outline", "memo", "press-release", "reply-to-public"]
    assert {t.lang for t in library.all()} == {"en", "zh-Hant"}


def test_user_templates_add_and_override(tmp_path: Path) -> None:
    (tmp_path / "notice.md").write_text(
        "---\nname: notice\nlang: en\ntitle: Public notice\n---\nOne paragraph.", "utf-8"
    )
    (tmp_path / "memo.md").write_text(
        "---\nname: memo\nlang: en\ntitle: Our memo\n---\nShort.", "utf-8"
    )
    library = TemplateLibrary.load([tmp_path])
    assert "notice" in library.names()
    assert library.get("memo", "en").title == "Our memo"


def test_broken_template_files_name_the_problem() -> None:
    with pytest.raises(InputError, match="no front matter"):
        DraftTemplate.parse("just text", "x.md")
    with pytest.raises(InputError, match="lacks title"):
        DraftTemplate.parse("---\nname: a\nlang: en\n---\nbody", "x.md")


def test_draft_follows_the_template_and_keeps_structure(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext, glossary: Glossary
) -> None:
    fake_model.enqueue(REPLY)
    reference = Document([Block("paragraph", "Site hours are 7 am to 7 pm.")], title="Permit")
    draft = draft_text(
        gateway,
        ctx,
        TemplateLibrary.load(),
        "reply-to-public",
        "Reply to a noise complaint",
        glossary=glossary,
        references=[reference],
    )
    prompt = fake_model.calls[0].prompt
    assert "Reply to a member of the public" in prompt and "Site hours are 7 am" in prompt
    kinds = [b.kind for b in draft.document.blocks]
    assert kinds == ["paragraph", "paragraph", "list_item", "list_item", "paragraph"]
    assert draft.document.blocks[1].text.endswith("about noise from the construction site.")
    assert draft.lang == "en" and draft.model_id == "fake:fake"


def test_chinese_draft_is_hong_kong_script_and_checks_glossary_terms(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext, glossary: Glossary
) -> None:
    fake_model.enqueue("## 目的\n运输署会跟进。")
    draft = draft_text(
        gateway,
        ctx,
        TemplateLibrary.load(),
        "memo",
        "Ask the Transport Department and the Housing Department to follow up",
        glossary=glossary,
        lang="zh-Hant",
    )
    assert draft.document.blocks[1].text == "運輸署會跟進。"
    assert draft.glossary_misses == ["房屋署"]


def test_bad_requests(gateway: ModelGateway, ctx: CallContext, glossary: Glossary) -> None:
    library = TemplateLibrary.load()
    with pytest.raises(EmptyDocument):
        draft_text(gateway, ctx, library, "memo", "  ", glossary=glossary)
    with pytest.raises(NotFound, match="no draft template named 'poem'"):
        draft_text(gateway, ctx, library, "poem", "write", glossary=glossary)
