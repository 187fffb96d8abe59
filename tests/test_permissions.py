"""The named permission checks: a button is shown exactly when its action is allowed, and every refusal
(403, or a 404 for a record out of reach) leaves a DENIED audit row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent, Role
from jingzhun.orgunits import permissions
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import OutOfReach
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind, steps_of
from jingzhun.workflows.models import PublicityBatch

from .people import ZHANGGUO, World
from .scope_world import Records, records_build
from .test_household_edit_view import _household_post_data, _member_post_data
from .test_workflow_views import _post_data
from .workflow_helpers import candidate, period_ran


@dataclass
class Action:
    """An action's page, the text in it that is the button, and the POST the button sends."""

    name: str
    page: Callable[[World, Records], str]
    button: Callable[[World, Records], str]
    post: Callable[[World, Records], tuple[str, dict]]
    #: Whether the POST got past the permission checks; by default: not refused (403) nor out of reach (404).
    allowed: Callable[[object, dict], bool] = lambda response, counts: response.status_code not in (403, 404, 405)


def _url(name, *args):
    return reverse(name, args=args)


def _upload():
    return SimpleUploadedFile("户表.csv", "户编号\n".encode(), content_type="text/csv")


def _extra(world: World, records: Records) -> None:
    """An exit procedure (for the override) and an application waiting for its village notice."""
    records.exit = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT,
                                           household_code=world.poor.code, year=2020, note="申请退出")
    entries = []
    for head, seq in (("孙有田", 701), ("吴有余", 711)):
        household, members = candidate(head, seq)
        entry = services.entry_open(acting_user=world.village_clerk, village_code=world.home.village_id,
                                    household=household, members=members, year=2018)
        for step in ("group_review", "village_review"):
            services.procedure_act(acting_user=world.village_clerk, procedure_id=entry.pk, step=step, approve=True)
        entries.append(entry)
    records.entry, published = entries
    records.notice = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                          procedure_ids=[published.pk], start=timezone.localdate())
    period_ran(records.notice)  # 公示期满 is offered (and allowed) only once the period is over
    records.notice_procedure = published


def _home_member(world):
    return world.home.members.order_by("pk").first()


