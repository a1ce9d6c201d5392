"""Write a bilingual (English and Traditional Chinese) complaint letter with fake personal data.

    .venv/bin/python examples/complaint_letter.py examples/out/complaint.docx
    govpilot redact examples/out/complaint.docx -o examples/out/redacted.docx

The second command writes the redacted copy and `examples/out/redacted.report.md`. Every
person, number and address here is invented; the HKID is generated with a valid check digit
so that the detector's checksum validation accepts it, as it would a real one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from docx import Document


def hkid_check_character(prefix: str, digits: str) -> str:
    """The HKID check character: weighted sum mod 11 (a one-letter prefix counts a space)."""
    values = [ord(letter) - ord("A") + 10 for letter in prefix.upper()]
    if len(values) == 1:
        values.insert(0, 36)
    values += [int(d) for d in digits]
    total = sum(w * v for w, v in zip((9, 8, 7, 6, 5, 4, 3, 2), values, strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def fake_values() -> dict[str, str]:
    """The made-up personal data in the letter, by type."""
    prefix, digits = "K", "538261"
    return {
        "PERSON": "Chan Tai Man",
        "PERSON_ZH": "陳大文",
        "HKID": f"{prefix}{digits}({hkid_check_character(prefix, digits)})",
        "PHONE": "9123 4567",
        "EMAIL": "chan.taiman@example.com",
        "DATE_OF_BIRTH": "12 May 1980",
        "ADDRESS": "Flat 12B, 8/F, Tower 3, Harbour View Garden, 28 Lok Shan Road, Kowloon",
        "ADDRESS_ZH": "九龍樂山道28號海景花園3座8樓12B室",
        "OFFICER_ZH": "李美玲",
    }


def write_letter(path: Path) -> dict[str, str]:
    """Write the letter to `path` (.docx) and return the fake values it contains."""
    v = fake_values()
    word = Document()
    word.add_heading("Complaint about noise from road works / 有關道路工程噪音的投訴", level=1)
    word.add_paragraph("To: Customer Service Section, Highways Department / 致：路政署客戶服務組")
    word.add_paragraph(
        f"Dear Sir or Madam, I am writing about the road works outside my home at "
        f"{v['ADDRESS']}. Since March, drilling has started before 7 a.m. every day, "
        f"including Sundays. Please reply to {v['EMAIL']} or call me on {v['PHONE']}."
    )
    word.add_paragraph(
        f"本人{v['PERSON_ZH']}，住在{v['ADDRESS_ZH']}。自三月起，工程每天早上七時前已開始鑽地，"
        f"連星期日亦不例外，令家中長者無法休息。請致電{v['PHONE']}或電郵{v['EMAIL']}回覆。"
    )
    word.add_heading("What I ask for / 本人的要求", level=2)
    for item in (
        "Works to start no earlier than 8 a.m. / 工程不早於上午八時開始",
        "No noisy works on Sundays and public holidays / 星期日及公眾假期不進行嘈吵工程",
        f"A written reply to {v['PERSON']} within 10 working days / 十個工作天內書面回覆",
    ):
        word.add_paragraph(item, style="List Bullet")
    word.add_heading("Complainant's details / 投訴人資料", level=2)
    rows = [
        ("Name / 姓名", f"{v['PERSON']} {v['PERSON_ZH']}"),
        ("HKID / 香港身份證號碼", v["HKID"]),
        ("Date of birth / 出生日期", v["DATE_OF_BIRTH"]),
        ("Phone / 電話", v["PHONE"]),
        ("Email / 電郵", v["EMAIL"]),
    ]
    table = word.add_table(rows=len(rows), cols=2)
    table.style = word.styles["Table Grid"]
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    word.add_paragraph(
        f"I spoke to your officer {v['OFFICER_ZH']} on the phone last week, but nothing has "
        "changed. / 上星期本人曾致電貴署，但情況未有改善。"
    )
    word.add_paragraph(f"Yours faithfully, / 投訴人\n{v['PERSON']}（{v['PERSON_ZH']}）")
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return v


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the letter (.docx)")
    args = parser.parse_args()
    if args.output.suffix.lower() != ".docx":
        parser.error("the output must end in .docx")
    write_letter(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
