"""What a user may see and change: the one place that decides it.

Every user is bound to one org unit and reaches only its subtree; an assistance cadre (帮扶责任人)
reaches only the households assigned to them. Selectors filter with `Access.filter_*`; views that fetch
one record go through the selectors, which answer 404 for anything out of scope (so a forged URL learns
nothing), and `require_write` raises PermissionDenied for read-only roles. What each role may *do*
is decided by the named checks in `permissions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import subtree_q
from .roles import Role

WRITE_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Roles that keep the records and so see ID numbers in full; everyone else sees them masked.
FULL_ID_ROLES = WRITE_ROLES


@dataclass(frozen=True)
class Access:
    """The reach of one user. `prefix` is the org code their subtree starts with ("" = everything)."""

    user_id: int | None
    role: str
    prefix: str
    active: bool

    @property
    def can_write(self) -> bool:
        return self.active and self.role in WRITE_ROLES

    @property
    def sees_full_ids(self) -> bool:
        return self.active and self.role in FULL_ID_ROLES

    @property
    def cadre_only(self) -> bool:
        return self.role == Role.CADRE

    def org_q(self, field: str) -> Q:
        """Q for rows whose org code (or 户编号, which starts with the village code) is in reach."""
        if not self.active:
            return Q(pk__in=[])
        return subtree_q(field, self.prefix)

    def household_q(self, prefix: str = "") -> Q:
        """Q over Household; `prefix` is the lookup path to the household (e.g. "household__")."""
        q = self.org_q(f"{prefix}code")
        if self.cadre_only:
            q &= Q(**{f"{prefix}cadre__user_id": self.user_id})
        return q

    def filter_households(self, qs: QuerySet) -> QuerySet:
        return qs.filter(self.household_q())

    def filter_members(self, qs: QuerySet) -> QuerySet:
        return qs.filter(self.household_q("household__"))

    def filter_units(self, qs: QuerySet) -> QuerySet:
        return qs.filter(self.org_q("code"))

    def reaches_code(self, code: str) -> bool:
        return self.active and code.startswith(self.prefix)

    def require_write(self) -> None:
        if not self.can_write:
            raise PermissionDenied("read-only role")

    def mask_id(self, id_number: str) -> str:
        return id_number if self.sees_full_ids else mask_id_number(id_number)

    def mask_phone(self, phone: str) -> str:
        return phone if self.sees_full_ids else mask_phone(phone)


def access_for(user) -> Access:
    """The Access of a (possibly anonymous) user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Access(user_id=None, role="", prefix="", active=False)
    if user.is_superuser or user.role == Role.SYSADMIN:
        prefix = user.org_unit_id or ""
        return Access(user_id=user.pk, role=Role.SYSADMIN, prefix=prefix, active=True)
    if not user.org_unit_id or user.role not in Role.values:
        # A user with no unit or an unknown role reaches nothing rather than everything.
        return Access(user_id=user.pk, role=user.role, prefix="", active=False)
    return Access(user_id=user.pk, role=user.role, prefix=user.org_unit_id, active=True)


def mask_id_number(id_number: str) -> str:
    """140826199001011234 → 140826********123X-style: region and last four kept."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678: the first three and last four digits kept, as for ID numbers."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
