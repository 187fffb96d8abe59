"""/api/v1/members/export/: every member in reach under a unit, streamed as NDJSON or CSV, masked, audited."""

from __future__ import annotations

import csv
import io
import json
import random

import pyarrow as pa
import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.api import streaming
from jingzhun.exchange.template import MEMBER_COLUMNS
from jingzhun.orgunits.access import mask_id_number
from jingzhun.registry.models import Member

from .api_helpers import api_client

EXPORT = "/api/v1/members/export/"

pytestmark = pytest.mark.django_db


def _ndjson(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming, response
    assert response["Content-Type"] == "application/x-ndjson"
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(streaming.BOM)
    return list(csv.DictReader(io.StringIO(body[len(streaming.BOM):].decode())))


def _ids(codes) -> set[str]:
    return set(Member.objects.filter(household_id__in=codes).values_list("id_number", flat=True))


def test_ndjson_holds_every_member_in_reach_under_the_unit_in_order(world):
    rows = _ndjson(api_client(world.county_admin).get(EXPORT, {"unit": "140826100"}))
    assert {r["household_id"] for r in rows} == {world.home.code, world.neighbour.code}
    assert [(r["household_id"]) for r in rows] == sorted(r["household_id"] for r in rows)
    assert {r["id_number"] for r in rows} == _ids([world.home.code, world.neighbour.code])
    first = rows[0]
    assert first["medical_insurance"] is True and first["migrant_months"] is None and first["status"] == "正常"
    assert list(first) == [c.field for c in MEMBER_COLUMNS]


def test_without_a_unit_the_whole_reach_and_each_role_only_its_own(world):
    for user in world.users:
        rows = _ndjson(api_client(user).get(EXPORT))
        assert {r["household_id"] for r in rows} == world.visible_to(user), user.username


def test_csv_has_the_template_headers_and_cells(world):
    rows = _csv(api_client(world.village_clerk).get(EXPORT, {"unit": "140826100233", "format": "csv"}))
    assert list(rows[0]) == [c.header for c in MEMBER_COLUMNS]
    assert {r["身份证号"] for r in rows} == _ids([world.home.code])
    assert {r["城乡居民基本医疗保险"] for r in rows} == {"是"} and {r["务工时间"] for r in rows} == {""}


def test_read_only_roles_get_ids_masked_in_both_formats(world):
    every = set(Member.objects.values_list("id_number", flat=True))
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.department):
        client = api_client(user)
        for fmt in ("ndjson", "csv"):
            text = b"".join(client.get(EXPORT, {"format": fmt}).streaming_content).decode()
            assert not any(i in text for i in every) and "********" in text, (user.username, fmt)


def test_a_unit_out_of_reach_is_404_and_a_bad_parameter_400(world):
    client = api_client(world.township_officer)
    assert client.get(EXPORT, {"unit": "140826101"}).status_code == 404
    assert client.get(EXPORT, {"unit": "140829"}).status_code == 404
    for params in ({"format": "xlsx"}, {"unit": "abc"}):
        response = client.get(EXPORT, params)
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert api_client().get(EXPORT).status_code == 401


def test_every_export_is_audited_with_the_count(world):
    response = api_client(world.evaluator).get(EXPORT, {"unit": "140826", "format": "csv"})
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("at")
    assert event.actor == world.evaluator and event.detail["count"] == 6 and event.detail["masked"] is True
    assert event.detail["unit"] == "140826" and event.detail["format"] == "csv"
    assert response["X-Total-Count"] == "6"


def test_the_stream_reads_in_chunks(world, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 3)
    response = api_client(world.sysadmin).get(EXPORT)
    parts = [p for p in response.streaming_content]
    assert len(parts) == 3 and sum(p.count(b"\n") for p in parts) == 8


def test_the_vectorised_mask_is_the_pages_mask():
    rng = random.Random(18)
    values = ["", "1", "1234567890", "12345678901", "140826199001011234", "14082619900101123X", "一二三四五六七八九十一"]
    values += ["".join(rng.choice("0123456789X") for _ in range(rng.randint(0, 20))) for _ in range(300)]
    assert streaming.mask_ids(pa.array(values)).to_pylist() == [mask_id_number(v) for v in values]


def test_the_stream_reads_with_a_small_sqlite_page_cache_and_restores_it(world, django_assert_num_queries):
    """On SQLite the stream shrinks the connection's page cache while it reads; on PostgreSQL (a
    server-side cursor, no page cache of ours) it issues no statement of the kind."""
    from django.db import connection

    if connection.vendor != "sqlite":
        with django_assert_num_queries(0), streaming._small_page_cache("default"):
            pass
        return

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    response = api_client(world.sysadmin).get(EXPORT)
    parts = iter(response.streaming_content)
    next(parts)
    assert cache_size() == -streaming.STREAM_PAGE_CACHE_KIB
    b"".join(parts)
    assert cache_size() == before
