"""Shared records in imports (issue 12 item 9): a cadre record changes only within the writer's reach,
with history; the import's audit row commits with its data (issue 11 item 5)."""

from __future__ import annotations

from unittest import mock

import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.importer import registry_import
from jingzhun.registry.models import AssistanceCadre, Household

from .exchange_files import database_rows, read_rows, synth_folder, write_rows
from .people import HENGDONG, XIAGAOCHI, make_household


def _clerk_file(tmp_path, world, unit: str):
    """A 户表 of one household of 下高池村 naming the shared cadre 李帮扶 with another 帮扶单位."""
    folder = synth_folder(tmp_path / "in", households=1)
    head, (row, *_) = read_rows(folder / "户表.csv")
    row[head.index("户编号")], row[head.index("村代码")] = world.home.code, XIAGAOCHI
    row[head.index("帮扶责任人")] = "李帮扶"
    row[head.index("帮扶责任人电话")] = "13912345678"
    row[head.index("帮扶单位")] = unit
    path = tmp_path / "户表.csv"
    write_rows(path, head, [row])
    return path


@pytest.fixture
def shared_cadre(world):
    """李帮扶 serves 王建国 in 下高池村 and six households of 横水镇, another township."""
    for serial in range(2, 8):
        make_household(HENGDONG, serial, f"横东{serial}", cadre=world.cadre_record)
    return world.cadre_record


@pytest.mark.django_db
def test_village_clerk_cannot_change_a_cadre_shared_with_another_township(world, shared_cadre, tmp_path):
    path = _clerk_file(tmp_path, world, "某某乡政府")
    before = database_rows()
    report = registry_import(paths=[path], acting_user=world.village_clerk)
    assert [(i.sheet, i.row, i.header) for i in report.issues] == [("户表", 2, "帮扶单位")]
    assert report.issues[0].message == (
        "帮扶责任人“李帮扶”（电话 13912345678）也负责您范围以外的 6 户，村级信息员不能修改其姓名、电话或单位"
        "（现为“绛县农业农村局”）；请联系县级管理员")
    assert database_rows() == before
    shared_cadre.refresh_from_db()
    assert shared_cadre.work_unit == "绛县农业农村局"
    audit = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert audit.detail["outcome"] == "refused" and audit.actor == world.village_clerk


@pytest.mark.django_db
def test_county_admin_may_change_the_shared_cadre_and_it_keeps_history(world, shared_cadre, tmp_path):
    path = _clerk_file(tmp_path, world, "某某乡政府")
    report = registry_import(paths=[path], acting_user=world.county_admin)
    assert report.ok, report.issues
    shared_cadre.refresh_from_db()
    assert shared_cadre.work_unit == "某某乡政府"
    change = shared_cadre.history.latest("history_date")
    assert change.history_type == "~" and change.history_user == world.county_admin
    assert change.prev_record.work_unit == "绛县农业农村局" and "导入" in change.history_change_reason


@pytest.mark.django_db
def test_clerk_may_change_a_cadre_who_serves_only_households_in_reach(world, tmp_path):
    path = _clerk_file(tmp_path, world, "古绛镇政府")
    assert registry_import(paths=[path], acting_user=world.village_clerk).ok
    assert AssistanceCadre.objects.get(pk=world.cadre_record.pk).work_unit == "古绛镇政府"


@pytest.mark.django_db
def test_audit_row_commits_with_the_data_and_a_crash_leaves_a_failed_row(world, tmp_path):
    path = _clerk_file(tmp_path, world, "古绛镇政府")
    count = Household.objects.count()
    with mock.patch("jingzhun.exchange.importer.refresh_soon", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            registry_import(paths=[path], acting_user=world.village_clerk)
    # the "done" row was written in the import's transaction and rolled back with it
    assert list(AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).values_list("detail__outcome", flat=True)) == [
        "failed"]
    assert Household.objects.count() == count
    assert registry_import(paths=[path], acting_user=world.village_clerk).ok
    done = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("id")
    assert done.detail["outcome"] == "done" and done.detail["rows"] == {"户表": 1}
    assert done.detail["files"] == ["户表.csv"]
