"""schemathesis over the live schema (/api/v1/schema/): every operation it holds, fuzzed with two tokens.

For a read-only token (the evaluator) and a writing one (the village clerk) every operation of the schema
is called with generated requests — valid ones and, for a few, invalid ones — and every answer must be no
5xx and conform to the schema: a documented status code, the documented content type and a body matching
the documented schema, read strictly (an object's undocumented field fails it too). The read-only token
may change nothing and sees no full ID or phone number; the clerk's writes never reach outside 下高池村
(every row of ours tied to a division code outside it is unchanged).

In process, over Django's WSGI application (the schema as /api/v1/schema/ serves it, then schemathesis'
WSGI transport, as `schemathesis.openapi.from_wsgi` does), not `schemathesis run` against `live_server`:
the requests run in the test's own transaction, so the `world` is visible and rolled back afterwards on
SQLite and PostgreSQL alike, without a server thread, a port, or the `transactional_db` a live server needs
(which truncates every table after the test and cannot share an in-memory or locked SQLite file).

The work is bounded to fit a few minutes however many operations the schema grows: a total budget of
examples per token shared among the operations (at least `MIN_EXAMPLES` each), and a wall-clock budget
after which every remaining operation is still called, with one example each.
"""

from __future__ import annotations

import hashlib
import time

import hypothesis
import pytest
import schemathesis
from django.apps import apps
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, close_old_connections, models, transaction
from hypothesis import HealthCheck, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jingzhun.accounts.models import ApiToken, AuditEvent
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import AssistanceCadre, Household, Member

from .api_helpers import api_client, token_for
from .people import CHENGNEI, XIAGAOCHI
from .scope_world import records_build

SCHEMA_URL = "/api/v1/schema/?format=json"
#: Generated requests per token, shared among the operations; each gets at least MIN_EXAMPLES.
EXAMPLES_PER_TOKEN = 240
MIN_EXAMPLES, MAX_EXAMPLES = 3, 25
#: Seconds of fuzzing per token; past it the remaining operations get one example each.
SECONDS_PER_TOKEN = 45
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Units for a path parameter naming one: the clerk's village, a neighbour, its township, the county, another county.
UNITS = (XIAGAOCHI, CHENGNEI, "140826100", "140826", "140829")


@pytest.fixture
def fuzz_world(world, settings):
    settings.JINGZHUN_API_PER_MINUTE = 1_000_000  # the fuzzer is one caller making many calls
    records = records_build(world)
    world.home.phone = "13800001111"
    world.home.save(update_fields=["phone"])
    return world, records


def _strict(node):
    """The schema with every object that lists its properties closed (additionalProperties: false), so that
    an answer carrying a field the schema does not document fails the body check."""
    if isinstance(node, dict):
        if node.get("type") == "object" and isinstance(node.get("properties"), dict) \
                and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for value in node:
            _strict(value)
    return node


@pytest.fixture
def schema(fuzz_world, client):
    live = client.get(SCHEMA_URL)  # before the signals change: the test client sets them back after a call
    assert live.status_code == 200, live.content
    loaded = schemathesis.openapi.from_dict(_strict(live.json()))
    loaded.app, loaded.location = get_wsgi_application(), SCHEMA_URL
    # the WSGI handler closes the connection after each request (request_finished), which would end the
    # test's transaction: kept open as Django's own test client keeps it
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _models_by_name() -> dict[str, list[type[models.Model]]]:
    found: dict[str, list] = {}
    for model in apps.get_models():
        if model.__module__.startswith("jingzhun.") and not model.__name__.startswith("Historical"):
            found.setdefault(model.__name__.lower(), []).append(model)
    return found


