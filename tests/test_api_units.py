"""/api/v1/units/: the division tree in reach, a unit's counts, and the error shape on the way."""

from __future__ import annotations

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI


def test_the_list_is_the_callers_subtree_in_code_order_across_pages(world):
    client = api_client(world.county_admin)
    rows = all_pages(client, "/api/v1/units/", page_size=2)
    codes = [u["code"] for u in rows]
    assert codes == sorted(codes) and len(codes) == len(set(codes)) >= 3
    assert all(c.startswith("140826") for c in codes) and "140829" not in codes


def test_filters_by_parent_and_level_and_refuses_a_bad_level_by_name(world):
    client = api_client(world.county_admin)
    children = client.get("/api/v1/units/", {"parent": "140826"}).json()["results"]
    assert children and all(u["parent"] == "140826" and u["level"] == 4 for u in children)
    villages = client.get("/api/v1/units/", {"level": 5}).json()["results"]
    assert villages and all(len(u["code"]) == 12 for u in villages)
    response = client.get("/api/v1/units/", {"level": "9"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "level" in body["fields"]


def test_a_units_counts_match_the_registry_page(world, client):
    api = api_client(world.township_officer).get(f"/api/v1/units/{XIAGAOCHI}/")
    assert api.status_code == 200
    body = api.json()
    assert body["unit"]["code"] == XIAGAOCHI and body["counts"]["recorded"] >= 1
    client.force_login(world.township_officer)
    page = client.get(f"/divisions/{XIAGAOCHI}/")
    assert page.status_code == 200
    total = page.context["total"]
    assert (total.households, total.people, total.recorded) == (
        body["counts"]["households"], body["counts"]["people"], body["counts"]["recorded"])
    assert [c.unit.code for c in page.context["children"]] == [c["code"] for c in body["children"]]


def test_a_unit_out_of_reach_is_404_and_an_unknown_one_too(world):
    client = api_client(world.village_clerk)
    for code in ("140826", "140829", "999999"):
        response = client.get(f"/api/v1/units/{code}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert "管辖范围" in response.json()["message"]


def test_a_bad_cursor_and_a_wrong_method_answer_in_the_one_shape(world):
    client = api_client(world.county_admin)
    response = client.get("/api/v1/units/", {"cursor": "garbage"})
    assert response.status_code == 404 and set(response.json()) == {"code", "message"}
    assert "游标" in response.json()["message"]
    response = client.delete("/api/v1/units/")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_english_messages_when_asked_for_and_chinese_otherwise(world):
    client = api_client()
    english = client.get("/api/v1/units/", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    chinese = client.get("/api/v1/units/").json()["message"]
    assert "令牌" in chinese and english.isascii() and "token" in english.lower()


def test_an_out_of_reach_read_leaves_a_denied_row_as_on_the_pages(world):
    from jingzhun.accounts.models import AuditEvent

    api_client(world.village_clerk).get("/api/v1/units/140829/")
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert denied.actor == world.village_clerk and denied.detail["status"] == 404
    assert denied.target == "/api/v1/units/140829/"
