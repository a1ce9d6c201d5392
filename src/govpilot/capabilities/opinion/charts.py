"""A bar chart of a question's themes (voices, coloured by stance) as a PNG, for reports.

Drawn with Pillow, which the package already needs, so a report needs no plotting
library. Titles are written in a CJK font when the machine has one (Noto CJK is looked
for in the usual places), else in Pillow's own font, which shows English titles only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

__all__ = ["STANCE_COLOURS", "theme_bars_png"]

#: Colour-blind-safe (Okabe-Ito), as the web charts: support blue, oppose orange, unclear pink.
STANCE_COLOURS = {"support": "#0072b2", "oppose": "#e69f00", "unclear": "#cc79a7"}
_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
WIDTH, ROW, LEFT, TOP = 1400, 44, 620, 60


@lru_cache(maxsize=4)
def _font(size: int) -> tuple[Any, bool]:
    """A font of this size, and whether it has Chinese characters."""
    for candidate in _FONTS:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size), True
    return ImageFont.load_default(size), False


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def theme_bars_png(themes: Sequence[dict[str, Any]]) -> bytes:
    """Horizontal bars, one per theme (`title_en`, `title_zh`, `side`, `voices`), largest first."""
    rows = sorted(themes, key=lambda t: -int(t["voices"]))
    height = TOP + ROW * max(1, len(rows)) + 50
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font, has_cjk = _font(22)
    draw.text((20, 15), "Voices per theme 各主題意見數", font=font, fill="black")
    most = max([int(t["voices"]) for t in rows] + [1])
    for i, theme in enumerate(rows):
        y = TOP + i * ROW
        title = theme["title_en"] + (f" | {theme['title_zh']}" if has_cjk else "")
        draw.text((20, y + 8), _fit(draw, title, font, LEFT - 40), font=font, fill="black")
        length = int((WIDTH - LEFT - 110) * int(theme["voices"]) / most)
        colour = STANCE_COLOURS.get(str(theme["side"]), "#999999")
        draw.rectangle((LEFT, y + 6, LEFT + max(length, 2), y + ROW - 6), fill=colour)
        draw.text((LEFT + length + 10, y + 8), str(theme["voices"]), font=font, fill="black")
    legend_y = height - 40
    x = 20
    for side, label in (
        ("support", "support 支持"),
        ("oppose", "oppose 反對"),
        ("unclear", "unclear 不明"),
    ):
        draw.rectangle((x, legend_y + 4, x + 24, legend_y + 24), fill=STANCE_COLOURS[side])
        shown = label if has_cjk else side
        draw.text((x + 32, legend_y), shown, font=font, fill="black")
        x += 60 + int(draw.textlength(shown, font=font))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
