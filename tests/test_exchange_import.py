"""Importing the template: every format error named, all or nothing, idempotent, scoped."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.importer import registry_import
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry.models import AssistanceCadre, Household, Member, VillageProfile

from .exchange_files import database_rows, read_rows, set_cell, synth_folder, write_rows

REGISTRY_MODELS = (VillageProfile, Household, Member, AssistanceCadre)


def snapshot() -> dict:
    """Every registry row and history row, in key order: equal snapshots mean an untouched registry."""
    state = {}
    for model in REGISTRY_MODELS:
        state[model.__name__] = list(model.objects.order_by("pk").values())
        if hasattr(model, "history"):
            state[f"history-{model.__name__}"] = list(model.history.order_by("history_id").values())
    return state


@pytest.fixture
def shanxi(db):
    divisions_load(prefix="1408")


@pytest.fixture
def files(tmp_path, shanxi):
    return synth_folder(tmp_path / "in")


def _issues(report):
    return [(i.sheet, i.row, i.header, i.message) for i in report.issues]


@pytest.mark.django_db
def test_import_creates_everything_then_changes_nothing_the_second_time(files):
    report = registry_import(paths=[files])
    assert report.ok, report.issues[:5]
    s = report.summary
    _, households = read_rows(files / "户表.csv")
    _, members = read_rows(files / "人员表.csv")
    assert (s.households.created, s.members.created) == (len(households), len(members))
    assert Household.objects.count() == len(households) and Member.objects.count() == len(members)
    history = Household.history.count() + Member.history.count()
    assert history == len(households) + len(members)
    before = snapshot()
    again = registry_import(paths=[files])
    assert again.ok
    assert again.summary.households.unchanged == len(households) and again.summary.households.created == 0
    assert again.summary.members.unchanged == len(members) and again.summary.members.updated == 0
    assert snapshot() == before  # no history, no touched timestamps


@pytest.mark.django_db
def test_changed_cell_updates_one_household_with_history(files):
    registry_import(paths=[files])
    head, rows = read_rows(files / "户表.csv")
    code = rows[3][head.index("户编号")]
    set_cell(files / "户表.csv", 5, "工资性收入", "98765.43")
    report = registry_import(paths=[files])
    assert (report.summary.households.updated, report.summary.households.unchanged) == (1, len(rows) - 1)
    household = Household.objects.get(code=code)
    assert str(household.wage_income) == "98765.43"
    latest = household.history.first()
    assert latest.history_type == "~" and "户表.csv" in latest.history_change_reason
    assert latest.history_user is None  # the CLI imports as the system


@pytest.mark.django_db
def test_members_missing_from_a_later_file_are_kept(files):
    registry_import(paths=[files])
    head, rows = read_rows(files / "人员表.csv")
    write_rows(files / "人员表.csv", head, rows[1:])
    report = registry_import(paths=[files])
    assert report.ok and Member.objects.count() == len(rows)


# (sheet, excel row, header, new value, words of the message)
FORMAT_ERRORS = [
    ("户表.csv", 2, "贫困户属性", "贫困户", "不在可选值中"),
    ("户表.csv", 3, "识别年度", "二〇一四", "四位年份"),
    ("户表.csv", 4, "工资性收入", "12,000", "金额"),
    ("户表.csv", 5, "户编号", "14082610023300", "16 位数字"),
    ("户表.csv", 6, "户主身份证号", "1408261965", "18 位"),
    ("户表.csv", 7, "饮水安全", "有", "“是”或“否”"),
    ("户表.csv", 8, "主要致贫原因", "", "必填项不能为空"),
    ("户表.csv", 9, "其他致贫原因", "因病、因残、因学", "最多填两项"),
    ("村表.csv", 2, "户籍人口", "-5", "非负整数"),
    ("村表.csv", 3, "村代码", "14082610023", "12 位数字"),
    ("人员表.csv", 2, "性别", "M", "不在可选值中"),
    ("人员表.csv", 3, "务工时间", "半年", "月数"),
    ("人员表.csv", 4, "身份证号", "", "必填项不能为空"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,row,header,value,words", FORMAT_ERRORS)
def test_each_format_error_is_named_and_nothing_is_written(files, name, row, header, value, words):
    set_cell(files / name, row, header, value)
    before = snapshot()
    report = registry_import(paths=[files])
    assert not report.ok
    sheet = name.removesuffix(".csv")
    assert any(i.sheet == sheet and i.row == row and i.header == header and words in i.message
               for i in report.issues), report.issues
    assert all(i.message for i in report.issues)
    assert snapshot() == before


@pytest.mark.django_db
def test_all_errors_are_reported_not_just_the_first(files):
    for name, row, header, value, _words in FORMAT_ERRORS:
        set_cell(files / name, row, header, value)
    report = registry_import(paths=[files])
    found = {(i.sheet, i.row, i.header) for i in report.issues}
    for name, row, header, _value, _words in FORMAT_ERRORS:
        assert (name.removesuffix(".csv"), row, header) in found
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_unknown_and_missing_columns(files):
    head, rows = read_rows(files / "户表.csv")
    col = head.index("脱贫状态")
    head = [h for i, h in enumerate(head) if i != col] + ["备注"]
    rows = [[c for i, c in enumerate(r) if i != col] + ["x"] for r in rows]
    write_rows(files / "户表.csv", head, rows)
    issues = _issues(registry_import(paths=[files]))
    assert any(h == "备注" and "未知表头" in m for _s, _r, h, m in issues)
    assert any(h == "脱贫状态" and "缺少必填列" in m for _s, _r, h, m in issues)


@pytest.mark.django_db
def test_cross_field_and_cross_sheet_errors(files):
    head, rows = read_rows(files / "户表.csv")
    code_col, village_col = head.index("户编号"), head.index("村代码")
    rows[1][code_col] = rows[0][code_col]  # duplicate 户编号 (rows 2 and 3)
    rows[2][village_col] = "140826100201" if rows[2][village_col] != "140826100201" else "140826100202"  # mismatch
    rows[3][village_col] = "149999999999"  # not in the division list
    rows[3][code_col] = "149999999999" + rows[3][code_col][12:]
    write_rows(files / "户表.csv", head, rows)
    mhead, mrows = read_rows(files / "人员表.csv")
    mrows.append(list(mrows[0]))  # a duplicate member row
    orphan = list(mrows[1])
    orphan[mhead.index("户编号")] = "1408261002330999"
    mrows.append(orphan)
    write_rows(files / "人员表.csv", mhead, mrows)
    issues = _issues(registry_import(paths=[files]))
    assert any(s == "户表" and r == 3 and h == "户编号" and "重复" in m and "第 2 行" in m for s, r, h, m in issues)
    assert any(s == "户表" and r == 4 and h == "户编号" and "前 12 位" in m for s, r, h, m in issues)
    assert any(s == "户表" and r == 5 and h == "村代码" and "区划表中没有" in m for s, r, h, m in issues)
    n = len(mrows) + 1
    assert any(s == "人员表" and r == n - 1 and h == "身份证号" and "重复" in m for s, r, h, m in issues)
    assert any(s == "人员表" and r == n and h == "户编号" and "都没有" in m for s, r, h, m in issues)


@pytest.mark.django_db
def test_member_file_alone_may_name_households_already_in_the_registry(files, tmp_path):
    registry_import(paths=[files / "户表.csv"])
    report = registry_import(paths=[files / "人员表.csv"])
    assert report.ok and report.summary.members.created == Member.objects.count() > 0


@pytest.mark.django_db
def test_gb18030_csv_is_read(files):
    for name in ("村表.csv", "户表.csv", "人员表.csv"):
        head, rows = read_rows(files / name)
        write_rows(files / name, head, rows, encoding="gb18030")
    report = registry_import(paths=[files])
    assert report.ok, report.issues[:3]
    assert Household.objects.filter(head_name__regex=r"^[\u4e00-\u9fff]+$").count() == Household.objects.count()


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing(files):
    before = snapshot()
    report = registry_import(paths=[files], dry_run=True)
    assert report.ok and report.summary.households.created > 0
    assert snapshot() == before


@pytest.mark.django_db
def test_web_user_may_import_only_under_their_unit(files, world):
    report = registry_import(paths=[files], acting_user=world.village_clerk)
    assert not report.ok
    outside = [i for i in report.issues if "管辖范围" in i.message]
    assert outside and all(i.header in ("村代码", "户编号") for i in outside)
    assert not Household.objects.filter(code__startswith="140826").exclude(
        code__in=[h.code for h in world.households]).exists()
    with pytest.raises(PermissionDenied):
        registry_import(paths=[files], acting_user=world.analyst)


@pytest.mark.django_db
def test_import_is_attributed_to_the_web_user(files, world):
    report = registry_import(paths=[files], acting_user=world.county_admin, via="网页上传")
    assert report.ok
    one = Household.history.exclude(code__in=[h.code for h in world.households]).first()
    assert one.history_user == world.county_admin and "网页上传" in one.history_change_reason


def _database_bytes() -> bytes:
    """The whole database as bytes: SQLite's own image, or a data-only pg_dump."""
    import os
    import subprocess

    from django.db import connection

    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()
    params = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    dump = subprocess.run(["pg_dump", "--data-only", "--no-owner", "-h", params["HOST"] or "127.0.0.1",
                           "-p", str(params["PORT"] or 5432), "-U", params["USER"] or "postgres", params["NAME"]],
                          check=True, capture_output=True, env=env).stdout
    # pg_dump brackets its output with a random \restrict key each run; the data is everything else.
    return b"\n".join(line for line in dump.split(b"\n") if not line.startswith((b"\\restrict", b"\\unrestrict")))


@pytest.mark.django_db(transaction=True)
def test_failed_import_leaves_the_database_byte_for_byte_unchanged(tmp_path):
    divisions_load(prefix="1408")
    files = synth_folder(tmp_path / "in")
    assert registry_import(paths=[files]).ok
    set_cell(files / "户表.csv", 2, "工资性收入", "98765.43")  # would be an update…
    set_cell(files / "人员表.csv", 4, "健康状况", "良好")  # …but this cell is malformed
    before, rows_before = _database_bytes(), database_rows()
    report = registry_import(paths=[files])
    assert not report.ok and len(report.issues) == 1
    # the registry is exactly as it was; only the audit log says the refused attempt happened
    assert database_rows() == rows_before
    assert _database_bytes() != before
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("id")
    assert refused.detail["outcome"] == "refused" and refused.detail["issue_count"] == 1
    assert refused.detail["rows"]["户表"] == 12 and refused.actor is None
