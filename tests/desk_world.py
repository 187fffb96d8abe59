"""Work waiting for the people of `World`, one record of each to-do kind in and out of each one's reach.

What each person's to-do page must list is written out by hand in `EXPECTED` (by the titles the page
shows), not computed by the code under test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from jingzhun.checks.models import CheckRun, Problem
from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match
from jingzhun.exchange.models import ImportJob
from jingzhun.indicators.models import IndicatorRefresh
from jingzhun.monitoring.services import lead_create, lead_push
from jingzhun.workflows.definitions import steps_of
from jingzhun.workflows.models import Objection, Procedure, PublicityBatch, StepRecord

from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO, World, id_number


@dataclass
class Desk:
    """The records made, by a short name the tests use."""

    procedures: dict[str, Procedure] = field(default_factory=dict)
    batches: dict[str, PublicityBatch] = field(default_factory=dict)
    objections: dict[str, Objection] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)
    runs: dict[str, object] = field(default_factory=dict)


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _procedure(world: World, desk: Desk, name: str, *, kind: str, step: str, village: str, head: str,
               household=None, waited_days: int = 0) -> Procedure:
    clerk = world.village_clerk if village.startswith("140826") else world.outsider
    procedure = Procedure.objects.create(kind=kind, step=step, village_id=village, household=household,
                                         head_name=head, year=2020, opened_by=clerk)
    record = StepRecord.objects.create(procedure=procedure, step=steps_of(kind)[0].code, decision="applied",
                                       actor=clerk)
    # how long it has waited at its step: its latest record's time
    StepRecord.objects.filter(pk=record.pk).update(at=timezone.now() - datetime.timedelta(days=waited_days))
    desk.procedures[name] = procedure
    return procedure


def _batch(world: World, desk: Desk, name: str, *, unit: str, step: str, end: int, closed: bool = False,
           kind: str = "entry") -> PublicityBatch:
    creator = world.township_officer if len(unit) == 9 else world.village_clerk
    batch = PublicityBatch.objects.create(kind=kind, step=step, unit_id=unit, title=f"{name}公示", start=_day(end - 6),
                                          end=_day(end), created_by=creator,
                                          closed_at=timezone.now() if closed else None,
                                          closed_by=creator if closed else None)
    desk.batches[name] = batch
    return batch


def _problem(world: World, desk: Desk, name: str, *, household, status: str = Problem.Status.OPEN,
             rule: str = "Q04", seen_days: int = 0) -> Problem:
    county = household.code[:6]
    run = desk.runs.get(f"done-{county}")
    if run is None:  # a run long ago (so it settles none of the failures below)
        run = CheckRun.objects.create(org=county, as_of=_day(-60), status=CheckRun.Status.DONE)
        CheckRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
        desk.runs[f"done-{county}"] = run
    seen = timezone.now() - datetime.timedelta(days=seen_days)
    problem = Problem.objects.create(
        rule=rule, household=household.code, person="", village=household.village_id, message="测试问题",
        status=status, first_run=run, last_run=run, first_seen=seen, last_seen=seen,
        exception_reason="户口簿正在更正" if status == Problem.Status.EXCEPTION_PENDING else "",
        exception_by=world.village_clerk if status == Problem.Status.EXCEPTION_PENDING else None)
    desk.problems[name] = problem
    return problem


def _failed(model, *, days_ago: int, **fields):
    run = model.objects.create(status="failed", error="后台进程已中止，请重新发起", **fields)
    model.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago, hours=1),
                                           finished_at=timezone.now() - datetime.timedelta(days=days_ago))
    return run


def _assessment_findings(world: World) -> None:
    """考核评估 findings (made as headquarters' approval leaves them): per county one sent today, which its
    county admin may dispute; in 绛县 one sent 30 days ago (its period over) and one disputed, which the
    world's evaluator, headquarters there, is to decide."""
    from jingzhun.assessment.models import Assessment, Case, Dispute, Staff

    now = timezone.now()
    for county, admin, household in (("140826", world.county_admin, world.home),
                                     ("140829", world.outsider, world.other_county)):
        assessment = Assessment.objects.create(county=county, year=now.year, title=f"{county}退出评估", seed=1,
                                               state=Assessment.State.FIELDWORK, created_by=admin)

        def case(household, order, sent):
            return Case.objects.create(assessment=assessment, village=household.village_id, household=household,
                                       head_name=household.head_name, frame=Case.Frame.EXITED, order=order,
                                       state=Case.State.HQ_APPROVED, wrong_exit=True, approves=True, notified_at=sent)

        case(household, 1, now)
        if county == "140826":
            Staff.objects.create(assessment=assessment, user=world.evaluator, duty=Staff.Duty.HEADQUARTERS)
            case(world.other_township, 2, now - datetime.timedelta(days=30))
            Dispute.objects.create(case=case(world.neighbour, 3, now), reason="收入达标", evidence="d.pdf",
                                   evidence_name="d.pdf", filed_by=admin)


def desk_build(world: World) -> Desk:
    """One record of each kind of work for each person, and records none of them must see."""
    desk = Desk()
    # --- procedure steps
    _procedure(world, desk, "clerk-review", kind="entry", step="group_review", village=XIAGAOCHI, head="孙有田",
               waited_days=3)
    _procedure(world, desk, "clerk-publish", kind="exit", step="village_publicity", village=XIAGAOCHI,
               head=world.home.head_name, household=world.home, waited_days=5)
    _procedure(world, desk, "neighbour-review", kind="entry", step="village_review", village=CHENGNEI, head="钱多多")
    _procedure(world, desk, "township-approval", kind="return", step="township_approval", village=XIAGAOCHI,
               head=world.neighbour.head_name, household=world.neighbour)
    _procedure(world, desk, "far-approval", kind="return", step="township_approval", village=HENGDONG,
               head=world.other_township.head_name, household=world.other_township)
    _procedure(world, desk, "county-comparison", kind="entry", step="comparison", village=XIAGAOCHI, head="周有福")
    _procedure(world, desk, "outsider-comparison", kind="entry", step="comparison", village=ZHANGGUO, head="郑有余")
    done = _procedure(world, desk, "done", kind="entry", step="", village=XIAGAOCHI, head="吴已办")
    Procedure.objects.filter(pk=done.pk).update(state=Procedure.State.DONE)
    # a procedure whose 村内公示 is published waits for its period, not for a decision
    waiting = _procedure(world, desk, "in-publicity", kind="entry", step="village_publicity", village=XIAGAOCHI,
                         head="冯在公示")

    # --- 公示 (the clerk's: one ended, one ending tomorrow, one far off, one closed; the township's ended)
    ended = _batch(world, desk, "ended", unit=XIAGAOCHI, step="village_publicity", end=-1)
    _batch(world, desk, "soon", unit=XIAGAOCHI, step="village_publicity", end=1)
    _batch(world, desk, "later", unit=XIAGAOCHI, step="village_publicity", end=10)
    _batch(world, desk, "closed", unit=XIAGAOCHI, step="village_publicity", end=-3, closed=True)
    _batch(world, desk, "township", unit="140826100", step="township_publicity", end=-3)
    _batch(world, desk, "neighbour", unit=CHENGNEI, step="village_publicity", end=-2)
    waiting.batch = ended
    waiting.save(update_fields=["batch"])
    ended.procedures_listed.add(waiting)

    # --- objections: one pending on the ended notice, one already resolved
    common = {"batch": ended, "procedure": waiting, "received_on": _day(-2), "recorded_by": world.village_clerk}
    desk.objections["pending"] = Objection.objects.create(content="群众反映有小轿车", **common)
    desk.objections["resolved"] = Objection.objects.create(content="已核实", resolution="dismissed",
                                                           resolution_note="无此事", resolved_by=world.village_clerk,
                                                           resolved_at=timezone.now(), **common)

    # --- problems and claims
    _problem(world, desk, "home-open", household=world.home, seen_days=2)
    _problem(world, desk, "neighbour-open", household=world.neighbour, seen_days=1)
    _problem(world, desk, "far-open", household=world.other_township)
    _problem(world, desk, "home-fixed", household=world.home, rule="Q05", status=Problem.Status.FIXED)
    _problem(world, desk, "home-claim", household=world.home, rule="Q21", status=Problem.Status.EXCEPTION_PENDING)
    _problem(world, desk, "outsider-claim", household=world.other_county, rule="Q21",
             status=Problem.Status.EXCEPTION_PENDING)

    # --- comparison pairs: a run per county with a pending pair, and a run with none pending
    for county, household in (("140826", world.home), ("140829", world.other_county)):
        batch = Batch.objects.create(kind="death", source="测试", data_date=_day(0), org=county)
        run = CompareRun.objects.create(kind="death", org=county, batch=batch, status=CompareRun.Status.DONE)
        member = household.members.order_by("pk").first()
        record = ExternalRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number)
        Match.objects.create(run=run, record=record, member_id=member.pk, household=household.code,
                             village=household.village_id, person=member.id_number, member_name=member.name,
                             method=Match.Method.FUZZY, match_weight=5.0, status=Match.Status.PENDING,
                             agreements={"name": 5})
        desk.runs[f"compare-{county}"] = run
    CompareRun.objects.create(kind="vehicle", org="140826", status=CompareRun.Status.DONE)

    # --- failed runs: recent ones, one too old, one settled by a later run that worked
    desk.runs["check-failed"] = _failed(CheckRun, days_ago=2, org="140826", as_of=_day(0))
    _failed(CheckRun, days_ago=40, org="140826100", as_of=_day(0))
    _failed(CheckRun, days_ago=5, org="140829", as_of=_day(0))
    settled = _failed(CheckRun, days_ago=3, org="140826101", as_of=_day(0))
    CheckRun.objects.create(org=settled.org, as_of=_day(0), status=CheckRun.Status.DONE)
    desk.runs["import-failed"] = _failed(ImportJob, days_ago=1, triggered_by=world.village_clerk,
                                         files=["户表.csv"], folder="")
    desk.runs["refresh-failed"] = _failed(IndicatorRefresh, days_ago=1, as_of=_day(0))

    # --- 防止返贫监测 leads: the clerk's to verify (a farmer's report), the township's and the counties' to
    # pass down (departments' alerts arrive at the county; one already passed down to the township)
    lead_create(channel="self_report", village=XIAGAOCHI, risk_type="illness", description="住院",
                name="线索甲", id_number=id_number("140826", "19800202", 7))
    pushed = lead_create(channel="department", village=CHENGNEI, risk_type="housing", description="危房",
                         household=world.neighbour)
    lead_push(lead_id=pushed.pk, unit_code="140826100", acting_user=world.county_admin)
    lead_create(channel="department", village=HENGDONG, risk_type="disaster", description="灾损",
                household=world.other_township)
    lead_create(channel="department", village=ZHANGGUO, risk_type="disaster", description="灾损",
                household=world.other_county)
    _assessment_findings(world)
    _survey_work(world)
    return desk


