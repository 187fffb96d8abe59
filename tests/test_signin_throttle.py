"""Sign-ins are throttled per account and per address (django-axes), unlocked by an admin, and audited."""

from __future__ import annotations

import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.cli import main

from .people import PASSWORD

LOGIN = "/accounts/login/"


def _try(client, username, password="wrong-password-1!", ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(world, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _try(client, "township_officer").status_code == 200  # the form again, with its error
    locked = _try(client, "township_officer")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录已暂时锁定" in body and "jingzhun unlock township_officer" in body and "30 分钟后再试" in body
    # the right password no longer helps, from another address either (the account is locked)
    again = _try(client, "township_officer", PASSWORD, ip="10.9.9.9")
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT)
    assert [(e.username, e.ip) for e in lockouts] == [("township_officer", "10.0.0.1")]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username="township_officer").count() == 6


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked_out(world, client):
    for username in ("village_clerk", "county_admin", "analyst", "evaluator", "cadre"):
        _try(client, username, ip="10.0.0.7")
    # a sixth account, never tried before, from the same address: refused before its password is checked
    assert _try(client, "township_officer", PASSWORD, ip="10.0.0.7").status_code == 429
    # the same account from elsewhere still signs in
    assert _try(client, "township_officer", PASSWORD, ip="10.0.0.8").status_code == 302


@pytest.mark.django_db
def test_unlock_on_the_command_line_lets_the_user_in_and_is_audited(world, client, capsys):
    for _ in range(5):
        _try(client, "township_officer")
    assert _try(client, "township_officer", PASSWORD).status_code == 429
    assert main(["unlock", "township_officer"]) == 0
    assert "已解除 用户 township_officer 的登录锁定" in capsys.readouterr().out
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert event.target == "township_officer" and event.username == "system" and event.detail["source"] == "cli"
    assert _try(client, "township_officer", PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_unlock_refuses_an_unknown_user_in_chinese(world, capsys):
    assert main(["unlock", "nobody"]) == 2
    assert "没有用户名为“nobody”的用户" in capsys.readouterr().err
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK).exists()


@pytest.mark.django_db
def test_sysadmin_unlocks_from_the_user_admin_with_an_audit_row(world, client):
    for _ in range(5):
        _try(client, "village_clerk")
    admin = client.__class__()
    admin.force_login(world.sysadmin)
    response = admin.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [world.village_clerk.pk]},
                          REMOTE_ADDR="10.1.1.1", follow=True)
    assert "已解除 1 个用户的锁定" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert (event.actor, event.target, event.ip) == (world.sysadmin, "village_clerk", "10.1.1.1")
    assert _try(client, "village_clerk", PASSWORD, ip="10.0.0.3").status_code == 302
