"""The progress of a batch in the seeds' words — "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）" —
with the same counts by 方面 and by 责任单位, and the days left of the open items.

Counted over the items of the batch the user reads (a county reads the whole batch, a township its part),
so the sentence never names items the reader may not see. 逾期 is an open item past its deadline today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


from ..models import Batch, Item
from ..vocab import ItemKind, ItemState
from . import items_for, warning_days



@dataclass
class Counts:
    """Items, closed (已销号), remaining and overdue among the remaining."""

    items: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def remaining(self) -> int:
        return self.items - self.closed

    def add(self, item: Item, today: dt.date) -> None:
        self.items += 1
        if item.state == ItemState.CLOSED:
            self.closed += 1
        elif item.deadline is not None and item.deadline < today:
            self.overdue += 1


@dataclass
class Group:
    """The counts of one 方面 or one 责任单位, and its open items (with their days left)."""

    name: str
    counts: Counts = field(default_factory=Counts)
    open_items: list[Item] = field(default_factory=list)


@dataclass
class BatchProgress:
    batch: Batch
    today: dt.date
    warning_days: int
    counts: Counts
    aspects: list[Group]
    agencies: list[Group]
    items: list[Item]

    @property
    def sentence(self) -> str:
        return progress_sentence(aspects=len([g for g in self.aspects if g.name]), counts=self.counts,
                                 kind=self.batch.kind)

    @property
    def overdue_items(self) -> list[Item]:
        return [i for i in self.items if i.is_open and i.deadline is not None and i.deadline < self.today]

    @property
    def remaining_items(self) -> list[Item]:
        return [i for i in self.items if i.is_open]


def _noun(n: int, kind: str) -> str:
    if kind == ItemKind.TASK:
        return ngettext("%(n)d 项工作", "%(n)d 项工作", n) % {"n": n}
    if kind == ItemKind.PROJECT:
        return ngettext("%(n)d 个项目", "%(n)d 个项目", n) % {"n": n}
    return ngettext("%(n)d 个问题", "%(n)d 个问题", n) % {"n": n}


def progress_sentence(*, aspects: int, counts: Counts, kind: str = ItemKind.PROBLEM) -> str:
    """"4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）"; "…，剩余 4 个" when none is overdue;
    "4 方面 21 个问题，已全部销号" when all are closed."""
    if counts.items == 0:
        return _("还没有事项")
    what = _noun(counts.items, kind)
    if aspects:
        what = _("%(aspects)s %(items)s") % {
            "aspects": ngettext("%(n)d 方面", "%(n)d 方面", aspects) % {"n": aspects}, "items": what}
    numbers = {"what": what, "closed": counts.closed, "remaining": counts.remaining, "overdue": counts.overdue}
    if counts.remaining == 0:
        return _("%(what)s，已全部销号") % numbers
    if counts.overdue == 0:
        return _("%(what)s，已销号 %(closed)d 个，剩余 %(remaining)d 个") % numbers
    return _("%(what)s，已销号 %(closed)d 个，剩余 %(remaining)d 个（逾期 %(overdue)d 个）") % numbers



def batch_progress(user, batch: Batch, *, today: dt.date) -> BatchProgress:
    """The counts of the batch's items in the user's reach, overall, by 方面 and by 责任单位."""
    items = list(items_for(user).filter(batch=batch).select_related("agency").order_by("number", "pk"))
    counts = Counts()
    aspects: dict[str, Group] = {}
    agencies: dict[int | None, Group] = {}
    for item in items:
        # for the pages: days left (negative when overdue) and days late, computed once
        item.days = item.days_left(today)
        item.late_days = -item.days if item.days is not None and item.days < 0 else 0
        counts.add(item, today)
        aspect = aspects.setdefault(item.aspect, Group(item.aspect))
        unit = agencies.setdefault(item.agency_id, Group(item.agency.name if item.agency_id else _("（未指定）")))
        for group in (aspect, unit):
            group.counts.add(item, today)
            if item.is_open:
                group.open_items.append(item)
    for group in (*aspects.values(), *agencies.values()):
        group.open_items.sort(key=lambda i: (i.deadline or dt.date.max, i.number))
    # 方面 in the order the list first names them; units with the most overdue, then the most open, first
    by_unit = sorted(agencies.values(), key=lambda g: (-g.counts.overdue, -g.counts.remaining, g.name))
    return BatchProgress(batch=batch, today=today, warning_days=warning_days(batch.county_id, today.year),
                         counts=counts, aspects=list(aspects.values()), agencies=by_unit, items=items)
