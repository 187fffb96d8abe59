"""`jingzhun import PATH…` says on stderr where it is: one line per stage in a log, one line redrawn on a
terminal, nothing with --format json."""

from __future__ import annotations

import io
import json
import re

import pytest

from jingzhun.cli import _StageLine
from jingzhun.cli import main as jingzhun
from jingzhun.orgunits.services import divisions_load

from .exchange_files import read_rows, synth_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(db, tmp_path):
    divisions_load(prefix="1408")
    return synth_folder(tmp_path / "in")


def test_each_stage_and_table_gets_a_line_with_rows_and_percent(folder, capsys):
    assert jingzhun(["import", str(folder)]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    percents = [int(re.search(r"(\d+)%$", line).group(1)) for line in lines]
    assert percents == sorted(percents) and percents[0] == 5 and percents[-1] == 100
    _, households = read_rows(folder / "户表.csv")
    _, members = read_rows(folder / "人员表.csv")
    _, villages = read_rows(folder / "村表.csv")
    total = len(households) + len(members) + len(villages)
    assert lines[0] == "读取文件 5%"
    assert lines[1] == f"检查格式：{total:,} 行 30%"
    assert lines[2] == "写入数据库 60%"
    assert lines[3] == f"写入数据库：村情（已写 0 / {total:,} 行） 61%"
    assert lines[4].startswith(f"写入数据库：贫困户（已写 {len(villages):,} / {total:,} 行）")
    assert lines[5].startswith(f"写入数据库：家庭成员（已写 {len(villages) + len(households):,} / {total:,} 行）")
    assert lines[-1] == "完成 100%"
    assert "导入完成" in captured.out  # the summary table still goes to stdout


def test_json_output_keeps_stderr_quiet(folder, capsys):
    assert jingzhun(["import", str(folder), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and json.loads(captured.out)["ok"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_line_is_redrawn_in_place_and_ended_once():
    screen = _Terminal()
    shown = _StageLine(screen)
    shown("读取文件", 5)
    shown("检查格式：10 行", 30)
    shown.close()
    assert screen.getvalue() == "\r\x1b[K读取文件 5%\r\x1b[K检查格式：10 行 30%\n"
