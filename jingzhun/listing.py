"""List pages: page numbers, a page-size choice, sortable columns, the active filters and a print view.

The habit is Django admin's ChangeList: the query string is the whole state of a list (filters, `sort`,
`page`, `per`, `print`), every link on the page is the current query with one parameter changed
(`Listing.url`), sorting is offered only on the columns a view declares (a sort key from a forged URL
is ignored and said so, never passed to the ORM), the page size is one of `PAGE_SIZES`, and a page past
the end shows the last page. `print=1` is the same list, every matching row up to `PRINT_MAX`, for the
printed form a village wall takes (the templates add title, unit and date).

A list of a province's millions (`count_cap`) does not count them on every page: it counts up to the
cap and says "more than" above it (`CappedPaginator`), with the exact count one click away (`count=exact`).

Templates: `_thead.html` (the sortable header row), `_filters.html` (the active filters, each
removable, and the notices), `_pager.html` (page numbers and sizes) and `_print_head.html`. This module
imports nothing of jingzhun, so every app's list may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PAGE_VAR, PER_VAR, SORT_VAR, PRINT_VAR, FORMAT_VAR, COUNT_VAR = "page", "per", "sort", "print", "format", "count"
#: The page sizes offered; anything else in `per` falls back to the list's default.
PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PER_PAGE = 50
#: Rows a print view holds at most (a wall sheet of 2,000 rows is already 40 A4 pages).
PRINT_MAX = 2000
#: Rows a capped list (`Listing.count_cap`) counts on each page; a multiple of every page size.
COUNT_CAP = 10_000
#: Parameters of the list's own machinery, which are not filters.
CONTROL_VARS = frozenset({PAGE_VAR, PER_VAR, SORT_VAR, PRINT_VAR, FORMAT_VAR, COUNT_VAR})
#: Rows an Excel worksheet holds below its header.
EXCEL_MAX_ROWS = 1_048_575


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows (a LIMIT inside the count): a province's list is
    not counted on every page. Above the cap, `capped` is true, `count` means "more than `cap`" and the
    pages reach the cap's last page only."""

    def __init__(self, object_list, per_page, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Neither the order nor the annotations change how many rows there are: the count reads the index.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return -(-self.cap // self.per_page) if self.capped else super().num_pages


def choice_labels(model, *names: str) -> dict[str, dict]:
    """For each field name, its choices' value → label in the active language.

    A list's cells use these instead of `get_FOO_display`, which rebuilds and hashes every (lazily
    translated) choice of the field on each call: the largest cost of rendering a page of 50 rows.
    """
    return {name: _choice_labels(model, name, get_language()) for name in names}


@cache
def _choice_labels(model, name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


@dataclass(frozen=True)
class Column:
    """One column of a list: its header and, when `key` is set, how it sorts (ORM fields, ascending)."""

    label: str
    key: str = ""
    order: tuple[str, ...] = ()
    num: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return self.order or (self.key,)


@dataclass(frozen=True)
class Header:
    label: str
    num: bool
    url: str = ""  # "" when the column does not sort
    sorted: str = ""  # "asc", "desc" or ""


@dataclass(frozen=True)
class Chip:
    """An active filter: `label`: `value`, and the list without it."""

    label: str
    value: str
    remove_url: str


@dataclass
class Listing:
    """One list page's rows and links, built from the request's query string.

    `columns` are the table's columns in order; `default_sort` a key of one of them (prefixed "-" for
    descending); `tiebreak` the fields that make the order total, so a row never moves between pages.
    """

    query: QueryDict
    rows: QuerySet
    columns: Sequence[Column]
    default_sort: str
    tiebreak: tuple[str, ...] = ("pk",)
    per_page: int = DEFAULT_PER_PAGE
    printable: bool = True
    #: Whether the list offers its rows as a workbook (`format=xlsx`, see `exporting`).
    exportable: bool = False
    #: Rows counted on each page at most (0: always count them all); `count=exact` in the query counts all.
    count_cap: int = 0
    #: What the printed sheet is headed with: the list's title and the unit it is about.
    title: str = ""
    unit: str = ""
    notices: list[str] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)

    def __post_init__(self):
        self.query = self.query.copy()
        self.sortable = {c.key: c for c in self.columns if c.key}
        self.sort = self._sort_of(self.query.get(SORT_VAR, ""))
        self.printing = self.printable and self.query.get(PRINT_VAR) == "1"
        self.exporting = self.exportable and self.query.get(FORMAT_VAR) == "xlsx"
        self.per_page = self._per_page_of(self.query.get(PER_VAR, ""))
        key = self.sort.lstrip("-")
        fields = self.sortable[key].fields if key in self.sortable else ()
        descending = self.sort.startswith("-")
        ordering = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_first=True) for f in fields]
        ordering += [f for f in self.tiebreak if f not in fields]
        self.rows = self.rows.order_by(*ordering)
        self.page = None if self.exporting else self._page()

    @property
    def today(self):
        return timezone.localdate()

    # --- parsing ----------------------------------------------------------------------------------

    def _sort_of(self, value: str) -> str:
        if value and value.lstrip("-") in self.sortable and value.count("-") <= 1:
            return value
        if value:
            self.notices.append(_("不能按“%(key)s”排序，已按默认顺序排列。") % {"key": value[:40]})
            self.query.pop(SORT_VAR)  # the links of the page do not repeat it
        return self.default_sort

    def _per_page_of(self, value: str) -> int:
        if value and value.isdigit() and int(value) in PAGE_SIZES:
            return int(value)
        if value:
            self.notices.append(_("每页条数只能是 %(sizes)s，已按每页 %(n)d 条显示。")
                                % {"sizes": "、".join(map(str, PAGE_SIZES)), "n": self.per_page})
            self.query.pop(PER_VAR)
        return self.per_page

    def _page(self) -> Page:
        if self.printing:
            page = Paginator(self.rows, PRINT_MAX).page(1)
            if page.paginator.count > PRINT_MAX:
                self.notices.append(_("共 %(n)d 条，只打印前 %(max)d 条；请缩小筛选范围后分次打印。")
                                    % {"n": page.paginator.count, "max": PRINT_MAX})
            return page
        exact = not self.count_cap or self.query.get(COUNT_VAR) == "exact"
        paginator = Paginator(self.rows, self.per_page) if exact else \
            CappedPaginator(self.rows, self.per_page, cap=self.count_cap)
        asked = self.query.get(PAGE_VAR, "")
        page = paginator.get_page(asked)
        if asked and (not asked.isdigit() or int(asked) != page.number):
            self.notices.append(_("没有第 %(asked)s 页，已显示第 %(n)d 页。") % {"asked": asked[:10], "n": page.number})
        return page

    # --- links ------------------------------------------------------------------------------------

    def url(self, **changes) -> str:
        """The current query with `changes` applied (None removes a parameter); the page goes back to 1
        unless it is one of the changes."""
        query = self.query.copy()
        for name in (PAGE_VAR, PRINT_VAR, FORMAT_VAR):
            query.pop(name, None)
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None and value != "":
                query[name] = str(value)
        text = query.urlencode()
        return f"?{text}" if text else "?"

    @property
    def headers(self) -> list[Header]:
        current, descending = self.sort.lstrip("-"), self.sort.startswith("-")
        headers = []
        for column in self.columns:
            if not column.key:
                headers.append(Header(str(column.label), column.num))
                continue
            state = ("desc" if descending else "asc") if column.key == current else ""
            target = column.key if state != "asc" else f"-{column.key}"
            headers.append(Header(str(column.label), column.num, self.url(**{SORT_VAR: target}), state))
        return headers

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """(number, url) of the pages to link; (None, "") where pages are left out."""
        links = []
        for number in self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1):
            if number == Paginator.ELLIPSIS:
                links.append((None, ""))
            else:
                links.append((number, self.url(**{PAGE_VAR: number})))
        return links

    @property
    def previous_url(self) -> str:
        return self.url(**{PAGE_VAR: self.page.previous_page_number()}) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(**{PAGE_VAR: self.page.next_page_number()}) if self.page.has_next() else ""

    @property
    def size_links(self) -> list[tuple[int, str, bool]]:
        return [(n, self.url(**{PER_VAR: n}), n == self.per_page) for n in PAGE_SIZES]

    @property
    def capped(self) -> bool:
        """Whether the count on the page is only "more than the cap" (see `CappedPaginator`)."""
        return isinstance(getattr(self.page, "paginator", None), CappedPaginator) and self.page.paginator.capped

    @property
    def exact_count_url(self) -> str:
        """This page, with every row counted."""
        return self.url(**{COUNT_VAR: "exact", PAGE_VAR: self.page.number})

    @property
    def count_cap_shown(self) -> str:
        return f"{self.count_cap:,}"

    @property
    def count_note(self) -> str:
        """What a capped count means, for the line under it."""
        return _("超过 %(cap)s 条时不逐条计数，以便页面快速打开；页码只列到第 %(pages)d 页，可用筛选缩小范围，"
                 "或统计精确总数后翻到最后一页。") % {"cap": self.count_cap_shown, "pages": self.page.paginator.num_pages}

    @property
    def print_url(self) -> str:
        return self.url(**{PRINT_VAR: 1})

    @property
    def export_url(self) -> str:
        """The same rows, in the same order, as a workbook."""
        return self.url(**{FORMAT_VAR: "xlsx"}) if self.exportable else ""

    def export_refusal(self, request):
        """An error page when the rows do not fit one worksheet, else None."""
        count = self.rows.count()
        if count <= EXCEL_MAX_ROWS:
            return None
        return error_page(request, title=_("无法导出"), back=self.url(), problems=[
            _("共 %(n)d 条，超过 Excel 工作表上限 %(max)d 条；请缩小筛选范围后分次导出。") % {"n": count, "max": EXCEL_MAX_ROWS}])

    @property
    def filter_query(self) -> str:
        """The filters alone (no page, size, sort or print): what an export of the same rows takes."""
        query = self.query.copy()
        for name in CONTROL_VARS:
            query.pop(name, None)
        return query.urlencode()

    @property
    def hidden_query(self) -> list[tuple[str, str]]:
        """Every parameter but the page (and print), for the hidden inputs of the go-to-page form."""
        return [(name, value) for name, values in self.query.lists() if name not in (PAGE_VAR, PRINT_VAR, FORMAT_VAR)
                for value in values]

    @property
    def hidden_controls(self) -> list[tuple[str, str]]:
        """Sort and page size, for the hidden inputs of a filter form (a new filter keeps them)."""
        return [(name, self.query[name]) for name in (SORT_VAR, PER_VAR) if self.query.get(name)]

    # --- filters ----------------------------------------------------------------------------------

    def add_chip(self, label: str, value: str, param: str, *, also: Iterable[str] = (),
                 reset: Mapping[str, str] | None = None) -> None:
        """Show an active filter; its removal drops `param` (and `also`), or sets it to `reset`'s value."""
        changes = {name: None for name in (param, *also)}
        changes.update(reset or {})
        self.chips.append(Chip(str(label), str(value), self.url(**changes)))

    def chips_from_form(self, form: forms.Form, *, depends: Mapping[str, Sequence[str]] | None = None) -> None:
        """A chip per filled-in field of a valid filter form; choices are shown by their label, and
        removing a field also removes the fields that `depends` on it (a village goes with its township)."""
        if not form.is_bound or not form.is_valid():
            return
        depends = depends or {}
        for name, bound in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, "", [], ()):
                continue
            if isinstance(bound, forms.ChoiceField):
                shown = str(dict((str(k), v) for k, v in bound.choices).get(str(value), value))
            else:
                shown = str(value)
            self.add_chip(bound.label, shown, name, also=depends.get(name, ()))

    @property
    def clear_url(self) -> str:
        """The list with no filter (its sort and page size kept)."""
        kept = QueryDict(mutable=True)
        for name, value in self.hidden_controls:
            kept[name] = value
        text = kept.urlencode()
        return f"?{text}" if text else "?"


def form_problems(form: forms.Form) -> list[str]:
    """The errors of a filter form, one line per field ("乡镇：…"), for an error page."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(errors)
        lines.append(_("%(label)s：%(value)s") % {"label": label, "value": text} if label else text)
    return lines


def error_page(request, *, title: str, problems: Sequence[str], back: str, status: int = 400) -> HttpResponse:
    """An HTML page (in the site's frame) saying why a list's export or print cannot be made, with a way back."""
    return render(request, "list_error.html", {"title": title, "problems": problems, "back": back}, status=status)
