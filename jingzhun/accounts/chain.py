"""The audit log's hash chain: each row's hash is an HMAC over its content and the previous row's hash.

Apart from jingzhun.accounts.audit (verification, archives) so that AuditEvent.save() can link a row
without the models importing the module that imports them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

#: The link of the very first row.
GENESIS = "0" * 64
#: pg_advisory_xact_lock key of the chain head ("jzaudit" in ASCII); SQLite serializes writers itself
#: (transaction_mode IMMEDIATE).
_PG_LOCK_KEY = 0x6A7A6175646974
FIELDS = ("id", "at", "actor_id", "username", "action", "target", "detail", "ip", "prev_hash", "hash")


def chain_key() -> bytes:
    return settings.JINGZHUN_AUDIT_KEY.encode()


def _canonical(row: dict) -> bytes:
    at = row["at"]
    if isinstance(at, datetime.datetime):
        at = at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    # Not actor_id: deleting a user sets it to NULL (the username, always filled for an actor, is hashed).
    content = [row["prev_hash"], at, row["username"], row["action"], row["target"], row["detail"], row["ip"]]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(row: dict) -> str:
    """The HMAC of one row (a dict of the fields in FIELDS, ``at`` a datetime or its UTC ISO text)."""
    return hmac.new(chain_key(), _canonical(row), hashlib.sha256).hexdigest()


def lock_chain(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Held until the surrounding transaction ends: the next writer reads the head after our commit.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _head(model, using: str) -> str:
    return model._default_manager.using(using).order_by("-pk").values_list("hash", flat=True).first() or GENESIS


def chain_append(event, insert: Callable[[], None]) -> None:
    """Link `event` (an unsaved AuditEvent) to the chain head and insert it (called by AuditEvent.save)."""
    model = type(event)
    using = router.db_for_write(model, instance=event)
    # The stored forms, so that what is hashed is what a later read returns.
    event.target = event.target[:255]
    event.ip = model._meta.get_field("ip").get_prep_value(event.ip) or None
    event.detail = json.loads(json.dumps(event.detail or {}, ensure_ascii=False, default=str))
    with transaction.atomic(using=using):
        lock_chain(using)
        if event.at is None:
            event.at = timezone.now()
        event.prev_hash = _head(model, using)
        event.hash = row_hash({"prev_hash": event.prev_hash, "at": event.at, "username": event.username,
                               "action": event.action, "target": event.target, "detail": event.detail,
                               "ip": event.ip})
        insert()
