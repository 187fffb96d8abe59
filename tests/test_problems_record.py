"""Findings made by people (考核评估, 随机抽查) recorded as problems: in a run of their own, with a deadline,
reopened rather than doubled, and untouched by the rule runs."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.checks.models import CheckRun, Problem
from jingzhun.checks.services import Finding, check_run_execute, problems_record

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 31)


def _finding(world, **extra):
    return Finding(rule="PG01", household=world.home.code, village=world.home.village_id,
                   message="考核评估：错退（人均纯收入低于标准）", **extra)


def test_a_finding_becomes_an_open_problem_of_its_village_with_its_deadline(world):
    run = problems_record(org="140826", findings=[_finding(world)], acting_user=world.county_admin, due=DUE,
                          reason="考核评估发现")
    problem = Problem.objects.get(rule="PG01")
    assert problem.status == Problem.Status.OPEN and problem.village == world.home.village_id
    assert problem.due == DUE and problem.first_run == run and problem.last_run == run
    assert run.status == CheckRun.Status.DONE and run.rules == ["PG01"] and run.found == 1 and run.opened == 1


def test_recording_it_again_reopens_the_same_problem_with_the_new_deadline(world):
    problems_record(org="140826", findings=[_finding(world)], acting_user=world.county_admin, due=DUE, reason="一")
    Problem.objects.filter(rule="PG01").update(status=Problem.Status.FIXED)
    later = DUE + datetime.timedelta(days=30)
    run = problems_record(org="140826", findings=[_finding(world, detail={"case": 7})], acting_user=world.county_admin,
                          due=later, reason="二")
    problem = Problem.objects.get(rule="PG01")
    assert Problem.objects.filter(rule="PG01").count() == 1
    assert problem.status == Problem.Status.OPEN and problem.due == later and problem.detail == {"case": 7}
    assert problem.last_run == run and run.opened == 1


def test_a_rule_run_leaves_the_findings_open(world):
    problems_record(org="140826", findings=[_finding(world)], acting_user=world.county_admin, due=DUE, reason="一")
    check_run_execute(org="140826")
    assert Problem.objects.get(rule="PG01").status == Problem.Status.OPEN
