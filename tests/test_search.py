"""Search is no oracle: masked roles cannot search by ID number, ID searches are audited, searches throttled.

Issue 12 item 3: a masked role recovered a full ID from its masked form by trying `?q=<candidate>` on
the household and problem lists, unthrottled and unaudited.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.orgunits.access import mask_id_number

from .people import PASSWORD

pytestmark = pytest.mark.django_db

REFUSED = "您的角色不能按身份证号查询"
LISTS = [("registry:household_list", "households"), ("checks:problem_list", "problems")]


@pytest.fixture
def problem(world):
    run = CheckRun.objects.create(org="", as_of=datetime.date(2024, 6, 30))
    head = world.home.members.get(relation="户主").id_number
    return Problem.objects.create(rule="Q11", household=world.home.code, person=head, village=world.home.village_id,
                                  message="城乡居民基本医疗保险为“否”", first_run=run, last_run=run,
                                  first_seen=timezone.now(), last_seen=timezone.now())


def _search(client, user, url, q):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse(url), {"q": q})


@pytest.mark.usefixtures("problem")
@pytest.mark.parametrize("url, what", LISTS)
@pytest.mark.parametrize("who", ["analyst", "evaluator", "cadre"])
def test_masked_roles_cannot_search_by_id_number_and_are_audited(world, client, url, what, who):
    user = getattr(world, who)
    for q in (world.home.head_id_number, world.home.head_id_number.lower(), world.home.head_id_number[:15]):
        response = _search(client, user, url, q)
        assert response.status_code == 200
        assert REFUSED in response.content.decode()
        assert response.context["page"].paginator.count == 0, q
    events = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH, actor=user)
    assert events.count() == 3
    event = events.order_by("at", "id").first()
    assert event.detail == {"what": what, "query": mask_id_number(world.home.head_id_number), "refused": True}
    assert world.home.head_id_number not in str(list(events.values_list("detail", flat=True)))


@pytest.mark.usefixtures("problem")
@pytest.mark.parametrize("url, what", LISTS)
def test_record_keepers_search_by_id_number_and_are_audited_too(world, client, url, what):
    response = _search(client, world.village_clerk, url, world.home.head_id_number)
    assert REFUSED not in response.content.decode()
    assert response.context["page"].paginator.count == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH, actor=world.village_clerk)
    assert event.detail["refused"] is False and event.detail["query"] == mask_id_number(world.home.head_id_number)


@pytest.mark.usefixtures("problem")
@pytest.mark.parametrize("url, what", LISTS)
def test_masked_roles_still_search_by_household_code_unaudited(world, client, url, what):
    response = _search(client, world.analyst, url, world.home.code)
    assert REFUSED not in response.content.decode() and response.context["page"].paginator.count == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).exists()


def test_masked_role_export_ignores_an_id_search(world, client, problem):
    response = _search(client, world.evaluator, "checks:problem_export", world.home.head_id_number)
    assert response.status_code == 200
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.detail["problems"] == 0 and world.home.head_id_number not in str(export.detail)


@pytest.mark.parametrize("url, what", LISTS)
def test_searches_are_throttled_per_user(world, client, settings, url, what):
    settings.JINGZHUN_SEARCH_PER_MINUTE = 3
    for _ in range(3):
        assert _search(client, world.analyst, url, "王").status_code == 200
    response = _search(client, world.analyst, url, "王")
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()
    assert _search(client, world.village_clerk, url, "王").status_code == 200  # another user is not held up
    assert _search(client, world.analyst, url, "").status_code == 200  # browsing without a search is not


def test_the_limit_holds_across_the_turn_of_a_minute(world, client, settings, monkeypatch):
    """A sliding window: three searches just before a minute turns still count just after it (a per-minute
    counter forgot them, which let twice the limit through and made the test above flaky)."""
    import time

    settings.JINGZHUN_SEARCH_PER_MINUTE = 3
    now = [1_000_000 * 60 - 2.0]  # two seconds before a minute turns
    monkeypatch.setattr(time, "time", lambda: now[0])
    for _ in range(3):
        assert _search(client, world.analyst, "registry:household_list", "王").status_code == 200
    now[0] += 4  # the minute has turned
    assert _search(client, world.analyst, "registry:household_list", "王").status_code == 429
    now[0] += 60  # a minute after the three: the window is free again
    assert _search(client, world.analyst, "registry:household_list", "王").status_code == 200