def _survey_work(world: World) -> None:
    """考核评估 fieldwork: in 绛县's assessment the evaluator is an enumerator (a case assigned, one rejected
    with the reason; a completed one of the team waits for the supervisor, the system administrator); in
    平陆's the evaluator is headquarters, with one case the supervisor approved."""
    from jingzhun.assessment.models import Assessment, Case, CaseEvent, Stratum, Staff, Team

    for county, rows in (("140826", ((world.home, Case.State.ASSIGNED), (world.neighbour, Case.State.REJECTED),
                                      (world.other_township, Case.State.COMPLETED))),
                         ("140829", ((world.other_county, Case.State.SUPERVISOR_APPROVED),))):
        assessment = Assessment.objects.create(county=county, year=2020, title=f"{county}退出评估", seed=1,
                                               state=Assessment.State.FIELDWORK, created_by=world.sysadmin)
        Stratum.objects.create(assessment=assessment, code="all", name="全部村")
        team = Team.objects.create(assessment=assessment, name="第1组")
        if county == "140826":
            Staff.objects.create(assessment=assessment, user=world.evaluator, duty=Staff.Duty.ENUMERATOR, team=team)
            Staff.objects.create(assessment=assessment, user=world.sysadmin, duty=Staff.Duty.SUPERVISOR)
        else:
            Staff.objects.create(assessment=assessment, user=world.evaluator, duty=Staff.Duty.HEADQUARTERS)
        for order, (household, state) in enumerate(rows, start=1):
            case = Case.objects.create(assessment=assessment, village=household.village_id, frame=Case.Frame.EXITED,
                                       household=household, head_name=household.head_name, order=order, team=team,
                                       state=state)
            if state == Case.State.REJECTED:
                CaseEvent.objects.create(case=case, from_state=Case.State.COMPLETED, to_state=state,
                                         actor=world.sysadmin, reason="收入漏填")


