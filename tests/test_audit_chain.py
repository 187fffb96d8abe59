"""The audit table holds: rows are HMAC-chained, `jingzhun audit verify` finds a deleted or edited row, old
rows leave only into a signed archive, and the chain stays verifiable afterwards."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from jingzhun.accounts.audit import GENESIS, chain_verify
from jingzhun.accounts.models import AuditEvent
from jingzhun.accounts.services import audit_record
from jingzhun.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _rows(n: int, *, days_ago: int = 0) -> list[AuditEvent]:
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return [AuditEvent.objects.create(action=AuditEvent.Action.EXPORT, username=f"u{i}", target=f"file-{i}.xlsx",
                                      detail={"count": i, "filter": {"org": "140826"}}, ip="10.0.0.1",
                                      at=at + datetime.timedelta(seconds=i)) for i in range(n)]


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_each_row_links_to_the_previous_and_the_chain_verifies(capsys):
    rows = _rows(4)
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert main(["audit", "verify"]) == 0
    assert "审计日志完整：4 条记录" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_row_deleted_in_the_middle_is_found(capsys):
    rows = _rows(5)
    _sql("DELETE FROM accounts_auditevent WHERE id = %s", [rows[2].pk])
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"第 {rows[3].pk} 条" in err and f"与上一条（第 {rows[1].pk} 条）不相连" in err and "被删除" in err
    when = timezone.localtime(rows[3].at).strftime("%Y-%m-%d %H:%M:%S")
    assert when in err


@pytest.mark.django_db
def test_an_edited_row_is_found_even_with_a_recomputed_plain_hash():
    rows = _rows(5)
    _sql("UPDATE accounts_auditevent SET target = %s WHERE id = %s", ["innocent.xlsx", rows[1].pk])
    report = chain_verify()
    assert not report.ok and report.broken.row_id == rows[1].pk and "被改动" in report.broken.reason
    # an attacker without the key cannot make a matching hash
    forged = hashlib.sha256(b"innocent.xlsx" + rows[1].prev_hash.encode()).hexdigest()
    _sql("UPDATE accounts_auditevent SET hash = %s WHERE id = %s", [forged, rows[1].pk])
    assert chain_verify().broken.row_id == rows[1].pk


@pytest.mark.django_db
def test_deleting_the_oldest_rows_outside_an_archive_is_found():
    rows = _rows(4)
    _sql("DELETE FROM accounts_auditevent WHERE id <= %s", [rows[1].pk])
    report = chain_verify()
    assert report.broken.row_id == rows[2].pk and "归档之外被删除" in report.broken.reason


@pytest.mark.django_db
def test_audit_rows_are_append_only():
    row = _rows(1)[0]
    row.target = "other"
    with pytest.raises(ValueError):
        row.save()


@pytest.mark.django_db
def test_archive_moves_old_rows_to_a_signed_file_and_the_chain_still_verifies(tmp_path, capsys, settings):
    assert settings.JINGZHUN_AUDIT_RETENTION_DAYS == 183
    old = _rows(3, days_ago=200)
    kept = _rows(2)
    assert main(["audit", "archive", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"已归档第 {old[0].pk}–{old[-1].pk} 条共 3 条" in out
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in kept]).count() == 2
    archive_row = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE)
    assert archive_row.detail["last_hash"] == old[-1].hash == kept[0].prev_hash
    assert main(["audit", "verify"]) == 0
    assert "3 条记录" in capsys.readouterr().out  # the two kept and the archive row
    (path,) = tmp_path.glob("audit-*.jsonl")
    assert path.stat().st_mode & 0o777 == 0o600
    assert main(["audit", "verify-archive", str(path)]) == 0
    assert "签名有效：第" in capsys.readouterr().out
    lines = path.read_text().splitlines()
    assert json.loads(lines[1])["target"] == "file-0.xlsx"
    # nothing left to archive now
    assert main(["audit", "archive", "--out-dir", str(tmp_path)]) == 0
    assert "无需归档" in capsys.readouterr().out
    # after archiving, deleting the first kept row is still found
    _sql("DELETE FROM accounts_auditevent WHERE id = %s", [kept[0].pk])
    assert chain_verify().broken.row_id == kept[1].pk


@pytest.mark.django_db
def test_a_tampered_or_foreign_archive_is_refused(tmp_path, capsys):
    _rows(3, days_ago=365)
    _rows(1)
    main(["audit", "archive", "--out-dir", str(tmp_path)])
    (path,) = tmp_path.glob("audit-*.jsonl")
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(path.read_text().replace("file-1.xlsx", "file-9.xlsx"))
    capsys.readouterr()
    assert main(["audit", "verify-archive", str(tampered)]) == 1
    assert "签名不符" in capsys.readouterr().err
    # a row removed and the file re-signed with another key: still refused
    import hmac

    lines = path.read_text().splitlines()
    body = "\n".join([lines[0], lines[1], lines[3]]) + "\n"
    resigned = tmp_path / "resigned.jsonl"
    resigned.write_text(body + json.dumps({"signature": hmac.new(b"guess", body.encode(), "sha256").hexdigest()}))
    assert main(["audit", "verify-archive", str(resigned)]) == 1
    not_archive = tmp_path / "notes.txt"
    not_archive.write_text("hello\nworld\n")
    assert main(["audit", "verify-archive", str(not_archive)]) == 1
    assert "不是审计日志归档文件" in capsys.readouterr().err


@pytest.mark.django_db
def test_archive_refuses_a_broken_chain(tmp_path, capsys):
    rows = _rows(3, days_ago=300)
    _sql("DELETE FROM accounts_auditevent WHERE id = %s", [rows[1].pk])
    assert main(["audit", "archive", "--out-dir", str(tmp_path)]) == 2
    assert "校验未通过，不能归档" in capsys.readouterr().err
    assert AuditEvent.objects.count() == 2 and not list(tmp_path.iterdir())


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    def write(n):
        try:
            for i in range(15):
                audit_record(action=AuditEvent.Action.LOGIN_FAILED, username=f"t{n}-{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = chain_verify()
    assert report.ok and report.rows == 60


def test_a_retention_under_six_months_is_refused(tmp_path):
    env = {**os.environ, "JINGZHUN_HOME": str(tmp_path), "JINGZHUN_AUDIT_RETENTION_DAYS": "90",
           "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "at least 183" in result.stderr
