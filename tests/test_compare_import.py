"""Loading other departments' files: every kind's format errors (all or nothing), and a good batch kept."""

from __future__ import annotations

import datetime

import pytest
import xlsxwriter

from jingzhun.compare.kinds import KINDS
from jingzhun.compare.models import Batch, ExternalRecord
from jingzhun.compare.services import dataset_load

#: One good row per kind (the person columns plus the kind's own required ones).
GOOD = {
    "death": {"死亡日期": "2024-05-01"},
    "staff": {"单位": "绛县教育局", "岗位": "教师"},
    "cadre": {"村代码": "140826100233", "职务": "村委会主任"},
    "vehicle": {"号牌号码": "晋M12345", "车辆类型": "小型轿车", "购置价格": "86000"},
    "company": {"企业名称": "绛县某某商贸有限公司", "角色": "法定代表人", "注册资本": "50"},
    "property": {"坐落": "绛县古绛镇新城小区3号楼", "面积": "96.5", "房屋类型": "商品房"},
    "medical": {"年度": "2024", "参保状态": "未参保"},
    "pension": {"年度": "2024", "参保状态": "参保"},
    "assistance": {"类别": "低保", "开始日期": "2023-01-01"},
}
#: One bad cell per kind in a kind-specific column, and the message it must produce.
BAD = {
    "death": ("死亡日期", "2024-02-30", "应为日期"),
    "staff": ("单位", "", "必填"),
    "cadre": ("村代码", "1408261002", "12 位数字"),
    "vehicle": ("车辆类型", "飞船", "不在可选值中"),
    "company": ("角色", "老板", "不在可选值中"),
    "property": ("房屋类型", "别墅", "不在可选值中"),
    "medical": ("年度", "24", "四位年份"),
    "pension": ("参保状态", "是", "不在可选值中"),
    "assistance": ("类别", "五保", "不在可选值中"),
}


def write_csv(path, rows: list[dict]) -> None:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def person(**extra) -> dict:
    return {"姓名": "王建国", "身份证号": "", "性别": "男", "出生日期": "1965-03-04", **extra}


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_loads_a_good_file_and_keeps_source_date_and_loader(code, world, tmp_path):
    path = tmp_path / f"{KINDS[code].label}.csv"
    write_csv(path, [person(**GOOD[code]), person(**GOOD[code]) | {"姓名": "李四"}])
    report = dataset_load(kind=KINDS[code], paths=[path], acting_user=world.county_admin, source="县公安局",
                          data_date=datetime.date(2024, 6, 30), via="测试")
    assert report.ok, report.issues
    batch = report.batch
    assert (batch.kind, batch.source, batch.data_date, batch.loaded_by, batch.rows) == (
        code, "县公安局", datetime.date(2024, 6, 30), world.county_admin, 2)
    record = ExternalRecord.objects.filter(batch=batch).order_by("row").first()
    assert record.row == 2 and record.name == "王建国" and record.birth_date == datetime.date(1965, 3, 4)
    own = {h: v for h, v in GOOD[code].items() if h not in ("村代码",)}
    assert record.extra == own


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_refuses_a_bad_cell_with_row_and_header_and_stores_nothing(code, world, tmp_path):
    header, value, message = BAD[code]
    path = tmp_path / "data.csv"
    write_csv(path, [person(**GOOD[code]), person(**GOOD[code]) | {header: value}])
    report = dataset_load(kind=KINDS[code], paths=[path], acting_user=world.county_admin)
    assert not report.ok
    assert [(i.row, i.header) for i in report.issues] == [(3, header)]
    assert message in report.issues[0].message and report.issues[0].sheet == KINDS[code].label
    assert not Batch.objects.exists() and not ExternalRecord.objects.exists()


@pytest.mark.django_db
def test_person_columns_are_checked_too(world, tmp_path):
    path = tmp_path / "死亡人口.csv"
    write_csv(path, [person(死亡日期="2024-01-01", 身份证号="14082619650304123", 性别="m", 出生日期="1965/13/01"),
                     person(死亡日期="2024-01-01", 姓名="")])
    report = dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin)
    got = {(i.row, i.header) for i in report.issues}
    assert got == {(2, "身份证号"), (2, "性别"), (2, "出生日期"), (3, "姓名")}
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_unknown_and_missing_columns_are_refused(world, tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path, [{"姓名": "王建国", "籍贯": "山西"}])
    report = dataset_load(kind=KINDS["vehicle"], paths=[path], acting_user=world.county_admin)
    messages = {(i.header, i.message[:6]) for i in report.issues}
    assert ("籍贯", "“机动车登记”"[:6]) in messages
    assert {i.header for i in report.issues} == {"籍贯", "号牌号码", "车辆类型"}
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_hostile_files_are_issues_not_tracebacks(world, tmp_path):
    garbage = tmp_path / "死亡人口.xlsx"
    garbage.write_bytes(b"not a workbook at all")
    old = tmp_path / "死亡人口.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    report = dataset_load(kind=KINDS["death"], paths=[garbage, old, tmp_path / "missing.csv"],
                          acting_user=world.county_admin)
    assert len(report.issues) == 3 and all(i.message for i in report.issues)
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_xlsx_with_id_numbers_stored_as_numbers_is_refused(world, tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("死亡人口")
    for c, h in enumerate(["姓名", "身份证号", "死亡日期"]):
        ws.write_string(0, c, h)
    ws.write_string(1, 0, "王建国")
    ws.write_number(1, 1, 140826196503041234)
    ws.write_string(1, 2, "2024-01-01")
    book.close()
    report = dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin)
    assert [(i.sheet, i.row, i.header) for i in report.issues] == [("死亡人口", 2, "身份证号")]
    assert "数字" in report.issues[0].message


@pytest.mark.django_db
def test_xlsx_good_sheet_loads(world, tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write_string(0, 0, "本表由县公安局提供")
    ws = book.add_worksheet("死亡人口")
    for c, (h, v) in enumerate([("姓名", "王建国"), ("身份证号", ""), ("死亡日期", "2024-01-01")]):
        ws.write_string(0, c, h)
        ws.write_string(1, c, v)
    book.close()
    report = dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin)
    assert report.ok and report.batch.rows == 1


@pytest.mark.django_db
def test_only_county_staff_load_other_departments_data(world, tmp_path):
    from django.core.exceptions import PermissionDenied

    path = tmp_path / "死亡人口.csv"
    write_csv(path, [person(死亡日期="2024-01-01")])
    for user in (world.village_clerk, world.township_officer, world.evaluator, world.analyst, world.cadre):
        with pytest.raises(PermissionDenied):
            dataset_load(kind=KINDS["death"], paths=[path], acting_user=user)
    assert not Batch.objects.exists()
