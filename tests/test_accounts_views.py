"""Signing in and out, in Chinese, with an audit row each time."""

from __future__ import annotations

import pytest

from jingzhun.accounts.models import AuditEvent

from .people import PASSWORD


@pytest.mark.django_db
def test_login_lands_on_the_todo_page_and_is_audited(world, client):
    response = client.post("/accounts/login/", {"username": "township_officer", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/todo/"
    assert AuditEvent.objects.filter(action="login", actor=world.township_officer).count() == 1


@pytest.mark.django_db
def test_wrong_password_is_refused_in_chinese_and_audited(world, client):
    response = client.post("/accounts/login/", {"username": "township_officer", "password": "nope"})
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", username="township_officer").count() == 1


@pytest.mark.django_db
def test_logout_needs_post_and_is_audited(world, client):
    client.login(username="village_clerk", password=PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=world.village_clerk).count() == 1


@pytest.mark.django_db
def test_pages_switch_to_english(world, client):
    client.login(username="village_clerk", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/households/"})
    body = client.get("/households/").content.decode()
    assert 'lang="en"' in body
    assert "<h1>Poor households</h1>" in body and "贫困户名单" not in body


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_switched(world, client):
    client.login(username="village_clerk", password=PASSWORD)
    body = client.get("/households/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body and "贫困户名单" in body
