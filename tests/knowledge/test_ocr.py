"""OCR: real RapidOCR on rendered images and a scanned PDF; layout and HK script with a fake."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from govpilot.errors import CorruptDocument, EmptyDocument, UnsupportedFileType
from govpilot.knowledge.ocr import OcrLine, RapidOcrEngine, lines_to_blocks, ocr_image
from govpilot.knowledge.sources import parse_source

LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _cjk_font() -> Path | None:
    if shutil.which("fc-list") is None:
        return None
    out = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    paths = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    return Path(paths[0]) if paths else None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if LATIN_FONT.exists():
        return ImageFont.truetype(str(LATIN_FONT), size)
    return ImageFont.load_default(size)


def render(
    lines: list[tuple[int, int, str, int]], size: tuple[int, int] = (900, 420)
) -> Image.Image:
    """A white image with (x, y, text, font size) lines drawn in black."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for x, y, text, font_size in lines:
        draw.text((x, y), text, fill="black", font=_font(font_size))
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


PAGE = [
    (30, 20, "Rates Notice", 44),
    (30, 110, "Pay your rates before 30 April.", 26),
    (30, 145, "Late payment adds a surcharge.", 26),
    (30, 260, "Contact the Rating Office", 26),
]


def test_real_ocr_reads_an_english_image_into_heading_and_paragraphs(
    engine: RapidOcrEngine,
) -> None:
    document = ocr_image(png(render(PAGE)), "notice.png", engine)
    kinds = [b.kind for b in document.blocks]
    texts = [b.text for b in document.blocks]
    assert kinds[0] == "heading" and "Rates" in texts[0]
    assert document.title == texts[0]
    # The two close lines are one paragraph; the far one is another.
    assert len(document.blocks) == 3
    assert "30 April" in texts[1] and "surcharge" in texts[1]
    assert "Rating Office" in texts[2]


def test_real_ocr_reads_a_scanned_pdf_with_page_numbers(engine: RapidOcrEngine) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    for page in (PAGE, [(30, 40, "Second page about water bills.", 30)]):
        pdf.add_page()
        pdf.image(render(page, (900, 420)), x=10, y=10, w=190)
    data = bytes(pdf.output())
    parsed = parse_source(data, "scan.pdf", ocr=engine)
    assert parsed.kind == "pdf-ocr" and parsed.title == "Rates Notice"
    # The second page's short text joins the first page's last chunk, which says so.
    pages = {d.page for d in parsed.drafts} | {
        int(d.metadata.get("page_end", 0)) for d in parsed.drafts
    }
    assert {1, 2} <= pages
    joined = " ".join(d.text for d in parsed.drafts)
    assert "surcharge" in joined and "water bills" in joined


def test_real_ocr_reads_chinese_as_hong_kong_traditional(engine: RapidOcrEngine) -> None:
    font = _cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (fc-list :lang=zh is empty); install fonts-noto-cjk")
    image = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(image).text(
        (30, 40), "香港政府網頁說明", fill="black", font=ImageFont.truetype(str(font), 48)
    )
    document = ocr_image(png(image), "zh.png", engine)
    text = document.text
    assert "香港" in text and "网" not in text and "说" not in text


def test_real_ocr_of_a_blank_image_is_an_empty_document(engine: RapidOcrEngine) -> None:
    with pytest.raises(EmptyDocument):
        ocr_image(png(Image.new("RGB", (300, 200), "white")), "blank.png", engine)


class ScriptedOcr:
    """Returns fixed lines for every image (layout and script tests without models)."""

    def __init__(self, lines: list[OcrLine]) -> None:
        self.lines = lines
        self.calls = 0

    def read_lines(self, image: Image.Image) -> list[OcrLine]:
        self.calls += 1
        return self.lines


def test_chinese_ocr_output_is_converted_to_hong_kong_traditional() -> None:
    lines = [
        OcrLine("房屋署通告", 10, 10, 300, 70),
        OcrLine("这里是申请", 10, 100, 200, 130),
        OcrLine("须知说明。", 10, 134, 200, 164),
    ]
    blocks = lines_to_blocks(lines)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "房屋署通告"),
        ("paragraph", "這裏是申請須知說明。"),
    ]


def test_boxes_on_one_line_are_merged_and_columns_are_not() -> None:
    lines = [
        OcrLine("Apply", 10, 10, 80, 30),
        OcrLine("online now", 90, 11, 200, 31),
        OcrLine("Far column", 700, 10, 850, 30),
        OcrLine("1. Bring your HKID", 10, 60, 250, 80),
        OcrLine("2. Sign the form", 10, 84, 250, 104),
        OcrLine("12", 400, 975, 420, 995),
    ]
    blocks = lines_to_blocks(lines, page=3, height=1000)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Apply online now"),
        ("paragraph", "Far column"),
        ("list_item", "Bring your HKID"),
        ("list_item", "Sign the form"),
    ]
    assert {b.page for b in blocks} == {3}


def test_images_need_an_ocr_engine_and_must_be_images() -> None:
    with pytest.raises(UnsupportedFileType):
        parse_source(png(render(PAGE)), "a.png", ocr=None)
    with pytest.raises(CorruptDocument):
        parse_source(b"not an image", "a.png", ocr=ScriptedOcr([]))


def test_multi_page_tiff_gives_one_page_per_frame() -> None:
    frames = [Image.new("RGB", (100, 100), "white") for _ in range(2)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    engine = ScriptedOcr([OcrLine("Hello", 10, 10, 60, 30)])
    parsed = parse_source(out.getvalue(), "scan.tiff", ocr=engine)
    assert engine.calls == 2
    assert [d.page for d in parsed.drafts] == [1]  # both pages' text fits one chunk
    assert parsed.drafts[0].metadata == {"page_end": "2"}


def test_rapidocr_models_ship_inside_the_package() -> None:
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    assert sorted(p.suffix for p in models.iterdir() if p.suffix == ".onnx") == [".onnx"] * 3
