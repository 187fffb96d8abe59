"""Running rules on an engine holding a registry snapshot."""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from jingzhun.analytics import Engine, Snapshot, get_engine
from jingzhun.policy import PolicyPackError, policy_pack_for

from .catalog import Rule

logger = logging.getLogger(__name__)

FINDINGS_SCHEMA = pa.schema([("rule", pa.string()), ("household", pa.string()), ("person", pa.string()),
                             ("org", pa.string()), ("message", pa.string()), ("detail", pa.string())])


#: The table of the policy packs' 小额信贷 limits, one row per county of the snapshot's loans, registered
#: for the rules that read it (Q39–Q43): thresholds are the pack's data, never numbers in the SQL.
POLICY_TABLE = "loan_policy"
_POLICY_SCHEMA = pa.schema([("county", pa.string()), ("max_amount", pa.decimal128(12, 2)),
                            ("max_term_months", pa.int32()), ("min_age", pa.int32()), ("max_age", pa.int32()),
                            ("overdue_grace_days", pa.int32()), ("npl_days", pa.int32())])


def register_loan_policy(engine: Engine) -> None:
    """Register `loan_policy`: each county's pack for the as-of year (params). A county whose pack states no
    [loans] limits gets no row, so no loan rule fires there (rather than a guessed threshold)."""
    year = engine.scalar("SELECT as_of_year FROM params")
    counties = engine.query("SELECT DISTINCT substr(household_id, 1, 6) AS county FROM loans").column("county")
    rows = []
    for county in sorted(c for c in counties.to_pylist() if c):
        try:
            rules = policy_pack_for(county, year).loans
        except PolicyPackError as exc:  # the county is left unchecked; the administrator reads why in the log
            logger.error("policy pack error, loan rules skip county %s: %s", county, exc)
            rules = None
        if rules is not None:
            rows.append({"county": county, "max_amount": rules.max_amount, "max_term_months": rules.max_term_months,
                         "min_age": rules.min_age, "max_age": rules.max_age,
                         "overdue_grace_days": rules.overdue_grace_days, "npl_days": rules.npl_days})
    engine.register(POLICY_TABLE, pa.Table.from_pylist(rows, schema=_POLICY_SCHEMA))


def run_rules(engine: Engine, rules: Iterable[Rule], *, within: str = "") -> pa.Table:
    """One row per problem: rule code, 户编号, 身份证号 (null for household rules), village code, message
    and its detail (JSON text, null for a rule without one).

    `within` (an org code, digits) keeps only the problems of households under that unit; the engine may
    hold more (a village's run sees its county, so that a rule comparing households — Q05, the same ID in
    two households — finds what the county's run would). The filter is part of each rule's query.
    """
    if within and not within.isdigit():
        raise ValueError(f"an org code is digits, not {within!r}")
    rules = list(rules)
    if any(POLICY_TABLE in rule.sql for rule in rules):
        register_loan_policy(engine)
    where = f" WHERE starts_with(CAST(household AS VARCHAR), '{within}')" if within else ""
    parts = []
    for rule in rules:
        columns = rule.columns
        if columns is None:  # SQL that sqlglot cannot read: the engine says what it returns
            columns = engine.query(f"SELECT * FROM ({rule.sql}) AS problems LIMIT 0").column_names
        detail = "CAST(detail AS VARCHAR)" if "detail" in columns else "CAST(NULL AS VARCHAR)"
        result = engine.query(f"SELECT CAST(household AS VARCHAR) AS household, CAST(person AS VARCHAR) AS person, "
                              f"CAST(message AS VARCHAR) AS message, {detail} AS detail FROM ({rule.sql}) AS problems"
                              f"{where}")
        household = result.column("household")
        parts.append(pa.table({
            "rule": pa.array([rule.code] * result.num_rows, pa.string()),
            "household": household,
            "person": result.column("person") if rule.level == "member" else pa.nulls(result.num_rows, pa.string()),
            "org": pc.utf8_slice_codeunits(household, 0, 12),
            "message": result.column("message"),
            "detail": result.column("detail"),
        }, schema=FINDINGS_SCHEMA))
    return _in_order(parts)


def _in_order(parts: list[pa.Table]) -> pa.Table:
    if not parts:
        return FINDINGS_SCHEMA.empty_table()
    return pa.concat_tables(parts).sort_by([("org", "ascending"), ("household", "ascending"),
                                            ("rule", "ascending"), ("person", "ascending")])


#: How many hash partitions the rows of a rule with a `partition` key are spread over, and how many of those
#: rows (at least) one engine then takes at a time: a few runs at national scale, one for a small province.
BUCKETS = 64
BATCH_ROWS = 4_000_000


