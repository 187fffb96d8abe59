"""公示/公告 notices: the rows and words of one batch, as HTML (the print view) and as PDF.

The PDF is drawn by jingzhun.pdfdoc (ReportLab's built-in CID font STSong-Light, escaped paragraphs),
as the household files and 明白卡 are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun import pdfdoc
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


#: Every user or data text of a PDF goes through here (escaped): see jingzhun.pdfdoc.paragraph.
pdf_paragraph = pdfdoc.paragraph


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


def notice_pdf(batch: PublicityBatch) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    st = pdfdoc.styles()
    rows = notice_rows(batch)
    table = pdfdoc.table([notice_columns(batch)] + [[r.number, r.village, r.head_name, r.persons, r.detail, r.state]
                                                    for r in rows], st)
    return pdfdoc.build([
        pdf_paragraph(batch.title, st.title), Spacer(1, 6 * mm),
        pdf_paragraph(notice_words(batch, len(rows)), st.indented), Spacer(1, 4 * mm), table, Spacer(1, 10 * mm),
        pdf_paragraph(batch.unit.name, st.right), pdf_paragraph(notice_day(batch.start), st.right),
    ], title=batch.title, author=batch.unit.name, numbered=False)
