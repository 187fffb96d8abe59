"""`jingzhun leads`: a unit's queue as a table or JSON, filtered by status."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from jingzhun.cli import main as jingzhun
from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.services import lead_create
from jingzhun.monitoring.vocab import Channel, RiskType

from .people import HENGDONG, XIAGAOCHI, ZHANGGUO, id_number

pytestmark = pytest.mark.django_db


def _leads(world):
    late = lead_create(channel=Channel.SELF_REPORT, village=XIAGAOCHI, risk_type=RiskType.ILLNESS, description="x",
                       name="甲", id_number=id_number("140826", "19800202", 7))
    Lead.objects.filter(pk=late.pk).update(verify_due=timezone.localdate() - datetime.timedelta(days=1))
    lead_create(channel=Channel.DEPARTMENT, village=HENGDONG, risk_type=RiskType.HOUSING, description="危房",
                household=world.other_township, source_ref="住建 批次 4 第 9 行")
    lead_create(channel=Channel.DEPARTMENT, village=ZHANGGUO, risk_type=RiskType.HOUSING, description="危房",
                household=world.other_county)
    Lead.objects.filter(village_id=HENGDONG).update(status="verified", result="exclude", result_reason="收入高")
    return late


def test_leads_lists_the_units_queue_as_json_with_overdue_marks(world, capsys):
    late = _leads(world)
    assert jingzhun(["leads", "--org", "140826", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["village"] for row in data["leads"]] == [XIAGAOCHI, HENGDONG]  # not the other county's
    assert data["leads"][0]["id"] == late.pk and data["leads"][0]["overdue"] is True
    assert jingzhun(["leads", "--org", "140826", "--status", "pending", "--format", "json"]) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)["leads"]] == [late.pk]
    # what became of a department's batch
    assert jingzhun(["leads", "--org", "140826", "--source", "住建 批次 4", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["leads"]
    assert [(r["village"], r["result"], r["sources"]) for r in rows] == [(HENGDONG, "不纳入", ["住建 批次 4 第 9 行"])]


def test_leads_table_says_how_many_are_overdue(world, capsys):
    _leads(world)
    assert jingzhun(["leads", "--org", "140826100"]) == 0
    out = capsys.readouterr().out
    assert "监测线索 1 条，其中逾期未核实 1 条" in out and "因病" in out


@pytest.mark.parametrize("args, words", [
    (["--org", "999999"], "没有区划代码"),
    (["--org", "140826", "--status", "open"], "--status"),
    ([], "缺少参数 --org"),
])
def test_leads_bad_arguments_get_a_chinese_error(world, capsys, args, words):
    assert jingzhun(["leads", *args]) == 2
    assert words in capsys.readouterr().err
