"""Turning template cells (text) into Python values, with Chinese messages for bad ones."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .template import Column, Kind

YES, NO = "是", "否"


class CellError(ValueError):
    """A cell that does not fit its column; the message is for the person who filled it in."""


def parse_cell(column: Column, text: str | None):
    """The value of one cell; blank cells give None (or "" for text-like columns)."""
    text = (text or "").strip()
    if not text:
        if column.required:
            raise CellError(_("必填项不能为空"))
        return "" if column.kind in (Kind.TEXT, Kind.CODE, Kind.CHOICE, Kind.PHONE, Kind.ID_NUMBER) else None
    kind = column.kind
    if kind in (Kind.TEXT, Kind.CODE, Kind.PHONE, Kind.ID_NUMBER):
        return text
    if kind in (Kind.INT, Kind.YEAR):
        if not text.isdigit():
            raise CellError(_("应为非负整数") if kind == Kind.INT else _("应为四位年份"))
        value = int(text)
        if kind == Kind.YEAR and not 1949 <= value <= 2100:
            raise CellError(_("年份应在 1949–2100 之间"))
        return value
    if kind in (Kind.MONEY, Kind.DECIMAL):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellError(_("应为数字（元，最多两位小数）")) from None
        if not value.is_finite() or value.as_tuple().exponent < -2:
            raise CellError(_("应为数字（元，最多两位小数）"))
        return value
    if kind == Kind.BOOL:
        if text not in (YES, NO):
            raise CellError(_("应填“是”或“否”"))
        return text == YES
    if kind == Kind.CHOICE:
        if text not in column.choices:
            raise CellError(_("不在可选值中（可选：%(values)s）") % {"values": " / ".join(column.choices)})
        return text
    if kind == Kind.CHOICES:
        values = [v.strip() for v in text.split("、") if v.strip()]
        if len(values) > 2 or any(v not in column.choices for v in values):
            raise CellError(_("最多填两项，用“、”分隔，且每项须在可选值中"))
        return values
    raise AssertionError(f"unhandled kind {kind}")
