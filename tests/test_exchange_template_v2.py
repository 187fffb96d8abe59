"""Template v2 (docs/template-v2.md): 户类别 and the monitoring columns on 户表, told apart from v1 by the
户类别 header; v1 files still import unchanged; every wrong cell named in Chinese, and nothing written."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from pathlib import Path

import pytest

from jingzhun.exchange.blank import exchange_template
from jingzhun.exchange.importer import registry_import
from jingzhun.exchange.template import V2_ONLY_HEADERS, headers
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry.models import Household
from jingzhun.synth import generate, write

from .exchange_files import COUNTY, read_rows, write_rows
from .test_exchange_import import snapshot

DAY = datetime.date(2024, 6, 30)


def _registry(households: int = 60):
    """A v2 registry with every category: 一般农户 asked for, 监测户 drawn (a reference day after 2020)."""
    return generate(county=COUNTY, households=households, seed=11, year=2023, as_of=DAY, ordinary=0.3)


def _v1(registry):
    """The same registry as a version 1 file: 户表 without the columns version 2 added."""
    households = registry.households
    return dataclasses.replace(registry, households=households.drop_columns(
        [h for h in households.column_names if h in V2_ONLY_HEADERS]), manifest=[])


def _registered_only(registry):
    """Only the 建档立卡 households (脱贫户 and 脱贫不稳定户), as a v1 file can hold them all."""
    import pyarrow.compute as pc

    h = registry.households
    keep = pc.or_(pc.equal(h["户类别"], "脱贫户"), pc.equal(h["监测对象类别"], "脱贫不稳定户"))
    households = h.filter(keep)
    members = registry.members.filter(pc.is_in(registry.members["户编号"], households["户编号"]))
    return dataclasses.replace(registry, households=households, members=members, manifest=[])


@pytest.fixture
def shanxi(db):
    divisions_load(prefix="1408")


def _categories() -> Counter:
    return Counter((h.category, h.monitoring_class) for h in Household.objects.all())


def _file_categories(path: Path) -> Counter:
    head, rows = read_rows(path)
    c, k = head.index("户类别"), head.index("监测对象类别")
    return Counter((r[c], r[k]) for r in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_v2_file_imports_every_category_and_again_changes_nothing(shanxi, tmp_path, fmt):
    registry = _registry()
    write(registry, tmp_path, fmt=fmt)
    write(registry, tmp_path / "csv", fmt="csv")
    report = registry_import(paths=[tmp_path / ("registry.xlsx" if fmt == "xlsx" else "户表.csv"),
                                    *([tmp_path / "村表.csv", tmp_path / "人员表.csv"] if fmt == "csv" else [])])
    assert report.ok, report.issues[:5]
    expected = _file_categories(tmp_path / "csv" / "户表.csv")
    assert {category for category, _klass in expected} == {"脱贫户", "监测户", "一般农户"}
    assert _categories() == expected
    ordinary = Household.objects.filter(category="一般农户").first()
    assert (ordinary.status, ordinary.attribute, ordinary.identified_year, ordinary.main_cause) == ("", "", None, "")
    monitored = Household.objects.filter(category="监测户").exclude(monitoring_since=None).first()
    assert monitored.risk_type and monitored.monitoring_class and monitored.income_12m is not None
    before = snapshot()
    again = registry_import(paths=[tmp_path / "csv"])
    assert again.ok and again.summary.households.unchanged == Household.objects.count()
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_v1_file_still_imports_and_makes_tuopinhu(shanxi, tmp_path, fmt):
    registry = _v1(_registered_only(_registry()))
    write(registry, tmp_path, fmt=fmt)
    report = registry_import(paths=[tmp_path])
    assert report.ok, report.issues[:5]
    assert report.summary.households.created == registry.households.num_rows
    assert set(_categories()) == {("脱贫户", "")}
    assert not Household.objects.filter(risk_eliminated=True).exists()


@pytest.mark.django_db
def test_a_v1_file_leaves_category_and_monitoring_as_stored(shanxi, tmp_path):
    registry = _registered_only(_registry())
    write(registry, tmp_path / "v2")
    assert registry_import(paths=[tmp_path / "v2"]).ok
    monitored = set(Household.objects.filter(category="监测户").values_list("code", "monitoring_class", "risk_type"))
    assert monitored
    write(_v1(registry), tmp_path / "v1")
    again = registry_import(paths=[tmp_path / "v1"])
    assert again.ok and again.summary.households.updated == 0
    assert set(Household.objects.filter(category="监测户").values_list("code", "monitoring_class", "risk_type")) \
        == monitored


def _row_of(path: Path, category: str, klass: str = "") -> int:
    """The Excel row of the first household of that category (and class)."""
    head, rows = read_rows(path)
    c, k = head.index("户类别"), head.index("监测对象类别")
    return next(i + 2 for i, r in enumerate(rows) if r[c] == category and (not klass or r[k] == klass))


def _set(path: Path, row: int, **cells) -> None:
    head, rows = read_rows(path)
    for header, value in cells.items():
        rows[row - 2][head.index(header)] = value
    write_rows(path, head, rows)


# (category of the row spoiled, its class, the cells set, the header reported, words of the message)
V2_ERRORS = [
    ("脱贫户", "", {"户类别": ""}, "户类别", "必填项不能为空"),
    ("脱贫户", "", {"户类别": "贫困户"}, "户类别", "不在可选值中"),
    ("监测户", "", {"监测对象类别": ""}, "监测对象类别", "户类别为“监测户”时必须填写监测对象类别"),
    ("监测户", "", {"监测对象类别": "重点监测户"}, "监测对象类别", "不在可选值中"),
    ("脱贫户", "", {"纳入监测时间": "2023-05-10"}, "纳入监测时间", "户类别为“脱贫户”，不应填写（只有监测户填写）"),
    ("一般农户", "", {"风险是否消除": "是"}, "风险是否消除", "户类别为“一般农户”，不应填“是”"),
    ("一般农户", "", {"脱贫状态": "已脱贫"}, "脱贫状态", "一般农户不是建档立卡户，不应填写此项"),
    ("监测户", "脱贫不稳定户", {"识别年度": ""}, "识别年度", "必填项不能为空（脱贫不稳定户是建档立卡户）"),
    ("脱贫户", "", {"贫困户属性": ""}, "贫困户属性", "必填项不能为空（脱贫户是建档立卡户）"),
    ("监测户", "", {"纳入监测时间": "2024-02-30"}, "纳入监测时间", "应为日期"),
    ("监测户", "", {"纳入监测时间": "2024/5/10"}, "纳入监测时间", "应为日期"),
    ("监测户", "", {"主要风险类型": "因穷"}, "主要风险类型", "不在可选值中"),
    ("监测户", "", {"主要风险类型": "因灾", "其他风险类型": "因灾"}, "其他风险类型", "不能与主要风险类型相同"),
    ("监测户", "", {"主要风险类型": "", "其他风险类型": "因灾"}, "其他风险类型", "必须填写主要风险类型"),
    ("监测户", "", {"其他风险类型": "因灾、因学、因病"}, "其他风险类型", "最多填两项"),
    ("脱贫户", "", {"家用车辆数": "0", "最贵车辆价值": "80000"}, "最贵车辆价值", "家用车辆数为 0 或空白时不应填写"),
    ("脱贫户", "", {"近12个月家庭纯收入": "一万"}, "近12个月家庭纯收入", "应为金额"),
    ("脱贫户", "", {"家用车辆数": "1.5"}, "家用车辆数", "非负整数"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("category,klass,cells,header,words", V2_ERRORS, ids=lambda v: str(v)[:20])
def test_each_v2_error_is_named_in_chinese_and_nothing_is_written(shanxi, tmp_path, category, klass, cells,
                                                                   header, words):
    write(_registry(), tmp_path)
    path = tmp_path / "户表.csv"
    row = _row_of(path, category, klass)
    _set(path, row, **cells)
    before = snapshot()
    report = registry_import(paths=[tmp_path])
    assert not report.ok
    assert any(i.sheet == "户表" and i.row == row and i.header == header and words in i.message
               for i in report.issues), report.issues
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_without_huleibie_but_with_a_v2_column_is_refused_by_name(shanxi, tmp_path):
    registry = _registered_only(_registry())
    v1 = _v1(registry)
    write(dataclasses.replace(v1, households=v1.households.append_column(
        "纳入监测时间", registry.households["纳入监测时间"])), tmp_path)
    report = registry_import(paths=[tmp_path])
    assert [(i.sheet, i.row, i.header) for i in report.issues] == [("户表", None, "纳入监测时间")]
    assert "属于模板第 2 版" in report.issues[0].message and "户类别" in report.issues[0].message
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_a_v2_file_without_a_jiandang_column_is_refused_when_it_holds_jiandang_households(shanxi, tmp_path):
    write(_registry(), tmp_path)
    head, rows = read_rows(tmp_path / "户表.csv")
    col = head.index("脱贫状态")
    write_rows(tmp_path / "户表.csv", [h for i, h in enumerate(head) if i != col],
               [[c for i, c in enumerate(r) if i != col] for r in rows])
    report = registry_import(paths=[tmp_path])
    assert any(i.header == "脱贫状态" and i.row is None and "缺少必填列" in i.message for i in report.issues)


def test_the_empty_template_is_version_2(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    exchange_template(tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(tmp_path / "blank.xlsx")
    assert [c.value for c in book["户表"][1]] == headers("户表") == headers("户表", 2)
    assert "户类别" in headers("户表", 2) and "户类别" not in headers("户表", 1)
    notes = [row[0].value for row in book["填写说明"].iter_rows(max_row=8)]
    assert any("版本 2" in (n or "") for n in notes) and any("第 1 版" in (n or "") for n in notes)
    rules = {(r[0].value, r[1].value): r[3].value for r in book["填写说明"].iter_rows(min_row=2) if r[1].value}
    assert "户类别为“监测户”时必填" in rules[("户表", "监测对象类别")]
    assert "应为日期" in rules[("户表", "纳入监测时间")]
