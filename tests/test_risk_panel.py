"""The synthetic risk panel (jingzhun/synth/risk_panel.py): seeded, plausible, and noisy by construction."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest
from stdnum.cn import ric

from jingzhun.analytics import SCHEMA
from jingzhun.synth.risk_panel import generate_panel


def test_the_same_seed_gives_the_same_panel_and_another_seed_another():
    one, again, other = (generate_panel(households=2_000, seed=s) for s in (5, 5, 6))
    for part in ("before", "now", "after"):
        for name, table in getattr(one, part).items():
            assert table.equals(getattr(again, part)[name]), (part, name)
    assert not one.after["households"].column("status").equals(other.after["households"].column("status"))


def test_tables_have_the_snapshot_schema_and_valid_id_numbers():
    panel = generate_panel(households=500, seed=1)
    for name, table in panel.now.items():
        assert [f.name for f in table.schema] == [c for c, _t in SCHEMA[name]]
    ids = panel.now["members"].column("id_number").to_pylist()
    # the check character (ric.validate would also refuse region codes younger than the birth year)
    assert all(len(n) == 18 and ric.calc_check_digit(n) == n[-1] for n in ids)
    heads = panel.now["members"].filter(pc.equal(panel.now["members"].column("relation"), "户主"))
    assert heads.num_rows == panel.now["households"].num_rows


def test_only_exited_households_return_and_at_a_plausible_rate():
    panel = generate_panel(households=20_000, seed=2)
    before = np.array(panel.now["households"].column("status").to_pylist())
    after = np.array(panel.after["households"].column("status").to_pylist())
    returned = after == "返贫"
    assert set(before[returned]) == {"已脱贫"}
    assert 0.03 < returned[before == "已脱贫"].mean() < 0.15


def test_the_outcome_is_not_a_function_of_the_registry():
    """Households that look the same in year t's registry do not share one fate: within the 10% with the
    lowest incomes, and within the 10% with the highest, both outcomes occur."""
    from .risk_data import panel_set

    _panel, features, labels = panel_set()
    income = features.column("per_capita_income").to_numpy(zero_copy_only=False)
    label = labels.column("label").to_numpy()
    low, high = income <= np.nanquantile(income, 0.1), income >= np.nanquantile(income, 0.9)
    assert 0 < label[low].mean() < 1 and 0 < label[high].mean() < 1


def test_refuses_bad_arguments_in_chinese():
    with pytest.raises(ValueError, match="户数"):
        generate_panel(households=0, seed=1)
    with pytest.raises(ValueError, match="村代码"):
        generate_panel(households=10, seed=1, villages=["140829102210"])
