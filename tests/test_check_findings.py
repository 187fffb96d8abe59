"""Problems found by people (考核评估 PG01–PG03, 随机抽查 CC01) on the problem pages: named like rules, and
worked like any other problem (情况属实 claimed and reviewed)."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.checks.findings import FINDING_KINDS
from jingzhun.checks.models import Problem
from jingzhun.checks.services import Finding, problem_kinds, problems_record
from jingzhun.desk import todo

from .people import CHENGNEI, XIAGAOCHI

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 1, 31)


@pytest.fixture
def recorded(world):
    findings = [Finding(rule="PG01", household=world.home.code, village=XIAGAOCHI, message="退出评估认定王建国错退。"),
                Finding(rule="CC01", household=world.neighbour.code, village=CHENGNEI,
                        message="随机抽查：家庭人口 登记 3 人，核实 4 人。"),
                Finding(rule="PG02", household="S7-12", village=XIAGAOCHI, message="退出评估认定孙无名漏评。")]
    problems_record(org="140826", findings=findings, acting_user=world.evaluator, due=DUE, reason="考核评估问题认定")
    return {p.rule: p for p in Problem.objects.all()}


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_every_finding_kind_has_its_words():
    assert set(FINDING_KINDS) == {"PG01", "PG02", "PG03", "CC01"}
    assert FINDING_KINDS["PG03"].name_shown == "考核评估：群众不认可"
    assert FINDING_KINDS["CC01"].name_shown == "随机抽查：登记信息与核实不符"
    assert all(k.category_shown and k.fix_shown and k.severity_shown == "错误" for k in FINDING_KINDS.values())
    kinds = problem_kinds()
    assert "Q01" in kinds and "PG01" in kinds  # the rules and the findings together


def test_the_problem_list_names_findings_and_shows_their_deadline(world, recorded, client):
    body = _as(client, world.county_admin).get(reverse("checks:problem_list")).content.decode()
    table = re.search(r'<table class="grid" id="problems">(.*?)</table>', body, re.S).group(1)
    assert "考核评估：错退" in table and "随机抽查：登记信息与核实不符" in table and "考核评估：漏评" in table
    assert table.count("整改时限：2030-01-31") == 3
    # the filter offers them too
    assert '<option value="PG01">PG01 考核评估：错退</option>' in body


def test_a_screened_households_key_has_no_household_link(world, recorded, client):
    body = _as(client, world.county_admin).get(reverse("checks:problem_list")).content.decode()
    assert ">S7-12<" in body
    assert reverse("registry:household_detail", kwargs={"code": "S7-12"}) not in body
    assert reverse("registry:household_detail", kwargs={"code": world.home.code}) in body
    page = client.get(reverse("checks:problem_exception", kwargs={"problem_id": recorded["PG02"].pk})).content.decode()
    assert "S7-12" in page and reverse("registry:household_detail", kwargs={"code": "S7-12"}) not in page


def test_the_export_names_findings_with_their_category_and_fix(world, recorded, client):
    response = _as(client, world.county_admin).get(reverse("checks:problem_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["PG01"][1:3] == ("考核评估：错退", "考核评估")
    assert rows["CC01"][1:3] == ("随机抽查：登记信息与核实不符", "随机抽查")
    assert rows["PG01"][-1].startswith("核实该户收入")


def test_the_run_page_and_the_todo_page_name_them(world, recorded, client):
    run = recorded["PG01"].first_run
    body = _as(client, world.county_admin).get(reverse("checks:run_detail", kwargs={"run_id": run.pk})).content.decode()
    assert "PG01 考核评估：错退" in body
    titles = {s.kind.code: [i.title for i in s.items] for s in todo.board(world.village_clerk)}
    assert titles["problems"] == ["PG01 考核评估：错退", "PG02 考核评估：漏评"]


def test_a_finding_is_claimed_and_reviewed_like_any_problem(world, recorded, client):
    problem = recorded["PG01"]
    _as(client, world.village_clerk).post(reverse("checks:problem_exception", kwargs={"problem_id": problem.pk}),
                                          {"reason": "该户已享受低保，收入达标，有银行流水"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION_PENDING and problem.due == DUE
    _as(client, world.township_officer).post(reverse("checks:problem_review", kwargs={"problem_id": problem.pk}),
                                             {"decision": "approve"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION and problem.reviewed_by == world.township_officer


def test_a_rule_run_leaves_findings_alone(world, recorded):
    from jingzhun.checks.services import check_run_execute

    check_run_execute(org="140826", as_of=timezone.localdate(), rule_codes=["Q01"])
    assert set(Problem.objects.filter(status=Problem.Status.OPEN).values_list("rule", flat=True)) >= {"PG01", "CC01"}