def _candidates(name: str, world, by_name) -> list:
    """Values of the test world for a path parameter called `name`, in reach and out of it: codes for
    `code`/`unit`, primary keys of the model a `<model>_id` names (a few, spread over the world)."""
    if name in ("code", "unit", "county", "org"):
        return [*UNITS, *(h.code for h in world.households)]
    stem = name.removesuffix("_id").replace("_", "")
    pks = [pk for model in by_name.get(stem, []) for pk in model.objects.order_by("pk").values_list("pk", flat=True)]
    step = max(1, len(pks) // 6)
    return pks[::step]


def _runs(operation, headers: dict, world, by_name, examples: int, late: bool) -> list[tuple[object, int]]:
    """(strategy, examples) to run for `operation`: generated requests, valid and invalid, then one request
    for each record of the world its path parameters can name (so that answers about real records are
    checked, not only 404s; past the time budget, for the first record only)."""
    runs = [(st.one_of(operation.as_strategy(headers=headers),
                       operation.as_strategy(GenerationMode.NEGATIVE, headers=headers)), examples)]
    known = {p.name: _candidates(p.name, world, by_name) for p in operation.path_parameters}
    if known and all(known.values()):
        for i in range(1 if late else max(len(v) for v in known.values())):
            fixed = {n: v[i % len(v)] for n, v in known.items()}
            runs.append((operation.as_strategy(headers=headers, path_parameters=fixed), 1))
    return runs


def _fuzz(schema, world, token: str, extra_checks=()) -> tuple[list[str], dict[int, int]]:
    """Call every operation of `schema` with `token`: (the failures, one message each; calls per status)."""
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema holds no operation"
    per_operation = max(MIN_EXAMPLES, min(MAX_EXAMPLES, EXAMPLES_PER_TOKEN // len(operations)))
    by_name = _models_by_name()
    started, failures, statuses = time.monotonic(), [], {}

    def call(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call()
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, additional_checks=list(extra_checks))
        finally:
            try:
                transaction.savepoint_commit(savepoint)
            except DatabaseError:  # a failed call left PostgreSQL's transaction aborted: start clean
                transaction.savepoint_rollback(savepoint)

    for operation in operations:
        late = time.monotonic() - started > SECONDS_PER_TOKEN
        for strategy, examples in _runs(operation, headers, world, by_name, 1 if late else per_operation, late):
            run = hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                                      suppress_health_check=list(HealthCheck),
                                      phases=[hypothesis.Phase.generate])(hypothesis.given(case=strategy)(call))
            try:
                run()
            # schemathesis' FailureGroup is a BaseExceptionGroup: caught too, so every operation is reported
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
                failures.append(f"{operation.label}: {exc}")
                break
    print(f"schemathesis: {len(operations)} operations, {sum(statuses.values())} calls in "
          f"{time.monotonic() - started:.0f} s, by status {dict(sorted(statuses.items()))}")
    return failures, statuses


def _no_full_numbers(secrets: set[str]):
    def no_full_id_or_phone(ctx, response, case):
        shown = sorted(s for s in secrets if s in response.text)
        if shown:
            raise AssertionError(f"a read-only token was shown full ID or phone numbers: {shown}")
    return no_full_id_or_phone


def _secrets() -> set[str]:
    numbers = set(Member.objects.values_list("id_number", flat=True))
    numbers |= set(Household.objects.values_list("head_id_number", flat=True))
    numbers |= set(Household.objects.values_list("phone", flat=True))
    numbers |= set(AssistanceCadre.objects.values_list("phone", flat=True))
    return {n for n in numbers if n and len(n) >= 11}


def _skipped() -> tuple:
    """Rows that move with every call: the audit log, users (last sign-in) and tokens (last use)."""
    return (AuditEvent, apps.get_model("accounts", "User"), ApiToken)


def _fingerprint(rows_of) -> str:
    """A hash of the rows `rows_of(model)` selects, for every model of ours (the ones of `_skipped` aside)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if not model.__module__.startswith("jingzhun.") or model in _skipped() or model._meta.proxy:
            continue
        rows = rows_of(model)
        if rows is None:
            continue
        digest.update(model._meta.label.encode())
        digest.update(repr(list(rows.order_by("pk").values_list())).encode())
    return digest.hexdigest()


def test_the_read_only_token_gets_answers_as_documented_changes_nothing_and_sees_no_full_number(schema, fuzz_world):
    world, _records = fuzz_world
    before = _fingerprint(lambda model: model.objects.all())
    failures, statuses = _fuzz(schema, world, token_for(world.evaluator), extra_checks=[_no_full_numbers(_secrets())])
    assert not failures, "\n\n".join(failures)
    assert statuses.get(200), f"no call was answered 200: {statuses}"
    assert _fingerprint(lambda model: model.objects.all()) == before, "a read-only token changed rows"


def _code_path(model, depth: int = 3) -> str | None:
    """The lookup from `model` to a division code (a household's code or a unit's), through its foreign keys."""
    if model is Household or model is OrgUnit:
        return "code"
    if depth == 0:
        return None
    fields = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for target in (Household, OrgUnit, Member):  # the most specific first
        for f in fields:
            if f.related_model is target:
                rest = _code_path(target, depth - 1)
                return f"{f.name}__{rest}" if rest else None
    for f in fields:
        if f.related_model.__module__.startswith("jingzhun.") and f.related_model is not model:
            rest = _code_path(f.related_model, depth - 1)
            if rest:
                return f"{f.name}__{rest}"
    return None


def _outside(prefix: str):
    """Rows of `model` tied to a division code outside `prefix` (None: a model tied to no code)."""
    def rows_of(model):
        instance = getattr(model, "instance_type", None)  # a history table: by the code of what it records
        path = _code_path(instance if instance is not None and "code" not in [f.name for f in model._meta.fields]
                          else model)
        if model.__name__.startswith("Historical") and "code" in [f.name for f in model._meta.fields]:
            path = "code"
        if path is None:
            return None
        return model.objects.exclude(**{f"{path}__startswith": prefix}).exclude(**{f"{path}__isnull": True})
    return rows_of


def test_the_writing_token_gets_answers_as_documented_and_its_writes_stay_in_its_reach(schema, fuzz_world):
    world, _records = fuzz_world
    outside = _outside(XIAGAOCHI)
    assert outside(Member).filter(household=world.other_county).exists()  # the fingerprint sees other villages
    before = _fingerprint(outside)
    failures, statuses = _fuzz(schema, world, token_for(world.village_clerk))
    assert not failures, "\n\n".join(failures)
    assert statuses.get(200), f"no call was answered 200: {statuses}"
    assert _fingerprint(outside) == before, "a write made with the village clerk's token changed rows outside 下高池村"


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    # what `manage.py spectacular --validate --fail-on-warn` checks: a warning is an operation badly described
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/units/" in (tmp_path / "schema.yml").read_text()


def test_a_url_under_the_api_that_matches_nothing_is_a_json_404_and_a_page_url_the_404_page(world, client):
    response = api_client(world.county_admin).get("/api/v1/units/140826/nothing/here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    client.force_login(world.county_admin)
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
