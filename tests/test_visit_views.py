"""走访 views: the field page's JSON (scoped, masked), the sync endpoint (CSRF, idempotent, bad input → 400
JSON in Chinese with nothing written), photos, conflict choices, the worker and manifest, the office lists
and the household page's section."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingzhun.assistance.models import EditConflict, Visit, VisitPhoto
from jingzhun.registry.models import Household
from jingzhun.registry.services import household_update

from .notice_photos import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def _client(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _visit_item(world, **extra):
    item = {"client_id": str(uuid.uuid4()), "household": world.home.code,
            "visited_on": timezone.localdate().isoformat(), "met": "户主", "situation": "好", "needs": "技术",
            "done": "联系农技站", "recorded_at": timezone.now().isoformat()}
    item.update(extra)
    return item


def _sync(client, payload, **headers):
    return client.post(reverse("assistance:field_sync"), json.dumps(payload), content_type="application/json",
                       **headers)


def test_field_data_lists_the_cadres_households_masked(world):
    Household.objects.filter(code=world.home.code).update(phone="13800001111")
    response = _client(world.cadre).get(reverse("assistance:field_data"))
    assert response.status_code == 200
    body = response.json()
    assert [h["code"] for h in body["households"]] == [world.home.code]
    home = body["households"][0]
    assert home["phone"] == "138****1111" and world.home.head_id_number not in response.content.decode()
    assert body["csrf"] and body["vocabulary"]["household"]["income_12m"] == "近 12 个月家庭纯收入"


def test_field_data_shows_the_village_clerk_full_numbers(world):
    Household.objects.filter(code=world.home.code).update(phone="13800001111")
    body = _client(world.village_clerk).get(reverse("assistance:field_data")).json()
    assert body["households"][0]["phone"] == "13800001111"


def test_office_roles_without_visits_are_refused_the_field_page(world):
    for user in (world.analyst, world.county_admin, world.evaluator):
        client = _client(user)
        assert client.get(reverse("assistance:field")).status_code == 403
        assert client.get(reverse("assistance:field_data")).status_code == 403
        assert _sync(client, {"visits": [_visit_item(world)]}).status_code == 403
    assert not Visit.objects.exists()


def test_sync_without_the_csrf_header_is_refused(world):
    response = _sync(_client(world.cadre, csrf=True), {"visits": [_visit_item(world)]})
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_sync_with_the_token_from_the_data_stores_once(world):
    client = _client(world.cadre, csrf=True)
    token = client.get(reverse("assistance:field_data")).json()["csrf"]
    item = _visit_item(world)
    first = _sync(client, {"visits": [item], "edits": []}, HTTP_X_CSRFTOKEN=token)
    again = _sync(client, {"visits": [item], "edits": []}, HTTP_X_CSRFTOKEN=token)
    assert first.status_code == 200 and first.json()["visits"][0]["status"] == "stored"
    assert again.json()["visits"][0]["status"] == "already"
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"visits": "x"}), json.dumps({"visits": [1]})])
def test_malformed_sync_is_400_in_chinese(world, body):
    response = _client(world.cadre).post(reverse("assistance:field_sync"), body, content_type="application/json")
    assert response.status_code == 400
    assert "同步内容" in response.json()["error"]


def test_one_bad_item_writes_nothing_of_the_sync_and_names_the_item(world):
    good, bad = _visit_item(world), _visit_item(world, visited_on="2099-01-01")
    edit = {"client_id": str(uuid.uuid4()), "household": world.home.code, "base": {"safe_water": True},
            "values": {"safe_water": False}, "recorded_at": timezone.now().isoformat()}
    response = _sync(_client(world.cadre), {"visits": [good, bad], "edits": [edit]})
    assert response.status_code == 400
    assert response.json() == {"error": "“走访日期”不能晚于今天。", "item": bad["client_id"]}
    assert not Visit.objects.exists()
    assert Household.objects.get(code=world.home.code).safe_water is True


def test_an_edit_of_a_field_helpers_may_not_change_is_400(world):
    edit = {"client_id": str(uuid.uuid4()), "household": world.home.code, "base": {"phone": ""},
            "values": {"phone": "13999999999"}, "recorded_at": timezone.now().isoformat()}
    response = _sync(_client(world.cadre), {"edits": [edit]})
    assert response.status_code == 400 and "不能修改" in response.json()["error"]
    assert Household.objects.get(code=world.home.code).phone == ""


def test_a_visit_to_a_household_out_of_reach_is_404_and_not_stored(world):
    response = _sync(_client(world.cadre), {"visits": [_visit_item(world, household=world.neighbour.code)]})
    assert response.status_code == 404 and "不在您的帮扶范围内" in response.json()["error"]
    assert not Visit.objects.exists()


def test_a_conflict_comes_back_and_is_resolved_by_the_phone(world):
    household_update(code=world.home.code, acting_user=world.village_clerk, data={"housing_grade": "D"})
    client = _client(world.cadre)
    edit = {"client_id": str(uuid.uuid4()), "household": world.home.code, "base": {"housing_grade": "B"},
            "values": {"housing_grade": "C"}, "recorded_at": timezone.now().isoformat()}
    answer = _sync(client, {"edits": [edit]}).json()["edits"][0]
    assert answer["status"] == "conflict"
    shown = answer["conflict"]
    assert shown["fields"][0]["server"] == "D" and shown["fields"][0]["phone"] == "C"
    assert shown["changed_by"] == "village_clerk"
    assert client.get(reverse("assistance:field_data")).json()["conflicts"][0]["id"] == shown["id"]
    url = reverse("assistance:field_resolve", kwargs={"conflict_id": shown["id"]})
    bad = client.post(url, json.dumps({"choice": "maybe"}), content_type="application/json")
    assert bad.status_code == 400 and "请选择" in bad.json()["error"]
    ok = client.post(url, json.dumps({"choice": "phone"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["resolution"] == "phone"
    assert Household.objects.get(code=world.home.code).housing_grade == "C"


def test_another_cadre_cannot_resolve_the_conflict(world):
    household_update(code=world.neighbour.code, acting_user=world.township_officer, data={"safe_water": False})
    client = _client(world.township_officer)
    edit = {"client_id": str(uuid.uuid4()), "household": world.neighbour.code, "base": {"safe_water": True},
            "values": {"safe_water": True}, "recorded_at": timezone.now().isoformat()}
    # the township officer reaches the household but does not visit: the sync is refused
    assert _sync(client, {"edits": [edit]}).status_code == 403
    conflict = EditConflict.objects.create(client_id=uuid.uuid4(), household=world.neighbour, base={"safe_water": True},
                                           phone_values={"safe_water": True}, server_values={"safe_water": False},
                                           author=world.township_officer, recorded_at=timezone.now())
    response = _client(world.cadre).post(reverse("assistance:field_resolve", kwargs={"conflict_id": conflict.pk}),
                                         {"choice": "phone"})
    assert response.status_code == 404
    assert EditConflict.objects.get(pk=conflict.pk).resolution == "open"


def test_photos_upload_once_and_bad_files_are_400(world):
    client = _client(world.cadre)
    item = _visit_item(world)
    _sync(client, {"visits": [item]})
    url = reverse("assistance:field_photo", kwargs={"client_id": item["client_id"]})
    photo_id = str(uuid.uuid4())
    assert client.post(url, {"photo": upload("a.jpg", jpeg_bytes()), "photo_id": photo_id}).json()["status"] == "stored"
    assert client.post(url, {"photo": upload("a.jpg", jpeg_bytes()), "photo_id": photo_id}).json()["status"] == "already"
    bad = client.post(url, {"photo": upload("b.jpg", b"GIF89a not really"), "photo_id": str(uuid.uuid4())})
    assert bad.status_code == 400 and "不是可以打开的照片" in bad.json()["error"]
    assert client.post(url, {"photo_id": str(uuid.uuid4())}).status_code == 400
    assert VisitPhoto.objects.count() == 1
    # the work team reaches the visit but did not record it
    other = _client(world.work_team).post(url, {"photo": upload("c.jpg", jpeg_bytes()), "photo_id": str(uuid.uuid4())})
    assert other.status_code == 400 and VisitPhoto.objects.count() == 1
    photo = VisitPhoto.objects.get()
    shown = client.get(reverse("assistance:visit_photo", kwargs={"photo_id": photo.pk}))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert _client(world.outsider).get(reverse("assistance:visit_photo", kwargs={"photo_id": photo.pk})).status_code == 404


def test_the_worker_and_manifest_are_served_under_the_page(world):
    client = _client(world.cadre)
    worker = client.get(reverse("assistance:field_worker"))
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("application/javascript")
    assert "no-cache" in worker["Cache-Control"]
    assert reverse("assistance:field_worker").startswith(reverse("assistance:field"))
    body = worker.content.decode()
    assert '"/assistance/field/data/"' in body and "vendor/idb-keyval.js" in body
    manifest = Client().get(reverse("assistance:field_manifest"))
    assert manifest.status_code == 200 and manifest.json()["start_url"] == "/assistance/field/"


def test_the_field_page_has_no_inline_script(world):
    html = _client(world.cadre).get(reverse("assistance:field")).content.decode()
    assert 'rel="manifest"' in html and "jingzhun/field.js" in html
    scripts = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:]]
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
    assert " style=" not in html


def test_household_page_shows_visits_and_location_only_to_record_keepers(world):
    Visit.objects.create(household=world.home, visitor=world.cadre, visited_on=timezone.localdate(),
                         needs="想学养殖技术", latitude="35.491234", longitude="111.568765", recorded_at=timezone.now())
    url = reverse("registry:household_detail", kwargs={"code": world.home.code})
    clerk = _client(world.village_clerk).get(url).content.decode()
    cadre = _client(world.cadre).get(url).content.decode()
    assert "走访记录" in clerk and "想学养殖技术" in clerk and "35.491234" in clerk
    assert "想学养殖技术" in cadre and "35.491234" not in cadre


def test_visit_list_per_unit_and_conflict_list_for_record_keepers(world):
    Visit.objects.create(household=world.home, visitor=world.cadre, visited_on=timezone.localdate(), needs="甲",
                         recorded_at=timezone.now())
    clerk = _client(world.township_officer)
    assert world.home.code in clerk.get(reverse("assistance:visit_list")).content.decode()
    assert world.home.code in clerk.get(reverse("assistance:visit_list"), {"unit": "140826100233"}).content.decode()
    assert world.home.code not in clerk.get(reverse("assistance:visit_list"), {"unit": "140826100201"}).content.decode()
    assert clerk.get(reverse("assistance:visit_list"), {"unit": "140826101"}).status_code == 404
    assert clerk.get(reverse("assistance:conflict_list")).status_code == 200
    assert _client(world.cadre).get(reverse("assistance:conflict_list")).status_code == 403
    assert world.home.code not in _client(world.outsider).get(reverse("assistance:visit_list")).content.decode()
