"""The problem-ledger pages: list, charts, export, exceptions and their review, and check runs."""

from __future__ import annotations

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingzhun.checks.models import CheckRun, Problem
from jingzhun.checks.runner import FINDINGS_SCHEMA
from jingzhun.checks.services import catalog

from .people import PASSWORD, XIAGAOCHI


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _problem(household, *, status=Problem.Status.OPEN, rule="Q01", reason="") -> Problem:
    run = CheckRun.objects.create(org="", as_of=datetime.date(2024, 6, 30))
    now = timezone.now()
    person = household.members.get(relation="户主").id_number
    return Problem.objects.create(
        rule=rule, household=household.code, person=person, village=household.village_id,
        message=f"身份证号“{person}”不是 17 位数字加 1 位数字或 X", status=status, first_run=run, last_run=run,
        first_seen=now, last_seen=now, exception_reason=reason)


@pytest.fixture
def problems(world) -> dict[str, Problem]:
    """One open Q01 problem on each household of the world, by the household's name in the world."""
    return {name: _problem(getattr(world, name)) for name in ("home", "neighbour", "other_township", "other_county")}


def _page(client, **params) -> str:
    response = client.get(reverse("checks:problem_list"), params)
    assert response.status_code == 200
    return response


def _listed(response) -> set[str]:
    return {p.household for p in response.context["page"].object_list}


def _chart_total(chart_json: str) -> int:
    return sum(sum(series["data"]) for series in json.loads(chart_json)["series"])


