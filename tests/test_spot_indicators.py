"""The 随机抽查 indicators: golden fixtures (tests/golden/indicators/SPOT*.toml: households and their spot-check
items, the figures expected per unit side by side) computed on DuckDB, and the same path from the database
(the snapshot's spot_items table read from the assessment tables)."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pyarrow as pa
import pytest
from django.utils import timezone

from jingzhun.analytics import Snapshot, conform, get_engine, registry_snapshot
from jingzhun.assessment.models import SpotCheck, SpotCheckItem
from jingzhun.indicators.compute import LEVEL_LENGTHS, unit_values
from jingzhun.indicators.services import indicators_compute

from .golden_checks import CLEAN_HOUSEHOLD, NOT_REGISTERED
from .people import XIAGAOCHI, World, make_household

GOLDEN = sorted((Path(__file__).resolve().parent / "golden" / "indicators").glob("SPOT*.toml"))


def _snapshot(doc: dict) -> tuple[Snapshot, datetime.date]:
    as_of = datetime.date.fromisoformat(doc["as_of"])
    households, items = [], []
    for h in doc["households"]:
        row = {**CLEAN_HOUSEHOLD, **(NOT_REGISTERED if h.get("not_registered") else {}),
               **{k: v for k, v in h.items() if k not in ("items", "not_registered")}, "village_id": h["code"][:12],
               "head_id_number": ""}
        households.append(row)
        for n, item in enumerate(h.get("items", []), start=1):
            verified = item.get("verified_on")
            items.append({"spot_check_id": len(items) + 1, "household_id": h["code"], "unit": h["code"][:9],
                          "drawn_on": item.get("drawn_on", verified or as_of), "verified_on": verified,
                          "discrepancies": item.get("discrepancies") if verified else None})
    tables = {"households": conform("households", pa.Table.from_pylist(households)),
              "spot_items": conform("spot_items", pa.Table.from_pylist(items))}
    return Snapshot(org="", tables=tables), as_of


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_spot_check_indicators_match_their_golden_figures(path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    snapshot, as_of = _snapshot(doc)
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        units = unit_values(engine, lengths=LEVEL_LENGTHS)
    for org, want in doc["expect"].items():
        want = {k: (None if v == "none" else v) for k, v in want.items()}
        assert {k: units[org][k] for k in want} == want, org


def test_the_golden_fixtures_exist():
    assert [p.name for p in GOLDEN] == ["SPOT.toml"]


@pytest.mark.django_db(transaction=True)
def test_the_database_path_reads_spot_items_and_counts_them():
    """Drawn and verified through the ORM, read by the snapshot (typed days, scoped by 户编号), counted by
    indicators_compute: 下高池村's base is home and h2; home verified with a discrepancy, h2 drawn only."""
    world = World()
    h2 = make_household(XIAGAOCHI, 2, "李二")
    spot = SpotCheck.objects.create(unit="140826100", n=2, seed=1, frame_size=3, frame_sha256="0" * 64,
                                    drawn_by=world.township_officer)
    now = timezone.now()
    SpotCheckItem.objects.create(spot_check=spot, household=world.home, order=1, checked={}, discrepancies=2,
                                 verified_by=world.township_officer, verified_at=now)
    SpotCheckItem.objects.create(spot_check=spot, household=h2, order=2)
    SpotCheckItem.objects.create(spot_check=spot, household=world.neighbour, order=3, checked={}, discrepancies=0,
                                 verified_by=world.township_officer, verified_at=now)
    rows = registry_snapshot(XIAGAOCHI).tables["spot_items"].to_pylist()
    assert sorted((r["household_id"], r["unit"], r["discrepancies"]) for r in rows) == [
        (world.home.code, "140826100", 2), (h2.code, "140826100", None)]
    verified = [r for r in rows if r["verified_on"] is not None]
    assert [type(r["verified_on"]) for r in verified] == [datetime.date]
    today = datetime.date.fromisoformat(str(verified[0]["verified_on"]))
    figures = indicators_compute(org=XIAGAOCHI, as_of=today)
    assert {k: figures[k] for k in ("ASST_BASE_HH", "SPOT_CHECKED_HH", "SPOT_CHECK_RATE", "SPOT_VERIFIED",
                                    "SPOT_DISCREPANT", "SPOT_DISCREPANCY_RATE")} == {
        "ASST_BASE_HH": 2, "SPOT_CHECKED_HH": 1, "SPOT_CHECK_RATE": 50.0, "SPOT_VERIFIED": 1, "SPOT_DISCREPANT": 1,
        "SPOT_DISCREPANCY_RATE": 100.0}
    township = indicators_compute(org="140826100", as_of=today)
    assert (township["SPOT_VERIFIED"], township["SPOT_DISCREPANT"], township["SPOT_DISCREPANCY_RATE"]) == (2, 1, 50.0)