def run_rules_partitioned(partitions: Sequence[str], load: Callable[[str], Snapshot], rules: Iterable[Rule], *,
                          as_of: datetime.date, within: str = "", engine_options: dict | None = None,
                          buckets: int = BUCKETS, batch_rows: int = BATCH_ROWS) -> pa.Table:
    """The findings of `run_rules` over the union of the partitions (counties), one partition in memory at a time.

    Each partition is loaded (`load(key)`) into a fresh engine, whose memory goes when the partition is
    done, and its rules are run there. A rule that compares households (its `partition` key, e.g. Q05's
    ID number) is not run per county: the rows it reads, narrowed to the columns it names, are spread
    over `buckets` files on disk by a hash of its key as the counties pass, and the rule then runs over
    groups of whole buckets of about `batch_rows` rows — every pair of rows with one key meets in one
    bucket, whatever their counties. The findings are exactly those of one run over the whole registry.
    """
    rules = list(rules)
    options = engine_options or {}
    keyed = [r for r in rules if r.partition] if len(partitions) > 1 else []
    local = [r for r in rules if r not in keyed]
    parts = []
    with tempfile.TemporaryDirectory(prefix="jz-partitions-") as spill:
        spreads = [_Spread(rule, Path(spill) / rule.code, buckets) for rule in keyed]
        for key in partitions:
            with get_engine(**options) as engine:
                engine.load(load(key), as_of=as_of)
                parts.append(run_rules(engine, local, within=within))
                for spread in spreads:
                    spread.add(engine)
        for spread in spreads:
            parts.extend(spread.run(as_of=as_of, within=within, engine_options=options, batch_rows=batch_rows))
    return _in_order(parts)


class _Spread:
    """A keyed rule's input rows, hash-partitioned on its key into Arrow IPC files, one per relation and bucket."""

    def __init__(self, rule: Rule, folder: Path, buckets: int):
        self.rule, self.folder, self.buckets = rule, folder, buckets
        tree = sqlglot.parse_one(rule.sql, read="duckdb")
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        self.relations = sorted({t.name for t in tree.find_all(exp.Table)} - ctes)
        self.names = {c.name for c in tree.find_all(exp.Column)}
        self.writers: dict[tuple[str, int], pa.ipc.RecordBatchFileWriter] = {}
        self.rows = [0] * buckets
        self.schemas: dict[str, pa.Schema] = {}
        folder.mkdir(parents=True)

    def add(self, engine: Engine) -> None:
        for relation in self.relations:
            columns = [c for c in engine.query(f"SELECT * FROM {relation} LIMIT 0").column_names if c in self.names]
            rows = engine.query(f"SELECT {', '.join(columns)}, coalesce(abs(hash({self.rule.partition}) % {self.buckets}), 0)"
                                f" AS bucket__ FROM {relation} ORDER BY bucket__")
            starts = pc.value_counts(rows.column("bucket__")).flatten()  # in order of first appearance: sorted
            rows, offset = rows.drop_columns(["bucket__"]), 0
            self.schemas[relation] = rows.schema
            for bucket, count in zip(starts[0].to_pylist(), starts[1].to_pylist()):
                writer = self.writers.get((relation, bucket))
                if writer is None:
                    writer = self.writers[relation, bucket] = pa.ipc.new_file(self._path(relation, bucket), rows.schema)
                writer.write_table(rows.slice(offset, count))
                self.rows[bucket] += count
                offset += count

    def _path(self, relation: str, bucket: int) -> Path:
        return self.folder / f"{relation}.{bucket}.arrow"

    def _read(self, relation: str, buckets: list[int]) -> pa.Table:
        tables = []
        for bucket in buckets:
            if (relation, bucket) in self.writers:
                with pa.OSFile(str(self._path(relation, bucket))) as source:
                    tables.append(pa.ipc.open_file(source).read_all())
        return pa.concat_tables(tables) if tables else self.schemas[relation].empty_table()

    def run(self, *, as_of: datetime.date, within: str, engine_options: dict, batch_rows: int) -> list[pa.Table]:
        for writer in self.writers.values():
            writer.close()
        batches, batch = [], []
        for bucket in range(self.buckets):
            if self.rows[bucket]:
                batch.append(bucket)
            if batch and (sum(self.rows[b] for b in batch) >= batch_rows or bucket == self.buckets - 1):
                batches.append(batch)
                batch = []
        found = []
        with get_engine(**engine_options) as engine:  # one engine; each batch replaces the last one's tables
            engine.set_as_of(as_of)
            for batch in batches:
                for relation in self.relations:
                    engine.register(relation, self._read(relation, batch))
                found.append(run_rules(engine, [self.rule], within=within))
        return found