def _export_rows(client, **params) -> list[list]:
    response = client.get(reverse("checks:problem_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --- the list, its charts and its export ------------------------------------------------------------


@pytest.mark.django_db
def test_village_clerk_sees_only_own_village_problems_in_list_charts_and_export(world, problems, client):
    _login(client, world.village_clerk)
    response = _page(client)
    body = response.content.decode()
    assert _listed(response) == {world.home.code}
    for other in (world.neighbour, world.other_township, world.other_county):
        assert other.code not in body and other.head_name not in body
    assert "累计筛选问题数据 1 条，已整改 0 条，待整改 1 条" in body
    assert _chart_total(response.context["rule_chart_json"]) == 1
    assert response.context["unit_chart_json"] == ""  # a village has no child units

    rows = _export_rows(client)
    header, data = rows[0], rows[1:]
    assert "规则名称" in header and "整改建议" in header
    assert [r[header.index("户编号")] for r in data] == [world.home.code]
    row = dict(zip(header, data[0]))
    assert row["规则名称"] == catalog()["Q01"].name and row["整改建议"] == catalog()["Q01"].fix
    assert row["户主"] == world.home.head_name and row["状态"] == "待整改"
    assert row["身份证号"] == world.home.head_id_number  # the clerk keeps the records: IDs in full


@pytest.mark.django_db
def test_outsider_sees_none_of_another_countys_problems(world, problems, client):
    _login(client, world.outsider)
    response = _page(client)
    assert _listed(response) == {world.other_county.code}
    assert _chart_total(response.context["rule_chart_json"]) == 1
    assert _chart_total(response.context["unit_chart_json"]) == 1
    body = response.content.decode()
    for other in (world.home, world.neighbour, world.other_township):
        assert other.code not in body and other.head_id_number not in body
    exported = [r[3] for r in _export_rows(client)[1:]]
    assert exported == [world.other_county.code]


@pytest.mark.django_db
def test_unit_chart_is_by_village_for_a_township_and_by_township_for_a_county(world, problems, client):
    problems["neighbour"].status = Problem.Status.FIXED
    problems["neighbour"].save()
    _login(client, world.township_officer)
    chart = json.loads(_page(client).context["unit_chart_json"])
    by_name = {name: [s["data"][i] for s in chart["series"]] for i, name in enumerate(chart["names"])}
    assert [s["name"] for s in chart["series"]] == ["待整改", "已整改", "情况属实"]
    assert by_name["下高池村"] == [1, 0, 0] and by_name["城内村"] == [0, 1, 0]

    client.logout()
    _login(client, world.county_admin)
    response = _page(client)
    chart = json.loads(response.context["unit_chart_json"])
    by_name = {name: sum(s["data"][i] for s in chart["series"]) for i, name in enumerate(chart["names"])}
    assert by_name["古绛镇"] == 2 and by_name["横水镇"] == 1 and sum(by_name.values()) == 3
    assert "累计筛选问题数据 3 条，已整改 1 条，待整改 2 条" in response.content.decode()


@pytest.mark.django_db
def test_cadre_sees_only_problems_of_their_own_households(world, problems, client):
    _login(client, world.cadre)
    assert _listed(_page(client)) == {world.home.code}
    assert [r[3] for r in _export_rows(client)[1:]] == [world.home.code]


@pytest.mark.django_db
def test_filters_narrow_the_list_and_the_export_alike(world, problems, client):
    _problem(world.home, rule="Q99", status=Problem.Status.FIXED)
    _login(client, world.county_admin)
    assert _listed(_page(client, township="140826101")) == {world.other_township.code}
    assert _listed(_page(client, township="140826100", village=world.neighbour.village_id)) == {world.neighbour.code}
    assert _listed(_page(client, q=world.home.code)) == {world.home.code}
    assert _listed(_page(client, q=world.neighbour.head_id_number)) == {world.neighbour.code}
    fixed = _page(client, status="fixed")
    assert [(p.household, p.rule) for p in fixed.context["page"].object_list] == [(world.home.code, "Q99")]
    assert [r[3] for r in _export_rows(client, status="open", township="140826100")[1:]] == [
        world.neighbour.code, world.home.code]
    # a unit out of reach is not a choice: the filter is refused rather than ignored
    assert client.get(reverse("checks:problem_list"), {"township": "140829102"}).context["page"].paginator.count == 0
    assert client.get(reverse("checks:problem_export"), {"township": "140829102"}).status_code == 400


@pytest.mark.django_db
def test_read_only_roles_see_id_numbers_masked(world, problems, client):
    _login(client, world.evaluator)
    body = _page(client).content.decode()
    masked = world.home.head_id_number[:6] + "********" + world.home.head_id_number[-4:]
    assert masked in body and f">{world.home.head_id_number}<" not in body
    assert "申报情况属实" not in body
    ids = {r[6] for r in _export_rows(client)[1:]}
    assert masked in ids and world.home.head_id_number not in ids


# --- exceptions (情况属实) ------------------------------------------------------------------------


def _claim(client, problem, reason="该户主身份证为旧版 15 位，已换领新证，有派出所证明"):
    return client.post(reverse("checks:problem_exception", kwargs={"problem_id": problem.pk}),
                       {"reason": reason, "next": reverse("checks:problem_list") + "?status=open"})


def _review(client, problem, decision):
    return client.post(reverse("checks:problem_review", kwargs={"problem_id": problem.pk}), {"decision": decision})


@pytest.mark.django_db
def test_clerk_claims_an_exception_and_the_township_officer_approves_it(world, problems, client):
    problem = problems["home"]
    _login(client, world.village_clerk)
    page = _page(client).content.decode()
    assert reverse("checks:problem_exception", kwargs={"problem_id": problem.pk}) in page
    form = client.get(reverse("checks:problem_exception", kwargs={"problem_id": problem.pk}))
    assert form.status_code == 200 and "情况说明" in form.content.decode()
    response = _claim(client, problem)
    assert response.status_code == 302 and response["Location"] == reverse("checks:problem_list") + "?status=open"
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION_PENDING and problem.exception_by == world.village_clerk
    assert "待乡镇审核" in client.get(response["Location"]).content.decode()

    client.logout()
    _login(client, world.township_officer)
    listing = _page(client).content.decode()
    assert "情况属实（待审核）" in listing
    assert reverse("checks:problem_review", kwargs={"problem_id": problem.pk}) in listing
    response = _review(client, problem, "approve")
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION and problem.reviewed_by == world.township_officer
    assert problem.history.first().history_user == world.township_officer


@pytest.mark.django_db
def test_township_officer_rejects_a_claim_and_the_problem_is_open_again(world, problems, client):
    problem = problems["home"]
    _login(client, world.village_clerk)
    _claim(client, problem)
    client.logout()
    _login(client, world.township_officer)
    assert _review(client, problem, "reject").status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN
    # reviewing it again is a plain message, not an error page
    response = _review(client, problem, "approve")
    assert response.status_code == 302
    assert "没有待审核的情况属实申报" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_too_short_reason_is_a_chinese_form_error(world, problems, client):
    _login(client, world.village_clerk)
    response = _claim(client, problems["home"], reason="属实")
    assert response.status_code == 200 and "至少 4 个字" in response.content.decode()
    response = _claim(client, problems["home"], reason="")
    assert response.status_code == 200 and "请写明情况属实的理由" in response.content.decode()
    problems["home"].refresh_from_db()
    assert problems["home"].status == Problem.Status.OPEN


@pytest.mark.django_db
def test_village_clerk_cannot_review(world, problems, client):
    problem = _problem(world.home, rule="Q98", status=Problem.Status.EXCEPTION_PENDING, reason="有证明材料在案")
    _login(client, world.village_clerk)
    assert _review(client, problem, "approve").status_code == 403
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION_PENDING


@pytest.mark.django_db
def test_analyst_cannot_claim(world, problems, client):
    _login(client, world.analyst)
    url = reverse("checks:problem_exception", kwargs={"problem_id": problems["home"].pk})
    assert client.get(url).status_code == 403
    assert _claim(client, problems["home"]).status_code == 403
    problems["home"].refresh_from_db()
    assert problems["home"].status == Problem.Status.OPEN


@pytest.mark.django_db
def test_a_problem_of_another_village_is_404_on_claim_and_review(world, problems, client):
    pending = _problem(world.other_township, rule="Q98", status=Problem.Status.EXCEPTION_PENDING, reason="有证明材料")
    _login(client, world.village_clerk)
    url = reverse("checks:problem_exception", kwargs={"problem_id": problems["neighbour"].pk})
    assert client.get(url).status_code == 404
    assert _claim(client, problems["neighbour"]).status_code == 404
    assert _review(client, problems["neighbour"], "approve").status_code == 404
    client.logout()
    _login(client, world.township_officer)  # 古绛镇: 横东村 is in 横水镇
    assert _review(client, pending, "approve").status_code == 404
    assert _claim(client, problems["other_township"]).status_code == 404
    pending.refresh_from_db()
    problems["neighbour"].refresh_from_db()
    assert pending.status == Problem.Status.EXCEPTION_PENDING and problems["neighbour"].status == Problem.Status.OPEN


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(world, problems):
    client = Client(enforce_csrf_checks=True)
    _login(client, world.township_officer)
    pending = _problem(world.home, rule="Q98", status=Problem.Status.EXCEPTION_PENDING, reason="有证明材料在案")
    assert _claim(client, problems["home"]).status_code == 403
    assert _review(client, pending, "approve").status_code == 403
    client.logout()
    _login(client, world.county_admin)
    assert client.post(reverse("checks:run_start")).status_code == 403
    problems["home"].refresh_from_db()
    pending.refresh_from_db()
    assert problems["home"].status == Problem.Status.OPEN and pending.status == Problem.Status.EXCEPTION_PENDING
    assert not CheckRun.objects.filter(triggered_by=world.county_admin).exists()


@pytest.mark.django_db
def test_review_needs_post_and_a_known_decision(world, problems, client):
    _login(client, world.township_officer)
    url = reverse("checks:problem_review", kwargs={"problem_id": problems["home"].pk})
    assert client.get(url).status_code == 405
    assert client.post(url, {"decision": "maybe"}).status_code == 400


# --- check runs -------------------------------------------------------------------------------------


@pytest.fixture
def no_findings(monkeypatch):
    """The run reads the committed database through ADBC, which a test transaction cannot offer."""
    monkeypatch.setattr("jingzhun.checks.services.findings_compute",
                        lambda **kwargs: (FINDINGS_SCHEMA.empty_table(), 0.0, 0.0))


@pytest.mark.django_db
def test_county_admin_starts_a_run_that_runs_in_the_background(world, problems, client, no_findings,
                                                               django_capture_on_commit_callbacks):
    _login(client, world.county_admin)
    page = client.get(reverse("checks:run_list")).content.decode()
    assert "立即核查" in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("checks:run_start"))
    assert len(callbacks) == 1
    run = CheckRun.objects.get(triggered_by=world.county_admin)
    assert response.status_code == 302 and response["Location"] == reverse("checks:run_detail",
                                                                           kwargs={"run_id": run.pk})
    assert run.status == CheckRun.Status.DONE and run.org == "140826" and run.as_of == timezone.localdate()
    assert run.rules == list(catalog())
    # nothing fires any more: the county's open Q01 problems are closed, the other county's untouched
    assert run.closed == 3
    for name in ("home", "neighbour", "other_township"):
        problems[name].refresh_from_db()
        assert problems[name].status == Problem.Status.FIXED
    problems["other_county"].refresh_from_db()
    assert problems["other_county"].status == Problem.Status.OPEN
    detail = client.get(response["Location"])
    assert "已完成" in detail.content.decode() and "hx-get" not in detail.content.decode()
    assert run.pk in [r.pk for r in client.get(reverse("checks:run_list")).context["runs"]]


@pytest.mark.django_db
def test_a_run_that_fails_is_marked_failed(world, problems, client, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr("jingzhun.checks.services.findings_compute", broken)
    _login(client, world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("checks:run_start"))
    run = CheckRun.objects.get(triggered_by=world.county_admin)
    assert run.status == CheckRun.Status.FAILED and run.finished_at is not None
    assert "核查失败" in client.get(response["Location"]).content.decode()
    problems["home"].refresh_from_db()
    assert problems["home"].status == Problem.Status.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["analyst", "evaluator", "cadre"])
def test_other_roles_cannot_start_a_run(world, client, who):
    _login(client, getattr(world, who))
    assert "立即核查" not in client.get(reverse("checks:run_list")).content.decode()
    assert client.post(reverse("checks:run_start")).status_code == 403
    assert not CheckRun.objects.exists()


@pytest.mark.django_db
def test_sysadmin_starts_a_run_over_everything(world, client, no_findings, django_capture_on_commit_callbacks):
    _login(client, world.sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("checks:run_start"))
    run = CheckRun.objects.get()
    assert run.org == "" and run.status == CheckRun.Status.DONE


@pytest.mark.django_db
def test_run_page_polls_while_queued_and_is_404_out_of_reach(world, client):
    run = CheckRun.objects.create(org="140826", as_of=datetime.date(2024, 6, 30), rules=["Q01"],
                                  triggered_by=world.county_admin)
    url = reverse("checks:run_detail", kwargs={"run_id": run.pk})
    _login(client, world.county_admin)
    page = client.get(url).content.decode()
    assert "排队中" in page and f'hx-get="{url}"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="run-status"')
    client.logout()
    _login(client, world.outsider)
    assert client.get(url).status_code == 404
    assert run.pk not in [r.pk for r in client.get(reverse("checks:run_list")).context["runs"]]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(world, problems, client):
    run = CheckRun.objects.first()
    for url in (reverse("checks:problem_list"), reverse("checks:problem_export"), reverse("checks:run_list"),
                reverse("checks:run_start"), reverse("checks:run_detail", kwargs={"run_id": run.pk}),
                reverse("checks:problem_exception", kwargs={"problem_id": problems["home"].pk}),
                reverse("checks:problem_review", kwargs={"problem_id": problems["home"].pk})):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
