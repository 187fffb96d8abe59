"""/api/v1/ledger/: 整改台账 items in reach, an item with its log, and progress reported as the unit's staff do."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision.models import Batch, Item, ItemEvent
from jingzhun.supervision.services import items as services

from .api_helpers import all_pages, api_client
from .ledger_helpers import exe_upload, ledger_build, new_item, png_upload

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/ledger/items/"


@pytest.fixture
def ledger(world):
    ledger = ledger_build(world)
    batch = Batch.objects.create(county_id="140826", name="省督导组反馈问题（第1批）", source="inspection",
                                 received_on=timezone.localdate(), created_by=world.county_admin)
    ledger.items = {
        "village": new_item(world, ledger.village, title="下高池村危房改造未完成", number=1),
        "dept": new_item(world, ledger.dept, title="低保数据未比对", aspect="兜底保障", number=2, days=-3),
        "township": new_item(world, ledger.township, title="乡镇帮扶台账不全", kind="task", number=3),
        "other": new_item(world, ledger.other_village, title="横东村饮水不安全", number=4),
        "outsider": new_item(world, ledger.outsider_dept, title="平陆县问题", number=5),
    }
    Item.objects.filter(pk=ledger.items["dept"].pk).update(batch=batch, source="patrol")
    ledger.batch = batch
    return ledger


def _ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def _item_ids(ledger, *keys) -> set[int]:
    return {ledger.items[k].pk for k in keys}


def test_each_role_reads_the_items_in_its_reach(world, ledger):
    county = _item_ids(ledger, "village", "dept", "township", "other")
    assert _ids(all_pages(api_client(world.county_admin), ITEMS)) == county
    assert _ids(all_pages(api_client(world.analyst), ITEMS)) == county | _item_ids(ledger, "outsider")  # 运城市
    assert _ids(all_pages(api_client(world.township_officer), ITEMS)) == _item_ids(ledger, "village", "township")
    assert _ids(all_pages(api_client(world.village_clerk), ITEMS)) == _item_ids(ledger, "village")
    assert _ids(all_pages(api_client(world.department), ITEMS)) == _item_ids(ledger, "dept")
    assert _ids(all_pages(api_client(world.outsider), ITEMS)) == _item_ids(ledger, "outsider")


def test_helpers_are_refused_the_ledger(world, ledger):
    for user in (world.cadre, world.work_team):
        for url in (ITEMS, f"{ITEMS}{ledger.items['village'].pk}/"):
            response = api_client(user).get(url)
            assert response.status_code == 403 and response.json()["code"] == "permission_denied", (user, url)


def test_the_list_filters_as_the_ledger_page_does(world, ledger):
    client = api_client(world.county_admin)
    assert _ids(all_pages(client, ITEMS, batch=ledger.batch.pk)) == _item_ids(ledger, "dept")
    assert _ids(all_pages(client, ITEMS, source="patrol")) == _item_ids(ledger, "dept")
    assert _ids(all_pages(client, ITEMS, overdue="true")) == _item_ids(ledger, "dept")
    assert _ids(all_pages(client, ITEMS, timing="overdue")) == _item_ids(ledger, "dept")
    assert _ids(all_pages(client, ITEMS, kind="task")) == _item_ids(ledger, "township")
    assert _ids(all_pages(client, ITEMS, agency=ledger.village.pk)) == _item_ids(ledger, "village")
    assert _ids(all_pages(client, ITEMS, aspect="兜底保障")) == _item_ids(ledger, "dept")
    assert _ids(all_pages(client, ITEMS, q="饮水")) == _item_ids(ledger, "other")
    assert all_pages(client, ITEMS, state="closed") == []
    for params in ({"state": "done"}, {"timing": "late"}, {"batch": "x"}, {"overdue": "maybe"}, {"agency": "9" * 25}):
        response = client.get(ITEMS, params)
        assert response.status_code == 400 and set(params) <= set(response.json()["fields"]), params


def test_a_row_tells_its_deadline_colour_and_days_left(world, ledger):
    rows = {r["id"]: r for r in all_pages(api_client(world.county_admin), ITEMS)}
    late = rows[ledger.items["dept"].pk]
    assert late["timing"] == "overdue" and late["days_left"] == -3 and late["agency_name"] == "县民政局"
    assert late["batch_name"] == "省督导组反馈问题（第1批）" and late["state"] == "assigned"
    assert rows[ledger.items["village"].pk]["timing"] == "on_time"


def test_an_item_out_of_reach_is_404_and_in_reach_shows_its_log(world, ledger):
    item = ledger.items["village"]
    assert api_client(world.outsider).get(f"{ITEMS}{item.pk}/").status_code == 404
    assert api_client(world.department).get(f"{ITEMS}{item.pk}/").status_code == 404
    body = api_client(world.village_clerk).get(f"{ITEMS}{item.pk}/").json()
    assert [e["kind"] for e in body["events"]] == ["create", "assign"] and body["responsible"] == "张三"


def test_the_cursor_pages_neither_skip_nor_repeat(world, ledger):
    rows = all_pages(api_client(world.county_admin), ITEMS, page_size=1)
    assert [r["id"] for r in rows] == sorted(_item_ids(ledger, "village", "dept", "township", "other"))


# --- 报送进展 ---------------------------------------------------------------------------------------------

def _progress(item) -> str:
    return f"{ITEMS}{item.pk}/progress/"


def _signed(world, ledger, key: str, by) -> Item:
    return services.item_sign(acting_user=by, item_id=ledger.items[key].pk)


def test_the_units_staff_report_progress_as_on_the_page(world, ledger):
    item = _signed(world, ledger, "village", world.village_clerk)
    response = api_client(world.village_clerk).post(_progress(item), {"note": "已拆除旧房", "percent": 40},
                                                    format="json")
    assert response.status_code == 201, response.content
    event = ItemEvent.objects.get(pk=response.json()["id"])
    assert event.kind == "progress" and event.note == "已拆除旧房" and event.actor == world.village_clerk
    assert event.percent is None  # a problem to rectify has no % complete (as the page's form drops it)
    detail = api_client(world.county_admin).get(f"{ITEMS}{item.pk}/").json()
    assert [e["kind"] for e in detail["events"]][-1] == "progress"


def test_a_task_takes_its_percent_and_a_photo_as_evidence(world, ledger):
    item = _signed(world, ledger, "township", world.township_officer)
    response = api_client(world.township_officer).post(
        _progress(item), {"note": "台账已补齐一半", "percent": "50", "evidence": png_upload()}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["has_evidence"] is True and response.json()["percent"] == 50
    item.refresh_from_db()
    assert item.percent == 50 and item.history.count() >= 3  # the model's history keeps the change
    upload = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD)
    assert upload.actor == world.township_officer and upload.detail["item"] == item.pk


def _unchanged(item) -> tuple:
    item.refresh_from_db()
    return item.percent, item.state, ItemEvent.objects.filter(item=item).count()


def test_progress_is_refused_to_all_but_the_units_staff_and_nothing_changes(world, ledger):
    item = _signed(world, ledger, "village", world.village_clerk)
    before = _unchanged(item)
    for user, code in ((world.county_admin, 403), (world.analyst, 403), (world.township_officer, 403),
                       (world.cadre, 403), (world.department, 404), (world.outsider, 404)):
        response = api_client(user).post(_progress(item), {"note": "越权"}, format="json")
        assert response.status_code == code, (user.username, response.content)
    assert _unchanged(item) == before


def test_progress_on_an_item_not_signed_for_or_without_a_note_is_400(world, ledger):
    item = ledger.items["village"]  # 待签收
    before = _unchanged(item)
    response = api_client(world.village_clerk).post(_progress(item), {"note": "进展"}, format="json")
    assert response.status_code == 400 and "待签收" in response.json()["fields"]["non_field_errors"][0]
    signed = _signed(world, ledger, "village", world.village_clerk)
    before = _unchanged(signed)
    for data in ({}, {"note": ""}, {"note": "x", "percent": 101}):
        response = api_client(world.village_clerk).post(_progress(signed), data, format="json")
        assert response.status_code == 400, data
    response = api_client(world.village_clerk).post(_progress(signed), {"note": "照片", "evidence": exe_upload()},
                                                    format="multipart")
    assert response.status_code == 400
    assert _unchanged(signed) == before


def test_the_progress_address_looks_up_reach_before_the_method(world, ledger):
    item = ledger.items["village"]
    assert api_client(world.outsider).get(_progress(item)).status_code == 404
    assert api_client(world.village_clerk).get(_progress(item)).status_code == 405
    assert api_client(world.cadre).get(_progress(item)).status_code == 403
    assert api_client(world.village_clerk).post(f"{ITEMS}999999/progress/", {"note": "x"},
                                                format="json").status_code == 404
