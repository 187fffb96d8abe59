"""`jingzhun alerts KIND FILE… [--org CODE] [--format json]`: loads, matches, prints the hits; bad input
changes nothing."""

from __future__ import annotations

import json

import pytest

from jingzhun.alerts.models import AlertBatch
from jingzhun.cli import main

from .test_compare_import import write_csv

ROW = {"就诊类别": "住院", "就诊日期": "2026-03-01", "出院日期": "2026-03-10", "医疗总费用": "30000", "个人自付": "6000"}


@pytest.mark.django_db(transaction=True)
def test_alerts_json_prints_each_hit_with_household_person_rule_and_figures(world, tmp_path, capsys):
    path = tmp_path / "医保费用.csv"
    write_csv(path, [{"姓名": "王建国", "身份证号": world.home.head_id_number, **ROW},
                     {"姓名": "陌生人", "出生日期": "1980-01-01", **ROW}])
    assert main(["alerts", "医保费用", str(path), "--org", "140826", "--date", "2026-11-30", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["rows"] == 2 and out["counts"]["hits"] == 1 and out["counts"]["leads_new"] == 1
    [hit] = out["hits"]
    assert (hit["household"], hit["person"], hit["rule"], hit["group"]) == (
        world.home.code, world.home.head_id_number, "YJ02", "monitored")
    assert hit["figures"]["out_of_pocket"] == 6000 and hit["figures"]["threshold"] == 5000
    assert out["policy"]["unit"] == "140826" and out["policy"]["year"] == 2026
    assert AlertBatch.objects.get().loaded_via == "命令行"


@pytest.mark.django_db(transaction=True)
def test_alerts_table_names_the_rule_and_the_figures(world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "住房.csv"
    write_csv(path, [{"姓名": "王建国", "身份证号": world.home.head_id_number, "鉴定等级": "D级", "鉴定日期": "2026-05-01"}])
    assert main(["alerts", "housing", str(path), "--org", "140826"]) == 0
    out = capsys.readouterr().out
    assert "YJ10" in out and "D级" in out and world.home.code in out


@pytest.mark.django_db(transaction=True)
def test_alerts_refuses_bad_files_unknown_kinds_and_units(world, tmp_path, capsys):
    path = tmp_path / "x.csv"
    write_csv(path, [{"姓名": "王建国", **ROW, "出院日期": ""}])
    assert main(["alerts", "medical", str(path), "--org", "140826", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [(i["row"], i["header"]) for i in out["issues"]] == [(2, "出院日期")]
    assert main(["alerts", "飞船", str(path)]) == 2
    assert "没有“飞船”这类预警数据" in capsys.readouterr().err
    assert main(["alerts", "medical", str(path), "--org", "999999"]) == 2
    assert not AlertBatch.objects.exists()
