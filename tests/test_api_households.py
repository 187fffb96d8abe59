"""/api/v1/households/: the list with the page's filters and search guard, one household, its edit, its history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.registry import services, vocab
from jingzhun.registry.models import Household

from .api_helpers import all_pages, api_client

LIST = "/api/v1/households/"

pytestmark = pytest.mark.django_db


def _detail(code: str) -> str:
    return reverse("api:household_detail", kwargs={"code": code})


def test_the_list_holds_exactly_the_households_in_reach_for_every_role(world):
    for user in world.users:
        rows = all_pages(api_client(user), LIST)
        assert {r["code"] for r in rows} == world.visible_to(user), user.username


def test_a_row_has_the_columns_of_the_page(world):
    row = all_pages(api_client(world.village_clerk), LIST)[0]
    assert row["code"] == world.home.code and row["head_name"] == "王建国" and row["village"] == world.home.village_id
    assert row["head_id_number"] == world.home.head_id_number  # a record keeper sees it in full
    assert row["members"] == 2 and row["per_capita_income"] == "8000.00"  # (12000+3000+0+1500-500) / 2
    assert (row["status"], row["attribute"], row["main_cause"], row["cadre"]) == ("已脱贫", "一般贫困户", "缺技术", "李帮扶")


def test_read_only_roles_see_ids_and_phones_masked_in_the_list(world):
    Household.objects.filter(code=world.home.code).update(phone="13800001111")
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        text = api_client(user).get(LIST).content.decode()
        assert world.home.head_id_number not in text and "13800001111" not in text, user.username
        assert "140826********" in text and "138****1111" in text


def test_filters_are_the_pages(world):
    client = api_client(world.county_admin)
    assert [r["code"] for r in all_pages(client, LIST, status="未脱贫")] == [world.other_township.code]
    assert {r["code"] for r in all_pages(client, LIST, status=vocab.REMAINING_POOR)} == {world.other_township.code}
    assert {r["code"] for r in all_pages(client, LIST, unit="140826100")} == {world.home.code, world.neighbour.code}
    assert [r["code"] for r in all_pages(client, LIST, q="赵德")] == [world.neighbour.code]
    assert [r["code"] for r in all_pages(client, LIST, q=world.home.code[:14])] == [world.home.code]
    assert all_pages(client, LIST, main_cause="缺资金") == []
    # a village clerk's link may name the township above it: their reach under it
    assert [r["code"] for r in all_pages(api_client(world.village_clerk), LIST, unit="140826100")] == [world.home.code]


def test_a_bad_filter_is_a_400_naming_the_field(world):
    client = api_client(world.township_officer)
    for params, field in (({"status": "穷"}, "status"), ({"unit": "140829"}, "unit"), ({"unit": "abc"}, "unit"),
                          ({"q": "x" * 41}, "q")):
        response = client.get(LIST, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_search_by_id_number_is_audited_and_refused_for_masked_roles(world):
    response = api_client(world.county_admin).get(LIST, {"q": world.neighbour.head_id_number})
    assert [r["code"] for r in response.json()["results"]] == [world.neighbour.code]
    search = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).latest("at")
    assert search.actor == world.county_admin and search.detail["refused"] is False
    assert world.neighbour.head_id_number not in str(search.detail)
    refused = api_client(world.evaluator).get(LIST, {"q": world.neighbour.head_id_number})
    assert refused.status_code == 403 and "身份证号" in refused.json()["message"]
    assert world.neighbour.code not in refused.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH, actor=world.evaluator,
                                     detail__refused=True).count() == 1


def test_searches_are_throttled_as_on_the_page(world, settings):
    settings.JINGZHUN_SEARCH_PER_MINUTE = 2
    client = api_client(world.county_admin)
    assert [client.get(LIST, {"q": "王"}).status_code for _ in range(2)] == [200, 200]
    response = client.get(LIST, {"q": "王"})
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert client.get(LIST).status_code == 200  # a list without a search is not a search


def test_the_cursor_is_stable_while_a_household_is_added(world):
    client = api_client(world.sysadmin)
    first = client.get(LIST, {"page_size": 2}).json()
    assert [r["code"] for r in first["results"]] == sorted(h.code for h in world.households)[:2]
    Household.objects.filter(code=world.home.code).update(head_name="王建国")  # touching a row moves nothing
    from .people import make_household
    make_household("140826100201", 2, "新户")  # sorts before the rows still to come
    rest = client.get(first["next"]).json()
    seen = [r["code"] for r in first["results"]] + [r["code"] for r in rest["results"]]
    while rest["next"]:
        rest = client.get(rest["next"]).json()
        seen += [r["code"] for r in rest["results"]]
    assert len(seen) == len(set(seen)) and seen == sorted(seen)


def test_a_household_in_reach_with_its_members_and_out_of_reach_404(world):
    client = api_client(world.township_officer)
    body = client.get(_detail(world.home.code)).json()
    assert body["code"] == world.home.code and len(body["members"]) == 2 and body["member_count"] == 2
    assert body["cadre"]["name"] == "李帮扶" and body["cadre"]["phone"] == "13912345678"
    assert body["net_income"] == "16000.00" and body["per_capita_income"] == "8000.00"
    for code in (world.other_township.code, world.other_county.code, "9999999999999999"):
        response = client.get(_detail(code))
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_cadre_reads_only_their_own_household_masked(world):
    client = api_client(world.cadre)
    body = client.get(_detail(world.home.code))
    text = body.content.decode()
    assert body.status_code == 200 and world.home.head_id_number not in text and "13912345678" not in text
    assert all(m["id_number"] not in {x.id_number for x in world.home.members.all()} for m in body.json()["members"])
    assert client.get(_detail(world.neighbour.code)).status_code == 404


def test_a_clerk_edits_a_household_through_the_service_with_history_and_reason(world):
    client = api_client(world.village_clerk)
    response = client.patch(_detail(world.home.code), {"head_name": "王建民", "wage_income": "13000.50",
                                                       "phone": "13800002222", "reason": "户口簿更正"}, format="json")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["changed"]) == ["head_name", "phone", "wage_income"]
    assert response.json()["household"]["head_name"] == "王建民"
    world.home.refresh_from_db()
    assert (world.home.head_name, str(world.home.wage_income), world.home.phone) == ("王建民", "13000.50", "13800002222")
    latest = world.home.history.first()
    assert latest.history_user == world.village_clerk and latest.history_change_reason == "户口簿更正"


def test_an_edit_without_a_reason_or_with_the_forms_errors_is_400_and_changes_nothing(world):
    client = api_client(world.village_clerk)
    before = Household.objects.values().get(code=world.home.code)
    history = world.home.history.count()
    cases = [({"head_name": "王"}, "reason"), ({"phone": "12345", "reason": "x"}, "phone"),
             ({"head_id_number": "140826196503040010", "reason": "x"}, "head_id_number"),
             ({"wage_income": "-5", "reason": "x"}, "wage_income"),
             ({"other_cause_1": "缺技术", "reason": "x"}, "other_cause_1"),
             ({"attribute": "不存在", "reason": "x"}, "attribute"), ({"head_name": ["a"], "reason": "x"}, "head_name")]
    for data, field in cases:
        response = client.patch(_detail(world.home.code), data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["fields"], (data, response.json())
    assert Household.objects.values().get(code=world.home.code) == before
    assert world.home.history.count() == history


def test_fields_procedures_own_cannot_be_changed_through_the_edit(world):
    response = api_client(world.county_admin).patch(_detail(world.home.code), {"status": "未脱贫", "reason": "x"},
                                                    format="json")
    assert response.status_code == 200 and response.json()["changed"] == []
    assert Household.objects.get(code=world.home.code).status == "已脱贫"


def test_read_only_roles_are_refused_403_and_out_of_reach_404_and_nothing_changes(world):
    before = Household.objects.values().get(code=world.home.code)
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        response = api_client(user).patch(_detail(world.home.code), {"head_name": "篡改", "reason": "x"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", user.username
    for user in (world.village_clerk, world.outsider):
        response = api_client(user).patch(_detail(world.other_township.code), {"head_name": "篡改", "reason": "x"},
                                          format="json")
        assert response.status_code == 404
    assert Household.objects.values().get(code=world.home.code) == before


def test_the_history_is_the_pages_masked_for_read_only_roles(world):
    services.household_update(code=world.home.code, acting_user=world.village_clerk,
                              data={"head_id_number": "140826196503040029", "phone": "13800003333"}, reason="更正")
    url = reverse("api:household_history", kwargs={"code": world.home.code})
    entry = api_client(world.village_clerk).get(url).json()[0]
    assert entry["user"] == "village_clerk" and entry["reason"] == "更正" and entry["type"] == "~"
    assert {"old": world.home.head_id_number, "new": "140826196503040029"} in [
        {k: c[k] for k in ("old", "new")} for c in entry["changes"]]
    for user in (world.analyst, world.evaluator, world.cadre):
        text = api_client(user).get(url).content.decode()
        assert "140826196503040029" not in text and world.home.head_id_number not in text and "13800003333" not in text
        assert "138****3333" in text
    assert api_client(world.outsider).get(url).status_code == 404
