"""单位 (supervision.services.agencies): township units from the divisions, departments by name, their staff."""

from __future__ import annotations

import pytest

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import Refused
from jingzhun.supervision.models import Agency
from jingzhun.supervision.services import agencies as services
from jingzhun.supervision.services.items import LedgerError

from .people import PASSWORD, XIAGAOCHI

pytestmark = pytest.mark.django_db


def test_a_villages_unit_is_made_once_and_named_as_the_village(world):
    village = OrgUnit.objects.get(code=XIAGAOCHI)
    first = services.agency_for_org(village)
    assert services.agency_for_org(village) == first
    assert (first.kind, first.county_id, first.name) == ("village", "140826", village.short_name)


def test_a_county_has_no_unit_of_its_own_division(world):
    with pytest.raises(LedgerError, match="乡镇和村"):
        services.agency_for_org(OrgUnit.objects.get(code="140826"))


def test_syncing_makes_each_township_unit_once(world):
    townships = OrgUnit.objects.filter(parent_id="140826", level=Level.TOWNSHIP).count()
    assert townships >= 2
    assert services.agencies_sync_townships(acting_user=world.county_admin, county="140826") == townships
    assert services.agencies_sync_townships(acting_user=world.county_admin, county="140826") == 0
    assert Agency.objects.filter(county_id="140826", kind="township").count() == townships


def test_a_department_named_as_a_township_stops_the_sync(world):
    township = OrgUnit.objects.filter(parent_id="140826", level=Level.TOWNSHIP).order_by("code").first()
    Agency.objects.create(county_id="140826", kind="department", name=township.short_name)
    with pytest.raises(LedgerError, match="重名"):
        services.agencies_sync_townships(acting_user=world.county_admin, county="140826")
    assert not Agency.objects.filter(kind="township").exists()  # all or nothing


def test_only_the_county_keeps_its_units(world):
    for user in (world.township_officer, world.village_clerk, world.department, world.analyst, world.outsider):
        with pytest.raises(Refused):
            services.agencies_sync_townships(acting_user=user, county="140826")
        with pytest.raises(Refused):
            services.agency_create(acting_user=user, county="140826", name="县教育局")
    assert not Agency.objects.exists()


def test_a_department_needs_a_new_name_and_cannot_pose_as_a_township(world):
    services.agency_create(acting_user=world.county_admin, county="140826", name=" 县教育局 ")
    assert Agency.objects.get(county_id="140826", name="县教育局").kind == "department"
    with pytest.raises(LedgerError, match="已有名为"):
        services.agency_create(acting_user=world.county_admin, county="140826", name="县教育局")
    with pytest.raises(LedgerError, match="请填写"):
        services.agency_create(acting_user=world.county_admin, county="140826", name="  ")
    with pytest.raises(LedgerError, match="自动建立"):
        services.agency_create(acting_user=world.county_admin, county="140826", name="某乡", kind="township")
    services.agency_create(acting_user=world.outsider, county="140829", name="县教育局")  # another county: fine
    assert Agency.objects.filter(name="县教育局").count() == 2


def test_a_departments_staff_are_department_users_of_its_county(world):
    unit = services.agency_create(acting_user=world.county_admin, county="140826", name="县民政局")
    services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=["department"])
    assert list(unit.staff.values_list("username", flat=True)) == ["department"]
    with pytest.raises(LedgerError, match="不是"):
        services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=["township_officer"])
    elsewhere = user_create(username="dept_pinglu", password=PASSWORD, role=Role.DEPARTMENT,
                            org_unit=OrgUnit.objects.get(code="140829"), full_name="平陆民政", check_password=False)
    with pytest.raises(LedgerError, match="dept_pinglu"):
        services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=[elsewhere.username])
    with pytest.raises(LedgerError, match="没有这些用户"):
        services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=["nobody"])
    assert list(unit.staff.values_list("username", flat=True)) == ["department"]
    with pytest.raises(Refused):
        services.agency_staff_set(acting_user=world.outsider, agency_id=unit.pk, usernames=[])
    services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=[])
    assert not unit.staff.exists()


def test_a_villages_staff_are_not_set_by_hand(world):
    unit = services.agency_for_org(OrgUnit.objects.get(code=XIAGAOCHI))
    with pytest.raises(LedgerError, match="无需指定"):
        services.agency_staff_set(acting_user=world.county_admin, agency_id=unit.pk, usernames=["department"])