def test_an_earlier_reviewers_decision_stays_visible_after_a_new_claim_and_review(world, problems, client):
    """Reviews are appended, not overwritten (issue 11 item 5)."""
    problem = problems["home"]
    _login(client, world.village_clerk)
    _claim(client, problem, reason="第一次申报：户口簿如此")
    _login(client, world.township_officer)
    _review(client, problem, "reject")
    _login(client, world.village_clerk)
    _claim(client, problem, reason="第二次申报：已补派出所证明")
    _login(client, world.county_admin)
    _review(client, problem, "approve")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION
    listing = _page(client).content.decode()
    for text in ("第一次申报：户口簿如此", "township_officer 审核退回", "第二次申报：已补派出所证明",
                 "county_admin 审核通过"):
        assert text in listing
    assert listing.index("township_officer 审核退回") < listing.index("county_admin 审核通过")
    _login(client, world.village_clerk)
    page = client.get(reverse("checks:problem_exception", kwargs={"problem_id": problem.pk})).content.decode()
    assert "township_officer 审核退回" in page and "village_clerk 申报情况属实：第一次申报" in page


@pytest.mark.django_db
def test_village_clerk_starts_a_run_over_the_village_and_a_second_click_queues_no_second_run(world, problems, client,
                                                                                             no_findings):
    _login(client, world.village_clerk)
    page = client.get(reverse("checks:run_list")).content.decode()
    assert "立即核查" in page and "核查范围：下高池村" in page
    client.post(reverse("checks:run_start"))  # queued: the task runs once this transaction commits
    client.post(reverse("checks:run_start"))
    run = CheckRun.objects.get(triggered_by=world.village_clerk)
    assert run.org == XIAGAOCHI and run.status == CheckRun.Status.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["village_clerk", "evaluator"])
def test_a_members_problem_names_the_member_not_only_the_head(world, client, who):
    """Defect 6 of issue 13: the row showed the head's name beside the daughter's ID number."""
    daughter = world.home.members.get(relation="之女")
    run = CheckRun.objects.create(org="", as_of=datetime.date(2024, 6, 30))
    now = timezone.now()
    Problem.objects.create(rule="Q04", household=world.home.code, person=daughter.id_number, village=world.home.village_id,
                           message="性别与身份证号不符", first_run=run, last_run=run, first_seen=now, last_seen=now)
    user = getattr(world, who)
    _login(client, user)
    body = _page(client).content.decode()
    shown = daughter.id_number if who == "village_clerk" else daughter.id_number[:6] + "********" + daughter.id_number[-4:]
    cell = re.search(r'<td class="member">(.*?)</td>', body, re.S).group(1)
    assert daughter.name in cell and shown in cell and world.home.head_name not in cell
    assert ">涉及成员<" in body
    header, row = _export_rows(client)[:2]
    row = dict(zip(header, row))
    assert (row["户主"], row["涉及成员"], row["身份证号"]) == (world.home.head_name, daughter.name, shown)
