"""Sessions end after JINGZHUN_SESSION_IDLE_MINUTES without a request, and eight hours after sign-in whatever."""

from __future__ import annotations

import pytest

from jingzhun.accounts.middleware import LAST_SEEN, SIGNED_IN
from jingzhun.accounts.models import AuditEvent

from .people import PASSWORD


def _shift(client, key: str, seconds: float) -> None:
    """Time travel: move a session timestamp into the past."""
    session = client.session
    session[key] -= seconds
    session.save()


def _signed_in(client, world):
    client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
    assert client.get("/households/").status_code == 200


@pytest.mark.django_db
def test_thirty_minutes_idle_ends_the_session_with_a_chinese_message(world, client, settings):
    assert settings.JINGZHUN_SESSION_IDLE_MINUTES == 30
    _signed_in(client, world)
    _shift(client, LAST_SEEN, 29 * 60)
    assert client.get("/households/").status_code == 200  # 29 minutes: still in
    _shift(client, LAST_SEEN, 31 * 60)
    response = client.get("/households/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/households/")
    assert "30 分钟未操作" in response.content.decode()
    assert client.get("/households/").status_code == 302
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=world.village_clerk).get()
    assert event.detail == {"reason": "idle"}


@pytest.mark.django_db
def test_activity_keeps_the_session_but_not_beyond_eight_hours(world, client):
    _signed_in(client, world)
    _shift(client, SIGNED_IN, 7 * 3600)
    _shift(client, LAST_SEEN, 10 * 60)
    assert client.get("/households/").status_code == 200  # active, under eight hours
    _shift(client, SIGNED_IN, 3600 + 1)
    response = client.get("/households/", follow=True)
    assert "登录已超过 8 小时" in response.content.decode()
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT).detail == {"reason": "expired"}


@pytest.mark.django_db
def test_the_idle_limit_is_a_setting(world, client, settings):
    settings.JINGZHUN_SESSION_IDLE_MINUTES = 5
    _signed_in(client, world)
    _shift(client, LAST_SEEN, 6 * 60)
    assert client.get("/households/").status_code == 302


@pytest.mark.django_db
def test_an_htmx_request_is_told_to_go_to_the_sign_in_page(world, client):
    _signed_in(client, world)
    _shift(client, LAST_SEEN, 31 * 60)
    response = client.get("/households/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")
