"""公示/公告 notices: the rows and words of one batch, as HTML (the print view) and as PDF.

The PDF uses ReportLab's built-in CID font STSong-Light (Adobe's Chinese font metrics; PDF readers
supply the glyphs), so no system font is needed on the server.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun.registry import vocab

from .definitions import UNPUBLISHED_RISKS, Kind
from .models import Procedure, PublicityBatch


@dataclass
class NoticeRow:
    number: int
    village: str
    head_name: str
    persons: int
    detail: str
    state: str


def notice_columns(batch: PublicityBatch) -> list[str]:
    detail = {Kind.ENTRY: _("主要致贫原因"), Kind.EXIT: _("年人均纯收入（元）"),
              Kind.MONITORING_ENTRY: _("拟纳入类别及风险类型")}.get(batch.kind, _("事项"))
    return [_("序号"), _("村"), _("户主姓名"), _("家庭人口"), detail, _("状态")]


def notice_rows(batch: PublicityBatch) -> list[NoticeRow]:
    rows = []
    procedures = batch.procedures_listed.select_related("village", "household").order_by("village_id", "pk")
    for number, p in enumerate(procedures, start=1):
        if p.kind == Kind.ENTRY:
            persons = len(p.payload.get("members", []))
            detail = p.payload.get("household", {}).get("main_cause", "")
        else:
            persons = p.household.members.filter(status=vocab.MemberStatus.NORMAL).count()
            if p.kind == Kind.EXIT:
                income = p.household.per_capita_income(persons)
                detail = "—" if income is None else f"{Decimal(income):,.2f}"
            elif p.kind == Kind.MONITORING_ENTRY:
                detail = monitoring_detail(p)
            else:
                detail = p.get_kind_display()
        state = "" if p.state == Procedure.State.OPEN else p.get_state_display()
        rows.append(NoticeRow(number, p.village.name, p.head_name, persons, detail, state))
    return rows


def monitoring_detail(procedure: Procedure) -> str:
    """识别纳入 on a notice: the proposed 监测对象类别 and the risk types a notice may show — never one that
    reveals illness or disability (UNPUBLISHED_RISKS), as no 健康状况 is ever shown."""
    shown = [str(_(r)) for r in procedure.payload.get("risk_types", []) if r not in UNPUBLISHED_RISKS]
    cls = str(vocab.MonitoringClass(procedure.payload["monitoring_class"]).label)
    return _("%(text)s（%(note)s）") % {"text": cls, "note": _("、").join(shown)} if shown else cls


def notice_day(value) -> str:
    """A date as a notice writes it: 2026年12月02日 (in English, December 2, 2026)."""
    return date_format(value, _("Y年m月d日"))


def notice_words(batch: PublicityBatch, count: int) -> str:
    if batch.is_announcement:
        return ngettext("经审定，以下 %(n)s 户%(kind)s结果予以公告。", "经审定，以下 %(n)s 户%(kind)s结果予以公告。",
                        count) % {"n": count, "kind": batch.get_kind_display()}
    return ngettext("根据%(kind)s工作程序，现将以下 %(n)s 户予以公示。公示期为 %(start)s 至 %(end)s。"
                    "如有异议，请于公示期内向%(unit)s反映。",
                    "根据%(kind)s工作程序，现将以下 %(n)s 户予以公示。公示期为 %(start)s 至 %(end)s。"
                    "如有异议，请于公示期内向%(unit)s反映。", count) % {
        "kind": batch.get_kind_display(), "n": count, "start": notice_day(batch.start),
        "end": notice_day(batch.end), "unit": batch.unit.name}


def pdf_paragraph(text: str, style):
    """A ReportLab Paragraph showing `text` literally.

    Paragraph parses its text as markup (`<img src>` reads a server file, `<a href>` adds a link, an
    unbalanced tag raises), so every user or data text goes through here, escaped, never straight in.
    """
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def notice_pdf(batch: PublicityBatch) -> bytes:
    rows = notice_rows(batch)
    table = [notice_columns(batch)] + [[r.number, r.village, r.head_name, r.persons, r.detail, r.state] for r in rows]
    return notice_document(title=batch.title, author=batch.unit.name, words=[notice_words(batch, len(rows))],
                           table=table, signature=[batch.unit.name, notice_day(batch.start)],
                           widths=[0.08, 0.2, 0.14, 0.1, 0.33, 0.15])


FONT = "STSong-Light"


def notice_document(*, title: str, author: str, words: list[str], table: list[list], signature: list[str],
                    header: bool = True, widths: list[float] | None = None, after: list[str] = ()) -> bytes:
    """A 公文-style notice as PDF: the title, paragraphs, one table, paragraphs after it, and the signing unit
    and date on the right. The drawing of every notice of the site (公示/公告 batches, the 项目库's notices).

    `header`: the first table row is a header (shaded, repeated on each page, cells centred); without it
    the table is label–value rows (the first column shaded, values left-aligned). `widths` are the
    columns' shares of the text width. Every text goes through `pdf_paragraph`, so none is read as markup.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=1)
    body_style = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22)
    sign_style = ParagraphStyle("sign", fontName=FONT, fontSize=11, leading=18, alignment=2)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=14, alignment=1 if header else 0)
    buffer = io.BytesIO()
    margin = 18 * mm
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=20 * mm,
                                 bottomMargin=18 * mm, title=title, author=author)
    width = A4[0] - 2 * margin
    col_widths = [share * width for share in widths] if widths else None
    grid = Table([[pdf_paragraph(cell, cell_style) for cell in row] for row in table], colWidths=col_widths,
                 repeatRows=1 if header else 0)
    shaded = ((0, 0), (-1, 0)) if header else ((0, 0), (0, -1))  # the header row, or the label column
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                              ("BACKGROUND", *shaded, colors.HexColor("#eeeeee")),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    flow = [pdf_paragraph(title, title_style), Spacer(1, 6 * mm)]
    flow += [pdf_paragraph(text, body_style) for text in words]
    flow += [Spacer(1, 4 * mm), grid, Spacer(1, 4 * mm)]
    flow += [pdf_paragraph(text, body_style) for text in after]
    flow += [Spacer(1, 10 * mm)] + [pdf_paragraph(text, sign_style) for text in signature]
    document.build(flow)
    return buffer.getvalue()
