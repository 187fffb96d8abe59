"""整改情况通报 of a batch (.docx, 公文 layout through indicators.gongwen): the title, the progress sentence,
a paragraph per 方面, the overdue items named, and a table of the remaining items with their 责任单位 and 时限."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from jingzhun.indicators.gongwen import LAYOUT, gongwen_docx

from .selectors.progress import BatchProgress, Group, progress_sentence


def report_title(progress: BatchProgress) -> str:
    return _("关于%(batch)s整改情况的通报") % {"batch": progress.batch.name}


def _aspect_paragraph(number: int, group: Group, kind: str) -> str:
    sentence = progress_sentence(aspects=0, counts=group.counts, kind=kind)
    return _("（%(n)s）%(aspect)s：%(sentence)s。") % {
        "n": _chinese_number(number), "aspect": group.name or _("未分方面"), "sentence": sentence}


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def report_paragraphs(progress: BatchProgress) -> list[str]:
    batch = progress.batch
    intro = _("%(date)s，%(issuer)s交办%(batch)s。截至%(today)s，%(sentence)s。") % {
        "date": _("%(y)d年%(m)d月%(d)d日") % {"y": batch.received_on.year, "m": batch.received_on.month,
                                          "d": batch.received_on.day},
        "issuer": batch.issued_by or batch.get_source_display(), "batch": batch.name,
        "today": _("%(y)d年%(m)d月%(d)d日") % {"y": progress.today.year, "m": progress.today.month,
                                           "d": progress.today.day},
        "sentence": progress.sentence}
    paragraphs = [intro]
    if batch.deadline:
        paragraphs.append(_("按照要求，全部问题须于%(date)s前整改到位、实现销号清零。") % {
            "date": _("%(y)d年%(m)d月%(d)d日") % {"y": batch.deadline.year, "m": batch.deadline.month,
                                               "d": batch.deadline.day}})
    paragraphs.append(_("一、分方面整改情况"))
    for n, group in enumerate(progress.aspects, start=1):
        paragraphs.append(_aspect_paragraph(n, group, batch.kind))
    overdue = progress.overdue_items
    paragraphs.append(_("二、逾期未销号问题"))
    if overdue:
        for item in overdue:
            paragraphs.append(_("%(number)s号问题“%(title)s”，责任单位%(unit)s，整改时限%(deadline)s，已逾期 %(days)d 天。") % {
                "number": item.number, "title": item.title, "unit": item.agency.name if item.agency_id else _("（未指定）"),
                "deadline": item.deadline.isoformat(), "days": (progress.today - item.deadline).days})
        paragraphs.append(_("请以上责任单位立即整改，整改完成后及时报送办结报告。"))
    else:
        paragraphs.append(_("目前没有逾期未销号的问题。"))
    paragraphs.append(_("三、剩余问题清单"))
    if progress.remaining_items:
        paragraphs.append(_("剩余 %(n)d 个问题及其责任单位、整改时限见下表。各责任单位要对照时限逐项整改，确保按期销号。")
                          % {"n": len(progress.remaining_items)})
    else:
        paragraphs.append(_("本批问题已全部销号。"))
    return paragraphs


def batch_report_docx(progress: BatchProgress, path: Path) -> None:
    """Write the 通报 to `path`: the 公文 body, then the table of the remaining items."""
    from docx import Document
    from docx.shared import Pt

    gongwen_docx(title=report_title(progress), paragraphs=report_paragraphs(progress), path=path)
    remaining = progress.remaining_items
    if not remaining:
        return
    document = Document(str(path))
    headers = (_("序号"), _("方面"), _("问题"), _("责任单位"), _("整改时限"), _("状态"))
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for item in remaining:
        overdue = item.deadline is not None and item.deadline < progress.today
        state = _("逾期") if overdue else item.get_state_display()
        values = (str(item.number), item.aspect, item.title, item.agency.name if item.agency_id else _("（未指定）"),
                  item.deadline.isoformat() if item.deadline else "—", state)
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    for row in table.rows:  # a table in 仿宋 四号 (14 pt) fits six columns across the 156 mm text area
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = Pt(LAYOUT.line_pt * 0.8)
                for run in paragraph.runs:
                    run.font.size = Pt(14)
    document.save(str(path))
