"""Loading department alert files: read and checked all or nothing, persons matched to the registry with
the comparison's linkage, the alert rules run in DuckDB, the batch, its records and hits kept."""

from __future__ import annotations

import collections
import datetime
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.analytics import get_engine, registry_snapshot
from jingzhun.compare.kinds import DatasetKind
from jingzhun.compare.matching import PAIR_SCHEMA, default_model, match_people
from jingzhun.exchange.issues import ImportIssue
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_load_alerts, require
from jingzhun.policy.loader import PolicyPackError, policy_pack

from .leads import hits_to_leads
from .models import AlertBatch, AlertHit, AlertRecord
from .rules import flatten_thresholds, load_rules, run_rules
from .validate import read_alert_files, typed_alert_records

#: 户类别 values (registry-v2's Household.category) that count as 脱贫 or monitored (the 50% group).
MONITORED_CATEGORIES = ("脱贫户", "监测户")
PERSON_FIELDS = ("name", "id_number", "sex", "birth_date", "village", "address")


@dataclass
class AlertLoadReport:
    kind: DatasetKind
    sources: list[str]
    issues: list[ImportIssue]
    batch: AlertBatch | None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


def _issue(kind: DatasetKind, message: str) -> ImportIssue:
    return ImportIssue("", kind.label, None, "", "", message)


def _pack_code(org: str, records: pa.Table) -> str:
    """The unit whose pack judges the file: the loader's unit, or (loaded for everything) the county most
    of the file's 村代码 lie in."""
    if len(org) >= 2:
        return org
    villages = [v for v in records.column("village").to_pylist() if v]
    if not villages:
        return ""
    return collections.Counter(v[:6] for v in villages).most_common(1)[0][0]


def alert_policy(code: str, year: int) -> tuple[dict, list[str]]:
    """(the [alerts] tables, the pack titles) of the unit `code` (province or deeper) for `year`."""
    pack = policy_pack(code[:2], year, county=code[:6] if len(code) >= 6 else None)
    return _plain(pack.alerts), list(pack.titles)


def _plain(value):
    """A pack's read-only tables as plain dicts and lists (to keep as JSON with the batch)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def registry_people(org: str) -> tuple[pa.Table, pa.Table]:
    """(matcher table, member facts with their group) of the registry under `org`, from an Arrow snapshot.

    Until the registry has 户类别 every registry member counts as 脱贫 or monitored; when the snapshot has
    a households `category` column, only 脱贫户 and 监测户 do."""
    snapshot = registry_snapshot(org)
    members = snapshot.tables["members"]
    village = pc.utf8_slice_codeunits(members["household_id"], 0, 12)
    people = pa.table({"unique_id": members["id"], "name": members["name"], "id_number": members["id_number"],
                       "sex": members["sex"], "village": village})
    households = snapshot.tables["households"]
    if "category" in households.column_names:
        monitored = households.filter(pc.is_in(households["category"], pa.array(MONITORED_CATEGORIES)))["code"]
        in_group = pc.is_in(members["household_id"], monitored)
    else:
        in_group = pa.array([True] * members.num_rows, pa.bool_())
    facts = pa.table({"member_id": members["id"], "household": members["household_id"], "member_village": village,
                      "person": members["id_number"], "member_name": members["name"],
                      "grp": pc.if_else(in_group, "monitored", "others")})
    return people, facts


def link(records: pa.Table, people: pa.Table, *, threads: int | None = None) -> pa.Table:
    """The comparison's linkage (exact on valid IDs, then Splink on name, birth date, sex, village and ID):
    the pairs at or above the comparison's auto-accept weight, one per record."""
    if records.num_rows == 0 or people.num_rows == 0:
        return PAIR_SCHEMA.empty_table()
    external = pa.table({"unique_id": records["record_id"], "name": records["name"],
                         "id_number": records["id_number"], "sex": records["sex"],
                         "birth_date": records["birth_date"], "village": records["village"]})
    model = default_model(prior=0.3 / max(people.num_rows, 1))
    auto = float(settings.JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT)
    return match_people(people, external, model=model, min_weight=auto, threads=threads).pairs


def rule_input(records: pa.Table, pairs: pa.Table, facts: pa.Table, *, threads: int | None = None) -> pa.Table:
    """`records` with each person's member, household, group and one key per person (`rules` docstring)."""
    with get_engine("duckdb", threads=threads) as engine:
        engine.register("recs", records)
        engine.register("pairs", pairs.select(["record_id", "member_id", "method", "match_weight"]))
        engine.register("facts", facts)
        return engine.query("""
            WITH best AS (
                SELECT * FROM pairs
                QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY method = 'exact' DESC,
                                           match_weight DESC NULLS LAST, member_id) = 1
            )
            SELECT r.*, b.member_id, coalesce(b.method, '') AS method, b.match_weight,
                   coalesce(f.household, '') AS household, f.member_village, coalesce(f.person, '') AS person,
                   coalesce(f.grp, 'others') AS grp,
                   coalesce('m' || b.member_id::VARCHAR, 'i' || nullif(r.id_number, ''),
                            'n' || r.name || '|' || coalesce(r.birth_date::VARCHAR, '') || '|' || r.village) AS person_key
            FROM recs r
            LEFT JOIN best b ON b.record_id = r.record_id
            LEFT JOIN facts f ON f.member_id = b.member_id
            ORDER BY r.record_id""")


