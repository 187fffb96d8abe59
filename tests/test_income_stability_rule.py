"""收入稳定超过监测线 (workflows/sql/income_stable.sql) as golden pairs: verifications in, the verdict out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from jingzhun.workflows.evaluation import income_stability

AS_OF = datetime.date(2026, 12, 5)
SINCE = datetime.date(2026, 6, 5)
LINES = {2026: Decimal("6000"), 2025: Decimal("5800")}


@dataclass
class V:
    """An income verification as the rule reads it."""

    household_id: str
    verified_on: datetime.date
    per_capita: Decimal


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


CASES = [
    # (name, [(day, per capita)], expected: anchor, n, below days)
    ("six months covered, all above", [("2026-06-01", "7000"), ("2026-09-01", "6500"), ("2026-12-01", "6100")],
     {"anchor": d("2026-06-01"), "n": 3, "below_on": None}),
    ("the anchor may be exactly six months back", [("2026-06-05", "7000"), ("2026-12-01", "7000")],
     {"anchor": d("2026-06-05"), "n": 2, "below_on": None}),
    ("a day short of six months: no anchor", [("2026-06-06", "7000"), ("2026-12-01", "7000")],
     {"anchor": None, "n": None, "below_on": None}),
    ("equal to the line is not above it", [("2026-05-01", "7000"), ("2026-08-01", "6000")],
     {"anchor": d("2026-05-01"), "n": 2, "below_on": [d("2026-08-01")]}),
    ("only the window counts: an old dip before the anchor is forgiven",
     [("2025-10-01", "3000"), ("2026-05-20", "7000"), ("2026-11-01", "7000")],
     {"anchor": d("2026-05-20"), "n": 2, "below_on": None}),
    ("each verification against its own year's line", [("2025-12-20", "5900"), ("2026-10-01", "6100")],
     {"anchor": d("2025-12-20"), "n": 2, "below_on": None}),
    ("a verification after the as-of day is not read", [("2026-05-01", "7000"), ("2026-12-20", "100")],
     {"anchor": d("2026-05-01"), "n": 1, "below_on": None}),
]


@pytest.mark.parametrize("name, rows, expected", CASES, ids=[c[0] for c in CASES])
def test_income_stability_golden(name, rows, expected):
    verifications = [V("H1", d(day), Decimal(value)) for day, value in rows]
    found = income_stability(verifications, LINES, as_of=AS_OF, since=SINCE)["H1"]
    assert {k: found[k] for k in expected} == expected


def test_households_are_judged_apart_and_a_year_without_a_line_is_named():
    verifications = [V("H1", d("2026-01-10"), Decimal("9000")), V("H2", d("2026-03-01"), Decimal("9000")),
                     V("H2", d("2026-12-01"), Decimal("5000"))]
    found = income_stability(verifications, {2026: None}, as_of=AS_OF, since=SINCE)
    assert set(found) == {"H1", "H2"}
    assert found["H1"]["years_without_line"] == [2026]
    assert found["H2"]["n"] == 2 and found["H2"]["below_on"] is None  # no line: not judged below, but no data
