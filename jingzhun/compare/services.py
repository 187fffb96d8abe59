"""Loading external datasets, running comparisons, reviewing candidate pairs (the writes of 一比对)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.analytics import registry_snapshot
from jingzhun.exchange.issues import ImportIssue
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_compare, may_review_pair, require
from jingzhun.runs.tasks import enqueue, running
from jingzhun.runs.uploads import uploads_check, uploads_store

from .kinds import KINDS, DatasetKind, kind_by_name
from .matching import Matcher, agreements, default_model, match_people
from .models import (
    Batch,
    CompareRun,
    ExternalRecord,
    Match,
    MatchModel,
    ReviewDecision,
    record_key,
)
from .readers import read_dataset_files
from .selectors import matches_for
from .validate import check_dataset, typed_records

logger = logging.getLogger(__name__)
Progress = Callable[[str, int], None]
#: Below this many records on either side the u probabilities are not re-estimated (too few random pairs).
MIN_TRAIN_RECORDS = 500


def _no_progress(stage: str, percent: int) -> None:
    pass


def require_compare(user) -> None:
    """Refused unless the user may compare (None: the command line, acting for the whole site)."""
    if user is not None:
        require(may_compare(user))


@transaction.atomic
def compare_run_start(*, acting_user, kind: str, files, source: str = "",
                      data_date: datetime.date | None = None) -> CompareRun:
    """Keep the uploaded files and queue their load and comparison over the user's unit."""
    require_compare(acting_user)
    if kind not in KINDS:
        raise ValidationError(_("请选择数据类别。"))
    if not files:
        raise ValidationError(_("请选择要比对的文件（.xlsx 或 .csv）。"))
    uploads_check(files, wrong_type=_("“%(name)s”不是 .xlsx 或 .csv 文件。"))
    run = CompareRun(kind=kind, org=access_for(acting_user).prefix, triggered_by=acting_user,
                     upload={"files": [Path(f.name).name for f in files], "source": source,
                             "date": (data_date or timezone.localdate()).isoformat()})
    run.save()
    folder = Path(settings.UPLOAD_ROOT) / f"compare-{run.pk}"
    uploads_store(files, folder)
    run.folder = str(folder)
    run.save(update_fields=["folder"])
    enqueue(run)
    return run


def thresholds() -> tuple[float, float]:
    """(auto-accept, review) match weights from the settings."""
    return (float(settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT), float(settings.JINGZHUN_COMPARE_REVIEW_WEIGHT))


# --- loading --------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    kind: DatasetKind
    sources: list[str]
    issues: list[ImportIssue]
    batch: Batch | None

    @property
    def ok(self) -> bool:
        return not self.issues


def dataset_load(*, kind: DatasetKind, paths: Sequence[Path], acting_user=None, source: str = "",
                 data_date: datetime.date | None = None, display_names: Mapping[Path, str] | None = None,
                 via: str = "", progress: Progress = _no_progress) -> LoadReport:
    """Read, check and keep one batch of `kind`: all or nothing (one bad cell and nothing is stored)."""
    require_compare(acting_user)
    progress(_("读取文件"), 5)
    tables, issues = read_dataset_files(kind, paths, display_names=display_names)
    sources = sorted({t.source for t in tables} | {i.source for i in issues if i.source})
    if not issues:
        progress(_("检查格式"), 15)
        issues = check_dataset(kind, tables)
    if issues:
        return LoadReport(kind, sources, issues, None)
    records = typed_records(kind, tables)
    progress(_("保存数据"), 25)
    org = access_for(acting_user).prefix if acting_user is not None else ""
    person_fields = {"name", "id_number", "sex", "birth_date", "village", "address"}
    extra_columns = [c for c in kind.columns if c.field not in person_fields]
    with transaction.atomic():
        batch = Batch.objects.create(kind=kind.code, source=source or kind.source, data_date=data_date or timezone.localdate(),
                                     files=sources, loaded_by=acting_user, loaded_via=via, org=org, rows=records.num_rows)
        columns = {name: records.column(name).to_pylist() for name in records.column_names}
        objects = []
        for i in range(records.num_rows):
            extra = {c.header: (v.isoformat() if hasattr(v, "isoformat") else v)
                     for c in extra_columns if (v := columns[c.field][i]) not in ("", None)}
            objects.append(ExternalRecord(batch=batch, row=columns["row"][i], name=columns["name"][i],
                                          id_number=columns["id_number"][i], sex=columns["sex"][i],
                                          birth_date=columns["birth_date"][i], village=columns["village"][i],
                                          address=columns["address"][i], extra=extra))
            if len(objects) >= 5000:
                ExternalRecord.objects.bulk_create(objects)
                objects = []
        ExternalRecord.objects.bulk_create(objects)
    return LoadReport(kind, sources, [], batch)


