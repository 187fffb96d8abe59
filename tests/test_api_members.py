"""/api/v1/households/<code>/members/: a household's members, one member, and the member edit through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.registry.models import Member

from .api_helpers import all_pages, api_client

pytestmark = pytest.mark.django_db


def _list(code: str) -> str:
    return reverse("api:member_list", kwargs={"code": code})


def _detail(code: str, member_id: int) -> str:
    return reverse("api:member_detail", kwargs={"code": code, "member_id": member_id})


def _daughter(world) -> Member:
    return world.home.members.get(relation="之女")


def test_a_households_members_in_reach_in_order_and_out_of_reach_404(world):
    rows = all_pages(api_client(world.township_officer), _list(world.home.code))
    assert [r["id"] for r in rows] == sorted(m.pk for m in world.home.members.all())
    assert {r["id_number"] for r in rows} == {m.id_number for m in world.home.members.all()}
    for user, code in ((world.village_clerk, world.neighbour.code), (world.cadre, world.neighbour.code),
                       (world.outsider, world.home.code)):
        assert api_client(user).get(_list(code)).status_code == 404


def test_read_only_roles_see_member_ids_masked(world):
    ids = {m.id_number for m in world.home.members.all()}
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        client = api_client(user)
        text = client.get(_list(world.home.code)).content.decode()
        text += client.get(_detail(world.home.code, _daughter(world).pk)).content.decode()
        assert not any(i in text for i in ids) and "140826********" in text, user.username


def test_a_member_of_another_household_under_this_code_is_404(world):
    stranger = world.neighbour.members.first()
    for user in (world.county_admin, world.township_officer):
        assert api_client(user).get(_detail(world.home.code, stranger.pk)).status_code == 404
        response = api_client(user).patch(_detail(world.home.code, stranger.pk), {"name": "x", "reason": "y"},
                                          format="json")
        assert response.status_code == 404


def test_a_clerk_edits_a_member_through_the_service_with_history(world):
    member = _daughter(world)
    response = api_client(world.village_clerk).patch(
        _detail(world.home.code, member.pk),
        {"education": "大专及以上", "migrant_work": "省外", "migrant_months": 10, "dibao": True, "reason": "入户核实"},
        format="json")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["changed"]) == ["dibao", "education", "migrant_months", "migrant_work"]
    member.refresh_from_db()
    assert (member.education, member.migrant_work, member.migrant_months, member.dibao) == ("大专及以上", "省外", 10, True)
    latest = member.history.first()
    assert latest.history_user == world.village_clerk and latest.history_change_reason == "入户核实"


def test_the_member_forms_rules_apply_and_a_bad_edit_changes_nothing(world):
    member = _daughter(world)
    before = Member.objects.values().get(pk=member.pk)
    history = member.history.count()
    head = world.home.members.get(relation="户主")
    cases = [({"migrant_months": 15, "migrant_work": "省外", "reason": "x"}, "migrant_months"),
             ({"sex": "男", "reason": "x"}, "sex"),  # the ID number's 17th digit says 女
             ({"id_number": head.id_number, "reason": "x"}, "id_number"),  # the head's: a clash in the household
             ({"id_number": "14082619920611002", "reason": "x"}, "id_number"),
             ({"migrant_months": 3, "reason": "x"}, "migrant_work"),
             ({"health": "很好", "reason": "x"}, "health"), ({"name": "", "reason": "x"}, "name"),
             ({"name": "改"}, "reason"), ({"medical_insurance": None, "reason": "x"}, "medical_insurance")]
    client = api_client(world.village_clerk)
    for data, field in cases:
        response = client.patch(_detail(world.home.code, member.pk), data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["fields"], (data, response.json())
    assert Member.objects.values().get(pk=member.pk) == before
    assert member.history.count() == history


def test_read_only_roles_cannot_edit_a_member_and_nothing_changes(world):
    member = _daughter(world)
    before = Member.objects.values().get(pk=member.pk)
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        response = api_client(user).patch(_detail(world.home.code, member.pk), {"name": "篡改", "reason": "x"},
                                          format="json")
        assert response.status_code == 403, user.username
    response = api_client(world.outsider).patch(_detail(world.home.code, member.pk), {"name": "篡改", "reason": "x"},
                                                format="json")
    assert response.status_code == 404
    assert Member.objects.values().get(pk=member.pk) == before


def test_the_member_status_is_not_editable_here(world):
    member = _daughter(world)
    response = api_client(world.county_admin).patch(_detail(world.home.code, member.pk),
                                                    {"status": "死亡", "reason": "x"}, format="json")
    assert response.status_code == 200 and response.json()["changed"] == []
    member.refresh_from_db()
    assert member.status == "正常"
