"""Candidate pairs below the auto-accept weight wait for a county user; decisions are reused next run."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jingzhun.checks.models import Problem
from jingzhun.compare.kinds import KINDS
from jingzhun.compare.models import Match, ReviewDecision
from jingzhun.compare.services import compare_run_execute, dataset_load, review_decide

from .people import XIAGAOCHI
from .test_compare_import import write_csv


@pytest.fixture
def pending(world, tmp_path, settings):
    settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 100.0  # every fuzzy pair goes to review
    daughter = world.home.members.get(relation="之女")
    path = tmp_path / "死亡人口.csv"
    write_csv(path, [
        {"姓名": "王建郭", "出生日期": "1965-03-04", "村代码": XIAGAOCHI, "死亡日期": "2024-05-01"},
        {"姓名": daughter.name, "出生日期": daughter.id_number[6:10] + "-" + daughter.id_number[10:12] + "-"
         + daughter.id_number[12:14], "死亡日期": "2024-05-01"},
        {"姓名": "王建国", "身份证号": world.home.head_id_number, "死亡日期": "2024-05-01"},
    ])
    assert dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin).ok
    return compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)


@pytest.mark.django_db(transaction=True)
def test_pairs_below_the_threshold_wait_and_raise_nothing_until_accepted(world, pending):
    statuses = dict(Match.objects.filter(run=pending).values_list("record__name", "status"))
    assert statuses == {"王建郭": "pending", "王小红": "pending", "王建国": "auto"}
    assert set(Problem.objects.filter(rule="BD01").values_list("person", flat=True)) == {world.home.head_id_number}


@pytest.mark.django_db(transaction=True)
def test_decisions_are_kept_and_reused_by_the_next_run(world, pending):
    daughter = world.home.members.get(relation="之女")
    homophone = Match.objects.get(run=pending, record__name="王建郭")
    same = Match.objects.get(run=pending, record__name="王小红")
    review_decide(run=pending, match_id=homophone.pk, acting_user=world.county_admin, same_person=False)
    review_decide(run=pending, match_id=same.pk, acting_user=world.county_admin, same_person=True)
    assert ReviewDecision.objects.count() == 2
    assert Problem.objects.get(rule="BD01", person=daughter.id_number).status == Problem.Status.OPEN

    again = compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    statuses = dict(Match.objects.filter(run=again).values_list("record__name", "status"))
    assert statuses == {"王建郭": "rejected", "王小红": "accepted", "王建国": "auto"}
    assert again.counts["pending"] == 0


@pytest.mark.django_db(transaction=True)
def test_only_county_staff_review_and_exact_pairs_need_no_review(world, pending):
    match = Match.objects.get(run=pending, record__name="王建郭")
    for user in (world.village_clerk, world.township_officer, world.evaluator):
        with pytest.raises(PermissionDenied):
            review_decide(run=pending, match_id=match.pk, acting_user=user, same_person=True)
    with pytest.raises(Http404):
        review_decide(run=pending, match_id=match.pk, acting_user=world.outsider, same_person=True)
    exact = Match.objects.get(run=pending, record__name="王建国")
    with pytest.raises(ValidationError):
        review_decide(run=pending, match_id=exact.pk, acting_user=world.county_admin, same_person=False)
    assert not ReviewDecision.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_only_the_latest_run_of_a_kind_is_reviewed(world, pending):
    compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    match = Match.objects.get(run=pending, record__name="王建郭")
    with pytest.raises(ValidationError, match="最新"):
        review_decide(run=pending, match_id=match.pk, acting_user=world.county_admin, same_person=True)
    assert not ReviewDecision.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_reviewer_adds_a_decision_and_the_first_stays_visible(world, pending, client):
    from django.urls import reverse

    from .people import PASSWORD

    homophone = Match.objects.get(run=pending, record__name="王建郭")
    review_decide(run=pending, match_id=homophone.pk, acting_user=world.county_admin, same_person=True)
    review_decide(run=pending, match_id=homophone.pk, acting_user=world.sysadmin, same_person=False)
    history = list(ReviewDecision.objects.order_by("decided_at", "pk").values_list("decided_by__username", "same_person"))
    assert history == [("county_admin", True), ("sysadmin", False)]  # appended, not overwritten
    homophone.refresh_from_db()
    assert homophone.status == Match.Status.REJECTED  # the latest decision is the current one

    client.login(username="county_admin", password=PASSWORD)
    body = client.get(reverse("compare:review", kwargs={"compare_run_id": pending.pk})).content.decode()
    row = body[body.index("王建郭"):]
    row = row[:row.index("</tr>")]
    assert "county_admin：是同一人" in row and "sysadmin：不是同一人" in row
    assert row.index("county_admin：是同一人") < row.index("sysadmin：不是同一人")

    again = compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    assert Match.objects.get(run=again, record__name="王建郭").status == Match.Status.REJECTED
