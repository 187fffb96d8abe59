"""Word documents in the layout of Chinese official documents (公文, GB/T 9704-2012), with python-docx.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text area); the title in
方正小标宋简体 二号 (22 pt), centred; the body in 仿宋_GB2312 三号 (16 pt), 22 lines of 28 characters
(fixed line spacing 28.95 pt, about 225 mm ÷ 22; first lines indented two characters); page numbers in the
footer as "— 1 —" in 宋体 四号 (14 pt), odd pages on the right and even pages on the left, one character
in from the edge. An optional 红头: the issuing organ's name in red 小标宋 over a red line.

Word takes one font name per script, so the fallbacks are in the font table: each of our fonts is
declared there with `w:altName` (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋) and the GB2312 character set
and family of its kind, which is what Word and LibreOffice substitute by when the font is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The fonts the layout names, with the font each falls back to (w:altName) and its font-table family.
TITLE_FONT, BODY_FONT, PAGE_NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"
FALLBACKS = {TITLE_FONT: ("宋体", "roman"), BODY_FONT: ("仿宋", "modern"), PAGE_NUMBER_FONT: ("SimSun", "auto")}
RED = "FF0000"


@dataclass(frozen=True)
class Layout:
    """The measures of the layout (mm and pt), as GB/T 9704-2012 gives them."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 37
    bottom_mm: float = 35
    left_mm: float = 28
    right_mm: float = 26
    title_pt: float = 22  # 二号
    body_pt: float = 16  # 三号
    page_number_pt: float = 14  # 四号
    lines_per_page: int = 22
    chars_per_line: int = 28
    #: The fixed line pitch of 22 lines a page: the customary 28.95 pt, a hair under 225 mm ÷ 22 (28.99 pt)
    #: so that the 22nd line never spills over.
    line_pt: float = 28.95
    footer_mm: float = 21  # page edge to the footer's foot: the 一字线 about 7 mm below the text area


LAYOUT = Layout()


def gongwen_docx(*, title: str, paragraphs: list[str], path: Path, issuer: str = "",
                 layout: Layout = LAYOUT) -> None:
    """Write `paragraphs` under `title` as a .docx in the 公文 layout; with `issuer`, under a 红头."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(layout.page_width_mm), Mm(layout.page_height_mm)
    section.top_margin, section.bottom_margin = Mm(layout.top_mm), Mm(layout.bottom_mm)
    section.left_margin, section.right_margin = Mm(layout.left_mm), Mm(layout.right_mm)
    section.header_distance, section.footer_distance = Mm(15), Mm(layout.footer_mm)
    _grid(section, layout)
    _declare_fonts(document)

    normal = document.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(layout.body_pt)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Pt(layout.line_pt)
    spacing.space_before = spacing.space_after = Pt(0)

    if issuer:
        head = document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a large 红头 needs its own height
        run = head.add_run(issuer)
        _fonts(run._element.get_or_add_rPr(), TITLE_FONT)
        run.font.size = Pt(36 if len(issuer) <= 12 else 26)  # 小初; 一号 for a long name (still one line)
        run.font.color.rgb = RGBColor.from_string(RED)
        line = document.add_paragraph()
        _red_line(line)
        document.add_paragraph()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    _fonts(run._element.get_or_add_rPr(), TITLE_FONT)
    run.font.size = Pt(layout.title_pt)
    heading.paragraph_format.line_spacing = Pt(max(layout.line_pt, layout.title_pt * 1.3))
    document.add_paragraph()  # a blank line between the title and the body
    for text in paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(2 * layout.body_pt)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _page_numbers(document, section, layout)
    document.core_properties.title = title
    document.core_properties.language = "zh-CN"
    document.save(str(path))


def _fonts(rpr, name: str) -> None:
    """Name the font for every script of a run (w:rFonts ascii, hAnsi, eastAsia, cs) and mark it Chinese."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _grid(section, layout: Layout) -> None:
    """The document grid of 22 lines a page (w:docGrid, line pitch in twentieths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(layout.line_pt * 20)))


def _declare_fonts(document) -> None:
    """Add our fonts to the font table, each with its fallback (w:altName) and the GB2312 character set."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    present = {f.get(f"{{{w}}}name") for f in root.findall(f"{{{w}}}font")}
    for name, (alternative, family) in FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alternative})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": family})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    # python-docx keeps parts it does not model as bytes: the font table is replaced whole
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _red_line(paragraph) -> None:
    """The 红头's separating line: a red bottom border across the text area (w:pBdr, 2.25 pt)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.paragraph_format.line_spacing = Pt(8)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # CT_PPr is a sequence: the border goes before the spacing, indents and alignment already there
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
                              "w:sectPr", "w:pPrChange")


def _page_numbers(document, section, layout: Layout) -> None:
    """"— 1 —" in 宋体 四号: odd pages right-aligned, even pages left-aligned, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = alignment
        inset = Pt(layout.page_number_pt)
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = inset
        else:
            paragraph.paragraph_format.left_indent = inset
        _number_run(paragraph, "— ", layout)
        _page_field(paragraph, layout)
        _number_run(paragraph, " —", layout)


def _number_run(paragraph, text: str, layout: Layout):
    from docx.shared import Pt

    run = paragraph.add_run(text)
    _fonts(run._element.get_or_add_rPr(), PAGE_NUMBER_FONT)
    run.font.size = Pt(layout.page_number_pt)
    return run


def _page_field(paragraph, layout: Layout) -> None:
    """The PAGE field as Word writes it: begin, instruction, separate, a shown value, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _number_run(paragraph, "", layout)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text
