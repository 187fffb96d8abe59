"""The scoring core (supervision.scoring): golden fixtures with hand-computed points and ranks, the
shipped scheme, and the scheme validator's refusals (in Chinese, naming the key)."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.supervision import scoring

GOLDEN = Path(__file__).parent / "golden" / "appraisal"
DEFAULT = Path(scoring.__file__).parent / "data" / "schemes" / "default.toml"


def _fixtures():
    return sorted(GOLDEN.glob("*.toml"))


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_golden_fixture_scores_and_ranks_as_hand_computed(path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    scheme = scoring.scheme_parse(doc["scheme"], indicators=set(indicator_catalog()))
    groups = scoring.score(scheme, doc["unit"])
    rows = {row.unit: row for g in groups for row in g.rows}
    assert set(rows) == {u["unit"] for u in doc["unit"]}
    for unit in doc["unit"]:
        row, expect = rows[unit["unit"]], unit["expect"]
        assert {s.code: str(s.points) for s in row.items} == expect["points"], unit["name"]
        assert {s.code: str(s.points) for s in row.deductions} == expect.get("deductions", {}), unit["name"]
        assert str(row.total) == expect["total"], unit["name"]
        assert row.rank == expect["rank"], unit["name"]
        assert row.vetoed is expect["vetoed"], unit["name"]
        if expect["vetoed"]:
            assert [v["code"] for v in row.vetoes] == [expect["veto"]]
            if "reason" in expect:
                assert row.vetoes[0]["reason"] == expect["reason"]


def test_golden_fixtures_include_a_veto_and_a_tie():
    doc = tomllib.loads((GOLDEN / "veto_and_tie.toml").read_text(encoding="utf-8"))
    ranks = [u["expect"]["rank"] for u in doc["unit"] if u["kind"] == "township"]
    assert sorted(ranks) == [1, 2, 2, 4, 5, 5]
    assert any(u["expect"]["vetoed"] for u in doc["unit"])


def test_rank_order_puts_vetoed_units_last_even_with_the_most_points():
    doc = tomllib.loads((GOLDEN / "veto_and_tie.toml").read_text(encoding="utf-8"))
    scheme = scoring.scheme_parse(doc["scheme"])
    township = scoring.score(scheme, doc["unit"])[0]
    assert [r.name for r in township.rows] == ["甲镇", "丙镇", "乙镇", "戊镇", "丁镇", "己镇"]
    assert township.rows[-1].subtotal == Decimal("50.00")  # 己镇 had full points before its veto


def test_the_shipped_scheme_is_valid_and_names_only_dashboard_indicators():
    scheme = scoring.scheme_parse(DEFAULT.read_text(encoding="utf-8"), indicators=set(indicator_catalog()))
    assert [g.kind for g in scheme.groups] == ["township", "department"]
    assert all(sum(i.points for i in g.items) == g.total for g in scheme.groups)


def _scheme(item_extra: str = "", group_extra: str = "", top: str = "") -> str:
    return f"""{top}
[[group]]
kind = "township"
total = 10
{group_extra}
[[group.item]]
code = "A"
name = "覆盖率"
points = 10
source = "indicator"
indicator = "ASST_COVERAGE"
floor = 80
target = 100
{item_extra}
"""


@pytest.mark.parametrize("text, words", [
    ("not = [toml", "不是有效的 TOML"),
    ("name = 'x'", "至少要有一个 [[group]]"),
    (_scheme(top="colour = 1"), "未知的键 colour"),
    (_scheme(item_extra="weight = 3"), "未知的键 weight"),
    (_scheme(group_extra="total_points = 3"), "未知的键 total_points"),
    (_scheme().replace("total = 10", "total = 20"), "各项目分值之和为 10，应等于 total = 20"),
    (_scheme().replace('"ASST_COVERAGE"', '"NO_SUCH"'), "indicator NO_SUCH 不是看板的指标"),
    (_scheme().replace('source = "indicator"', 'source = "weather"'), "source 只能是"),
    (_scheme().replace("floor = 80", ""), "缺少 floor"),
    (_scheme().replace("floor = 80", "floor = 100"), "floor 与 target 不能相同"),
    (_scheme().replace('kind = "township"', 'kind = "city"'), "kind 只能是"),
    (_scheme(item_extra='missing = "half"'), "missing 只能是"),
    (_scheme().replace('"ASST_COVERAGE"', '"INCIDENCE"').replace('source = "indicator"', 'source = "spot"'),
     "SPOT_ 开头"),
    (_scheme(group_extra='[[group.veto]]\ncode = "V"\nname = "否决"\nsource = "assessment"\n'
                         'measure = "wrong_exit_rate"'), "需要 above 或 below"),
    (_scheme(group_extra='[[group.deduction]]\ncode = "A"\nname = "重复"\nsource = "ledger"\n'
                         'measure = "overdue"\nper = 1'), "code A 重复"),
    (_scheme(group_extra='[[group.deduction]]\ncode = "X"\nname = "扣分"\nsource = "ledger"\n'
                         'measure = "late"\nper = 1'), "measure 只能是"),
])
def test_a_faulty_scheme_is_refused_with_a_chinese_error_naming_the_key(text, words):
    errors = scoring.scheme_errors(text, indicators=set(indicator_catalog()))
    assert errors, text
    assert any(words in e for e in errors), errors


def test_a_valid_scheme_has_no_errors():
    assert scoring.scheme_errors(_scheme(), indicators=set(indicator_catalog())) == []


def test_a_unit_without_a_number_scores_zero_unless_the_item_says_full():
    scheme = scoring.scheme_parse(_scheme())
    [group] = scoring.score(scheme, [{"unit": 1, "name": "甲", "kind": "township", "values": {}}])
    assert group.rows[0].items[0].points == Decimal("0.00")
    scheme = scoring.scheme_parse(_scheme(item_extra='missing = "full"'))
    [group] = scoring.score(scheme, [{"unit": 1, "name": "甲", "kind": "township", "values": {"A": None}}])
    assert group.rows[0].items[0].points == Decimal("10.00")
