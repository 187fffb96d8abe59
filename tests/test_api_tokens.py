"""API tokens: shown once and stored hashed, expiry, revocation mid-session, service accounts, the CLI."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import ApiToken, AuditEvent, User
from jingzhun.accounts.tokens import TokenError, service_account_create, token_create, token_revoke
from jingzhun.cli import main
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.roles import Role

from .api_helpers import api_client

UNITS = "/api/v1/units/"


def test_a_token_is_stored_only_as_its_hash(world):
    token, raw = token_create(user=world.county_admin, days=10)
    assert raw.startswith(f"jz_{token.prefix}_") and len(raw) > 40
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get(pk=token.pk))
    assert raw not in stored and raw.split("_", 2)[2] not in stored
    assert raw not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_token_reads_what_its_user_reaches(world):
    response = api_client(world.township_officer).get(UNITS)
    assert response.status_code == 200
    codes = {u["code"] for u in response.json()["results"]}
    assert "140826100" in codes and all(c.startswith("140826100") for c in codes)


def test_no_token_a_wrong_one_or_a_malformed_header_is_401_in_the_one_shape(world):
    real = token_create(user=world.county_admin)[1]
    for client in (api_client(), api_client(token=real[:-2] + "xx"), api_client(token="jz_nothere_abc"),
                   api_client(token="garbage")):
        response = client.get(UNITS)
        assert response.status_code == 401, response.content
        body = response.json()
        assert set(body) == {"code", "message"} and body["code"] in ("not_authenticated", "token_invalid")
        assert "令牌" in body["message"] and response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_revoked_mid_session_is_refused_on_the_next_call(world):
    token, raw = token_create(user=world.county_admin)
    client = api_client(token=raw)
    assert client.get(UNITS).status_code == 200
    token_revoke(prefix=token.prefix)
    response = client.get(UNITS)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    with pytest.raises(TokenError, match="已于"):
        token_revoke(prefix=token.prefix)


def test_an_expired_token_and_one_of_a_deactivated_account_are_refused(world):
    token, raw = token_create(user=world.county_admin, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api_client(token=raw).get(UNITS).status_code == 401
    raw2 = token_create(user=world.analyst)[1]
    User.objects.filter(pk=world.analyst.pk).update(is_active=False)
    assert api_client(token=raw2).get(UNITS).status_code == 401


def test_token_lifetimes_are_bounded(world):
    for days in (0, 367, -5):
        with pytest.raises(TokenError):
            token_create(user=world.county_admin, days=days)


def test_every_call_is_audited_with_the_token_prefix_and_a_masked_query(world):
    token, raw = token_create(user=world.county_admin)
    api_client(token=raw).get(UNITS, {"parent": "140826", "q": world.home.head_id_number})
    event = AuditEvent.objects.filter(action=AuditEvent.Action.API).latest("at")
    assert event.actor == world.county_admin and event.target == f"GET {UNITS}"
    assert event.detail["token"] == token.prefix and event.detail["status"] == 200
    assert world.home.head_id_number not in event.detail["query"] and "parent=140826" in event.detail["query"]
    api_client().get(UNITS)
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.API).latest("at")
    assert refused.actor is None and refused.detail["status"] == 401


def test_a_service_account_has_no_password_and_is_bound_like_a_person(world):
    unit = OrgUnit.objects.get(code="140826")
    account = service_account_create(username="yibao-api", role=Role.DEPARTMENT, org_unit=unit, full_name="县医保局接口")
    assert account.is_service and not account.has_usable_password()
    assert not api_client().login(username="yibao-api", password="")  # no way in through the pages
    codes = {u["code"] for u in api_client(account).get(UNITS).json()["results"]}
    assert codes and all(c.startswith("140826") for c in codes)
    with pytest.raises(TokenError, match="已存在"):
        service_account_create(username="yibao-api", role=Role.DEPARTMENT, org_unit=unit)


def test_calls_are_throttled_per_token(world, settings):
    settings.JINGZHUN_API_PER_MINUTE = 2
    first, second = api_client(world.county_admin), api_client(world.county_admin)
    assert [first.get(UNITS).status_code for _ in range(2)] == [200, 200]
    response = first.get(UNITS)
    assert response.status_code == 429 and response.json()["code"] == "throttled" and "秒后再试" in response.json()["message"]
    assert int(response["Retry-After"]) >= 1
    assert second.get(UNITS).status_code == 200  # another token of the same account is not held up


def test_the_cli_creates_prints_once_lists_and_revokes(world, capsys):
    assert main(["token", "account", "mz-api", "--role", "county_admin", "--unit", "140826",
                 "--full-name", "民政接口"]) == 0
    assert "不能登录页面" in capsys.readouterr().out
    assert main(["token", "create", "mz-api", "--days", "30", "--name", "民政推送"]) == 0
    out = capsys.readouterr()
    raw = out.out.strip()
    assert raw.startswith("jz_") and "只显示这一次" in out.err
    assert api_client(token=raw).get(UNITS).status_code == 200
    assert main(["token", "list", "mz-api"]) == 0
    listed = capsys.readouterr().out
    assert "有效" in listed and raw not in listed and "民政推送" in listed
    assert main(["token", "revoke", raw]) == 0  # the whole token names it too
    assert "已吊销" in capsys.readouterr().out
    assert api_client(token=raw).get(UNITS).status_code == 401
    assert main(["token", "revoke", raw]) == 2 and "已于" in capsys.readouterr().err
    assert main(["token", "create", "nobody"]) == 2 and "没有用户名" in capsys.readouterr().err
    assert main(["token", "create", "mz-api", "--days", "400"]) == 2
    assert main(["token", "account", "x-api", "--role", "boss", "--unit", "140826"]) == 2


def test_the_schema_and_docs_are_public_and_the_docs_load_our_own_swagger(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert "/api/v1/units/" in schema.json()["paths"]
    docs = client.get(reverse("api:docs"))
    text = docs.content.decode()
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in text
    assert "unpkg" not in text and "jsdelivr" not in text and "cdn" not in text.lower()


def test_the_demo_prints_a_token_of_its_service_account_and_revokes_the_last_ones(world):
    from jingzhun.synth.demo import DEMO_API_ACCOUNT, demo_api_token

    account, first = demo_api_token()
    assert account == DEMO_API_ACCOUNT and User.objects.get(username=account).is_service
    assert api_client(token=first).get(UNITS).status_code == 200
    _, second = demo_api_token()  # a second `jingzhun demo`
    assert api_client(token=first).get(UNITS).status_code == 401
    assert api_client(token=second).get(UNITS).status_code == 200
