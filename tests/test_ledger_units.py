"""单位 page: the county's units, the township sync, a new department and its staff; others read."""

from __future__ import annotations

import pytest

from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.supervision.models import Agency

from .ledger_helpers import ledger_build

pytestmark = pytest.mark.django_db
URL = "/supervision/units/"


def test_the_county_syncs_townships_adds_a_department_and_sets_its_staff(world, client):
    client.force_login(world.county_admin)
    assert client.post(URL, {"action": "sync"}).status_code == 302
    assert Agency.objects.filter(county_id="140826", kind="township").count() == \
        OrgUnit.objects.filter(parent_id="140826", level=Level.TOWNSHIP).count()
    assert client.post(URL, {"action": "department", "name": "县教育局"}).status_code == 302
    unit = Agency.objects.get(name="县教育局")
    assert client.post(URL, {"action": "staff", "agency": unit.pk, "staff": ["department"]}).status_code == 302
    assert list(unit.staff.values_list("username", flat=True)) == ["department"]
    body = client.get(URL).content.decode()
    assert "县教育局" in body and 'value="department" checked' in body


def test_bad_input_says_why_and_changes_nothing(world, client):
    ledger = ledger_build(world)
    client.force_login(world.county_admin)
    response = client.post(URL, {"action": "department", "name": "县民政局"})
    assert response.status_code == 400 and "已有名为" in response.content.decode()
    response = client.post(URL, {"action": "staff", "agency": ledger.dept.pk, "staff": ["township_officer"]},
                           follow=True)
    assert "县直部门" in response.content.decode()
    assert list(ledger.dept.staff.values_list("username", flat=True)) == ["department"]
    assert client.post(URL, {"action": "staff", "agency": ledger.outsider_dept.pk, "staff": []}).status_code == 404
    assert Agency.objects.count() == 5


def test_others_read_and_may_not_write(world, client):
    ledger_build(world)
    for user in (world.township_officer, world.department, world.village_clerk):
        client.force_login(user)
        body = client.get(URL).content.decode()
        assert "县民政局" in body and 'id="department-form"' not in body and 'id="sync-form"' not in body
        assert client.post(URL, {"action": "department", "name": "越权局"}).status_code == 403
    client.force_login(world.cadre)
    assert client.get(URL).status_code == 403
    assert not Agency.objects.filter(name="越权局").exists()


def test_above_a_county_the_county_is_asked_and_must_be_in_reach(world, client):
    client.force_login(world.analyst)
    assert 'id="county-pick"' in client.get(URL).content.decode()
    assert client.get(URL, {"county": "140826"}).status_code == 200
    assert client.get(URL, {"county": "150102"}).status_code == 404
