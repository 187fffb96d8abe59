"""/api/v1/compare/batches/: upload a department file (the page's service, in the background), read the runs
in reach, their counts and their pairs (masked for read-only roles)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI

BATCHES = "/api/v1/compare/batches/"


def _csv(rows: list[str], name: str = "死亡人口.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


def _rows(world) -> list[str]:
    neighbour = world.neighbour.members.get(relation="户主")
    return ["姓名,身份证号,出生日期,村代码,死亡日期",
            f"王建国,{world.home.head_id_number},,,2024-05-01",
            f"王建郭,,1965-03-04,{XIAGAOCHI},2024-05-01",
            f"{neighbour.name},{neighbour.id_number},,,2024-05-01"]


def _upload(client, rows, **fields):
    return client.post(BATCHES, {"kind": "death", "file": [_csv(rows)], "source": "县公安局",
                                 "data_date": "2024-06-30", **fields}, format="multipart")


def _stored_run(world, org="140826") -> CompareRun:
    """A finished run over `org` with a pending pair on every member there (as the scope world makes)."""
    batch = Batch.objects.create(kind="death", source="测试", data_date=timezone.localdate(), org=org)
    run = CompareRun.objects.create(kind="death", org=org, batch=batch, status=CompareRun.Status.DONE,
                                    counts={"records": 3, "registry": 6, "pending": 3})
    for household in (h for h in world.households if h.code.startswith(org)):
        for member in household.members.all():
            record = ExternalRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number)
            Match.objects.create(run=run, record=record, member_id=member.pk, household=household.code,
                                 village=household.village_id, person=member.id_number, member_name=member.name,
                                 method=Match.Method.FUZZY, match_weight=5.0, status=Match.Status.PENDING,
                                 agreements={"name": 5})
    return run


@pytest.mark.django_db(transaction=True)
def test_a_county_admin_uploads_a_file_which_is_compared_in_the_background_as_on_the_page(world, settings):
    settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 100.0
    client = api_client(world.county_admin)
    response = _upload(client, _rows(world))
    assert response.status_code == 202, response.content
    run = CompareRun.objects.get()
    assert response["Location"].endswith(f"{BATCHES}{run.pk}/") and response.json()["url"] == f"{BATCHES}{run.pk}/"
    # the test settings run the task as soon as the upload commits: the run is done, the uploads gone
    assert run.status == CompareRun.Status.DONE and run.batch.source == "县公安局" and run.triggered_by == world.county_admin
    assert not list((settings.UPLOAD_ROOT / f"compare-{run.pk}").iterdir())
    detail = client.get(f"{BATCHES}{run.pk}/").json()
    assert detail["status"] == "done" and detail["status_name"] == "已完成" and detail["kind_name"] == "死亡人口"
    assert detail["counts"]["records"] == 3 and detail["source"] == "县公安局" and detail["data_date"] == "2024-06-30"
    assert detail["files"] == ["死亡人口.csv"] and detail["issues"] == []
    villages = {v["village"]: v for v in detail["by_village"]}
    assert villages[XIAGAOCHI]["total"] >= 1
    results = all_pages(client, detail["results_url"])
    assert {r["household"] for r in results} >= {world.home.code, world.neighbour.code}
    exact = next(r for r in results if r["method"] == "exact" and r["household"] == world.home.code)
    assert exact["person"] == world.home.head_id_number and exact["status"] == "auto"  # a keeper sees it in full
    assert exact["record"]["id_number"] == world.home.head_id_number
    homophone = next(r for r in results if r["record"]["name"] == "王建郭")
    assert homophone["status"] == "pending" and homophone["agreements"]
    assert [b["id"] for b in all_pages(client, BATCHES)] == [run.pk]


@pytest.mark.django_db(transaction=True)
def test_a_malformed_file_is_refused_with_its_error_list_and_nothing_loaded(world):
    client = api_client(world.county_admin)
    response = _upload(client, ["姓名,死亡日期", "王建国,2024-02-30"])
    assert response.status_code == 202
    run = CompareRun.objects.get()
    assert run.status == CompareRun.Status.REFUSED and run.batch is None
    detail = client.get(response.json()["url"]).json()
    assert detail["status"] == "refused" and detail["issue_count"] == len(detail["issues"]) >= 1
    assert any("应为日期" in i["message"] and i["row"] == 2 and i["header"] == "死亡日期" for i in detail["issues"])
    assert not Batch.objects.exists() and not ExternalRecord.objects.exists() and not Match.objects.exists()


@pytest.mark.django_db
def test_a_wrong_file_type_or_a_missing_field_is_400_naming_the_field_and_starts_nothing(world):
    client = api_client(world.county_admin)
    wrong = client.post(BATCHES, {"kind": "death", "file": [_csv(["姓名"], name="死亡人口.txt")]}, format="multipart")
    assert wrong.status_code == 400 and "不是 .xlsx 或 .csv" in wrong.json()["fields"]["file"][0]
    for data, field in (({"file": [_csv(["姓名"])]}, "kind"), ({"kind": "death"}, "file"),
                        ({"kind": "spaceship", "file": [_csv(["姓名"])]}, "kind"),
                        ({"kind": "death", "file": [_csv(["姓名"])], "data_date": "2024-13-01"}, "data_date")):
        response = client.post(BATCHES, data, format="multipart")
        assert response.status_code == 400 and field in response.json()["fields"], (data, response.content)
    assert not CompareRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["village_clerk", "township_officer", "analyst", "evaluator", "cadre"])
def test_roles_that_may_not_compare_are_refused_and_start_nothing(world, person):
    response = _upload(api_client(getattr(world, person)), _rows(world))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not CompareRun.objects.exists()


@pytest.mark.django_db
def test_a_read_only_role_reads_the_pairs_in_reach_with_id_numbers_masked(world):
    run = _stored_run(world)
    client = api_client(world.evaluator)
    detail = client.get(f"{BATCHES}{run.pk}/")
    assert detail.status_code == 200 and detail.json()["counts"]["records"] == 3
    results = all_pages(client, f"{BATCHES}{run.pk}/results/")
    assert len(results) == 6  # three households of 绛县, two members each
    text = str(results)
    ids = {m.id_number for h in world.households for m in h.members.all()}
    assert not any(i in text for i in ids)
    assert all("*" in r["person"] and "*" in r["record"]["id_number"] for r in results)


@pytest.mark.django_db
def test_a_village_clerk_sees_only_the_pairs_of_the_village_and_others_runs_are_404(world):
    run = _stored_run(world)
    other = _stored_run(world, org="140829")
    clerk = api_client(world.village_clerk)
    assert [b["id"] for b in all_pages(clerk, BATCHES)] == [run.pk]  # the county's run: their part of it
    assert {r["village"] for r in all_pages(clerk, f"{BATCHES}{run.pk}/results/")} == {XIAGAOCHI}
    assert [v["village"] for v in clerk.get(f"{BATCHES}{run.pk}/").json()["by_village"]] == [XIAGAOCHI]
    for url in (f"{BATCHES}{other.pk}/", f"{BATCHES}{other.pk}/results/", f"{BATCHES}999999/"):
        response = clerk.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client(world.outsider).get(f"{BATCHES}{run.pk}/").status_code == 404


@pytest.mark.django_db
def test_filters_narrow_the_list_and_the_pairs_and_bad_ones_are_400(world):
    run = _stored_run(world)
    CompareRun.objects.create(kind="vehicle", org="140826", status=CompareRun.Status.FAILED)
    client = api_client(world.county_admin)
    assert [b["id"] for b in all_pages(client, BATCHES, kind="death")] == [run.pk]
    assert [b["kind"] for b in all_pages(client, BATCHES, status="failed")] == ["vehicle"]
    url = f"{BATCHES}{run.pk}/results/"
    assert {r["village"] for r in all_pages(client, url, village=XIAGAOCHI)} == {XIAGAOCHI}
    assert all_pages(client, url, status="auto") == []
    for params in ({"status": "nope"}, {"method": "magic"}, {"village": "1" * 40}):
        assert client.get(url, params).status_code == 400
    assert client.get(BATCHES, {"kind": "spaceship"}).status_code == 400


@pytest.mark.django_db
def test_the_pairs_page_by_cursor_without_skipping_or_repeating(world):
    run = _stored_run(world)
    client = api_client(world.county_admin)
    url = f"{BATCHES}{run.pk}/results/"
    first = client.get(url, {"page_size": 4}).json()
    assert len(first["results"]) == 4 and first["next"]
    # a pair added meanwhile (a later id) does not shift the next page
    extra = Match.objects.filter(run=run).first()
    extra.pk = None
    extra.save()
    rest = all_pages(client, first["next"])
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in rest]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 7
