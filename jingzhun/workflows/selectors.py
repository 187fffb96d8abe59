"""Scoped reads of the workflows: every queryset is already limited to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_act
from jingzhun.registry.models import Household

from .definitions import PUBLIC_TYPES, steps_of
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


def objection_get(user, objection_id: int) -> Objection:
    try:
        objection = Objection.objects.select_related("batch").get(pk=objection_id)
    except Objection.DoesNotExist:
        raise Http404("no such objection") from None
    batch_get(user, objection.batch_id)
    return objection


def photo_get(user, photo_id: int) -> NoticePhoto:
    """A photo of a posted notice, if its notice is in reach (404 otherwise, as for the notice)."""
    try:
        photo = NoticePhoto.objects.select_related("batch").get(pk=photo_id)
    except NoticePhoto.DoesNotExist:
        raise Http404("no such photo") from None
    batch_get(user, photo.batch_id)
    return photo


def record_get(user, record_id: int) -> StepRecord:
    try:
        record = StepRecord.objects.select_related("procedure").get(pk=record_id)
    except StepRecord.DoesNotExist:
        raise Http404("no such record") from None
    procedure_get(user, record.procedure_id)
    return record


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


