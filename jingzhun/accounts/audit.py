"""The audit trail that holds: one helper to write a row, the hash chain, its verification and archives.

Every row's ``hash`` is HMAC-SHA256 (keyed with settings.JINGZHUN_AUDIT_KEY, so someone who can write to
the database cannot recompute it) over the row's content and the previous row's hash. A row deleted in
the middle breaks the next row's link, an edited row no longer matches its own hash. Rows older than the
retention are moved to a signed JSON-lines file by :func:`chain_archive`, which then appends an ARCHIVE row
recording the hash the first kept row links to, so the chain stays verifiable after the old rows left.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .chain import FIELDS, GENESIS, chain_key, lock_chain, row_hash
from .models import AuditEvent

ARCHIVE_FORMAT = "jingzhun-audit-archive"


def client_ip(request) -> str | None:
    """The client's address as the sign-in throttle sees it (REMOTE_ADDR, or behind JINGZHUN_PROXY_COUNT proxies)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def audit_record(*, action: str, actor=None, username: str = "", target: str = "",
                 detail: dict | None = None, ip: str | None = None) -> AuditEvent:
    """Write one audit row (chained by AuditEvent.save); `actor` is a User or None for the system."""
    return AuditEvent.objects.create(
        action=action, actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None and actor.pk else ""),
        target=target[:255], detail=detail or {}, ip=ip)


