"""The comparison pages: upload as a background task, results by village, review, each in scope."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.compare.models import CompareRun, Match, ReviewDecision

from .people import PASSWORD, XIAGAOCHI


def _csv(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("死亡人口.csv", ("\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


def _upload(client, world, rows, settings=None):
    client.login(username="county_admin", password=PASSWORD)
    return client.post(reverse("compare:home"), {"kind": "death", "files": [_csv(rows)], "source": "县公安局",
                                                 "data_date": "2024-06-30"}, follow=True)


def _rows(world) -> list[str]:
    neighbour = world.neighbour.members.get(relation="户主")
    return ["姓名,身份证号,出生日期,村代码,死亡日期",
            f"王建国,{world.home.head_id_number},,,2024-05-01",
            f"王建郭,,1965-03-04,{XIAGAOCHI},2024-05-01",
            f"{neighbour.name},{neighbour.id_number},,,2024-05-01"]


@pytest.mark.django_db(transaction=True)
def test_county_upload_runs_in_the_background_and_shows_results_by_village(world, client, settings):
    settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 100.0
    response = _upload(client, world, _rows(world))
    run = CompareRun.objects.get()
    assert run.status == CompareRun.Status.DONE and run.batch.source == "县公安局"
    body = response.content.decode()
    assert response.status_code == 200 and 'id="by-village"' in body and XIAGAOCHI in body
    assert "同音" in body  # why the homophone pair was made
    assert not list((settings.UPLOAD_ROOT / f"compare-{run.pk}").iterdir())  # uploads deleted


@pytest.mark.django_db(transaction=True)
def test_bad_upload_is_refused_with_rows_and_nothing_loaded(world, client):
    response = _upload(client, world, ["姓名,死亡日期", "王建国,2024-02-30"])
    run = CompareRun.objects.get()
    assert run.status == CompareRun.Status.REFUSED and run.batch is None
    assert "应为日期" in response.content.decode()
    assert not Match.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_review_page_accepts_and_rejects_and_keeps_the_decision(world, client, settings):
    settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 100.0
    _upload(client, world, _rows(world))
    run = CompareRun.objects.get()
    match = Match.objects.get(run=run, status=Match.Status.PENDING)
    url = reverse("compare:review", kwargs={"compare_run_id": run.pk})
    assert "王建郭" in client.get(url).content.decode()
    response = client.post(url, {"match": match.pk, "decision": "different"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == Match.Status.REJECTED and ReviewDecision.objects.get().same_person is False


@pytest.mark.django_db(transaction=True)
def test_others_cannot_upload_or_review_and_see_only_their_part(world, client, settings):
    settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 100.0
    _upload(client, world, _rows(world))
    run = CompareRun.objects.get()
    match = Match.objects.get(run=run, status=Match.Status.PENDING)
    client.logout()
    client.login(username="village_clerk", password=PASSWORD)
    response = client.post(reverse("compare:home"), {"kind": "death", "files": [_csv(_rows(world))]})
    assert response.status_code == 403
    review = reverse("compare:review", kwargs={"compare_run_id": run.pk})
    assert client.post(review, {"match": match.pk, "decision": "same"}).status_code == 403
    body = client.get(reverse("compare:run", kwargs={"compare_run_id": run.pk})).content.decode()
    assert world.home.code in body and world.neighbour.code not in body
    client.logout()
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("compare:run", kwargs={"compare_run_id": run.pk})).status_code == 404
    assert CompareRun.objects.count() == 1


@pytest.mark.django_db
def test_comparison_page_switches_to_english(world, client):
    client.login(username="county_admin", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": reverse("compare:home")})
    try:
        body = client.get(reverse("compare:home")).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request leaves English active in this thread
    assert "<h1>Department comparison</h1>" in body and "Upload and compare" in body
    assert "部门比对（一比对）" not in body
