"""The Traditional Chinese font a Word file needs once it holds Chinese text."""

from __future__ import annotations

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Installed on every Windows PC in Hong Kong government; Word's Latin default (Calibri)
# has no Chinese glyphs, so without this Word falls back to a font that may be Simplified.
EAST_ASIAN_FONT = "Microsoft JhengHei"
EAST_ASIAN_LANGUAGE = "zh-HK"


def use_east_asian_font(word: WordDocument) -> None:
    """Name a Traditional Chinese font for East Asian text in the body and heading styles."""
    for style in word.styles:
        element = style.element
        is_normal = style.name == "Normal"
        fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if not is_normal and fonts is None:
            continue  # inherits from Normal
        r_pr = element.get_or_add_rPr()
        fonts = r_pr.get_or_add_rFonts()
        # A theme font attribute wins over a named one, so it has to go.
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
        if is_normal:
            lang = r_pr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                r_pr.append(lang)
            lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
