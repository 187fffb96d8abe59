"""Rules run county by county (`run_rules_partitioned`) find exactly what one run over the whole registry finds."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from jingzhun.analytics import Snapshot, get_engine
from jingzhun.checks.catalog import RuleFileError, load_catalog, parse_rule
from jingzhun.checks.runner import run_rules, run_rules_partitioned
from jingzhun.synth import generate

from .synth_snapshots import COUNTIES, county_snapshots, whole

AS_OF = datetime.date(2020, 12, 31)


def _with_ids(members: pa.Table, rows: dict[int, str]) -> pa.Table:
    ids = members.column("id_number").to_pylist()
    for row, id_number in rows.items():
        ids[row] = id_number
    return members.set_column(members.schema.get_field_index("id_number"), "id_number", pa.array(ids, pa.string()))


@pytest.fixture(scope="module")
def counties() -> dict[str, Snapshot]:
    """Three counties with 5 % injected errors, and ID numbers repeated across counties: a member of the first
    county's ID in the second (once in lower case x) and in all three; a repeat across two counties and
    within one household of the third."""
    parts = county_snapshots()
    first = parts[COUNTIES[0]].tables["members"].column("id_number").to_pylist()
    x_id = next(i for i in first if i and i.endswith("X"))
    plain = [i for i in first if i and not i.endswith("X")]
    a, b, c = plain[10], plain[20], plain[30]
    parts[COUNTIES[1]].tables["members"] = _with_ids(parts[COUNTIES[1]].tables["members"],
                                                     {5: a, 50: b, 60: x_id.lower()})
    parts[COUNTIES[2]].tables["members"] = _with_ids(parts[COUNTIES[2]].tables["members"], {7: b, 8: c, 9: c})
    return parts


def _whole(counties: dict[str, Snapshot], rules, within: str = "") -> pa.Table:
    with get_engine() as engine:
        engine.load(whole(counties), as_of=AS_OF)
        return run_rules(engine, rules, within=within)


def _rows(findings: pa.Table) -> list[dict]:
    return sorted(findings.to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


@pytest.mark.parametrize("buckets,batch_rows", [(1, 10**9), (4, 1), (64, 1000)])
def test_partitioned_run_finds_exactly_what_the_whole_registry_run_finds(counties, buckets, batch_rows):
    rules = list(load_catalog().values())
    whole = _whole(counties, rules)
    partitioned = run_rules_partitioned(COUNTIES, counties.__getitem__, rules, as_of=AS_OF, buckets=buckets,
                                        batch_rows=batch_rows, engine_options={"preserve_insertion_order": False})
    assert _rows(partitioned) == _rows(whole)
    # the comparison is not empty: the repeats across counties are found, with every county's households
    q05 = whole.filter(pc.equal(whole["rule"], "Q05"))
    assert {h[:6] for h in q05["household"].to_pylist()} == set(COUNTIES)
    assert len({r["rule"] for r in whole.to_pylist()}) > 10


def test_a_county_alone_misses_the_repeats_the_partitioned_run_finds(counties):
    """Why Q05 is keyed: run per county without its key, it would miss repeats across counties."""
    q05 = [load_catalog()["Q05"]]
    per_county = pa.concat_tables([_whole({c: s}, q05) for c, s in counties.items()])
    partitioned = run_rules_partitioned(COUNTIES, counties.__getitem__, q05, as_of=AS_OF, buckets=2)
    assert per_county.num_rows < partitioned.num_rows == _whole(counties, q05).num_rows


def test_within_keeps_the_problems_under_the_unit_in_both_runs(counties):
    rules = [load_catalog()[c] for c in ("Q01", "Q05", "Q20", "Q26")]
    within = COUNTIES[1]
    partitioned = run_rules_partitioned(COUNTIES, counties.__getitem__, rules, as_of=AS_OF, within=within)
    assert _rows(partitioned) == _rows(_whole(counties, rules, within))
    assert partitioned.num_rows and set(pc.utf8_slice_codeunits(partitioned["household"], 0, 6).to_pylist()) == {within}


def test_one_partition_runs_every_rule_in_it(counties):
    rules = list(load_catalog().values())
    one = {COUNTIES[0]: counties[COUNTIES[0]]}
    assert _rows(run_rules_partitioned([COUNTIES[0]], one.__getitem__, rules, as_of=AS_OF)) == _rows(_whole(one, rules))


def test_rule_metadata_names_the_partition_key_and_the_columns():
    q05, q01 = load_catalog()["Q05"], load_catalog()["Q01"]
    assert q05.partition == "upper(id_number)" and q01.partition == ""
    assert q05.columns == ["household", "person", "message", "detail"]


def test_a_partition_key_that_is_not_sql_is_refused(tmp_path):
    path = tmp_path / "X_BAD.sql"
    path.write_text("-- code: X_BAD\n-- name: 坏\n-- level: member\n-- category: 身份信息\n-- severity: 错误\n"
                    "-- fix: 无\n-- partition: upper(id_number\nSELECT 1 AS household", encoding="utf-8")
    with pytest.raises(RuleFileError, match="partition"):
        parse_rule(path)


@pytest.mark.django_db(transaction=True)
def test_a_city_run_over_the_database_reads_county_by_county_and_finds_the_whole_registry(tmp_path):
    """findings_compute above a county: registry_counties lists the counties, each is snapshotted alone,
    and a repeat across two counties is still found, as one snapshot of the whole city finds it."""
    from jingzhun.checks.services import findings_compute
    from jingzhun.exchange.importer import registry_import
    from jingzhun.orgunits.services import divisions_load
    from jingzhun.registry.models import Member
    from jingzhun.synth import write

    divisions_load(prefix="1408")
    for i, county in enumerate(("140826", "140821")):
        write(generate(county=county, households=40, seed=51 + i, errors=0.05), tmp_path / county, fmt="csv")
        assert registry_import(paths=[tmp_path / county]).ok
    source = Member.objects.filter(household__code__startswith="140826", relation="户主").first()
    twin = Member.objects.filter(household__code__startswith="140821", relation="之子").first()
    Member.objects.filter(pk=twin.pk).update(id_number=source.id_number)

    rules = list(load_catalog().values())
    findings, _snapshot_seconds, _rule_seconds = findings_compute(org="1408", as_of=AS_OF, rules=rules)
    with get_engine() as engine:
        from jingzhun.analytics import registry_snapshot

        engine.load(registry_snapshot("1408"), as_of=AS_OF)
        whole = run_rules(engine, rules)
    assert _rows(findings) == _rows(whole)
    q05 = {(r["household"], r["person"]) for r in findings.to_pylist() if r["rule"] == "Q05"}
    assert {(source.household_id, source.id_number), (twin.household_id, source.id_number)} <= q05
