"""/api/v1/alerts/batches/: upload a department's alert file (the page's service: all or nothing, every error
listed), read the batches, and the hits with the leads (线索) they became — county roles only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.models import AuditEvent
from jingzhun.alerts.models import AlertBatch, AlertHit, AlertRecord
from jingzhun.monitoring.models import Lead

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI

BATCHES = "/api/v1/alerts/batches/"
HEADER = "姓名,身份证号,村代码,就诊类别,就诊日期,出院日期,医疗总费用,个人自付"


def _csv(rows: list[str], name: str = "医保费用.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


def _upload(client, rows, **fields):
    return client.post(BATCHES, {"kind": "medical", "file": [_csv(rows)], "source": "县医保局",
                                 "data_date": "2026-11-30", **fields}, format="multipart")


@pytest.mark.django_db(transaction=True)
def test_a_county_admin_uploads_an_alert_file_and_reads_its_hits_and_the_leads_they_became(world):
    client = api_client(world.county_admin)
    head = world.home.head_id_number
    response = _upload(client, [HEADER, f"王建国,{head},{XIAGAOCHI},住院,2026-03-01,2026-03-10,30000,6000"])
    assert response.status_code == 201, response.content
    batch = AlertBatch.objects.get()
    assert response["Location"].endswith(f"{BATCHES}{batch.pk}/")
    assert batch.source == "县医保局" and batch.loaded_by == world.county_admin and batch.counts["hits"] == 1
    # the same writes as the page: the audit row of the import and a lead in the monitoring queue
    assert AuditEvent.objects.filter(action="import", detail__batch=batch.pk).exists()
    hit = AlertHit.objects.get()
    assert hit.lead is not None and Lead.objects.filter(pk=hit.lead_id).exists()
    detail = client.get(f"{BATCHES}{batch.pk}/").json()
    assert detail["kind_name"] == "医保费用" and detail["counts"]["exact"] == 1 and detail["files"] == ["医保费用.csv"]
    assert detail["data_date"] == "2026-11-30" and detail["policy"]["year"] == 2026
    results = all_pages(client, detail["results_url"])
    assert len(results) == 1
    row = results[0]
    assert row["rule"] == "YJ02" and row["rule_name"] == "住院个人自付达到预警金额" and row["household"] == world.home.code
    assert row["person"] == head and row["method"] == "exact" and row["lead"] == hit.lead_id and row["row"] == 2
    assert row["lead_state"].startswith("待核实") and row["figures"]["out_of_pocket"] == 6000.0
    assert any(f["value"] == "6,000.00" for f in row["figures_shown"])
    assert [b["id"] for b in all_pages(client, BATCHES)] == [batch.pk]


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_is_400_with_every_error_and_keeps_nothing(world):
    response = _upload(api_client(world.county_admin), [HEADER, f"王建国,,{XIAGAOCHI},住院,2026-03-01,,30000,6000",
                                                        f"李四,,{XIAGAOCHI},急诊,2026-03-01,,300,60"])
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "未导入" in body["message"] and body["fields"]["file"]
    messages = " ".join(i["message"] for i in body["issues"])
    assert "“就诊类别”为“住院”时必填" in messages and "不在可选值中" in messages
    assert {i["row"] for i in body["issues"]} == {2, 3}
    assert not AlertBatch.objects.exists() and not AlertRecord.objects.exists() and not Lead.objects.exists()


@pytest.mark.django_db
def test_a_wrong_file_type_or_a_missing_field_is_400_naming_the_field(world):
    client = api_client(world.county_admin)
    wrong = client.post(BATCHES, {"kind": "medical", "file": [_csv([HEADER], name="x.pdf")], "data_date": "2026-11-30"},
                        format="multipart")
    assert wrong.status_code == 400 and "不是 .xlsx 或 .csv" in wrong.json()["fields"]["file"][0]
    for data, field in (({"kind": "medical", "file": [_csv([HEADER])]}, "data_date"),
                        ({"kind": "death", "file": [_csv([HEADER])], "data_date": "2026-11-30"}, "kind"),
                        ({"kind": "medical", "data_date": "2026-11-30"}, "file")):
        response = client.post(BATCHES, data, format="multipart")
        assert response.status_code == 400 and field in response.json()["fields"], (data, response.content)
    assert not AlertBatch.objects.exists()


def _stored_batch(world, org: str) -> AlertBatch:
    """A 医保 batch over `org` with a hit on every member there (as the scope world makes)."""
    batch = AlertBatch.objects.create(kind="medical", source="测试", data_date="2026-11-30", org=org, rows=1,
                                      counts={"exact": 1, "fuzzy": 0, "hits": 1})
    for household in (h for h in world.households if h.code.startswith(org)):
        for member in household.members.all():
            record = AlertRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number,
                                                member_id=member.pk, household=household.code, method="exact")
            AlertHit.objects.create(batch=batch, record=record, rule="YJ02", risk_type="因病",
                                    village=household.village_id, household=household.code, member_id=member.pk,
                                    person=member.id_number, person_name=member.name, group="monitored",
                                    figures={"out_of_pocket": 6000.0, "threshold": 5000})
    return batch


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["village_clerk", "township_officer", "analyst", "evaluator", "cadre",
                                    "work_team", "department"])
def test_the_alert_batches_are_for_county_roles_only(world, person):
    batch = _stored_batch(world, "140826")
    client = api_client(getattr(world, person))
    for url in (BATCHES, f"{BATCHES}{batch.pk}/", f"{BATCHES}{batch.pk}/results/"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", url
    assert _upload(client, [HEADER]).status_code == 403
    assert AlertBatch.objects.count() == 1


@pytest.mark.django_db
def test_another_countys_batch_is_404_and_the_list_holds_only_those_in_reach(world):
    mine, theirs = _stored_batch(world, "140826"), _stored_batch(world, "140829")
    client = api_client(world.county_admin)
    assert [b["id"] for b in all_pages(client, BATCHES)] == [mine.pk]
    for url in (f"{BATCHES}{theirs.pk}/", f"{BATCHES}{theirs.pk}/results/", f"{BATCHES}999999/"):
        assert client.get(url).status_code == 404
    rows = all_pages(client, f"{BATCHES}{mine.pk}/results/")
    assert len(rows) == 6 and all(r["household"].startswith("140826") for r in rows)
    assert {r["household"] for r in all_pages(api_client(world.outsider), f"{BATCHES}{theirs.pk}/results/")} == \
        {world.other_county.code}


@pytest.mark.django_db
def test_filters_and_the_cursor_of_the_hits(world):
    batch = _stored_batch(world, "140826")
    client = api_client(world.county_admin)
    url = f"{BATCHES}{batch.pk}/results/"
    assert {r["village"] for r in all_pages(client, url, village=XIAGAOCHI)} == {XIAGAOCHI}
    assert all_pages(client, url, rule="YJ01") == []
    assert client.get(url, {"village": "1" * 40}).status_code == 400
    assert client.get(BATCHES, {"kind": "spaceship"}).status_code == 400
    ids = [r["id"] for r in all_pages(client, url, page_size=4)]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 6
