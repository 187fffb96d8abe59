"""Scoped reads of the registry: every queryset here is already limited to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.functions import Substr
from django.http import Http404

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import get_in_reach, may_edit_household, reach_code, require
from jingzhun.orgunits.models import CODE_LENGTH, Level, OrgUnit

from . import vocab
from .models import Household, Member

def households_for(user) -> QuerySet[Household]:
    return access_for(user).filter_households(Household.objects.all())


def members_for(user) -> QuerySet[Member]:
    return access_for(user).filter_members(Member.objects.all())


def todo_households(user) -> QuerySet[Household]:
    """An assistance cadre's own households (帮扶责任人), the to-do of a cadre; `.none()` to everyone else.

    No visit is due yet: visit logs and their due dates come with the assistance module.
    """
    access = access_for(user)
    if not (access.active and access.cadre_only):
        return Household.objects.none()
    return households_for(user).select_related("village").order_by("code")


def household_list(user, *, status: str = "", attribute: str = "", main_cause: str = "",
                   unit: str = "", text: str = "", category: str = "", monitoring_class: str = "") -> QuerySet[Household]:
    """Households in reach, filtered; `unit` is any org code (township, village…) to narrow to."""
    # A subquery per row, not a join and GROUP BY: a page of 50 counts the members of its 50 households,
    # where a grouped join would aggregate every household in reach before the LIMIT (and inside the count).
    normal = Member.objects.filter(household=OuterRef("pk"), status=vocab.MemberStatus.NORMAL).order_by()
    qs = households_for(user).select_related("village").annotate(
        member_count=Coalesce(Subquery(normal.values("household").annotate(n=Count("pk")).values("n")), 0))
    if category:
        qs = qs.filter(category=category)
    if monitoring_class:
        qs = qs.filter(monitoring_class=monitoring_class)
    if status == vocab.REMAINING_POOR:
        qs = qs.filter(status__in=vocab.REMAINING_POOR_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if attribute:
        qs = qs.filter(attribute=attribute)
    if main_cause:
        qs = qs.filter(main_cause=main_cause)
    if unit:
        qs = qs.filter(code__gte=unit, code__lt=unit + ":")
    text = text.strip()
    if text:
        if text.isdigit() or (text[:-1].isdigit() and text[-1:] in "Xx"):
            digits = text.upper()
            if access_for(user).sees_full_ids:
                member_households = Member.objects.filter(id_number=digits).values("household_id")
                qs = qs.filter(Q(code__startswith=digits) | Q(head_id_number=digits) | Q(code__in=member_households))
            else:  # a masked role must not learn whether a guessed ID number exists (registry.search)
                qs = qs.filter(code__startswith=digits)
        else:
            member_households = Member.objects.filter(name__contains=text).values("household_id")
            qs = qs.filter(Q(head_name__contains=text) | Q(code__in=member_households))
    return qs.order_by("code")


def household_get(user, code: str) -> Household:
    """One household in reach, or 404 (out of scope looks exactly like absent)."""
    return get_in_reach(households_for(user).select_related("village", "cadre"), code=code)


def household_get_for_update(user, code: str) -> Household:
    """As household_get, then PermissionDenied for a read-only role."""
    household = household_get(user, code)
    require(may_edit_household(user))
    return household


def member_get_for_update(user, household_code: str, member_id: int) -> Member:
    household = household_get_for_update(user, household_code)
    # a member id of another household under this household's code is a forged URL: out of reach
    return get_in_reach(household.members.all(), pk=member_id)


def unit_get(user, code: str) -> OrgUnit:
    """An org unit inside the user's subtree, or 404."""
    reach_code(user, code)
    try:
        return OrgUnit.objects.get(code=code)
    except OrgUnit.DoesNotExist:
        raise Http404("no such unit") from None


def home_unit(user) -> OrgUnit | None:
    """Where a user's browsing starts: their own unit (None = the whole country, for a root admin)."""
    return user.org_unit if user.org_unit_id else None