#: What each person's to-do page lists, kind by kind, by the titles shown (hand-written).
def expected(world: World, desk: Desk) -> dict[str, dict[str, list[str]]]:
    want = _expected(world, desk)
    # the record keepers' kinds of the assistance module, empty here (tests/test_desk.py fills them)
    for keeper in ("village_clerk", "township_officer", "county_admin", "sysadmin", "outsider"):
        want[keeper].update({"conflicts": [], "loans": []})
    # those who spot-check: their households drawn and not yet verified (none here; tests/test_desk.py draws)
    for checker in ("township_officer", "county_admin", "analyst", "sysadmin", "outsider"):
        want[checker]["spot_items"] = []
    # 督查督办 (supervision): the units' staff sign for and watch the deadlines of their items; the county
    # reviews (no ledger items here: tests/test_ledger_todo.py has them)
    for handler in ("village_clerk", "township_officer", "department"):
        want[handler].update({"ledger_sign": [], "ledger_due": []})
    for manager in ("county_admin", "sysadmin", "outsider"):
        want[manager]["ledger_review"] = []
    return want


def _expected(world: World, desk: Desk) -> dict[str, dict[str, list[str]]]:
    home, neighbour = world.home.head_name, world.neighbour.head_name
    return {
        "village_clerk": {
            "steps": [f"户退出 · {home}", "精准识别 · 孙有田"],  # longest waiting first: 5 days, then 3
            "publicity": ["ended公示", "soon公示"],
            "objections": ["公示异议：冯在公示"],
            "problems": ["Q04"],
            "runs": ["导入失败：户表.csv"],
            "leads": ["因病 · 线索甲"],
        },
        "township_officer": {
            "steps": [f"返贫 · {neighbour}"],
            "publicity": ["township公示"],
            "objections": [],
            "problems": ["Q04", "Q04"],
            "claims": ["Q21"],
            "runs": [],
            "leads_route": [f"住房出现安全问题 · {neighbour}"],
        },
        "county_admin": {
            "steps": ["精准识别 · 周有福"],
            "claims": ["Q21"],
            "pairs": ["死亡人口比对"],
            "runs": ["核查失败：绛县", "指标更新失败"],
            "leads_route": [f"因灾 · {world.other_township.head_name}"],
            "findings_dispute": [f"{home} · 考核评估：错退"],
        },
        "analyst": {},
        "evaluator": {"evaluations": ["绛县"], "disputes": [f"申诉：{neighbour}"],
                      "survey": [f"{neighbour} · 督导退回", f"{home} · 已分配"],
                      "survey_approve": [f"{world.other_county.head_name} · 督导已审核"]},
        "cadre": {"households": [home], "visits": [home]},  # not visited this quarter
        "work_team": {"visits": [home]},  # the village's 脱贫户 not visited this quarter
        "sysadmin": {
            "survey_review": [f"{world.other_township.head_name} · 已完成"],
            "claims": ["Q21", "Q21"],
            "pairs": ["死亡人口比对", "死亡人口比对"],
            "runs": ["核查失败：平陆县", "核查失败：绛县", "指标更新失败"],
        },
        "outsider": {
            "steps": ["精准识别 · 郑有余"],
            "claims": ["Q21"],
            "pairs": ["死亡人口比对"],
            "runs": ["核查失败：平陆县", "指标更新失败"],
            "leads_route": [f"因灾 · {world.other_county.head_name}"],
            "findings_dispute": [f"{world.other_county.head_name} · 考核评估：错退"],
        },
        "department": {},  # 县直部门: nothing of the registry's work (their ledger items come with supervision)
    }
