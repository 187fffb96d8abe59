"""Reads for 走访: the field page's households and what is due, visits and edit conflicts, all in reach."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import HELPER_ROLES, may_review_visit_conflicts
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member
from jingzhun.registry.services import VISIT_HOUSEHOLD_FIELDS, VISIT_MEMBER_FIELDS

from ..models import EditConflict, Measure, Visit

#: A measure ending within this many days is due on the field page (to renew it or plan what follows).
MEASURE_ENDING_DAYS = 30


def field_value(instance, name: str) -> Any:
    """A field's value as JSON carries it (money and dates as text), as the phone reads and sends it."""
    value = getattr(instance, name)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def income_verification_due(household: Household, today: datetime.date) -> bool:
    """收入核实 is due for a 监测户 whose risk is not eliminated when its 近 12 个月收入 was never verified or
    was verified more than 12 months ago (the income then no longer covers the last 12 months)."""
    if household.category != vocab.HouseholdCategory.MONITORED or household.risk_eliminated:
        return False
    verified = household.income_12m_verified_on
    return verified is None or verified <= year_before(today)


def visits_in_reach(user) -> QuerySet[Visit]:
    access = access_for(user)
    return Visit.objects.filter(access.household_q("household__")).select_related(
        "household", "household__village", "visitor").prefetch_related("photos")


def conflicts_in_reach(user) -> QuerySet[EditConflict]:
    access = access_for(user)
    return EditConflict.objects.filter(access.household_q("household__")).select_related(
        "household", "member", "author", "resolved_by")


def visit_expected(household: Household) -> bool:
    """A household the helpers visit every quarter: a 脱贫户 or 监测户 that is not 清退."""
    return household.category in VISITED_CATEGORIES and household.status != vocab.PovertyStatus.REMOVED


VISITED_CATEGORIES = (vocab.HouseholdCategory.EXITED, vocab.HouseholdCategory.MONITORED)


def todo_visits_due(user, today: datetime.date | None = None) -> QuerySet[Household]:
    """The to-do of a helper (帮扶责任人, 驻村工作队): households in reach to visit this quarter (a 脱贫户 or
    监测户, not 清退, with no visit since the quarter began); `.none()` for everyone else."""
    access = access_for(user)
    if not (access.active and access.role in HELPER_ROLES):
        return Household.objects.none()
    since = quarter_start(today or timezone.localdate())
    return (access.filter_households(Household.objects.filter(category__in=VISITED_CATEGORIES))
            .exclude(status=vocab.PovertyStatus.REMOVED).exclude(visits__visited_on__gte=since)
            .select_related("village").order_by("code"))


def todo_conflicts(user) -> QuerySet[EditConflict]:
    """The to-do of a record keeper: phone edits that met a change made meanwhile, still to be chosen."""
    if not may_review_visit_conflicts(user):
        return EditConflict.objects.none()
    return conflicts_in_reach(user).filter(resolution=EditConflict.Resolution.OPEN).order_by("received_at", "pk")


def field_households(user, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The field page's households in reach, each with what is due and the values a visit may change."""
    access = access_for(user)
    today = today or timezone.localdate()
    households = list(access.filter_households(Household.objects.select_related("village")).annotate(
        last_visit=Max("visits__visited_on")).prefetch_related(
        Prefetch("members", Member.objects.filter(status=vocab.MemberStatus.NORMAL).order_by("pk"))).order_by("code"))
    ending: dict[str, list[Measure]] = {}
    for measure in Measure.objects.filter(household__in=[h.code for h in households], end__gte=today,
                                          end__lte=today + datetime.timedelta(days=MEASURE_ENDING_DAYS)):
        ending.setdefault(measure.household_id, []).append(measure)
    since = quarter_start(today)
    rows = []
    for household in households:
        due = []
        if visit_expected(household) and (household.last_visit is None or household.last_visit < since):
            due.append(_("本季度未走访"))
        for measure in ending.get(household.code, []):
            due.append(_("措施“%(m)s”%(d)s到期") % {"m": measure.name, "d": measure.end.isoformat()})
        if income_verification_due(household, today):
            due.append(_("需核实近 12 个月收入"))
        rows.append({
            "code": household.code, "head_name": household.head_name, "village": household.village.short_name,
            "category": household.get_category_display(), "head_id": access.mask_id(household.head_id_number),
            "phone": access.mask_phone(household.phone),
            "last_visit": household.last_visit.isoformat() if household.last_visit else None, "due": due,
            "values": {name: field_value(household, name) for name in VISIT_HOUSEHOLD_FIELDS},
            "members": [{"id": m.pk, "name": m.name, "relation": m.get_relation_display(),
                         "values": {name: field_value(m, name) for name in VISIT_MEMBER_FIELDS}}
                        for m in household.members.all()],
        })
    rows.sort(key=lambda row: (not row["due"], row["code"]))
    return rows


def _labels(model, names) -> dict[str, str]:
    return {name: str(model._meta.get_field(name).verbose_name) for name in names}


def field_vocabulary() -> dict[str, Any]:
    """The labels and choices the phone's edit form shows."""
    return {
        "household": _labels(Household, VISIT_HOUSEHOLD_FIELDS), "member": _labels(Member, VISIT_MEMBER_FIELDS),
        "housing_grade": [[v, str(label)] for v, label in vocab.HousingGrade.choices],
        "schooling": [[v, str(label)] for v, label in vocab.Schooling.choices],
    }


def server_change(conflict: EditConflict) -> dict[str, str]:
    """Who gave the server its current value of the conflict's fields, and when (from the history)."""
    target = conflict.member if conflict.member_id else conflict.household
    fields = list(conflict.server_values)
    who, when = "", None
    records = list(target.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
    for newer, older in zip(records, records[1:] + [None]):
        # the newest record whose older neighbour differs in one of the fields made the current value
        if older is None or any(getattr(newer, f) != getattr(older, f) for f in fields):
            who = newer.history_user.get_username() if newer.history_user else _("导入")
            when = newer.history_date
            break
    return {"by": who, "at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""}


def conflict_json(conflict: EditConflict) -> dict[str, Any]:
    model = Member if conflict.member_id else Household
    labels = _labels(model, conflict.server_values)
    change = server_change(conflict)
    return {
        "id": conflict.pk, "client_id": str(conflict.client_id), "household": conflict.household_id,
        "head_name": conflict.household.head_name, "member": conflict.member.name if conflict.member_id else "",
        "resolution": conflict.resolution, "changed_by": change["by"], "changed_at": change["at"],
        "fields": [{"name": n, "label": labels[n], "base": conflict.base.get(n), "phone": conflict.phone_values.get(n),
                    "server": conflict.server_values.get(n)} for n in conflict.server_values],
    }


def open_conflicts(user) -> list[dict[str, Any]]:
    """The conflicts of one's own edits still waiting for a choice."""
    return [conflict_json(c) for c in conflicts_in_reach(user).filter(
        author=user, resolution=EditConflict.Resolution.OPEN).order_by("received_at")]


def visit_rows(access: Access, household: Household) -> list[Visit]:
    """A household's visits, newest first, with photos; the location only for record keepers."""
    visits = list(household.visits.select_related("visitor").prefetch_related("photos").order_by("-visited_on", "-pk"))
    for visit in visits:
        visit.location_shown = access.sees_full_ids and visit.latitude is not None
    return visits