ACTIONS = [
    Action("edit household", lambda w, r: _url("registry:household_detail", w.home.code),
           lambda w, r: _url("registry:household_edit", w.home.code),
           lambda w, r: (_url("registry:household_edit", w.home.code), _household_post_data(w.home, head_name="王建业"))),
    Action("edit member", lambda w, r: _url("registry:household_detail", w.home.code),
           lambda w, r: _url("registry:member_edit", w.home.code, _home_member(w).pk),
           lambda w, r: (_url("registry:member_edit", w.home.code, _home_member(w).pk),
                         _member_post_data(_home_member(w), name="王建业"))),
    Action("claim an exception", lambda w, r: _url("checks:problem_list"),
           lambda w, r: _url("checks:problem_exception", r.open_problem[w.home.code].pk),
           lambda w, r: (_url("checks:problem_exception", r.open_problem[w.home.code].pk),
                         {"reason": "户口簿正在更正，有派出所证明"})),
    Action("review an exception", lambda w, r: _url("checks:problem_list"),
           lambda w, r: _url("checks:problem_review", r.pending_problem[w.home.code].pk),
           lambda w, r: (_url("checks:problem_review", r.pending_problem[w.home.code].pk), {"decision": "approve"})),
    Action("start a check run", lambda w, r: _url("checks:run_list"), lambda w, r: _url("checks:run_start"),
           lambda w, r: (_url("checks:run_start"), {})),
    Action("refresh the indicators", lambda w, r: _url("dashboard:overview", "140826"),
           lambda w, r: _url("dashboard:refresh_start", "140826"),
           lambda w, r: (_url("dashboard:refresh_start", "140826"), {})),
    Action("import", lambda w, r: _url("registry:household_list"), lambda w, r: _url("exchange:import_start"),
           lambda w, r: (_url("exchange:import_start"), {"files": _upload()})),
    Action("compare", lambda w, r: _url("compare:home"), lambda w, r: 'id="compare-upload"',
           lambda w, r: (_url("compare:home"), {"kind": "death"})),
    Action("review a pair", lambda w, r: _url("compare:review", r.compare_run["140826"].pk),
           lambda w, r: f'name="match" value="{r.match[w.home.code].pk}"',
           lambda w, r: (_url("compare:review", r.compare_run["140826"].pk),
                         {"match": r.match[w.home.code].pk, "decision": "same"})),
    Action("apply for identification", lambda w, r: _url("workflows:procedure_list"),
           lambda w, r: _url("workflows:entry_new"),
           lambda w, r: (_url("workflows:entry_new"), _post_data(*candidate("周有福", 801)))),
    Action("open a procedure", lambda w, r: _url("workflows:procedure_list"), lambda w, r: 'id="start-form"',
           lambda w, r: (_url("workflows:removal_new", w.home.code), {"year": "2020", "note": "清退"})),
    Action("act on a step", lambda w, r: _url("workflows:procedure_detail", r.procedure[w.home.code].pk),
           lambda w, r: _url("workflows:procedure_act", r.procedure[w.home.code].pk),
           lambda w, r: (_url("workflows:procedure_act", r.procedure[w.home.code].pk),
                         {"step": "township_approval", "decision": "approve", "note": "同意"})),
    Action("override exit criteria", lambda w, r: _url("workflows:procedure_detail", r.exit.pk),
           lambda w, r: _url("workflows:procedure_override", r.exit.pk),
           lambda w, r: (_url("workflows:procedure_override", r.exit.pk), {"reason": "县里研究决定特批此户退出"})),
    Action("close a notice", lambda w, r: _url("workflows:batch_detail", r.notice.pk),
           lambda w, r: _url("workflows:batch_close", r.notice.pk),
           lambda w, r: (_url("workflows:batch_close", r.notice.pk), {})),
    Action("record an objection", lambda w, r: _url("workflows:batch_detail", r.notice.pk),
           lambda w, r: _url("workflows:objection_new", r.notice.pk),
           lambda w, r: (_url("workflows:objection_new", r.notice.pk),
                         {"procedure": r.notice_procedure.pk, "received_on": r.notice.end.isoformat(),
                          "content": "有群众反映"})),
    Action("resolve an objection", lambda w, r: _url("workflows:batch_detail", r.batch[w.home.code].pk),
           lambda w, r: _url("workflows:objection_resolve", r.objection[w.home.code].pk),
           lambda w, r: (_url("workflows:objection_resolve", r.objection[w.home.code].pk),
                         {"resolution": "dismissed", "note": "入户核实，无此事"})),
    # the notice page ignores a POST for a group the role does not publish: allowed = a notice was made
    Action("publish a notice", lambda w, r: _url("workflows:batch_list"), lambda w, r: 'class="card noprint publish"',
           lambda w, r: (_url("workflows:batch_list"),
                         {"kind": "entry", "step": "village_publicity", "procedures": [r.entry.pk],
                          "start": timezone.localdate().isoformat(), "title": ""}),
           allowed=lambda response, counts: PublicityBatch.objects.count() > counts["batches"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_a_button_is_shown_exactly_when_its_post_is_allowed(world, client, action):
    records = records_build(world)
    _extra(world, records)
    outcomes = {}
    for user in world.users:
        with transaction.atomic():  # each role starts from the same records: what one POST did is undone
            client.force_login(user)
            page = client.get(action.page(world, records))
            shown = page.status_code == 200 and action.button(world, records) in page.content.decode()
            url, data = action.post(world, records)
            counts = {"batches": PublicityBatch.objects.count()}
            allowed = action.allowed(client.post(url, data), counts)
            transaction.set_rollback(True)
        outcomes[user.username] = (shown, allowed)
    mismatched = {name: o for name, o in outcomes.items() if o[0] != o[1]}
    assert not mismatched, f"{action.name}: (button shown, POST allowed) differ for {mismatched}"
    # not a vacuous pass: someone may and someone may not
    assert {o[1] for o in outcomes.values()} == {True, False}, outcomes


def test_the_named_checks_per_role(world):
    """The rules themselves, written out by hand per role (not computed by the code under test)."""
    first = steps_of(Kind.ENTRY)[0]
    township_step = steps_of(Kind.RETURN)[1]
    expected = {  # may_act(first step), may_act(township step), may_start(check), may_import,
        #          may_review_exception, may_override_exit, may_compare
        "village_clerk": (True, False, True, True, False, False, False),  # check runs: over their own unit
        "township_officer": (False, True, True, True, True, False, False),
        "county_admin": (False, False, True, True, True, True, True),
        "analyst": (False, False, False, False, False, False, False),
        "evaluator": (False, False, False, False, False, False, False),
        "cadre": (False, False, False, False, False, False, False),
        "sysadmin": (False, False, True, True, True, False, True),
        "outsider": (False, False, True, True, True, True, True),
        "work_team": (False, False, False, False, False, False, False),
        "department": (False, False, False, False, False, False, False),
    }
    for user in world.users:
        got = (permissions.may_act(user, first), permissions.may_act(user, township_step),
               permissions.may_start(user, "check"), permissions.may_start(user, "import"),
               permissions.may_review_exception(user), permissions.may_override_exit(user),
               permissions.may_compare(access_for(user)))
        assert got == expected[user.username], user.username
    assert not permissions.may_start(None, "refresh") and not permissions.may_write(None)
    with pytest.raises(ValueError):
        permissions.may_start(world.county_admin, "bake")


def test_the_ledger_checks_per_role(world):
    """督查督办, written out by hand: (may_read_ledger, may_manage_ledger, may_handle_ledger_items, may_appraise,
    may_read_appraisals)."""
    expected = {
        "village_clerk": (True, False, True, False, False),
        "township_officer": (True, False, True, False, True),
        "county_admin": (True, True, False, True, True),
        "analyst": (True, False, False, False, True),
        "evaluator": (True, False, False, False, True),
        "cadre": (False, False, False, False, False),
        "sysadmin": (True, True, False, True, True),
        "outsider": (True, True, False, True, True),
        "work_team": (False, False, False, False, False),
        "department": (True, False, True, False, True),
    }
    for user in world.users:
        got = (permissions.may_read_ledger(user), permissions.may_manage_ledger(user),
               permissions.may_handle_ledger_items(user), permissions.may_appraise(user),
               permissions.may_read_appraisals(user))
        assert got == expected[user.username], user.username


# --- refusals leave a DENIED row ---------------------------------------------------------------------

def _denied():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).order_by("pk"))


def test_an_out_of_reach_read_is_a_plain_404_and_audited(world, client):
    client.force_login(world.village_clerk)
    url = reverse("registry:household_detail", args=[world.other_county.code])
    response = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 404
    missing_url = reverse("registry:household_detail", args=[f"{ZHANGGUO}9999"])
    missing = client.get(missing_url)

    def page(r, path):  # the page echoes the path typed (the language switch) and a fresh CSRF token
        return re.sub(r"[A-Za-z0-9]{64}", "", r.content.decode().replace(path, ""))

    assert missing.status_code == 404 and page(missing, missing_url) == page(response, url)  # nothing tells them apart
    [row] = _denied()  # the nonexistent one is a typo, not an attempt: not audited
    assert (row.actor, row.username, row.target, row.ip) == (world.village_clerk, "village_clerk", url, "10.1.2.3")
    assert row.detail["method"] == "GET" and row.detail["status"] == 404 and row.at is not None


def test_a_forbidden_write_is_403_and_audited(world, client):
    client.force_login(world.analyst)
    url = reverse("registry:household_edit", args=[world.home.code])
    assert client.post(url, _household_post_data(world.home, head_name="篡改")).status_code == 403
    world.home.refresh_from_db()
    assert world.home.head_name == "王建国"
    [row] = _denied()
    assert (row.actor, row.target, row.detail["method"], row.detail["status"]) == (world.analyst, url, "POST", 403)


def test_a_step_of_another_role_is_refused_with_its_reason_and_audited(world, client):
    records = records_build(world)
    client.force_login(world.village_clerk)
    procedure = records.procedure[world.home.code]
    response = client.post(reverse("workflows:procedure_act", args=[procedure.pk]),
                           {"step": "township_approval", "decision": "approve"})
    assert response.status_code == 403 and "应由乡镇扶贫专干办理" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.step == "township_approval"
    [row] = _denied()
    assert row.actor == world.village_clerk and row.detail["status"] == 403 and "乡镇扶贫专干" in row.detail["reason"]


def test_services_tell_out_of_reach_from_absent(world):
    records = records_build(world)
    with pytest.raises(OutOfReach):
        services.procedure_act(acting_user=world.outsider, procedure_id=records.procedure[world.home.code].pk,
                               step="township_approval", approve=True)
    with pytest.raises(Http404) as absent:
        services.procedure_act(acting_user=world.outsider, procedure_id=10**9, step="township_approval", approve=True)
    assert not isinstance(absent.value, OutOfReach)
    with pytest.raises(OutOfReach):
        publicity.batch_close(acting_user=world.outsider, batch_id=records.batch[world.home.code].pk)


def test_anonymous_visitors_are_sent_to_sign_in_and_not_audited(world, client):
    response = client.get(reverse("registry:household_detail", args=[world.home.code]))
    assert response.status_code == 302 and not _denied()


def test_a_county_admin_is_the_only_one_to_override(world):
    assert {u.role for u in world.users if permissions.may_override_exit(u)} == {Role.COUNTY_ADMIN}
