"""The rules against synthetic registries: a clean one yields nothing, every injected error is found."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.analytics import get_engine
from jingzhun.checks.catalog import load_catalog
from jingzhun.checks.runner import run_rules
from jingzhun.synth import generate

from .golden_checks import synth_snapshot

AS_OF = datetime.date(2020, 12, 31)
TODAY = datetime.date(2026, 3, 16)  # a registry as it stands in 2026, with the incomes of 2025


def _findings(registry, as_of=AS_OF):
    with get_engine() as engine:
        engine.load(synth_snapshot(registry), as_of=as_of)
        return run_rules(engine, load_catalog().values())


@pytest.mark.parametrize("county,seed", [("140826", 31), ("141130", 32)])
def test_clean_synthetic_registry_has_no_problem(county, seed):
    findings = _findings(generate(county=county, households=1500, seed=seed))
    assert findings.num_rows == 0, findings.slice(0, 10).to_pylist()


@pytest.mark.parametrize("as_of", [TODAY, datetime.date(2024, 2, 29), datetime.date(2026, 12, 31)])
def test_a_clean_registry_of_a_later_day_has_no_problem_on_that_day(as_of):
    """The demo's registry: ages, schooling and years fit the day the checks run at (2020-era data seen
    in 2026 gave 1,820 age problems)."""
    findings = _findings(generate(county="140826", households=1500, seed=31, year=as_of.year - 1, as_of=as_of),
                         as_of)
    assert findings.num_rows == 0, findings.slice(0, 10).to_pylist()


@pytest.mark.parametrize("year,as_of", [(2020, AS_OF), (2018, datetime.date(2018, 12, 31)), (2025, TODAY)])
def test_every_injected_error_is_found(year, as_of):
    """At the reference day of the registry: incomes lowered below that year's line (3535 in 2018), none
    lowered below a line the checks do not have (2025)."""
    registry = generate(county="140826", households=1500, seed=33, errors=0.05, year=year, as_of=as_of)
    findings = _findings(registry, as_of)
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
