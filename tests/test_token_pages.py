"""The system administrator's token pages: service accounts, tokens issued (shown once) and revoked."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from jingzhun.accounts.models import ApiToken, AuditEvent, User
from jingzhun.accounts.tokens import token_create
from jingzhun.desk.menu import menu_for

from .api_helpers import api_client

LIST = reverse("accounts:token_list")
ACCOUNT_NEW = reverse("accounts:service_account_new")
TOKEN_NEW = reverse("accounts:token_new")


def _as(client, user):
    client.force_login(user)
    return client


def _everyone_but_the_sysadmin(world):
    return [u for u in world.users if u != world.sysadmin]


def test_only_the_sysadmin_opens_the_token_pages(world, client):
    token = token_create(user=world.county_admin)[0]
    for user in _everyone_but_the_sysadmin(world):
        _as(client, user)
        for url in (LIST, ACCOUNT_NEW, TOKEN_NEW):
            assert client.get(url).status_code == 403, (user.username, url)
    _as(client, world.sysadmin)
    for url in (LIST, ACCOUNT_NEW, TOKEN_NEW):
        assert client.get(url).status_code == 200, url
    client.logout()
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("accounts:token_revoke", args=[token.prefix])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_list_shows_accounts_and_tokens_with_their_state_but_never_a_token(world, client):
    live, raw = token_create(user=world.county_admin, name="民政推送")
    revoked = token_create(user=world.analyst)[0]
    _as(client, world.sysadmin).post(reverse("accounts:token_revoke", args=[revoked.prefix]))
    text = client.get(LIST).content.decode()
    assert f"jz_{live.prefix}_" in text and "民政推送" in text and "county_admin" in text
    assert "有效" in text and "已吊销" in text and raw not in text and raw.split("_", 2)[2] not in text


def test_the_sysadmin_creates_a_service_account_bound_like_a_person(world, client):
    response = _as(client, world.sysadmin).post(ACCOUNT_NEW, {
        "username": "yibao-api", "role": "department", "unit": "140826", "full_name": "县医保局接口"})
    account = User.objects.get(username="yibao-api")
    assert response.status_code == 302 and response["Location"].endswith(f"?account={account.pk}")
    assert account.is_service and not account.has_usable_password() and account.org_unit_id == "140826"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.USER_CHANGE, target="yibao-api", detail__service=True).get()
    assert event.actor == world.sysadmin


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"username": "x-api", "role": "village_clerk", "unit": "140826"}, "unit", "不能绑定"),  # a village role at a county
    ({"username": "x-api", "role": "county_admin", "unit": "999999"}, "unit", "没有代码"),
    ({"username": "village_clerk", "role": "county_admin", "unit": "140826"}, "username", "已存在"),
    ({"username": "x api", "role": "county_admin", "unit": "140826"}, "username", "只能包含"),
    ({"username": "x-api", "role": "sysadmin", "unit": "140826"}, "role", ""),
])
def test_a_service_account_form_with_a_mistake_says_which_field_and_creates_nothing(world, client, data, field, words):
    users = User.objects.count()
    response = _as(client, world.sysadmin).post(ACCOUNT_NEW, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert User.objects.count() == users


def test_a_token_is_shown_once_on_the_next_page_and_never_again(world, client):
    _as(client, world.sysadmin)
    response = client.post(TOKEN_NEW, {"account": world.county_admin.pk, "days": "30", "purpose": "测试推送"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    token = ApiToken.objects.get(user=world.county_admin, name="测试推送")
    assert raw.startswith(f"jz_{token.prefix}_") and raw in response.content.decode() and "只显示这一次" in response.content.decode()
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30
    # not in the messages, the list, the audit log or any stored row; and it works
    assert not any(raw in str(m) for m in get_messages(response.wsgi_request))
    assert raw not in client.get(LIST).content.decode()
    assert raw not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, actor=world.sysadmin,
                                     target="county_admin").exists()
    assert api_client(token=raw).get("/api/v1/units/").status_code == 200


def test_a_token_form_with_a_mistake_issues_nothing(world, client):
    _as(client, world.sysadmin)
    for data in ({"account": world.county_admin.pk, "days": "400"}, {"account": world.county_admin.pk, "days": "0"},
                 {"account": 999999, "days": "30"}):
        response = client.post(TOKEN_NEW, data)
        assert response.status_code == 200 and "raw" not in response.context
    User.objects.filter(pk=world.analyst.pk).update(is_active=False)  # a deactivated account is not offered
    response = client.post(TOKEN_NEW, {"account": world.analyst.pk, "days": "30"})
    assert "account" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_token_revoked_on_the_page_is_refused_on_the_next_call(world, client):
    token, raw = token_create(user=world.county_admin)
    caller = api_client(token=raw)
    assert caller.get("/api/v1/units/").status_code == 200
    response = _as(client, world.sysadmin).post(reverse("accounts:token_revoke", args=[token.prefix]))
    assert response.status_code == 302 and response["Location"] == LIST
    assert caller.get("/api/v1/units/").status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, actor=world.sysadmin,
                                     detail__revoked=token.prefix).exists()
    again = client.post(reverse("accounts:token_revoke", args=[token.prefix]), follow=True)
    assert "已于" in again.content.decode()
    assert client.get(reverse("accounts:token_revoke", args=[token.prefix])).status_code == 405


def test_no_one_else_can_revoke_a_token(world, client):
    token, raw = token_create(user=world.county_admin)
    for user in _everyone_but_the_sysadmin(world):
        assert _as(client, user).post(reverse("accounts:token_revoke", args=[token.prefix])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None and api_client(token=raw).get("/api/v1/units/").status_code == 200


def test_the_menu_offers_the_token_pages_to_the_sysadmin_only(world, rf):
    def labels(user):
        request = rf.get("/")
        request.user = user
        return [link.url for _group, links in menu_for(request) for link in links]
    assert LIST in labels(world.sysadmin)
    assert all(LIST not in labels(user) for user in _everyone_but_the_sysadmin(world))
