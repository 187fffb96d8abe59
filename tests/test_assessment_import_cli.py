"""`jingzhun assess import FILE --assessment N --user U`: parses and calls the service; exit 0 on success,
1 with the error table (or JSON) on a refused file, 2 on bad arguments."""

from __future__ import annotations

import json

import openpyxl
import pytest

from jingzhun.assessment.models import Case
from jingzhun.cli import main as jingzhun

from .results_files import csv_file, good_rows, results_world, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(world):
    return results_world(world)


def _args(rw, path, *more, user="hq"):
    return ["assess", "import", str(path), "--assessment", str(rw.assessment.pk), "--user", user, *more]


def test_a_good_file_imports_and_says_so(rw, tmp_path, capsys):
    assert jingzhun(_args(rw, workbook(tmp_path / "结果.xlsx", good_rows(rw)))) == 0
    out = capsys.readouterr().out
    assert "3 户问卷已完成" in out and "错退 1 户" in out
    assert Case.objects.filter(state=Case.State.COMPLETED).count() == 3


def test_json_output_of_a_gbk_csv(rw, tmp_path, capsys):
    path = csv_file(tmp_path / "结果.csv", good_rows(rw), encoding="gbk")
    assert jingzhun(_args(rw, path, "--format", "json", user="supervisor")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["imported"] == 3 and report["missed"] == 1 and report["issues"] == []


def test_a_refused_file_prints_the_error_table_and_writes_the_error_workbook(rw, tmp_path, capsys):
    rows = good_rows(rw)
    rows[1][0] = 99
    errors = tmp_path / "错误.xlsx"
    assert jingzhun(_args(rw, workbook(tmp_path / "错.xlsx", rows), "--errors", str(errors))) == 1
    out = capsys.readouterr().out
    assert "未导入任何问卷" in out and "样本序号" in out
    listed = openpyxl.load_workbook(errors)["错误清单"]
    assert any("没有样本序号为 99" in (row[5].value or "") for row in listed.iter_rows(min_row=2))
    assert not Case.objects.exclude(state=Case.State.ASSIGNED).exists()


def test_json_of_a_refused_file_is_exit_1(rw, tmp_path, capsys):
    path = workbook(tmp_path / "结果.xlsx", good_rows(rw))
    assert jingzhun(_args(rw, path)) == 0
    capsys.readouterr()
    assert jingzhun(_args(rw, path, "--format", "json")) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and len(report["issues"]) == 3 and "已完成" in report["issues"][0]["message"]


@pytest.mark.parametrize("args, message", [
    (["--user", "nobody"], "没有启用的用户"),
    (["--user", "enumerator"], "不能导入"),
    (["--user", "county_admin"], "不能导入"),
    (["--assessment", "999999"], "没有编号为 999999 的评估"),
])
def test_bad_arguments_are_exit_2(rw, tmp_path, capsys, args, message):
    path = workbook(tmp_path / "结果.xlsx", good_rows(rw))
    argv = _args(rw, path)
    for flag, value in zip(args[::2], args[1::2]):
        argv[argv.index(flag) + 1] = value
    assert jingzhun(argv) == 2
    assert message in capsys.readouterr().err
    assert not Case.objects.exclude(state=Case.State.ASSIGNED).exists()


def test_a_missing_file_or_argument_is_exit_2(rw, tmp_path, capsys):
    assert jingzhun(_args(rw, tmp_path / "没有.xlsx")) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert jingzhun(["assess", "import", str(tmp_path / "x.xlsx"), "--user", "hq"]) == 2
    assert "--assessment" in capsys.readouterr().err
