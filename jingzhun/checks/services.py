"""Running the checks and keeping the problem ledger (问题数据整改)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
import time
from collections.abc import Iterable
from contextlib import nullcontext

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jingzhun.analytics import COUNTY_LENGTH, get_engine, registry_counties, registry_snapshot
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_claim_exception,
    may_review_exception,
    may_start_check_run,
    require,
)
from jingzhun.orgunits.models import subtree_q
from jingzhun.runs.tasks import enqueue, running

from .catalog import Rule, load_catalog
from .findings import FINDING_KINDS, FindingKind
from .models import CheckRun, Problem, ProblemCount, ProblemReview
from .runner import run_rules, run_rules_partitioned

_CHUNK = 5000


def catalog() -> dict[str, Rule]:
    return load_catalog(getattr(settings, "JINGZHUN_RULE_DIRS", ()))


def problem_kinds() -> dict[str, Rule | FindingKind]:
    """Every kind of problem by code, for the pages that name them: the rules, then the kinds of findings
    people make (考核评估, 随机抽查; `findings.FINDING_KINDS`), which rule runs never run."""
    return {**catalog(), **FINDING_KINDS}


def select_rules(codes: Iterable[str] | None) -> list[Rule]:
    """The rules named (all when None); ValidationError naming any unknown code."""
    rules = catalog()
    if not codes:
        return list(rules.values())
    codes = list(codes)
    unknown = [c for c in codes if c not in rules]
    if unknown:
        raise ValidationError(_("没有这些规则：%(codes)s（可用：%(all)s）")
                              % {"codes": _("、").join(unknown), "all": _("、").join(rules)})
    return [rules[c] for c in codes]


def check_context(org: str) -> str:
    """The unit whose registry a run over `org` reads: its county (a village or township run sees the
    households a county run sees, so rules that compare households agree), or `org` itself above one."""
    return org[:COUNTY_LENGTH] if len(org) > COUNTY_LENGTH else org


#: DuckDB settings of a run: results come sorted at the end, so row order inside the engine is free.
ENGINE_OPTIONS = {"preserve_insertion_order": False}


def findings_compute(*, org: str, as_of: datetime.date, rules: list[Rule], engine: str = "duckdb",
                     snapshot_dir: str | None = None) -> tuple[pa.Table, float, float]:
    """Run rules over fresh snapshots of `org`'s county and keep the findings under `org`; returns them and
    the snapshot and rule seconds.

    On DuckDB a run above a county reads each county under `org` in turn (`run_rules_partitioned`), so
    memory stays that of one county. Spark (`engine`, analytics.ENGINES) spreads the work itself and reads
    the whole snapshot at once. `snapshot_dir` is a Parquet snapshot (`jingzhun snapshot`, a path or a URI
    the engine reads) to check instead of the database: the snapshot seconds are then those of loading it,
    counted in the rule seconds."""
    context = check_context(org)
    if engine == "duckdb" and not snapshot_dir:
        seconds = {"snapshot": 0.0}

        def load(county: str):
            started = time.perf_counter()
            snapshot = registry_snapshot(county)
            seconds["snapshot"] += time.perf_counter() - started
            return snapshot

        started = time.perf_counter()
        findings = run_rules_partitioned(registry_counties(context) or [context], load, rules, as_of=as_of,
                                         within=org if org != context else "", engine_options=ENGINE_OPTIONS)
        return findings, seconds["snapshot"], time.perf_counter() - started - seconds["snapshot"]
    started = time.perf_counter()
    snapshot = None if snapshot_dir else registry_snapshot(context)
    snapshot_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with get_engine(engine) as analytics:
        if snapshot_dir:
            analytics.load_parquet(snapshot_dir, as_of=as_of)
        else:
            analytics.load(snapshot, as_of=as_of)
        # a Parquet snapshot may hold more than the county: the filter keeps what lies under `org`
        within = org if org != context or snapshot_dir else ""
        findings = run_rules(analytics, rules, within=within)
    return findings, snapshot_seconds, time.perf_counter() - started


@transaction.atomic
def check_run_start(*, acting_user) -> CheckRun:
    """Queue a run of every rule over the user's unit as of today (executed after this transaction commits).

    The run covers the user's unit only: a village clerk's run opens and closes problems of the village,
    a township officer's those of the township, a county admin's those of the county. A run over the same
    unit that is still queued or running is returned instead of a second one.
    """
    require(may_start_check_run(acting_user),
            _("只有村级信息员、乡镇扶贫专干、县级管理员和系统管理员可以发起核查，且只核查本单位的数据。"))
    org = access_for(acting_user).prefix
    # Two clicks (or two clerks of one village) queue one run. Two requests at the very same moment may
    # still queue two: harmless, the second finds what the first found.
    pending = CheckRun.objects.filter(org=org, status__in=[CheckRun.Status.QUEUED, CheckRun.Status.RUNNING]).first()
    if pending is not None:
        return pending
    run = CheckRun.objects.create(org=org, as_of=timezone.localdate(), rules=list(catalog()),
                                  triggered_by=acting_user)
    enqueue(run)
    return run


def check_run_execute(*, org: str = "", as_of: datetime.date | None = None, rule_codes: Iterable[str] | None = None,
                      triggered_by=None, run: CheckRun | None = None, engine: str = "duckdb",
                      snapshot_dir: str | None = None) -> tuple[CheckRun, pa.Table]:
    """Check the registry under `org` and bring the problem ledger up to date.

    New findings become 待整改 problems; problems that no longer fire are closed as 已整改; a fixed
    one that fires again is reopened; approved exceptions (情况属实) stay as they are. `run` is a run
    already claimed (the background task); without one a run is created and claimed here (the command).
    `engine` and `snapshot_dir` are those of `findings_compute`.
    """
    rules = select_rules(rule_codes)
    as_of = as_of or timezone.localdate()
    lifecycle = nullcontext()
    if run is None:
        run = CheckRun.objects.create(org=org, as_of=as_of, rules=[r.code for r in rules], triggered_by=triggered_by)
        run.claim()
        lifecycle = running(run)
    with lifecycle:
        run.progress(_("读取登记数据并运行规则"), 10)
        findings, snapshot_seconds, rule_seconds = findings_compute(org=org, as_of=as_of, rules=rules,
                                                                      engine=engine, snapshot_dir=snapshot_dir)
        run.progress(_("更新问题台账"), 70)
        with transaction.atomic():
            opened, closed = _reconcile(run, findings, org=org, codes=[r.code for r in rules])
            _record_counts(run, org=org, codes=[r.code for r in rules])
            run.finish(found=findings.num_rows, opened=opened, closed=closed, snapshot_seconds=snapshot_seconds,
                       rule_seconds=rule_seconds, stage=_("完成"))
    return run, findings


def _canonical(detail: dict | None) -> str:
    """A detail as comparable text (a run's JSON and a stored dict of the same detail compare equal)."""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


def _stored(org: str, codes: list[str]) -> pa.Table:
    rows = list(Problem.objects.filter(subtree_q("village", org), rule__in=codes)
                .values_list("id", "rule", "household", "person", "status", "message", "detail"))
    columns = list(zip(*rows)) if rows else [[]] * 7
    return pa.table({"id": pa.array(columns[0], pa.int64()), "rule": pa.array(columns[1], pa.string()),
                     "household": pa.array(columns[2], pa.string()), "person": pa.array(columns[3], pa.string()),
                     "status": pa.array(columns[4], pa.string()), "stored_message": pa.array(columns[5], pa.string()),
                     "stored_detail": pa.array([_canonical(d) for d in columns[6]], pa.string())})


def _reconcile(run: CheckRun, findings: pa.Table, *, org: str, codes: list[str]) -> tuple[int, int]:
    now = timezone.now()
    keys = ["rule", "household", "person"]
    found = findings.set_column(findings.schema.get_field_index("person"), "person",
                                pc.fill_null(findings.column("person"), ""))
    details = found.column("detail").to_pylist() if "detail" in found.column_names else [None] * found.num_rows
    found = found.append_column("detail_text", pa.array([_canonical(json.loads(d)) if d else "" for d in details],
                                                        pa.string()))
    found = found.group_by(keys, use_threads=False).aggregate(
        [("org", "first"), ("message", "first"), ("detail_text", "first")]).rename_columns(
        [*keys, "org", "message", "detail_text"])
    stored = _stored(org, codes)
    joined = found.join(stored, keys=keys, join_type="full outer", use_threads=False)

    fresh = joined.filter(pc.is_null(joined["id"]))
    bulk_create_with_history([
        Problem(rule=r["rule"], household=r["household"], person=r["person"], village=r["org"], message=r["message"],
                detail=json.loads(r["detail_text"] or "{}"), first_run=run, last_run=run, first_seen=now, last_seen=now)
        for r in fresh.select([*keys, "org", "message", "detail_text"]).to_pylist()], Problem, batch_size=2000,
        default_change_reason=_("核查发现"))

    seen = joined.filter(pc.and_(pc.is_valid(joined["id"]), pc.is_valid(joined["org"])))
    _update(seen.filter(pc.equal(seen["status"], Problem.Status.FIXED)), run, now,
            status=Problem.Status.OPEN, reason=_("复核再次发现，重新打开"))
    # Reopened ones too: a problem stored before its rule had a detail gets the rule's words and detail.
    changed_message = seen.filter(pc.or_(pc.not_equal(seen["message"], seen["stored_message"]),
                                         pc.not_equal(seen["detail_text"], seen["stored_detail"])))
    for row in changed_message.select(["id", "message", "detail_text"]).to_pylist():
        Problem.objects.filter(pk=row["id"]).update(message=row["message"],
                                                    detail=json.loads(row["detail_text"] or "{}"))
    still = seen.filter(pc.not_equal(seen["status"], Problem.Status.FIXED))
    ids = still["id"].to_pylist()
    for start in range(0, len(ids), _CHUNK):
        Problem.objects.filter(pk__in=ids[start:start + _CHUNK]).update(last_run=run, last_seen=now)

    gone = joined.filter(pc.and_(pc.is_null(joined["org"]), pc.is_in(joined["status"], pa.array(
        [Problem.Status.OPEN, Problem.Status.EXCEPTION_PENDING]))))
    _update(gone, run, now, status=Problem.Status.FIXED, reason=_("复核未再发现，自动销号"), close=True)
    return fresh.num_rows, gone.num_rows


def _update(rows: pa.Table, run: CheckRun, now, *, status: str, reason: str, close: bool = False) -> None:
    ids = rows["id"].to_pylist()
    for start in range(0, len(ids), _CHUNK):
        problems = list(Problem.objects.filter(pk__in=ids[start:start + _CHUNK]))
        for problem in problems:
            problem.status = status
            problem.closed_at = now if close else None
            if not close:
                problem.last_run, problem.last_seen = run, now
        bulk_update_with_history(problems, Problem, ["status", "closed_at", "last_run", "last_seen"],
                                 default_change_reason=reason, default_date=now)


def _record_counts(run: CheckRun, *, org: str, codes: list[str]) -> None:
    counts = (Problem.objects.filter(subtree_q("village", org), rule__in=codes)
              .values("rule", "village", "status").annotate(n=Count("id")))
    ProblemCount.objects.bulk_create([ProblemCount(run=run, rule=c["rule"], village=c["village"], status=c["status"],
                                                   count=c["n"]) for c in counts], batch_size=5000)


@dataclass(frozen=True)
class Finding:
    """A problem found by people rather than a rule run (考核评估 verdicts, 随机抽查 discrepancies).

    `rule` is the finding kind's code (e.g. PG01); `message` is shown as written (it must not name an ID
    or phone number: put those in `detail` with placeholders, as rules do).
    """

    rule: str
    household: str
    village: str
    message: str
    person: str = ""
    detail: dict | None = None


def problems_record(*, org: str, findings: list[Finding], acting_user, due: datetime.date | None,
                    reason: str) -> CheckRun:
    """Record findings as 待整改 problems of their villages, with a deadline, in one run of their own.

    The run (a CheckRun over `org` listing the findings' codes) is what the problems' first and last run
    point to, so a finding reads like any other problem: who found it when, and its history. A finding
    already on the ledger (same code, household and person) is reopened with the new message and
    deadline instead of a second record. Rule runs never touch these codes (they reconcile only their
    own), so a finding stays open until the village fixes it or it is approved as an exception.
    """
    now = timezone.now()
    codes = sorted({f.rule for f in findings})
    with transaction.atomic():
        run = CheckRun.objects.create(org=org, as_of=timezone.localdate(), rules=codes, triggered_by=acting_user,
                                      status=CheckRun.Status.RUNNING, started_at=now)
        opened = 0
        for f in findings:
            problem, created = Problem.objects.select_for_update().get_or_create(
                rule=f.rule, household=f.household, person=f.person,
                defaults={"village": f.village, "message": f.message, "detail": f.detail or {}, "first_run": run,
                          "last_run": run, "first_seen": now, "last_seen": now, "due": due})
            if created:
                opened += 1
                continue
            problem.message, problem.detail, problem.due = f.message, f.detail or {}, due
            problem.last_run, problem.last_seen = run, now
            if problem.status == Problem.Status.FIXED:
                problem.status, problem.closed_at = Problem.Status.OPEN, None
                opened += 1
            problem._change_reason = reason
            problem.save()
        run.finish(found=len(findings), opened=opened, closed=0, stage=str(reason)[:64])
    return run


# --- the people side of the ledger ------------------------------------------------------------------

def problems_for(user):
    """Problems in the user's reach (a cadre: those of their own households)."""
    access = access_for(user)
    qs = Problem.objects.filter(access.org_q("village"))
    if access.cadre_only:
        from jingzhun.registry.selectors import households_for

        qs = qs.filter(household__in=households_for(user).values("code"))
    return qs


def _problem_for_update(user, problem_id: int) -> Problem:
    require(may_claim_exception(user))
    return get_in_reach(problems_for(user).select_for_update(), pk=problem_id)


@transaction.atomic
def problem_claim_exception(*, problem_id: int, acting_user, reason: str) -> Problem:
    """A village clerk (or anyone who keeps the records) says the finding is a true exception: 情况属实."""
    problem = _problem_for_update(acting_user, problem_id)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(_("请写明情况属实的理由（至少 4 个字），例如“该生因病休学，有医院证明”。"))
    if problem.status != Problem.Status.OPEN:
        raise ValidationError(_("只有“待整改”的问题可以申报情况属实。"))
    problem.status, problem.exception_reason, problem.exception_by = (
        Problem.Status.EXCEPTION_PENDING, reason, acting_user)
    problem._history_user = acting_user
    problem._change_reason = _("申报情况属实")
    problem.save(update_fields=["status", "exception_reason", "exception_by"])
    ProblemReview.objects.create(problem=problem, action=ProblemReview.Action.CLAIM, by=acting_user,
                                 at=timezone.now(), note=reason)
    return problem


@transaction.atomic
def problem_review_exception(*, problem_id: int, acting_user, approve: bool) -> Problem:
    """A township officer (or county) approves or rejects a claimed exception."""
    problem = _problem_for_update(acting_user, problem_id)
    require(may_review_exception(acting_user))
    if problem.status != Problem.Status.EXCEPTION_PENDING:
        raise ValidationError(_("该问题没有待审核的情况属实申报。"))
    problem.status = Problem.Status.EXCEPTION if approve else Problem.Status.OPEN
    problem.reviewed_by = acting_user
    problem._history_user = acting_user
    problem._change_reason = _("审核通过：情况属实") if approve else _("审核退回：仍需整改")
    problem.save(update_fields=["status", "reviewed_by"])
    # Appended, so a later claim and decision never hide this one.
    ProblemReview.objects.create(problem=problem, by=acting_user, at=timezone.now(),
                                 action=ProblemReview.Action.APPROVE if approve else ProblemReview.Action.REJECT)
    return problem
