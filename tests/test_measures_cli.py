"""`jingzhun measures import|export`: the CLI parses and calls the services; errors are exit status 1 or 2."""

from __future__ import annotations

import datetime
import json

import openpyxl
import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Measure
from jingzhun.assistance.services.measures import measure_create
from jingzhun.cli import main as jingzhun

from .test_measures_exchange import _rows, _workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def poor(world):
    from .people import XIAGAOCHI, make_household

    world.poor = make_household(XIAGAOCHI, 2, "钱有粮", status="未脱贫")
    return world.poor


def test_import_then_import_again_changes_nothing(world, poor, tmp_path, capsys):
    path = _workbook(tmp_path / "措施.xlsx", _rows(world))
    assert jingzhun(["measures", "import", str(path), "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["ok"] and first["created"] == 3
    assert jingzhun(["measures", "import", str(path)]) == 0
    assert "未变 3 项" in capsys.readouterr().out
    assert Measure.objects.count() == 3


def test_import_as_a_user_is_limited_to_their_reach(world, poor, tmp_path, capsys):
    rows = _rows(world) + [[world.neighbour.code, "", 2024, "产业帮扶", "养羊", "", "2024-01-01", "", "", "", "",
                            "", "", "", "", ""]]
    path = _workbook(tmp_path / "越界.xlsx", rows)
    errors = tmp_path / "错误.xlsx"
    assert jingzhun(["measures", "import", str(path), "--user", "village_clerk", "--errors", str(errors)]) == 1
    out = capsys.readouterr().out
    assert "未导入任何措施" in out
    assert not Measure.objects.exists()
    listed = openpyxl.load_workbook(errors)["错误清单"]
    assert any("管辖范围" in (row[5].value or "") for row in listed.iter_rows(min_row=2))
    assert jingzhun(["measures", "import", str(path), "--user", "county_admin"]) == 0
    assert Measure.objects.count() == 4


def test_import_as_a_read_only_user_or_an_unknown_user_is_refused(world, tmp_path, capsys):
    path = _workbook(tmp_path / "措施.xlsx", [])
    assert jingzhun(["measures", "import", str(path), "--user", "cadre"]) == 2
    assert "不能导入帮扶措施" in capsys.readouterr().err
    assert jingzhun(["measures", "import", str(path), "--user", "nobody"]) == 2
    assert "没有启用的用户" in capsys.readouterr().err


def test_a_missing_file_is_an_error_not_a_traceback(world, tmp_path, capsys):
    assert jingzhun(["measures", "import", str(tmp_path / "没有.xlsx"), "--format", "json"]) == 1
    assert "找不到文件" in json.loads(capsys.readouterr().out)["issues"][0]["message"]


def test_export_writes_the_units_measures_and_an_audit_row(world, tmp_path, capsys):
    measure_create(acting_user=world.county_admin, household_code=world.home.code, type="industry", year=2024,
                   name="养牛", start=datetime.date(2024, 1, 1))
    measure_create(acting_user=world.outsider, household_code=world.other_county.code, type="industry", year=2024,
                   name="种椒", start=datetime.date(2024, 1, 1))
    out = tmp_path / "措施.xlsx"
    assert jingzhun(["measures", "export", "--org", "140826", "--out", str(out)]) == 0
    assert "1 项" in capsys.readouterr().out
    names = [row[4].value for row in openpyxl.load_workbook(out)["帮扶措施"].iter_rows(min_row=2)]
    assert names == ["养牛"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, detail__what="measures")
    assert event.username.startswith("cli:") and event.detail["count"] == 1
    # the export re-imports to the same measures
    assert jingzhun(["measures", "import", str(out)]) == 0
    assert "未变 1 项" in capsys.readouterr().out


def test_export_of_an_unknown_unit_says_so(world, tmp_path, capsys):
    assert jingzhun(["measures", "export", "--org", "999999", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "没有区划代码" in capsys.readouterr().err
