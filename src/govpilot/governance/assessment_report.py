"""An impact assessment as a document to file or circulate: the .docx export.

The report is built as a `govpilot.documents` Document (headings, paragraphs, lists and
tables) and written by the project's Word writer, in English or Traditional Chinese: the
application, the scores and risk level, the facts the system filled in, every question with
its answer, the mitigations committed to, the evidence thresholds, and who signed it off.
"""

from __future__ import annotations

from govpilot.documents.model import Block, Document
from govpilot.governance.assessments import Assessment
from govpilot.governance.questionnaire import Questionnaire, load_questionnaire
from govpilot.governance.register import Application

#: The report's fixed wording: English, Traditional Chinese (Hong Kong).
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("AI Application Impact Assessment", "人工智能應用程式影響評估"),
    "application": ("Application", "應用程式"),
    "department": ("Department", "部門"),
    "version": ("Version", "版本"),
    "stage": ("Stage", "階段"),
    "status": ("Status", "狀態"),
    "questionnaire": ("Questionnaire", "問卷"),
    "filed_by": ("Filed by", "填報人"),
    "signed_off": ("Signed off by", "簽署批准人"),
    "not_signed": ("Not signed off", "尚未簽署批准"),
    "result": ("Result", "評估結果"),
    "level": ("Risk level", "風險級別"),
    "raw": ("Risk score", "風險分數"),
    "mitigation": ("Mitigation score", "緩解措施分數"),
    "adjusted": ("Risk score after mitigation", "緩解後風險分數"),
    "unanswered": ("Unanswered", "未回答"),
    "answers": ("Questions and answers", "問題及答案"),
    "question": ("Question", "問題"),
    "answer": ("Answer", "答案"),
    "mitigations": ("Mitigations committed to", "承諾的緩解措施"),
    "none": ("None recorded.", "沒有記錄。"),
    "thresholds": ("Evidence thresholds", "證據門檻"),
    "threshold": ("Measure", "指標"),
    "limit": ("Reassess above", "超過此值須重新評估"),
    "facts": ("Facts filled in by the system", "系統自動填寫的資料"),
}


def _word(key: str, lang: str) -> str:
    english, chinese = _WORDS[key]
    return chinese if lang.startswith("zh") else english


def _pick(values: dict[str, str], lang: str) -> str:
    return values.get("zh-Hant" if lang.startswith("zh") else "en") or values.get("en", "")


def _fact(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    return str(value)


def assessment_document(
    assessment: Assessment,
    app: Application,
    *,
    lang: str = "en",
    questionnaire: Questionnaire | None = None,
) -> Document:
    """The assessment as a Document in `lang` ("en" or "zh-Hant")."""
    q = questionnaire or load_questionnaire(assessment.questionnaire)
    score = q.score(assessment.answers)

    def w(key: str) -> str:
        return _word(key, lang)

    signed = (
        f"{assessment.signed_off_by}, {assessment.signed_off_at:%Y-%m-%d}"
        if assessment.signed_off_by and assessment.signed_off_at
        else w("not_signed")
    )
    blocks = [
        Block("heading", f"{w('title')}: {app.name(lang)}", level=1),
        Block(
            "table",
            rows=(
                (w("application"), app.name(lang)),
                (w("department"), app.department),
                (w("version"), str(assessment.version)),
                (w("stage"), assessment.stage),
                (w("status"), assessment.status),
                (w("questionnaire"), f"{_pick(q.title, lang)} ({q.version})"),
                (w("filed_by"), f"{assessment.created_by}, {assessment.created_at:%Y-%m-%d}"),
                (w("signed_off"), signed),
            ),
        ),
        Block("heading", w("result"), level=2),
        Block(
            "table",
            rows=(
                (
                    w("level"),
                    q.level_text(score.level, "zh-Hant" if lang.startswith("zh") else "en"),
                ),
                (w("raw"), f"{score.raw:g} / {score.raw_max:g}"),
                (w("mitigation"), f"{score.mitigation:g} / {score.mitigation_max:g}"),
                (w("adjusted"), f"{score.adjusted:.2f}"),
                (w("unanswered"), ", ".join(score.unanswered) or "-"),
            ),
        ),
        Block("heading", w("answers"), level=2),
    ]
    for key, names in q.principles.items():
        questions = [x for x in q.questions if x.principle == key]
        if not questions:
            continue
        blocks.append(Block("heading", _pick(names, lang), level=3))
        rows = [(w("question"), w("answer"))]
        for question in questions:
            value = assessment.answers.get(question.id)
            answer = _pick(question.answer(value).text, lang) if value else "-"
            rows.append((_pick(question.text, lang), answer))
        blocks.append(Block("table", rows=tuple(rows)))
    blocks.append(Block("heading", w("mitigations"), level=2))
    if assessment.mitigations:
        blocks += [Block("list_item", m, ordered=True) for m in assessment.mitigations]
    else:
        blocks.append(Block("paragraph", w("none")))
    if assessment.thresholds:
        blocks.append(Block("heading", w("thresholds"), level=2))
        rows = [(w("threshold"), w("limit"))]
        rows += [(name, f"{limit:.0%}") for name, limit in sorted(assessment.thresholds.items())]
        blocks.append(Block("table", rows=tuple(rows)))
    if assessment.facts:
        blocks.append(Block("heading", w("facts"), level=2))
        rows = [(name, _fact(value)) for name, value in sorted(assessment.facts.items())]
        blocks.append(Block("table", rows=tuple(rows)))
    title = f"{w('title')}: {app.name(lang)} v{assessment.version}"
    return Document(blocks, title=title)
