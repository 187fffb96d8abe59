"""PDF documents in Chinese, drawn the one way every PDF of the site is drawn (notices, household files, cards).

ReportLab's built-in CID font STSong-Light (Adobe's Chinese font metrics; PDF readers supply the glyphs),
so no system font is needed on the server. Every user or data text goes through `paragraph` (escaped),
never straight into a Paragraph; `styles` gives the 公文-like title, headings, body and table text for a
page size; `table` a gridded table; `build` lays the story out on A4 or A5 with "第 x 页 共 y 页" at
the foot of every page when asked. None of this imports a jingzhun app.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

FONT = "STSong-Light"


def font() -> str:
    """The CID font's name, registered with ReportLab on first use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def paragraph(text, style):
    """A ReportLab Paragraph showing `text` literally.

    Paragraph parses its text as markup (`<img src>` reads a server file, `<a href>` adds a link, an
    unbalanced tag raises), so every user or data text goes through here, escaped, never straight in.
    """
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one page size: 公文 title, 一、 headings, （一） sub-headings, body, cells."""

    title: object
    subtitle: object
    heading: object
    subheading: object
    body: object
    indented: object
    right: object
    cell: object
    small: object
    cell_size: float


def styles(scale: float = 1.0) -> Styles:
    """The styles at `scale` (1.0 for A4; about 0.8 fits the same layout on A5)."""
    from reportlab.lib.styles import ParagraphStyle

    f = font()

    def style(name, size, leading, **kw):
        return ParagraphStyle(name, fontName=f, fontSize=size * scale, leading=leading * scale, **kw)

    return Styles(
        title=style("title", 20, 30, alignment=1, spaceAfter=4),
        subtitle=style("subtitle", 11, 16, alignment=1, spaceAfter=6),
        heading=style("heading", 14, 22, spaceBefore=8, spaceAfter=4),
        subheading=style("subheading", 12, 18, spaceBefore=4, spaceAfter=2),
        body=style("body", 11, 18),
        indented=style("indented", 11, 18, firstLineIndent=22 * scale),
        right=style("right", 11, 18, alignment=2),
        cell=style("cell", 9.5, 13),
        small=style("small", 8.5, 12),
        cell_size=9.5 * scale,
    )


def table(rows: Sequence[Sequence], st: Styles, *, widths: Sequence[float] | None = None, header: bool = True,
          label_column: bool = False):
    """A gridded table; every cell is a data text drawn through `paragraph` so long text wraps."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[cell if hasattr(cell, "wrapOn") else paragraph("" if cell is None else cell, st.cell) for cell in row]
            for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands = [("FONTNAME", (0, 0), (-1, -1), font()), ("FONTSIZE", (0, 0), (-1, -1), st.cell_size),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    if label_column:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f3f3")))
    t.setStyle(TableStyle(commands))
    return t


def page_size(name: str):
    """"a4" or "a5" (portrait) as ReportLab's page size; anything else is A4."""
    from reportlab.lib.pagesizes import A4, A5

    return A5 if name == "a5" else A4


def _numbered_canvas(label_font: str, size: float):
    """A canvas class that writes "第 x 页 共 y 页" at the foot once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.setFont(label_font, size)
                self.drawCentredString(width / 2, 8 * 2.8346, _("第 %(page)d 页 共 %(pages)d 页")
                                       % {"page": self._pageNumber, "pages": total})
                super().showPage()
            super().save()

    return NumberedCanvas


def build(story: Iterable, *, size: str = "a4", title: str = "", author: str = "", numbered: bool = True,
          margin_mm: float = 18) -> bytes:
    """The story laid out as a PDF on `size` ("a4" or "a5"), with page numbers when `numbered`."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    pagesize = page_size(size)
    margin = margin_mm * mm
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                                 topMargin=margin + 2 * mm, bottomMargin=margin, title=title, author=author)
    if numbered:
        document.build(list(story), canvasmaker=_numbered_canvas(font(), 9))
    else:
        document.build(list(story))
    return buffer.getvalue()


def frame_size(size: str = "a4", margin_mm: float = 18) -> tuple[float, float]:
    """The width and height `build` leaves for the story on `size` (for KeepInFrame: one card a page)."""
    from reportlab.lib.units import mm

    width, height = page_size(size)
    # SimpleDocTemplate's frame has 6 points of padding on each side
    return width - 2 * margin_mm * mm - 12, height - (2 * margin_mm + 2) * mm - 12
