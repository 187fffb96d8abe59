"""`jingzhun compare KIND FILE…`: loads, matches, reports (JSON for scripts); bad input changes nothing."""

from __future__ import annotations

import json

import pytest

from jingzhun.checks.models import Problem
from jingzhun.cli import main
from jingzhun.compare.models import Batch

from .test_compare_import import write_csv


@pytest.mark.django_db(transaction=True)
def test_compare_json_reports_matches_and_raises_problems(world, tmp_path, capsys):
    path = tmp_path / "财政供养人员.csv"
    write_csv(path, [{"姓名": "王建国", "身份证号": world.home.head_id_number, "单位": "绛县财政局"},
                     {"姓名": "王建郭", "出生日期": "1965-03-04", "村代码": world.home.code[:12], "单位": "绛县水利局"}])
    assert main(["compare", "财政供养人员", str(path), "--org", "140826", "--source", "县财政局",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["counts"]["exact"] == 1 and out["counts"]["fuzzy"] == 1
    assert {m["record_name"] for m in out["matches"]} == {"王建国", "王建郭"}
    assert Batch.objects.get().source == "县财政局"
    assert Problem.objects.filter(rule="BD02", person=world.home.head_id_number).exists()


@pytest.mark.django_db(transaction=True)
def test_compare_refuses_bad_files_and_unknown_kinds(world, tmp_path, capsys):
    path = tmp_path / "x.csv"
    write_csv(path, [{"姓名": "王建国", "单位": ""}])
    assert main(["compare", "staff", str(path), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [(i["row"], i["header"]) for i in out["issues"]] == [(2, "单位")]
    assert main(["compare", "飞船登记", str(path)]) == 2
    assert "没有“飞船登记”这类比对数据" in capsys.readouterr().err
    assert main(["compare", "staff", str(path), "--date", "2024-13-01"]) == 2
    assert not Batch.objects.exists()
