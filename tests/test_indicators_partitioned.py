"""The indicator refresh county by county (`unit_values_partitioned`) gives exactly the values of one run over
the whole registry, at every level: villages and townships from their county, counties and above summed
from the counties' per-village tables."""

from __future__ import annotations

import datetime
import json

import pytest

from jingzhun.analytics import get_engine, registry_snapshot
from jingzhun.indicators.compute import LEVEL_LENGTHS, unit_values, unit_values_partitioned

from .synth_snapshots import COUNTIES, county_snapshots, whole

AS_OF = datetime.date(2020, 12, 31)


def _whole_values(snapshot, as_of=AS_OF) -> dict:
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        return unit_values(engine)


def test_partitioned_refresh_equals_the_whole_registry_refresh_at_every_level():
    counties = county_snapshots()
    expected = _whole_values(whole(counties))
    got = unit_values_partitioned(COUNTIES, counties.__getitem__, as_of=AS_OF)
    assert got == expected
    # every level is there, the province holding the three counties' sums
    assert {len(code) for code in got} == set(LEVEL_LENGTHS)
    assert sorted(c for c in got if len(c) == 6) == sorted(COUNTIES)
    assert got["14"]["HH_REG"] == sum(got[c]["HH_REG"] for c in COUNTIES) > 0


@pytest.mark.django_db(transaction=True)
def test_the_stored_refresh_reads_county_by_county_and_equals_one_snapshot_of_everything(tmp_path):
    """indicators_refresh over the database: two counties, one with 帮扶 (measures, loans, projects, funds)."""
    from jingzhun.exchange.importer import registry_import
    from jingzhun.indicators.models import UnitIndicators
    from jingzhun.indicators.services import indicators_refresh
    from jingzhun.orgunits.services import divisions_load
    from jingzhun.synth import generate, write
    from jingzhun.synth.demo import demo_registry_load, demo_users_reset
    from jingzhun.synth.demo_assistance import demo_assistance_load

    as_of = datetime.date(2025, 8, 20)
    divisions_load(prefix="1408")
    _summary, planted = demo_registry_load(households=300, seed=7, as_of=as_of)
    demo_users_reset(cadre_households=[case.household for case in planted])
    assert demo_assistance_load(day=as_of, seed=7) is not None
    write(generate(county="140821", households=60, seed=52, errors=0.05, year=2024, as_of=as_of), tmp_path / "b")
    assert registry_import(paths=[tmp_path / "b"]).ok

    refresh = indicators_refresh(as_of=as_of)
    stored = {u.org: u.values for u in UnitIndicators.objects.filter(refresh=refresh)}
    expected = json.loads(json.dumps(_whole_values(registry_snapshot(""), as_of)))
    assert stored == expected
    assert {"140826", "140821", "1408", "14"} <= set(stored) and stored["140826"]["FUNDS"]
    assert refresh.members == registry_snapshot("").tables["members"].num_rows