def audit(request, action: str, target: str = "", *, count: int | None = None, **detail) -> AuditEvent:
    """Record who (request.user), when, from where (address), what (action, target) and how many records.

    The one call every download and export view makes: ``audit(request, AuditEvent.Action.DOWNLOAD,
    filename, count=rows, what="indicators", unit=code)``.
    """
    user = getattr(request, "user", None)
    if count is not None:
        detail["count"] = count
    detail.setdefault("path", request.path)
    return audit_record(action=action, actor=user if user is not None and user.is_authenticated else None,
                        target=str(target), detail=detail, ip=client_ip(request))


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain breaks: the row, its time and why."""

    row_id: int
    at: datetime.datetime | str
    reason: str

    def __str__(self) -> str:
        at = self.at if isinstance(self.at, str) else timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S")
        return f"第 {self.row_id} 条（{at}）：{self.reason}"


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken: ChainBreak | None = None  # None when the chain holds

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(queryset) -> Iterator[dict]:
    return queryset.order_by("pk").values(*FIELDS).iterator(chunk_size=2000)


def _walk(rows: Iterator[dict], start: str | None) -> tuple[int, ChainBreak | None, str | None]:
    """Check links and hashes; `start` is the expected first link (None: take the first row's). Returns
    (rows seen, first break, last hash)."""
    seen, previous = 0, start
    previous_id = None
    for row in rows:
        seen += 1
        if previous is not None and row["prev_hash"] != previous:
            reason = (f"与上一条（第 {previous_id} 条）不相连：其间的记录被删除或改动" if previous_id is not None
                      else "与归档记录不相连：最早的记录在归档之外被删除")
            return seen, ChainBreak(row["id"], row["at"], reason), None
        if row_hash(row) != row["hash"]:
            return seen, ChainBreak(row["id"], row["at"], "内容与校验值不符：该条记录被改动"), None
        previous, previous_id = row["hash"], row["id"]
    return seen, None, previous


def chain_verify(*, using: str = "default") -> ChainReport:
    """Walk the whole table in id order: OK, or the first row where the chain breaks."""
    events = AuditEvent.objects.using(using)
    first = events.order_by("pk").values("id", "at", "prev_hash").first()
    if first is None:
        return ChainReport(rows=0)
    start = GENESIS
    if first["prev_hash"] != GENESIS:
        # Older rows were archived: the latest ARCHIVE row (itself chained) names the link of the first kept row.
        archived = (events.filter(action=AuditEvent.Action.ARCHIVE).order_by("-pk")
                    .values_list("detail", flat=True).first())
        start = (archived or {}).get("last_hash") or GENESIS
    seen, broken, _last = _walk(_rows(events), start)
    return ChainReport(rows=seen, broken=broken)


# --- archives ----------------------------------------------------------------------------------------------

class ArchiveError(Exception):
    """An archive is refused (unsigned, tampered, not an archive) or cannot be written; message in Chinese."""


@dataclass(frozen=True)
class ArchiveResult:
    rows: int
    path: Path | None
    first_id: int | None = None
    last_id: int | None = None


def retention_days() -> int:
    return settings.JINGZHUN_AUDIT_RETENTION_DAYS


def _signature(body: bytes) -> str:
    return hmac.new(chain_key(), body, hashlib.sha256).hexdigest()


def _row_json(row: dict) -> dict:
    return {**row, "at": row["at"].astimezone(datetime.UTC).isoformat(timespec="microseconds")}


def chain_archive(*, out_dir: Path, now: datetime.datetime | None = None, using: str = "default") -> ArchiveResult:
    """Move rows older than the retention to a signed file in `out_dir`, then delete them from the table.

    Refuses when the chain is broken (archiving would hide the break). The whole step runs under the chain
    lock in one transaction: the file is written and re-verified before a single row is deleted.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    events = AuditEvent.objects.using(using)
    with transaction.atomic(using=using):
        lock_chain(using)
        last_id = events.filter(at__lt=cutoff).order_by("-pk").values_list("pk", flat=True).first()
        if last_id is None:
            return ArchiveResult(rows=0, path=None)
        report = chain_verify(using=using)
        if not report.ok:
            raise ArchiveError(f"审计日志校验未通过，不能归档：{report.broken}")
        old = events.filter(pk__lte=last_id)
        rows = [_row_json(row) for row in _rows(old)]
        header = {"format": ARCHIVE_FORMAT, "version": 1, "created": timezone.now().isoformat(),
                  "cutoff": cutoff.isoformat(), "retention_days": retention_days(), "rows": len(rows),
                  "first_id": rows[0]["id"], "last_id": rows[-1]["id"], "prev_hash": rows[0]["prev_hash"],
                  "last_hash": rows[-1]["hash"]}
        lines = [json.dumps(header, ensure_ascii=False)] + [json.dumps(r, ensure_ascii=False, sort_keys=True)
                                                           for r in rows]
        body = ("\n".join(lines) + "\n").encode()
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"audit-{rows[0]['id']}-{rows[-1]['id']}-{timezone.localtime():%Y%m%d%H%M%S}.jsonl"
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(body + (json.dumps({"signature": _signature(body)}) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())
        tmp.rename(path)
        archive_verify(path)  # what is on disk, before anything is deleted
        old.delete()
        AuditEvent.objects.create(action=AuditEvent.Action.ARCHIVE, username="system", target=path.name,
                                  detail={"rows": len(rows), "first_id": header["first_id"],
                                          "last_id": header["last_id"], "last_hash": header["last_hash"],
                                          "cutoff": header["cutoff"], "sha256": hashlib.sha256(
                                              path.read_bytes()).hexdigest()})
    return ArchiveResult(rows=len(rows), path=path, first_id=header["first_id"], last_id=header["last_id"])


def archive_verify(path: Path) -> dict:
    """Check an archive's signature and its rows' chain; returns its header or raises ArchiveError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ArchiveError(f"无法读取归档文件：{exc.strerror or exc}") from None
    body, _sep, last = data.rstrip(b"\n").rpartition(b"\n")
    body += b"\n"
    try:
        signature = json.loads(last)["signature"]
        lines = [json.loads(line) for line in body.decode().splitlines()]
        header = lines[0]
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
        raise ArchiveError("不是审计日志归档文件（格式不符）。") from None
    if not isinstance(header, dict) or header.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError("不是审计日志归档文件（格式不符）。")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(body)):
        raise ArchiveError("归档文件签名不符：文件被改动，或不是用本系统的审计密钥签名的。")
    rows = lines[1:]
    seen, broken, last_hash = _walk(iter(rows), header["prev_hash"])
    if broken is not None or seen != header["rows"] or last_hash != header["last_hash"]:
        raise ArchiveError(f"归档文件中的记录不完整或不相连：{broken or '条数不符'}")
    return header