def alert_batch_load(*, kind: DatasetKind, paths: Sequence[Path], acting_user=None, org: str = "",
                     source: str = "", data_date: datetime.date | None = None,
                     display_names: Mapping[Path, str] | None = None, via: str = "",
                     threads: int | None = None) -> AlertLoadReport:
    """Read, check, match and judge one alert file set of `kind`; keep it all, or nothing when any row
    is wrong (the issues, in Chinese, say where). A web user loads for their own unit; the command line
    (acting_user None) for `org`."""
    if acting_user is not None:
        require(may_load_alerts(acting_user))
        org = access_for(acting_user).prefix
    data_date = data_date or timezone.localdate()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    tables, issues = read_alert_files(kind, paths, display_names=display_names)
    sources = sorted({t.source for t in tables} | {i.source for i in issues if i.source})
    if issues:
        return AlertLoadReport(kind, sources, issues, None)
    records = typed_alert_records(kind, tables)
    records = records.append_column("record_id", pa.array(range(records.num_rows), pa.int64()))
    seconds["read"] = time.perf_counter() - started

    code = _pack_code(org, records)
    if not code:
        return AlertLoadReport(kind, sources, [_issue(kind, _(
            "无法确定适用的预警标准：请在文件中填写村代码，或指定所属单位"))], None)
    try:
        alerts, titles = alert_policy(code, data_date.year)
    except PolicyPackError as exc:
        return AlertLoadReport(kind, sources, [_issue(kind, str(exc))], None)
    rules = load_rules(kind.code)
    if kind.code == "medical" and alerts.get("medical", {}).get("form") == "income_share" \
            and alerts.get("rural_income", {}).get("value") is None:
        return AlertLoadReport(kind, sources, [_issue(kind, _(
            "政策包中没有 %(year)d 年度适用的上年农村居民人均可支配收入（alerts.rural_income），无法按收入比例判断医保预警")
            % {"year": data_date.year})], None)

    started = time.perf_counter()
    people, facts = registry_people(org)
    pairs = link(records, people, threads=threads)
    seconds["match"] = time.perf_counter() - started
    started = time.perf_counter()
    judged = rule_input(records, pairs, facts, threads=threads)
    hits = run_rules(kind.code, judged, flatten_thresholds(alerts, data_date), threads=threads, rules=rules)
    seconds["rules"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        batch = _store(kind, judged, hits, rules=rules, acting_user=acting_user, org=org, source=source,
                       data_date=data_date, sources=sources, via=via,
                       policy={"unit": code, "year": data_date.year, "titles": titles, "alerts": alerts})
        audit_record(action="import", actor=acting_user, target=f"{kind.label} {data_date}",
                     detail={"what": "alert_batch", "batch": batch.pk, "kind": kind.code, "rows": batch.rows,
                             "hits": batch.counts["hits"], "files": sources, "via": via or "web"})
    seconds["store"] = time.perf_counter() - started
    return AlertLoadReport(kind, sources, [], batch, seconds)


def _store(kind: DatasetKind, judged: pa.Table, hits: pa.Table, *, rules, acting_user, org, source, data_date,
           sources, via, policy) -> AlertBatch:
    columns = {name: judged.column(name).to_pylist() for name in judged.column_names}
    extra_columns = [c for c in kind.columns if c.field not in PERSON_FIELDS]
    matched = [m for m in columns["method"] if m]
    batch = AlertBatch.objects.create(
        kind=kind.code, source=source or kind.source, data_date=data_date, files=sources, loaded_by=acting_user,
        loaded_via=via, org=org, rows=judged.num_rows, policy=policy,
        counts={"exact": matched.count("exact"), "fuzzy": matched.count("fuzzy"), "hits": hits.num_rows})
    objects = []
    for i in range(judged.num_rows):
        extra = {c.header: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for c in extra_columns if (v := columns[c.field][i]) not in ("", None)}
        objects.append(AlertRecord(
            batch=batch, row=columns["row"][i], name=columns["name"][i], id_number=columns["id_number"][i],
            sex=columns["sex"][i], birth_date=columns["birth_date"][i], village=columns["village"][i],
            address=columns["address"][i], extra=extra, member_id=columns["member_id"][i],
            household=columns["household"][i], method=columns["method"][i], match_weight=columns["match_weight"][i]))
    created = AlertRecord.objects.bulk_create(objects, batch_size=2000)
    by_rule = {r.code: r for r in rules}
    hit_objects = []
    for rule, record_id, figures in zip(*(hits.column(c).to_pylist() for c in ("rule", "record_id", "figures"))):
        i = record_id
        record = created[i]
        hit_objects.append(AlertHit(
            batch=batch, record=record, rule=rule, risk_type=by_rule[rule].risk_type,
            village=columns["member_village"][i] or columns["village"][i], household=columns["household"][i],
            member_id=columns["member_id"][i], person=columns["person"][i] or columns["id_number"][i],
            person_name=columns["name"][i], group=columns["grp"][i], figures=json.loads(figures)))
    AlertHit.objects.bulk_create(hit_objects, batch_size=2000)
    batch.counts |= hits_to_leads(hit_objects, by_rule, acting_user=acting_user)
    batch.save(update_fields=["counts"])
    return batch
