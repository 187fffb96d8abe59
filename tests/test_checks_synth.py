"""The rules against synthetic registries: a clean one yields nothing, every injected error is found."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest

from jingzhun.analytics import Snapshot, conform, get_engine
from jingzhun.checks.catalog import load_catalog
from jingzhun.checks.runner import run_rules
from jingzhun.exchange.importer import sheets_from_tables, typed_table
from jingzhun.synth import generate

AS_OF = datetime.date(2020, 12, 31)


def _findings(registry):
    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(registry.tables, "synth").items()}
    members = typed["人员表"].append_column("id", pa.array(range(1, typed["人员表"].num_rows + 1), pa.int64()))
    snapshot = Snapshot("", {"households": conform("households", typed["户表"]),
                             "members": conform("members", members), "villages": conform("villages", typed["村表"])})
    with get_engine() as engine:
        engine.load(snapshot, as_of=AS_OF)
        return run_rules(engine, load_catalog().values())


@pytest.mark.parametrize("county,seed", [("140826", 31), ("141130", 32)])
def test_clean_synthetic_registry_has_no_problem(county, seed):
    findings = _findings(generate(county=county, households=1500, seed=seed))
    assert findings.num_rows == 0, findings.slice(0, 10).to_pylist()


def test_every_injected_error_is_found():
    registry = generate(county="140826", households=1500, seed=33, errors=0.05)
    findings = _findings(registry)
    by_household = {}
    for row in findings.to_pylist():
        by_household.setdefault(row["household"], set()).add(row["person"])
    households = registry.households.column("户编号").to_pylist()
    member_households = registry.members.column("户编号").to_pylist()
    member_ids = registry.members.column("身份证号").to_pylist()
    missed = []
    for entry in registry.manifest:
        index = entry["row"] - 2
        if entry["sheet"] == "户表":
            if households[index] not in by_household:
                missed.append(entry)
        else:
            found = by_household.get(member_households[index], set())
            if member_ids[index] not in found and None not in found:
                missed.append(entry)
    assert len(registry.manifest) > 100
    assert missed == []
