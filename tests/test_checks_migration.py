"""Migration 0003 keeps the problem rows: their numbers move into `detail`, the history becomes reviews."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("checks", "0002_run_lifecycle")]
AFTER = [("checks", "0003_problem_detail_and_reviews")]


@pytest.fixture
def back_to_latest():
    """Whatever happens, leave the test database fully migrated for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_legacy_problems_are_kept_with_their_numbers_moved_to_detail_and_reviews_from_history(django_user_model):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    run = apps.get_model("checks", "CheckRun").objects.create(org="", as_of=datetime.date(2024, 6, 30))
    now = timezone.now()
    problem = apps.get_model("checks", "Problem").objects.create(
        rule="Q04", household="1408261002330001", person="140826199206110024", village="140826100233",
        message="性别为“男”，身份证号“140826199206110024”第 17 位表示女", first_run=run, last_run=run,
        first_seen=now, last_seen=now, status="open")
    history = apps.get_model("checks", "HistoricalProblem")
    user_id = django_user_model.objects.create(username="officer").pk
    common = {"id": problem.pk, "rule": "Q04", "household": problem.household, "person": problem.person,
              "village": problem.village, "message": problem.message, "first_run_id": run.pk, "last_run_id": run.pk,
              "first_seen": now, "last_seen": now, "history_type": "~", "history_user_id": user_id}
    for minutes, reason, status in ((1, "申报情况属实", "exception_pending"), (2, "审核退回：仍需整改", "open")):
        history.objects.create(**common, status=status, exception_reason="户口簿如此",
                               history_date=now + datetime.timedelta(minutes=minutes), history_change_reason=reason)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    migrated = apps.get_model("checks", "Problem").objects.get(pk=problem.pk)
    assert migrated.message == "性别为“男”，身份证号“{id:v1}”第 17 位表示女"
    assert migrated.detail == {"v1": "140826199206110024"}
    historical = apps.get_model("checks", "HistoricalProblem").objects.all()
    assert historical.count() == 2 and all("140826199206110024" not in h.message for h in historical)
    reviews = apps.get_model("checks", "ProblemReview").objects.filter(problem_id=problem.pk).order_by("at")
    assert [(r.action, r.by_id, r.note) for r in reviews] == [("claim", user_id, "户口簿如此"), ("reject", user_id, "")]