@dataclass
class UnitCounts:
    """A unit's counts. `households` and `people` are 建档立卡户数 and 建档立卡人口 as the indicators define
    them (HH_REG, POP_REG: 清退 households left out, see vocab.REGISTERED_STATUSES); `recorded` is
    含清退的登记户数, every household on record."""

    unit: OrgUnit
    households: int = 0
    people: int = 0
    poor: int = 0
    exited: int = 0
    returned: int = 0
    removed: int = 0
    recorded: int = 0


def unit_children_counts(user, unit: OrgUnit | None) -> tuple[UnitCounts, list[UnitCounts]]:
    """Household and person counts for a unit and each of its children, in the user's reach.

    Two grouped queries over the code prefix (no walk of the tree in Python): one over households by
    status, one over members in 正常 status of households that are not 清退 (建档立卡人口).
    """
    if unit is None:
        children = list(OrgUnit.objects.filter(level=Level.PROVINCE))
        child_len, base = CODE_LENGTH[Level.PROVINCE], OrgUnit(code="", name="全国", level=0)
    else:
        children = list(unit.children.all())
        child_len = CODE_LENGTH[Level(unit.level + 1)] if unit.level < Level.VILLAGE else len(unit.code)
        base = unit
    access = access_for(user)
    children = [c for c in children if access.reaches_code(c.code) or c.code.startswith(access.prefix)
                or access.prefix.startswith(c.code)]
    by_code = {c.code: UnitCounts(c) for c in children}
    total = UnitCounts(base)
    hh = households_for(user)
    if base.code:
        hh = hh.filter(code__gte=base.code, code__lt=base.code + ":")
    status_field = {vocab.PovertyStatus.POOR: "poor", vocab.PovertyStatus.EXITED: "exited",
                    vocab.PovertyStatus.RETURNED: "returned", vocab.PovertyStatus.REMOVED: "removed"}
    for row in hh.annotate(prefix=Substr("code", 1, child_len)).values("prefix", "status").annotate(n=Count("code")):
        for target in (by_code.get(row["prefix"]), total):
            if target is None:
                continue
            target.recorded += row["n"]
            if row["status"] in vocab.REGISTERED_STATUSES:
                target.households += row["n"]
            if row["status"] in status_field:  # 一般农户 and non-建档立卡 监测户 have no 脱贫状态
                setattr(target, status_field[row["status"]], getattr(target, status_field[row["status"]]) + row["n"])
    members = Member.objects.filter(household__in=hh.filter(status__in=vocab.REGISTERED_STATUSES),
                                    status=vocab.MemberStatus.NORMAL)
    for row in members.annotate(prefix=Substr("household_id", 1, child_len)).values("prefix").annotate(n=Count("id")):
        if row["prefix"] in by_code:
            by_code[row["prefix"]].people += row["n"]
        total.people += row["n"]
    return total, list(by_code.values())


#: Fields whose values are shown masked to roles that see personal numbers masked: the Access method.
_MASKED_FIELDS = {"head_id_number": Access.mask_id, "id_number": Access.mask_id, "phone": Access.mask_phone}


def _shown(access: Access, field: str, value):
    """A history value as the viewer may see the field itself (masked ID numbers and phones)."""
    mask = _MASKED_FIELDS.get(field)
    return mask(access, value or "") if mask is not None and value else value


def history_of(household: Household, *, access: Access, limit: int = 50) -> list[dict]:
    """The change history of a household and its members, newest first, with the fields changed.

    Values are masked exactly as the fields are on the page, for the viewer's `access`.
    """
    entries = []
    for model_history, label_of in ((household.history.all(), lambda h: household.head_name),
                                    (Member.history.filter(household_id=household.code), lambda h: h.name)):
        records = list(model_history.select_related("history_user").order_by("-history_date")[: limit * 2])
        for record in records:
            previous = record.prev_record
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                for change in delta.changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append({"field": str(field.verbose_name), "old": _shown(access, change.field, change.old),
                                    "new": _shown(access, change.field, change.new)})
                if not changes:
                    continue
            entries.append({"at": record.history_date, "user": record.history_user, "type": record.history_type,
                            "object": label_of(record), "changes": changes, "reason": record.history_change_reason,
                            "kind": record.instance_type._meta.verbose_name})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]
