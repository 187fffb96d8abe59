"""Password policy (等保 level 3), self-service change, expiry, and the first-login change after an admin set it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent, Role, User

from .people import PASSWORD

NEW = "Tiger#Lamp-2931"


def _refused(password, user) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return " ".join(caught.value.messages)


@pytest.mark.django_db
def test_jiangxian1_is_refused(world):
    # the county's pinyin and a digit: three classes, ten characters, and still the first guess
    assert "至少三类" in _refused("Jiangxian1", world.county_admin)
    assert "至少三类" in _refused("Jiangxian1", world.outsider)


@pytest.mark.django_db
def test_place_names_of_ones_own_units_and_the_username_are_refused(world):
    assert "拼音" in _refused("Jiang-Xian#2024", world.county_admin)  # 绛县
    assert "拼音" in _refused("Gujiang*Zhen88", world.township_officer)  # 古绛镇
    assert "拼音" in _refused("Yuncheng!2024x", world.village_clerk)  # 运城市, above the village
    assert "拼音" in _refused("Village_Clerk#7", world.village_clerk)
    validate_password("Jiang-Xian#2024", world.outsider)  # 平陆县's admin: not a name of theirs


@pytest.mark.django_db
def test_long_passphrases_need_no_symbol_and_the_fixture_password_passes(world):
    validate_password("Morningtea29", world.county_admin)  # twelve characters: a symbol is not needed
    assert "须含有符号" in _refused("Morningtea2", world.county_admin)  # eleven: it is
    for user in world.users:
        validate_password(PASSWORD, user)


@pytest.mark.django_db
def test_user_menu_links_the_password_change_page(world, client):
    client.force_login(world.village_clerk)
    assert 'href="/accounts/password/"' in client.get("/households/").content.decode()


@pytest.mark.django_db
def test_changing_ones_password_checks_the_old_and_the_policy_and_is_audited(world, client):
    client.force_login(world.village_clerk)
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page and "至少三类" in page
    wrong_old = client.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert "原密码不正确" in wrong_old.content.decode()
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Jiangxian1",
                                               "new_password2": "Jiangxian1"})
    assert "至少三类" in weak.content.decode()
    same = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD,
                                               "new_password2": PASSWORD})
    assert "不能与原密码相同" in same.content.decode()
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert client.get("/households/").status_code == 200  # still signed in
    user = User.objects.get(pk=world.village_clerk.pk)
    assert user.check_password(NEW) and timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGE)
    assert event.actor == world.village_clerk and event.target == "village_clerk"


@pytest.mark.django_db
def test_an_expired_password_must_be_changed_before_anything_else(world, client, settings):
    User.objects.filter(pk=world.township_officer.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91))
    client.force_login(world.township_officer)
    response = client.get("/households/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert "已超过 90 天未修改" in response.content.decode()
    settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS = 0  # never expires
    assert client.get("/households/").status_code == 200


@pytest.mark.django_db
def test_an_account_created_by_the_admin_must_change_its_password_at_first_sign_in(world, client):
    admin = client.__class__()
    admin.force_login(world.sysadmin)
    response = admin.post("/admin/accounts/user/add/", {
        "username": "new_clerk", "usable_password": "true", "password1": "Given#By-Admin7",
        "password2": "Given#By-Admin7", "role": Role.VILLAGE_CLERK, "org_unit": "140826100233", "full_name": "新信息员"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="new_clerk").must_change_password
    client.post("/accounts/login/", {"username": "new_clerk", "password": "Given#By-Admin7"})
    response = client.get("/households/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert "由管理员设置" in response.content.decode()
    client.post("/accounts/password/", {"old_password": "Given#By-Admin7", "new_password1": NEW, "new_password2": NEW})
    assert not User.objects.get(username="new_clerk").must_change_password
    assert client.get("/households/").status_code == 200


@pytest.mark.django_db
def test_a_password_the_admin_resets_must_be_changed_too(world, client):
    admin = client.__class__()
    admin.force_login(world.sysadmin)
    response = admin.post(f"/admin/accounts/user/{world.cadre.pk}/password/",
                          {"usable_password": "true", "password1": "Reset#By-Admin7", "password2": "Reset#By-Admin7"})
    assert response.status_code == 302
    assert User.objects.get(pk=world.cadre.pk).must_change_password


@pytest.mark.django_db
def test_demo_accounts_are_not_forced_to_change(world):
    from jingzhun.synth.demo import demo_users_reset

    demo_users_reset()
    assert not User.objects.filter(username__in=["admin", "county", "village"], must_change_password=True).exists()
