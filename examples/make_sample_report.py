"""Write examples/sample-report.docx: a three-page English report in Government style.

    .venv/bin/python examples/make_sample_report.py

Used to try `govpilot translate examples/sample-report.docx --to zh-Hant -o out.docx`. The
text was written by the govpilot team for this purpose; the figures are invented.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document

SECTIONS = [
    ("Background", [
        "The Housing Department manages more than 800,000 public rental flats across "
        "Hong Kong. Demand for public housing remains high, and the average waiting time for "
        "general applicants was 5.3 years at the end of last year.",
        "In response to the Policy Address, the Department reviewed how applications are "
        "received and processed. This paper reports the findings of the review and proposes "
        "improvements for the coming financial year.",
    ]),
    ("Findings of the review", [
        "The review team examined 12,000 applications received over six months. Most "
        "applicants submitted paper forms at estate offices, and one application in five had "
        "to be returned because supporting documents were missing.",
        "Officers spent on average 45 minutes checking each application by hand. Applicants "
        "said that they did not know which documents were required and that they could not "
        "check the progress of their applications online.",
    ]),
    ("Proposed improvements", [
        "The Department proposes three improvements, to be introduced in stages.",
    ]),
    ("Resources", [
        "The improvements will be funded from the Department's existing provision. The "
        "Digital Policy Office has agreed to advise on the design of the online service.",
        "Staff at estate offices will receive training before each stage is introduced, "
        "and a help desk will answer questions from applicants by telephone and e-mail.",
    ]),
    ("Consultation", [
        "The Department consulted tenants' associations, social workers and the Social "
        "Welfare Department. They supported the proposals and asked that paper forms remain "
        "available for elderly applicants and those who do not use computers.",
    ]),
    ("Way forward", [
        "Members are invited to note the findings of the review and to comment on the "
        "proposed improvements. The Department will report progress to the Legislative "
        "Council Panel on Housing in the second half of the year.",
    ]),
]
BULLETS = [
    "An online application form that checks for missing documents before submission.",
    "A progress tracker that applicants can check at any time with their reference number.",
    "Text message reminders when a document is about to expire or an interview is due.",
]
TABLE = [
    ("Stage", "Improvement", "Target date"),
    ("1", "Online application form", "March"),
    ("2", "Progress tracker", "June"),
    ("3", "Text message reminders", "September"),
]


def build(path: Path) -> Path:
    """Write the sample report and return its path."""
    doc = Document()
    doc.add_heading("Review of Applications for Public Rental Housing", level=0)
    doc.add_paragraph("Paper for the Housing Department's management meeting")
    for title, paragraphs in SECTIONS:
        doc.add_heading(title, level=1)
        for text in paragraphs:
            doc.add_paragraph(text)
        if title == "Proposed improvements":
            for item in BULLETS:
                doc.add_paragraph(item, style="List Bullet")
            doc.add_heading("Timetable", level=2)
            table = doc.add_table(rows=len(TABLE), cols=3)
            table.style = "Table Grid"
            for r, row in enumerate(TABLE):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            doc.add_page_break()
        if title == "Resources":
            doc.add_page_break()
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(__file__).with_name("sample-report.docx")))
