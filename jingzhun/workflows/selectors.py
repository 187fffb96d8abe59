"""Scoped reads of the workflows: every queryset is already limited to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import get_in_reach, may_act, may_assess
from jingzhun.registry.models import Household

from .definitions import PUBLIC_TYPES, Kind, steps_of
from .models import LedgerEvent, NoticePhoto, Objection, Procedure, PublicityBatch, StepRecord


def _cadre_households(access) -> QuerySet:
    return Household.objects.filter(access.household_q()).values("code")


def procedures_for(user) -> QuerySet[Procedure]:
    """Procedures of villages in reach; an assistance cadre sees only those of their own households."""
    access = access_for(user)
    qs = Procedure.objects.filter(access.org_q("village_id"))
    if access.cadre_only:
        qs = qs.filter(household_id__in=_cadre_households(access))
    return qs


def procedure_get(user, procedure_id: int) -> Procedure:
    return get_in_reach(procedures_for(user).select_related("village", "household", "opened_by", "override_by"),
                        pk=procedure_id)


def batches_for(user) -> QuerySet[PublicityBatch]:
    """Notices of units in reach (a cadre sees none: notices list other households)."""
    access = access_for(user)
    qs = PublicityBatch.objects.filter(access.org_q("unit_id"))
    if access.cadre_only:
        qs = qs.none()
    return qs


def batch_get(user, batch_id: int) -> PublicityBatch:
    return get_in_reach(batches_for(user).select_related("unit", "created_by", "closed_by"), pk=batch_id)


def _part_get(user, model, pk: int, *, parent: str, parent_get):
    """A record that belongs to a notice or a procedure: 404 unless it exists and its parent is in reach
    for this user (the parent's own selector decides, so a part is never easier to reach than its whole)."""
    try:
        part = model.objects.select_related(parent).get(pk=pk)
    except model.DoesNotExist:
        raise Http404(f"no such {model._meta.model_name}") from None
    parent_get(user, getattr(part, f"{parent}_id"))
    return part


def objection_get(user, objection_id: int) -> Objection:
    return _part_get(user, Objection, objection_id, parent="batch", parent_get=batch_get)


def photo_get(user, photo_id: int) -> NoticePhoto:
    """A photo of a posted notice, if its notice is in reach (404 otherwise, as for the notice)."""
    return _part_get(user, NoticePhoto, photo_id, parent="batch", parent_get=batch_get)


def record_get(user, record_id: int) -> StepRecord:
    return _part_get(user, StepRecord, record_id, parent="procedure", parent_get=procedure_get)


def awaiting_publication(user) -> dict[tuple[str, str], list[Procedure]]:
    """{(kind, step): procedures} waiting at a 公示/公告 step that this user's role publishes, in reach."""
    access = access_for(user)
    wanted = Q(pk__in=[])
    for kind in Procedure.Kind.values:
        for step in steps_of(kind):
            if step.type in PUBLIC_TYPES and may_act(access, step):
                wanted |= Q(kind=kind, step=step.code)
    groups: dict[tuple[str, str], list[Procedure]] = {}
    for procedure in (procedures_for(user).filter(wanted, state=Procedure.State.OPEN, batch__isnull=True)
                      .select_related("village").order_by("village_id", "pk")):
        groups.setdefault((procedure.kind, procedure.step), []).append(procedure)
    return groups


def events_for(user) -> QuerySet[LedgerEvent]:
    access = access_for(user)
    qs = LedgerEvent.objects.filter(access.org_q("village"))
    if access.cadre_only:
        qs = qs.filter(household__in=_cadre_households(access))
    return qs




# --- to-do (待办) sources: what waits for this user, each scoped like the pages it links to ------------------

#: A 公示 shows on the to-do page from this many days before its period ends.
PUBLICITY_SOON_DAYS = 2


def _steps_q(access, *, types=None, prefix: str = "") -> Q | None:
    """Q over (kind, step) of every step this user's role takes (None: their role takes none)."""
    wanted = None
    for kind in Kind.values:
        codes = [step.code for step in steps_of(kind) if (types is None or step.type in types) and may_act(access, step)]
        if codes:
            q = Q(**{f"{prefix}kind": kind, f"{prefix}step__in": codes})
            wanted = q if wanted is None else wanted | q
    return wanted


def todo_steps(user) -> QuerySet[Procedure]:
    """Open procedures waiting at a step this user's role takes, in reach, the longest waiting first.

    A decision step, or a 公示/公告 step not yet published (a published 公示 waits for its period to end:
    `todo_publicity`). `since` is when the procedure reached its step (its latest record). A step has no time
    limit of its own; a 识别纳入 carries its 办结时限 (`due`, the pack's decide_days from the lead).
    """
    access = access_for(user)
    decisions = _steps_q(access, types={"decision", "verification", "consent", "comparison", "approval"})
    public = _steps_q(access, types=PUBLIC_TYPES)
    wanted = decisions
    if public is not None:
        public &= Q(batch__isnull=True)
        wanted = public if wanted is None else wanted | public
    if wanted is None:
        return Procedure.objects.none()
    latest = StepRecord.objects.filter(procedure=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    return (procedures_for(user).filter(wanted, state=Procedure.State.OPEN)
            .annotate(since=Coalesce(Subquery(latest), "opened_at")).select_related("village")
            .order_by("since", "pk"))


def todo_publicity(user, *, today: datetime.date | None = None) -> QuerySet[PublicityBatch]:
    """公示 in reach not yet closed whose period ends within PUBLICITY_SOON_DAYS or has ended, of a step
    this user's role takes (they record 公示期满), the earliest end first. Its due date is `end`."""
    access = access_for(user)
    steps = _steps_q(access, types={"publicity"})
    if steps is None:
        return PublicityBatch.objects.none()
    today = today or timezone.localdate()
    return (batches_for(user).filter(steps, closed_at__isnull=True,
                                     end__lte=today + datetime.timedelta(days=PUBLICITY_SOON_DAYS))
            .select_related("unit").order_by("end", "pk"))


def todo_objections(user) -> QuerySet[Objection]:
    """Objections not yet resolved, on notices in reach of a step this user's role takes, the earliest
    period end first: the step cannot complete until they are resolved, so their due date is the end."""
    access = access_for(user)
    steps = _steps_q(access, types={"publicity"})  # a 公告 takes no objections
    if steps is None:
        return Objection.objects.none()
    return (Objection.objects.filter(resolution="", batch__in=batches_for(user).filter(steps).values("pk"))
            .select_related("batch", "procedure").order_by("batch__end", "received_on", "pk"))


def todo_evaluations(user) -> QuerySet[OrgUnit]:
    """For a third-party assessor: the counties in reach, whose exit evaluation (三率一度) they assess, or
    the villages in reach when bound below a county. Their fieldwork (cases by duty) is the assessment module's."""
    access = access_for(user)
    if not may_assess(access):
        return OrgUnit.objects.none()
    level = Level.COUNTY if len(access.prefix) <= 6 else Level.VILLAGE
    return access.filter_units(OrgUnit.objects.filter(level=level)).order_by("code")
