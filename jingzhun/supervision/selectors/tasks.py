"""Reads of 重点工作 and 重点项目: the key tasks, meetings and key projects in the user's reach (the ledger's
reach, `items_for` / `batches_for`), a project's deadline colour counting its milestones, and the evidence
photos of an item's progress log."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ..models import Batch, Item, ItemEvent
from ..vocab import ItemKind, Source, Timing
from . import batches_for, item_get, items_for

#: Evidence stored under these suffixes is a photo (the upload check names the suffix by content).
PHOTO_SUFFIXES = (".jpg", ".png")
_PHOTO_Q = Q(evidence__endswith=".jpg") | Q(evidence__endswith=".png")
#: 临期 days when a county's policy pack cannot be read (the pack's own default).


def tasks_for(user) -> QuerySet[Item]:
    """重点工作 (key tasks) in reach."""
    return items_for(user).filter(kind=ItemKind.TASK)


def meetings_for(user) -> QuerySet[Batch]:
    """Meetings (batches of source 会议交办 holding key tasks) in reach."""
    return batches_for(user).filter(source=Source.MEETING, kind=ItemKind.TASK)


def projects_for(user) -> QuerySet[Item]:
    """重点项目 (key projects) in reach, with their photo count (`photos`)."""
    return items_for(user).filter(kind=ItemKind.PROJECT).annotate(
        photos=Count("events", distinct=True, filter=Q(events__kind="progress") & (
            Q(events__evidence__endswith=".jpg") | Q(events__evidence__endswith=".png"))))


def project_get(user, item_id: int) -> Item:
    """One key project in reach; a 404 for any other item (out of reach: audited by item_get)."""
    item = item_get(user, item_id)
    if item.kind != ItemKind.PROJECT:
        raise Http404("not a key project")
    return item



def overdue_milestones(item: Item, today: datetime.date) -> list:
    """The item's milestones due before today and not done (uses a prefetched `milestones` if there)."""
    return [m for m in item.milestones.all() if m.done_on is None and m.due < today]


def project_timing(item: Item, today: datetime.date, days: int) -> str:
    """A key project's deadline colour: the item's own (Item.timing), except that an open project with an
    overdue milestone (due before today, not done) is 逾期 even when its final deadline is still ahead —
    a project late on its 节点 is late, as the inspections read it."""
    timing = item.timing(today, days)
    if item.is_open and timing != Timing.OVERDUE and overdue_milestones(item, today):
        return Timing.OVERDUE
    return timing


def photos_of(item: Item) -> QuerySet[ItemEvent]:
    """The progress entries of the item that carry a photo, newest first."""
    return item.events.filter(_PHOTO_Q, kind="progress").select_related("actor").order_by("-at", "-id")


def last_progress(items: list[Item]) -> dict[int, ItemEvent]:
    """The latest progress entry of each item (by id), in one query."""
    latest: dict[int, ItemEvent] = {}
    for event in ItemEvent.objects.filter(item__in=[i.pk for i in items], kind="progress").order_by("at", "id"):
        latest[event.item_id] = event
    return latest
