"""/api/v1/problems/: the problem ledger in reach, masked for read-only roles, 情况属实 claimed and reviewed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.checks.models import CheckRun, Problem, ProblemReview

from .api_helpers import all_pages, api_client
from .people import CHENGNEI, HENGDONG, XIAGAOCHI

PROBLEMS = "/api/v1/problems/"


def _url(problem, action: str = "") -> str:
    return f"{PROBLEMS}{problem.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def ledger(world):
    """Per household an open Q04 naming the daughter's ID (written in, as old records are) and a Q21 whose
    message names the head's ID through a placeholder; the home's Q21 is claimed, waiting for review."""
    now = timezone.now()
    runs = {c: CheckRun.objects.create(org=c, as_of=now.date(), status=CheckRun.Status.DONE) for c in ("140826", "140829")}
    made = {}
    for household in world.households:
        run = runs[household.code[:6]]
        daughter = household.members.order_by("pk").last()
        common = {"household": household.code, "village": household.village_id, "first_run": run, "last_run": run,
                  "first_seen": now, "last_seen": now}
        q04 = Problem.objects.create(rule="Q04", person=daughter.id_number,
                                     message=f"身份证号“{daughter.id_number}”第 17 位表示男", **common)
        q21 = Problem.objects.create(rule="Q21", message="户表中户主身份证号为“{id:head}”", detail={"head": household.head_id_number},
                                     **common)
        made[household.code] = (q04, q21)
    q21 = made[world.home.code][1]
    Problem.objects.filter(pk=q21.pk).update(status=Problem.Status.EXCEPTION_PENDING, exception_reason="户口簿正在更正",
                                             exception_by=world.village_clerk)
    return made


def test_a_village_clerk_reads_the_problems_of_their_village_only(world, ledger):
    rows = all_pages(api_client(world.village_clerk), PROBLEMS)
    assert {r["household"] for r in rows} == {world.home.code}
    q04 = next(r for r in rows if r["rule"] == "Q04")
    assert q04["rule_name"] and q04["village"] == XIAGAOCHI and q04["head_name"] == "王建国"
    assert q04["member_name"] == "王小红" and q04["status"] == "open" and q04["status_label"] == "待整改"


def test_a_county_admin_reads_the_county_and_full_id_numbers(world, ledger):
    rows = all_pages(api_client(world.county_admin), PROBLEMS)
    assert {r["household"] for r in rows} == {world.home.code, world.neighbour.code, world.other_township.code}
    q21 = next(r for r in rows if r["rule"] == "Q21" and r["household"] == world.home.code)
    assert world.home.head_id_number in q21["message"] and "{id:" not in q21["message"]


def test_read_only_roles_never_see_a_full_id_number(world, ledger):
    ids = {m.id_number for h in world.households for m in h.members.all()}
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        client = api_client(user)
        rows = all_pages(client, PROBLEMS)
        assert rows, user.username
        text = str(rows) + "".join(client.get(f"{PROBLEMS}{r['id']}/").content.decode() for r in rows)
        assert not any(i in text for i in ids), user.username
        assert "********" in text  # masked, not left out


def test_a_cadre_reads_the_problems_of_their_own_households(world, ledger):
    rows = all_pages(api_client(world.cadre), PROBLEMS)
    assert {r["household"] for r in rows} == {world.home.code}


def test_a_problem_out_of_reach_is_404_like_an_absent_one(world, ledger):
    client = api_client(world.village_clerk)
    other = ledger[world.neighbour.code][0]
    for url in (_url(other), f"{PROBLEMS}999999/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(_url(ledger[world.home.code][0])).status_code == 200


def test_the_detail_has_the_claim_and_the_fix(world, ledger):
    problem = ledger[world.home.code][1]
    ProblemReview.objects.create(problem=problem, action="claim", by=world.village_clerk, at=timezone.now(),
                                 note="户口簿正在更正")
    body = api_client(world.township_officer).get(_url(problem)).json()
    assert body["status"] == "exception_pending" and body["exception_by"] == "village_clerk"
    assert body["reviews"] == [{"action": "claim", "action_label": "申报情况属实", "by": "village_clerk",
                                "at": body["reviews"][0]["at"], "note": "户口簿正在更正"}]
    assert body["fix"]


def test_filters_are_the_pages(world, ledger):
    client = api_client(world.county_admin)
    assert {r["rule"] for r in all_pages(client, PROBLEMS, rule="Q04")} == {"Q04"}
    assert [r["household"] for r in all_pages(client, PROBLEMS, status="exception_pending")] == [world.home.code]
    assert {r["village"] for r in all_pages(client, PROBLEMS, unit=HENGDONG[:9])} == {HENGDONG}
    assert {r["village"] for r in all_pages(client, PROBLEMS, unit=CHENGNEI)} == {CHENGNEI}
    assert {r["household"] for r in all_pages(client, PROBLEMS, q=world.neighbour.code)} == {world.neighbour.code}
    # the county admin sees ID numbers: a search by one finds the member's and the head's problems
    daughter = world.home.members.order_by("pk").last().id_number
    assert [r["rule"] for r in all_pages(client, PROBLEMS, q=daughter)] == ["Q04"]
    assert {r["rule"] for r in all_pages(client, PROBLEMS, q=world.home.head_id_number)} == {"Q04", "Q21"}


def test_a_village_clerk_may_filter_by_their_township_as_the_page_allows(world, ledger):
    rows = all_pages(api_client(world.village_clerk), PROBLEMS, unit="140826100")
    assert {r["household"] for r in rows} == {world.home.code}


def test_bad_filters_are_400_naming_the_field(world, ledger):
    client = api_client(world.township_officer)
    for params, field in (({"rule": "Q99"}, "rule"), ({"status": "done"}, "status"), ({"unit": HENGDONG}, "unit"),
                          ({"unit": "140829"}, "unit"), ({"unit": "abc"}, "unit"), ({"q": "x" * 41}, "q"),
                          ({"cursor": "garbage"}, None)):
        response = client.get(PROBLEMS, params)
        assert response.status_code in (400, 404), (params, response.content)
        if field:
            assert response.status_code == 400 and field in response.json()["fields"], params


def test_a_masked_role_may_not_search_by_id_number_and_the_attempt_is_audited(world, ledger):
    daughter = world.home.members.order_by("pk").last().id_number
    response = api_client(world.analyst).get(PROBLEMS, {"q": daughter})
    assert response.status_code == 403 and "身份证号" in response.json()["message"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).latest("at")
    assert event.actor == world.analyst and event.detail["refused"] and daughter not in str(event.detail)


def test_searches_are_throttled_as_on_the_pages(world, ledger, settings):
    settings.JINGZHUN_SEARCH_PER_MINUTE = 2
    client = api_client(world.county_admin)
    assert [client.get(PROBLEMS, {"q": "1408"}).status_code for _ in range(2)] == [200, 200]
    assert client.get(PROBLEMS, {"q": "1408"}).status_code == 429


def test_the_cursor_pages_are_stable_and_complete(world, ledger):
    client = api_client(world.sysadmin)
    one_by_one = all_pages(client, PROBLEMS, page_size=1)
    ids = [r["id"] for r in one_by_one]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == Problem.objects.count()
    assert ids == [r["id"] for r in all_pages(client, PROBLEMS)]


# --- 情况属实: claim and review ---------------------------------------------------------------------


def test_a_village_clerk_claims_an_exception_as_through_the_page(world, ledger):
    problem = ledger[world.home.code][0]
    response = api_client(world.village_clerk).post(_url(problem, "claim"), {"reason": "该生因病休学，有医院证明"},
                                                    format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "exception_pending"
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION_PENDING and problem.exception_by == world.village_clerk
    review = problem.reviews.get()
    assert review.action == "claim" and review.by == world.village_clerk and review.note == "该生因病休学，有医院证明"
    history = problem.history.latest("history_date")
    assert history.history_user == world.village_clerk and history.history_change_reason == "申报情况属实"


def test_a_claim_needs_a_reason_and_an_open_problem(world, ledger):
    client = api_client(world.village_clerk)
    q04, q21 = ledger[world.home.code]
    short = client.post(_url(q04, "claim"), {"reason": "有"}, format="json")
    assert short.status_code == 400 and "reason" in short.json()["fields"]
    missing = client.post(_url(q04, "claim"), {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    again = client.post(_url(q21, "claim"), {"reason": "户口簿正在更正"}, format="json")
    assert again.status_code == 400 and "待整改" in str(again.json()["fields"])
    assert not ProblemReview.objects.exists()


def test_read_only_roles_are_refused_a_claim_and_nothing_changes(world, ledger):
    problem = ledger[world.home.code][0]
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        response = api_client(user).post(_url(problem, "claim"), {"reason": "该生因病休学"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", user.username
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN and not problem.reviews.exists()


def test_a_claim_out_of_reach_is_404_whatever_the_method(world, ledger):
    problem = ledger[world.neighbour.code][0]
    client = api_client(world.village_clerk)
    assert client.post(_url(problem, "claim"), {"reason": "该生因病休学"}, format="json").status_code == 404
    assert client.get(_url(problem, "claim")).status_code == 404
    assert client.get(_url(ledger[world.home.code][0], "claim")).status_code == 405
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN


def test_the_township_approves_a_claim(world, ledger):
    problem = ledger[world.home.code][1]
    response = api_client(world.township_officer).post(_url(problem, "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "exception" and response.json()["reviewed_by"] == "township_officer"
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION and problem.reviewed_by == world.township_officer
    assert problem.reviews.get().action == "approve"
    assert problem.history.latest("history_date").history_change_reason == "审核通过：情况属实"


def test_a_rejected_claim_is_open_again(world, ledger):
    problem = ledger[world.home.code][1]
    response = api_client(world.county_admin).post(_url(problem, "review"), {"decision": "reject"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert problem.reviews.get().action == "reject"


def test_the_village_clerk_and_read_only_roles_cannot_review(world, ledger):
    problem = ledger[world.home.code][1]
    for user in (world.village_clerk, world.analyst, world.cadre):
        response = api_client(user).post(_url(problem, "review"), {"decision": "approve"}, format="json")
        assert response.status_code == 403, user.username
    assert api_client(world.outsider).post(_url(problem, "review"), {"decision": "approve"},
                                           format="json").status_code == 404
    problem.refresh_from_db()
    assert problem.status == Problem.Status.EXCEPTION_PENDING and not problem.reviews.exists()


def test_a_review_needs_a_decision_and_a_pending_claim(world, ledger):
    client = api_client(world.township_officer)
    q04, q21 = ledger[world.home.code]
    bad = client.post(_url(q21, "review"), {"decision": "maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["fields"]["decision"] == ["请选择“通过”或“退回”。"]
    nothing = client.post(_url(q04, "review"), {"decision": "approve"}, format="json")
    assert nothing.status_code == 400 and "待审核" in str(nothing.json()["fields"])
    assert not ProblemReview.objects.exists()
