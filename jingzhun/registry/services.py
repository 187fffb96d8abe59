"""Writes to the registry. Each runs in one transaction and leaves a history row naming the user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from jingzhun.orgunits.access import access_for

from .models import Household, Member

#: Fields a person may change through the edit forms; identity fields (户编号, 村) are not among them.
HOUSEHOLD_EDITABLE = (
    "head_name", "head_id_number", "standard", "attribute", "status", "identified_year", "exit_year",
    "main_cause", "other_cause_1", "other_cause_2", "income_year", "wage_income", "business_income",
    "property_income", "transfer_income", "business_expense", "housing_area", "housing_grade", "safe_water",
    "electricity", "relocated", "phone",
)
MEMBER_EDITABLE = (
    "name", "id_number", "relation", "sex", "ethnicity", "education", "schooling", "health", "labour",
    "migrant_work", "migrant_months", "medical_insurance", "serious_illness_insurance", "pension_insurance",
    "dibao", "tekun", "active_soldier",
)


def _apply_changes(instance, data: dict[str, Any], allowed: Iterable[str], *, acting_user, reason: str) -> list[str]:
    """Set the allowed fields that differ and save only those; returns the changed field names.

    Saving only changed fields (update_fields) means two people editing different fields of the same
    record at once do not overwrite each other's work; the caller holds the row lock meanwhile.
    """
    changed = []
    for field in allowed:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        instance._history_user = acting_user
        instance._change_reason = reason
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save(update_fields=[*changed, "updated_at"])
    return changed


def _locked_household(acting_user, code: str) -> Household:
    access = access_for(acting_user)
    if not access.can_write:
        raise PermissionDenied("read-only role")
    try:
        # select_for_update: an import or a second editor may be changing this household right now.
        return access.filter_households(Household.objects.select_for_update()).get(code=code)
    except Household.DoesNotExist:
        raise Http404("no such household in reach") from None


@transaction.atomic
def household_update(*, code: str, acting_user, data: dict[str, Any], reason: str = "") -> list[str]:
    """Change a household's editable fields; returns the names of the fields that changed."""
    household = _locked_household(acting_user, code)
    return _apply_changes(household, data, HOUSEHOLD_EDITABLE, acting_user=acting_user, reason=reason)


@transaction.atomic
def member_update(*, household_code: str, member_id: int, acting_user, data: dict[str, Any],
                  reason: str = "") -> list[str]:
    """Change a member's editable fields; returns the names of the fields that changed."""
    household = _locked_household(acting_user, household_code)
    try:
        member = Member.objects.select_for_update().get(pk=member_id, household=household)
    except Member.DoesNotExist:
        raise Http404("no such member in this household") from None
    return _apply_changes(member, data, MEMBER_EDITABLE, acting_user=acting_user, reason=reason)
