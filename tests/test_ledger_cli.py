"""`jingzhun ledger import FILE --county C --user U` and `jingzhun ledger progress --batch N`: they parse and
call the services; exit 0 on success, 1 with the error table (or JSON) on a refused file, 2 on bad arguments."""

from __future__ import annotations

import json

import openpyxl
import pytest

from jingzhun.cli import main as jingzhun
from jingzhun.supervision.models import Batch, Item
from jingzhun.synth.ledger import ledger_batch_workbook

from .ledger_batches import seed_batch

pytestmark = pytest.mark.django_db


def _args(path, *more, user="county_admin"):
    return ["ledger", "import", str(path), "--county", "140826", "--user", user, "--received-on", "2020-03-10",
            "--deadline", "2020-06-30", *more]


def test_import_says_what_it_stored(world, tmp_path, capsys):
    path = ledger_batch_workbook(tmp_path / "督导组反馈问题.xlsx")
    assert jingzhun(_args(path, "--create-missing", "--name", "省督导组反馈问题（2020年第1批）",
                          "--issued-by", "省脱贫攻坚第三督导组")) == 0
    out = capsys.readouterr().out
    assert "4 方面 21 个问题" in out and "县水利局" in out
    batch = Batch.objects.get()
    assert batch.name == "省督导组反馈问题（2020年第1批）" and batch.issued_by == "省脱贫攻坚第三督导组"
    assert Item.objects.filter(batch=batch).count() == 21


def test_import_json_and_a_refused_second_import(world, tmp_path, capsys):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    assert jingzhun(_args(path, "--create-missing", "--format", "json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["items"] == 21 and report["aspects"] == 4
    assert Batch.objects.get().name == "清单"  # the file's name by default
    assert jingzhun(_args(path, "--create-missing", "--name", "又一批", "--format", "json")) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and "不能重复导入" in report["issues"][0]["message"]


def test_a_bad_file_prints_the_errors_and_writes_the_error_workbook(world, tmp_path, capsys):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    errors = tmp_path / "错误.xlsx"
    assert jingzhun(_args(path, "--errors", str(errors))) == 1  # the departments are unknown
    out = capsys.readouterr().out
    assert "未导入任何问题" in out and errors.exists()
    assert openpyxl.load_workbook(errors).sheetnames
    assert not Batch.objects.exists()


def test_bad_arguments_exit_2(world, tmp_path, capsys):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    assert jingzhun(_args(path, user="nobody")) == 2
    assert jingzhun(_args(tmp_path / "missing.xlsx")) == 2
    assert jingzhun(_args(path, user="township_officer")) == 2
    assert jingzhun(["ledger", "import", str(path), "--user", "county_admin"]) == 2  # no --county
    assert jingzhun(_args(path, "--deadline", "六月底")) == 2
    assert jingzhun(["ledger", "progress", "--batch", "999"]) == 2
    assert "没有编号为 999 的交办批次" in capsys.readouterr().err
    assert not Batch.objects.exists()


def test_progress_prints_the_sentence_and_json_the_numbers(world, tmp_path, capsys):
    batch = seed_batch(world, tmp_path)
    assert jingzhun(["ledger", "progress", "--batch", str(batch.pk), "--as-of", "2020-05-01"]) == 0
    assert "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）" in capsys.readouterr().out
    assert jingzhun(["ledger", "progress", "--batch", str(batch.pk), "--as-of", "2020-05-01", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["aspects"], report["items"], report["closed"], report["remaining"], report["overdue"]) == (4, 21, 17, 4, 1)
    assert report["sentence"] == "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）"
    assert report["by_aspect"][0] == {"aspect": "精准识别", "items": 6, "closed": 2, "remaining": 4, "overdue": 1}
    assert sum(a["items"] for a in report["by_agency"]) == 21
    assert any(o["days_left"] == -22 for a in report["by_agency"] for o in a["open"])
