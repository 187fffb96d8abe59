"""The one access helper: reach by org unit, read-only roles, masked ID numbers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.access import access_for, mask_id_number
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry import selectors


def test_id_numbers_are_masked_to_region_and_last_four():
    assert mask_id_number("14082619900101123X") == "140826********123X"
    assert mask_id_number("") == ""


@pytest.mark.django_db
def test_each_role_sees_exactly_its_households(world):
    for user in world.users:
        seen = set(selectors.households_for(user).values_list("code", flat=True))
        assert seen == world.visible_to(user), user.username


@pytest.mark.django_db
def test_members_follow_their_households(world):
    for user in world.users:
        seen = set(selectors.members_for(user).values_list("household_id", flat=True))
        assert seen == world.visible_to(user), user.username


@pytest.mark.django_db
def test_read_only_roles_get_masked_ids_and_no_writes(world):
    for user in (world.analyst, world.evaluator, world.cadre):
        access = access_for(user)
        assert not access.can_write
        assert access.mask_id("14082619900101123X") == "140826********123X"
        with pytest.raises(PermissionDenied):
            access.require_write()
    for user in (world.village_clerk, world.township_officer, world.county_admin, world.sysadmin):
        assert access_for(user).can_write
        assert access_for(user).mask_id("14082619900101123X") == "14082619900101123X"


@pytest.mark.django_db
def test_anonymous_inactive_and_unbound_users_reach_nothing(world):
    assert not selectors.households_for(AnonymousUser()).exists()
    world.village_clerk.is_active = False
    assert not selectors.households_for(world.village_clerk).exists()
    world.county_admin.org_unit = None
    assert not selectors.households_for(world.county_admin).exists()


@pytest.mark.django_db
def test_users_are_bound_to_a_unit_of_their_roles_level(world):
    with pytest.raises(ValidationError):
        user_create(username="x1", password="irrelevant-123", role=Role.VILLAGE_CLERK,
                    org_unit=OrgUnit.objects.get(code="140826"), check_password=False)
    with pytest.raises(ValidationError):
        user_create(username="x2", password="irrelevant-123", role=Role.ANALYST,
                    org_unit=OrgUnit.objects.get(code="140826100233"), check_password=False)
    with pytest.raises(ValidationError):
        user_create(username="x3", password="irrelevant-123", role=Role.COUNTY_ADMIN, org_unit=None,
                    check_password=False)


def test_phones_are_masked_like_ids_for_read_only_roles(world):
    from jingzhun.orgunits.access import mask_phone

    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0359-6012345") == "035*****2345"
    assert mask_phone("") == "" and mask_phone("12345") == "*****"
    for user in (world.analyst, world.evaluator, world.cadre):
        assert access_for(user).mask_phone("13912345678") == "139****5678"
    assert access_for(world.village_clerk).mask_phone("13912345678") == "13912345678"
