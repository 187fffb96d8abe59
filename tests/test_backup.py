"""`jingzhun backup` and `jingzhun restore`: a round trip gives back every table, row for row (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3

import pytest

from jingzhun.accounts.audit import chain_verify
from jingzhun.accounts.models import AuditEvent, User
from jingzhun.accounts.services import audit_record
from jingzhun.cli import main
from jingzhun.ops.backup import database_backup, database_restore, table_fingerprints
from jingzhun.registry.models import Household, Member

pytestmark = pytest.mark.django_db(transaction=True)


def test_round_trip_restores_every_table(world, tmp_path, capsys):
    path = tmp_path / "jingzhun.backup"
    assert main(["backup", "--out", str(path)]) == 0
    out = capsys.readouterr().out
    assert "备份完成" in out and "张表" in out and str(path) in out
    assert path.stat().st_mode & 0o777 == 0o600
    before = table_fingerprints()
    assert before["registry_household"].rows == 4 and before["accounts_user"].rows == len(world.users)

    # the day after: households gone, a user added, audit rows written
    Member.objects.filter(household=world.home).delete()
    Household.objects.filter(pk=world.home.pk).delete()
    User.objects.filter(pk=world.cadre.pk).update(full_name="改过的名字")
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, username="someone")
    changed = table_fingerprints()
    assert changed != before

    summary = database_restore(path=path)
    assert summary.fingerprints == before  # every table: row count and checksum of its rows
    after = table_fingerprints()
    assert {t: f for t, f in after.items() if t != "accounts_auditevent"} == {
        t: f for t, f in before.items() if t != "accounts_auditevent"}
    assert after["accounts_auditevent"].rows == before["accounts_auditevent"].rows + 1  # the RESTORE row
    assert AuditEvent.objects.order_by("-pk").first().action == AuditEvent.Action.RESTORE
    assert chain_verify().ok


def test_restore_asks_for_yes_before_overwriting(world, tmp_path, capsys):
    path = tmp_path / "b.backup"
    database_backup(out=path)
    Household.objects.filter(pk=world.neighbour.pk).update(head_name="未恢复")
    assert main(["restore", str(path)]) == 2
    assert "加 --yes" in capsys.readouterr().err
    assert Household.objects.get(pk=world.neighbour.pk).head_name == "未恢复"
    assert main(["restore", str(path), "--yes"]) == 0
    assert "恢复完成" in capsys.readouterr().out
    assert Household.objects.get(pk=world.neighbour.pk).head_name == "赵德福"


def test_restore_refuses_files_that_are_not_backups(world, tmp_path, capsys):
    text = tmp_path / "notes.backup"
    text.write_text("not a backup")
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    fake_dump = tmp_path / "fake.dump"
    fake_dump.write_bytes(b"PGDMP garbage")
    for path in (text, other, fake_dump, tmp_path / "missing.backup"):
        assert main(["restore", str(path), "--yes"]) == 2
        err = capsys.readouterr().err
        assert "不是 jingzhun 的备份文件" in err or "无法读取文件" in err, err
    assert Household.objects.count() == 4
