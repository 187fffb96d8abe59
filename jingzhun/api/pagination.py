"""Cursor pagination with a stable order: a list read page by page neither skips nor repeats a row that
another caller inserts meanwhile (offset pages would), and a deep page costs what the first one does."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """`?cursor=` from the previous page's `next`; `?page_size=` up to 1000 (default 100)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "pk"
    invalid_cursor_message = _("翻页游标无效：请使用上一页返回的 next 或 previous 链接。")


def cursor(*ordering: str) -> type[Cursor]:
    """A Cursor ordered by `ordering` (unique and never changed, e.g. a code or the primary key)."""
    return type("Cursor", (Cursor,), {"ordering": ordering})
