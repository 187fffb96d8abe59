"""The bulletin's Word document in the 公文 layout (GB/T 9704-2012), read back with python-docx."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from jingzhun.indicators.bulletin import bulletin_docx

PARAGRAPHS = ["截至 2026 年 1 月 5 日，绛县全县建档立卡贫困户 3 户 6 人。" * 3, "主要致贫原因中，缺技术 3 户 居首位。"]


@pytest.fixture
def written(tmp_path):
    def write(**kwargs):
        path = tmp_path / "bulletin.docx"
        bulletin_docx(PARAGRAPHS, title="绛县脱贫攻坚工作简报", path=path, **kwargs)
        return path, Document(str(path))
    return write


def _east_asia(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element.tag != qn("w:rPr") else \
        element.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _text_paragraphs(document):
    return [p for p in document.paragraphs if p.text]


def test_a4_with_the_gb_t_9704_margins_and_22_lines_a_page(written):
    _path, document = written()
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"  # 28.95 pt


def test_title_in_xiaobiaosong_22pt_and_body_in_fangsong_16pt_with_fixed_lines(written):
    _path, document = written()
    title, *body = _text_paragraphs(document)
    assert title.text == "绛县脱贫攻坚工作简报" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert _east_asia(run._r) == "方正小标宋简体" and run.font.size.pt == 22
    assert [p.text for p in body] == PARAGRAPHS
    normal = document.styles["Normal"]
    assert _east_asia(normal.element.rPr) == "仿宋_GB2312" and normal.font.size.pt == 16
    spacing = normal.paragraph_format
    assert spacing.line_spacing_rule == WD_LINE_SPACING.EXACTLY and round(spacing.line_spacing.pt, 2) == 28.95
    for paragraph in body:  # the body inherits the style's font; two characters' indent
        assert not paragraph.runs[0].font.name and paragraph.paragraph_format.first_line_indent.pt == 32


def test_fonts_fall_back_through_the_font_table(written):
    path, _document = written()
    with zipfile.ZipFile(path) as z:
        table = z.read("word/fontTable.xml").decode()
    for name, fallback in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("宋体", "SimSun")):
        assert f'w:name="{name}"><w:altName w:val="{fallback}"/><w:charset w:val="86"/>' in table


def test_page_numbers_in_the_footer_as_dash_page_dash_on_the_outside(written):
    path, document = written()
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —" and paragraph.alignment == alignment
        assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert {_east_asia(r._r) for r in paragraph.runs} == {"宋体"}
        assert {r.font.size.pt for r in paragraph.runs} == {14}


def test_no_red_head_unless_asked_and_then_the_organ_in_red_over_a_red_line(written):
    _path, plain = written()
    assert _text_paragraphs(plain)[0].text == "绛县脱贫攻坚工作简报"
    assert not list(plain.element.iter(qn("w:pBdr")))
    _path, red = written(issuer="绛县乡村振兴局")
    head, title = _text_paragraphs(red)[:2]
    assert head.text == "绛县乡村振兴局" and title.text == "绛县脱贫攻坚工作简报"
    run = head.runs[0]
    assert str(run.font.color.rgb) == "FF0000" and _east_asia(run._r) == "方正小标宋简体"
    assert head.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (line,) = [b.find(qn("w:bottom")) for b in red.element.iter(qn("w:pBdr"))]
    assert line.get(qn("w:color")) == "FF0000" and line.get(qn("w:val")) == "single"
    # the line lies between the organ and the title
    texts = [p.text for p in red.paragraphs]
    ruled = next(i for i, p in enumerate(red.paragraphs) if p._p.find(qn("w:pPr") + "/" + qn("w:pBdr")) is not None)
    assert texts.index("绛县乡村振兴局") < ruled < texts.index("绛县脱贫攻坚工作简报")