# --- running --------------------------------------------------------------------------------------


def _registry_people(org: str) -> tuple[pa.Table, pa.Table]:
    """(matcher table, member facts) of the registry under `org`, from an Arrow snapshot."""
    members = registry_snapshot(org).tables["members"]
    village = pc.utf8_slice_codeunits(members["household_id"], 0, 12)
    people = pa.table({"unique_id": members["id"], "name": members["name"], "id_number": members["id_number"],
                       "sex": members["sex"], "village": village})
    facts = pa.table({"member_id": members["id"], "household": members["household_id"], "village": village,
                      "person": members["id_number"], "member_name": members["name"], "status": members["status"],
                      "dibao": members["dibao"], "tekun": members["tekun"]})
    return people, facts


def _batches(kind: DatasetKind, org: str):
    """The batches of a kind a run over `org` uses: those loaded at that unit, above it or below it."""
    above = [org[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(org)]
    return Batch.objects.filter(Q(org__in=above) | Q(org__startswith=org), kind=kind.code)


def _external_records(kind: DatasetKind, org: str) -> pa.Table:
    rows = list(ExternalRecord.objects.filter(batch__in=_batches(kind, org))
                .values_list("id", "name", "id_number", "sex", "birth_date", "village"))
    columns = list(zip(*rows)) if rows else [[]] * 6
    return pa.table({"unique_id": pa.array(columns[0], pa.int64()), "name": pa.array(columns[1], pa.string()),
                     "id_number": pa.array(columns[2], pa.string()), "sex": pa.array(columns[3], pa.string()),
                     "birth_date": pa.array(columns[4], pa.date32()), "village": pa.array(columns[5], pa.string())})


def model_for(kind: DatasetKind, registry: pa.Table, external: pa.Table, *, retrain: bool = False) -> dict:
    """The stored model of the kind; trained (u from random pairs, λ from the exact matches) and stored
    when there is none yet, or when asked, if both sides are large enough."""
    stored = MatchModel.objects.filter(kind=kind.code).first()
    if stored is not None and not retrain:
        return stored.settings_json
    # untrained: about a third of a department's records are registry members (λ per registry person)
    model = default_model(prior=0.3 / max(registry.num_rows, 1))
    if min(registry.num_rows, external.num_rows) < MIN_TRAIN_RECORDS:
        return model
    with Matcher(registry, external) as matcher:
        matcher.exact()
        model = matcher.train(model)
    MatchModel.objects.update_or_create(kind=kind.code, defaults={"settings_json": model})
    return model


def compare_run_execute(*, kind: DatasetKind, org: str = "", acting_user=None, engine: str = "duckdb",
                        run: CompareRun | None = None, batch: Batch | None = None, retrain: bool = False,
                        progress: Progress = _no_progress) -> CompareRun:
    """Match every record of `kind` against the registry under `org`, keep the pairs, raise the signals.

    Exact pairs and pairs at or above the auto-accept weight are accepted; pairs between the review and
    the auto-accept weight wait for a county user, unless someone already decided the same pair.
    """
    require_compare(acting_user)
    if run is None:
        run = CompareRun.objects.create(kind=kind.code, org=org, engine=engine, batch=batch, triggered_by=acting_user)
        run.claim()
        with running(run):
            return compare_run_execute(kind=kind, org=org, acting_user=acting_user, engine=engine, run=run,
                                       batch=batch, retrain=retrain,
                                       progress=lambda stage, percent: (run.progress(stage, percent),
                                                                        progress(stage, percent)))
    progress(_("读取建档立卡数据"), 35)
    registry, facts = _registry_people(org)
    external = _external_records(kind, org)
    progress(_("训练比对模型"), 45)
    model = model_for(kind, registry, external, retrain=retrain)
    auto_weight, review_weight = thresholds()
    progress(_("比对中"), 55)
    result = match_people(registry, external, model=model, min_weight=review_weight, engine=engine)
    progress(_("保存结果"), 85)
    with transaction.atomic():
        counts = _store_matches(run, kind, result.pairs, facts, auto_weight)
        from .signals import signals_raise

        counts["problems"] = signals_raise(run=run, kind=kind, org=org)
        run.finish(stage=_("完成"), counts=counts | {
            "registry": registry.num_rows, "records": external.num_rows,
            "seconds": {k: round(v, 3) for k, v in result.seconds.items()}})
    return run


def _store_matches(run: CompareRun, kind: DatasetKind, pairs: pa.Table, facts: pa.Table, auto_weight: float) -> dict:
    joined = pairs.join(facts, keys="member_id", join_type="inner", use_threads=False)
    records = {r.pk: r for r in ExternalRecord.objects.filter(pk__in=pc.unique(joined["record_id"]).to_pylist())}
    decisions = ReviewDecision.current_decisions(kind.code)
    matches = []
    for row in joined.to_pylist():
        record = records[row["record_id"]]
        if row["method"] == "exact" or row["match_weight"] >= auto_weight:
            status = Match.Status.AUTO
        else:
            status = Match.Status.PENDING
        decided = decisions.get((record_key(record.name, record.id_number, record.birth_date), row["person"]))
        if decided is not None and row["method"] != "exact":
            status = Match.Status.ACCEPTED if decided else Match.Status.REJECTED
        matches.append(Match(run=run, record=record, member_id=row["member_id"], household=row["household"],
                             village=row["village"], person=row["person"], member_name=row["member_name"],
                             method=row["method"], match_weight=row["match_weight"],
                             probability=row["match_probability"], agreements=agreements(row), status=status))
    Match.objects.bulk_create(matches, batch_size=2000)
    counts = {s: 0 for s in Match.Status.values}
    for m in matches:
        counts[m.status] += 1
    counts["exact"] = sum(1 for m in matches if m.method == Match.Method.EXACT)
    counts["fuzzy"] = len(matches) - counts["exact"]
    return counts


# --- reviewing ------------------------------------------------------------------------------------


@transaction.atomic
def review_decide(*, run: CompareRun, match_id: int, acting_user, same_person: bool) -> Match:
    """A county user says whether a candidate pair is the same person; the answer is kept for later runs
    and the run's signals are brought up to date."""
    require(may_review_pair(acting_user))
    try:
        # select_for_update: two reviewers deciding the same pair at once must not both write a decision
        match = matches_for(acting_user, run).select_for_update().get(pk=match_id)
    except Match.DoesNotExist:
        raise Http404("no such pair in reach") from None
    if match.method == Match.Method.EXACT:
        raise ValidationError(_("身份证号一致的配对不需要人工核对。"))
    # the signals follow the latest run of a kind and unit: a decision on an older run would undo them
    if CompareRun.objects.filter(kind=run.kind, org=run.org, status=CompareRun.Status.DONE, pk__gt=run.pk).exists():
        raise ValidationError(_("这不是该类数据最新一次的比对结果，请在最新一次比对中核对。"))
    record = match.record
    # appended, never updated: an earlier reviewer's answer stays in the pair's history
    ReviewDecision.objects.create(
        kind=run.kind, record_key=record_key(record.name, record.id_number, record.birth_date), person=match.person,
        same_person=same_person, decided_by=acting_user, village=match.village)
    match.status = Match.Status.ACCEPTED if same_person else Match.Status.REJECTED
    match.save(update_fields=["status"])
    from .signals import signals_raise

    signals_raise(run=run, kind=kind_by_name(run.kind), org=run.org)
    return match
