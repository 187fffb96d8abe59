"""The matching model is trained per dataset kind, stored, and reused by the next run."""

from __future__ import annotations

import pytest

from jingzhun.compare.kinds import KINDS
from jingzhun.compare.matching import default_model
from jingzhun.compare.models import MatchModel
from jingzhun.compare.services import compare_run_execute, dataset_load
from jingzhun.exchange.importer import import_sheets, sheets_from_tables
from jingzhun.synth import generate

from .test_compare_import import write_csv


def _u(model: dict, comparison: str) -> list[float]:
    levels = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)["comparison_levels"]
    return [lv.get("u_probability") for lv in levels if not lv.get("is_null_level")]


@pytest.mark.django_db(transaction=True)
def test_a_kind_gets_its_own_trained_model_which_later_runs_reuse(world, tmp_path):
    registry = generate(county="140826", households=250, seed=3)
    assert import_sheets(sheets=sheets_from_tables(registry.tables, "synth")).ok
    members = registry.members.to_pylist()[:600]
    path = tmp_path / "医保参保.csv"
    write_csv(path, [{"姓名": m["姓名"], "身份证号": m["身份证号"] if i % 3 else "", "性别": m["性别"],
                      "出生日期": m["身份证号"][6:14], "年度": "2024", "参保状态": "参保"}
                     for i, m in enumerate(members)])
    assert dataset_load(kind=KINDS["medical"], paths=[path], acting_user=world.county_admin).ok

    run = compare_run_execute(kind=KINDS["medical"], org="140826", acting_user=world.county_admin)
    stored = MatchModel.objects.get(kind="medical")
    assert _u(stored.settings_json, "name") != _u(default_model(), "name")  # u estimated from the data
    assert 0 < stored.settings_json["probability_two_random_records_match"] < 1
    assert not MatchModel.objects.filter(kind="death").exists()
    assert run.counts["exact"] == 400 and run.counts["auto"] + run.counts["pending"] >= 590

    trained_at = stored.trained_at
    compare_run_execute(kind=KINDS["medical"], org="140826", acting_user=world.county_admin)
    assert MatchModel.objects.get(kind="medical").trained_at == trained_at  # reused, not retrained
    compare_run_execute(kind=KINDS["medical"], org="140826", acting_user=world.county_admin, retrain=True)
    assert MatchModel.objects.get(kind="medical").trained_at > trained_at
