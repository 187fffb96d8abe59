"""Optional TOTP two-factor sign-in (django-otp), required for county and system admins when the setting says so."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhun.accounts.models import AuditEvent

from .people import PASSWORD


@pytest.fixture(autouse=True)
def _no_backoff_between_codes(settings):
    """django-otp waits 2^n seconds after n wrong codes; these tests type the right code right after."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.django_db
def test_enrolment_shows_the_otpauth_uri_as_a_qr_code_and_confirms_with_one_code(world, client):
    client.force_login(world.county_admin)
    page = client.get("/accounts/2fa/").content.decode()
    assert "otpauth://totp/" in page and "<svg" in page and "身份验证器" in page
    device = TOTPDevice.objects.get(user=world.county_admin)
    assert not device.confirmed
    wrong = client.post("/accounts/2fa/", {"token": "000000" if _code(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    assert client.post("/accounts/2fa/", {"token": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_ENROL, actor=world.county_admin).count() == 1
    assert "已启用两步验证" in client.get("/accounts/2fa/").content.decode()


@pytest.mark.django_db
def test_with_an_authenticator_the_password_alone_does_not_sign_in(world, client):
    device = _device(world.township_officer)
    response = client.post("/accounts/login/", {"username": "township_officer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/households/").status_code == 302  # still signed out
    bad = client.post("/accounts/2fa/verify/", {"token": "12345"})
    assert "6 位数字" in bad.content.decode() and "_auth_user_id" not in client.session
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert "验证码不正确" in client.post("/accounts/2fa/verify/", {"token": wrong}).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username="township_officer",
                                     detail__step="totp").count() == 1
    done = client.post("/accounts/2fa/verify/", {"token": _code(device)}, follow=True)
    assert done.redirect_chain[-1][0] == "/todo/"
    assert client.get("/households/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=world.township_officer).count() == 1


@pytest.mark.django_db
def test_wrong_codes_are_throttled_like_wrong_passwords(world, client):
    device = _device(world.village_clerk)
    wrong = "000000" if _code(device) != "000000" else "111111"
    client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
    statuses = [client.post("/accounts/2fa/verify/", {"token": wrong}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_when_required_a_county_admin_must_enrol_before_any_page(world, client, settings):
    settings.JINGZHUN_REQUIRE_2FA = True
    client.post("/accounts/login/", {"username": "county_admin", "password": PASSWORD})
    response = client.get("/households/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "须使用两步验证" in response.content.decode()
    device = TOTPDevice.objects.get(user=world.county_admin)
    client.post("/accounts/2fa/", {"token": _code(device)})
    assert client.get("/households/").status_code == 200
    # a village clerk is not asked
    other = client.__class__()
    other.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD})
    assert other.get("/households/").status_code == 200


@pytest.mark.django_db
def test_when_required_a_sysadmin_session_without_the_code_is_sent_to_verify(world, client, settings):
    settings.JINGZHUN_REQUIRE_2FA = True
    device = _device(world.sysadmin)
    client.force_login(world.sysadmin)  # e.g. a session from before the setting was switched on
    assert client.get("/admin/")["Location"] == "/accounts/2fa/verify/"
    done = client.post("/accounts/2fa/verify/?next=https://evil.example/", {"token": _code(device)})
    assert done["Location"] == "/todo/"  # never off-site: the landing page
    assert client.get("/admin/").status_code == 200
