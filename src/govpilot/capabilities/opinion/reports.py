"""What a consultation's analysis is turned into: JSON, a .docx report, an .xlsx workbook.

- `analysis_json`: the `govpilot opinion analyse --json` shape: themes (id, label, stance,
  count) and responses (id, themes, stance, sentiment, language, campaign).
- The report (.docx): per question, the stances with the majority view, a chart of the
  themes by stance, each theme with its counts and typical quotes in their original
  language, the campaigns, and what could not be analysed.
- The workbook (.xlsx): one row per response with its themes and quotes, a sheet of
  themes, and a sheet of campaigns; a bar chart of the themes sits in the themes sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from govpilot.capabilities.opinion.charts import theme_bars_png
from govpilot.capabilities.opinion.counts import question_counts
from govpilot.capabilities.opinion.store import Consultation, OpinionStore, StoredResponse

__all__ = ["REPORTS", "analysis_json", "write_report"]

REPORTS = (".docx", ".xlsx")
#: A question's counts, its responses, and each theme's typical response ids.
_Question = tuple[dict[str, Any], list[StoredResponse], dict[str, list[str]]]
QUOTES_PER_THEME = 3
STANCE_NAMES = {
    "support": "Support 支持",
    "oppose": "Oppose 反對",
    "mixed": "Mixed 兩者皆有",
    "unclear": "Unclear 不明",
}


def analysis_json(store: OpinionStore, consultation: Consultation) -> dict[str, Any]:
    """Themes and responses as `govpilot opinion analyse --json` prints them."""
    themes = store.themes(consultation.id)
    responses = store.responses(consultation.id)
    count: dict[str, int] = {}
    for response in responses:
        for theme_id in dict.fromkeys(response.theme_ids):
            count[theme_id] = count.get(theme_id, 0) + 1
    return {
        "consultation": consultation.name,
        "themes": [
            {
                "id": t.id,
                "label": t.title_en,
                "label_zh": t.title_zh,
                "stance": t.side,
                "count": count.get(t.id, 0),
                "question": t.question,
            }
            for t in themes
        ],
        "responses": [
            {
                "id": r.external_id,
                "themes": list(dict.fromkeys(r.theme_ids)),
                "stance": r.stance or "unclear",
                "sentiment": r.sentiment,
                "language": r.language,
                "campaign": r.campaign,
                "question": r.question,
            }
            for r in responses
        ],
    }


def write_report(store: OpinionStore, consultation: Consultation, suffix: str) -> bytes:
    """The report as .docx, or the workbook as .xlsx."""
    questions = list(consultation.summary.get("questions") or [""])
    per_question = []
    for question in questions:
        responses = store.responses(consultation.id, question)
        themes = store.themes(consultation.id, question)
        per_question.append(
            (
                question_counts(question, responses, themes),
                responses,
                {t.id: t.typical for t in themes},
            )
        )
    if suffix == ".xlsx":
        return _workbook(consultation, per_question)
    return _document(consultation, per_question)


def _quotes(
    theme_id: str, typical: Sequence[str], responses: Sequence[StoredResponse]
) -> list[str]:
    by_id = {r.external_id: r for r in responses}
    quotes = []
    for external_id in typical:
        response = by_id.get(external_id)
        if response is None:
            continue
        quote = next((t["quote"] for t in response.themes if t["theme"] == theme_id), None)
        if quote and quote not in quotes:
            quotes.append(quote)
        if len(quotes) >= QUOTES_PER_THEME:
            break
    return quotes


def _document(consultation: Consultation, per_question: list[_Question]) -> bytes:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    doc.add_heading(f"{consultation.name}: analysis of responses 回應分析", 0)
    summary = consultation.summary
    doc.add_paragraph(
        f"{summary.get('responses', 0)} responses from {summary.get('file', 'the file')}; "
        f"{len(summary.get('campaigns', []))} campaigns of near-copies, each counted once "
        f"(\u201cvoices\u201d); {summary.get('problems_count', 0)} rows not used. Languages: "
        + ", ".join(f"{k} {v}" for k, v in (summary.get("languages") or {}).items())
    )
    doc.add_paragraph(
        "Stances were read by the model for a sample of responses and inferred for the rest; "
        "themes were found by clustering and named by the model, then checked by officers. "
        "立場由模型閱讀部分回應判斷，其餘由分類器推斷；主題由聚類找出，經人員覆核。"
    )
    for counts, responses, typical in per_question:
        if counts["question"]:
            doc.add_heading(counts["question"], 1)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(
            table.rows[0].cells, ("Stance 立場", "Voices 意見", "Responses 回應"), strict=True
        ):
            cell.text = text
        for stance, numbers in counts["stances"].items():
            row = table.add_row().cells
            row[0].text = STANCE_NAMES[stance]
            row[1].text = f"{numbers['voices']} ({numbers['share']:.0%})"
            row[2].text = str(numbers["responses"])
        if counts["majority"]:
            doc.add_paragraph(f"Majority view 多數意見: {STANCE_NAMES[counts['majority']]}")
        if counts["themes"]:
            doc.add_picture(io.BytesIO(theme_bars_png(counts["themes"])), width=Cm(16))
        for theme in counts["themes"]:
            doc.add_heading(f"{theme['title_en']} | {theme['title_zh']}", 2)
            doc.add_paragraph(
                f"{STANCE_NAMES.get(theme['side'], theme['side'])}, {theme['view']} view; "
                f"{theme['voices']} voices ({theme['share']:.0%}), {theme['responses']} responses. "
                + " ".join(x for x in (theme["description_en"], theme["description_zh"]) if x)
            )
            for quote in _quotes(theme["id"], typical.get(theme["id"], []), responses):
                doc.add_paragraph(quote, style="Intense Quote")
        if counts["not_analysed"]:
            doc.add_paragraph(
                f"Not analysed 未能分析: {len(counts['not_analysed'])} responses ("
                + ", ".join(sorted({str(p["reason"]) for p in counts["not_analysed"]}))
                + ")"
            )
    campaigns = summary.get("campaigns") or []
    if campaigns:
        doc.add_heading("Campaigns 聯署信件", 1)
        for campaign in campaigns:
            doc.add_paragraph(
                f"{campaign['size']} copies of response {campaign['representative']}: "
                f"\u201c{campaign['excerpt']}\u201d",
                style="List Bullet",
            )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _workbook(consultation: Consultation, per_question: list[_Question]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    sheet.append(
        [
            "id",
            "question",
            "text",
            "language",
            "stance",
            "stance read by model",
            "sentiment",
            "campaign",
            "respondent type",
            "district",
            "date",
            "themes",
            "quotes",
            "not analysed",
        ]
    )
    themes = book.create_sheet("Themes")
    themes.append(["question", "theme", "標題", "stance", "view", "voices", "responses", "share"])
    for counts, responses, _ in per_question:
        titles = {t["id"]: t["title_en"] for t in counts["themes"]}
        for r in responses:
            sheet.append(
                [
                    r.external_id,
                    r.question,
                    r.text,
                    r.language,
                    r.stance,
                    r.stance_read,
                    r.sentiment,
                    r.campaign,
                    r.respondent_type,
                    r.district,
                    r.submitted,
                    "; ".join(titles.get(t, t) for t in dict.fromkeys(r.theme_ids)),
                    "\n".join(t["quote"] for t in r.themes),
                    r.problem,
                ]
            )
        for t in counts["themes"]:
            themes.append(
                [
                    counts["question"],
                    t["title_en"],
                    t["title_zh"],
                    t["side"],
                    t["view"],
                    t["voices"],
                    t["responses"],
                    t["share"],
                ]
            )
    if themes.max_row > 1:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Voices per theme"
        chart.add_data(
            Reference(themes, min_col=6, min_row=1, max_row=themes.max_row), titles_from_data=True
        )
        chart.set_categories(Reference(themes, min_col=2, min_row=2, max_row=themes.max_row))
        chart.height = max(7.5, 0.6 * themes.max_row)
        themes.add_chart(chart, "J2")
    campaigns = book.create_sheet("Campaigns")
    campaigns.append(["question", "first response", "copies", "excerpt"])
    for c in consultation.summary.get("campaigns") or []:
        campaigns.append([c["question"], c["representative"], c["size"], c["excerpt"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
