"""The pages of the people who help: help units, work teams, cadres, the household's 帮扶责任人 section and
its 调整 form, letters (upload, audited download), 我的帮扶对象 and the menu entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import CadreAssignment, HelpUnit, ResponsibilityLetter, WorkTeam
from jingzhun.assistance.services import people as services
from jingzhun.registry.models import Household

from .helper_people import START, help_unit, pdf_upload, second_cadre, team
from .notice_photos import jpeg_bytes
from .people import HENGDONG, XIAGAOCHI

pytestmark = pytest.mark.django_db


def _get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


# --- 帮扶单位 ---------------------------------------------------------------------------------------------

def test_county_admin_adds_a_help_unit_from_the_list(world, client):
    client.force_login(world.county_admin)
    url = reverse("assistance:help_units", kwargs={"county": "140826"})
    response = client.post(url, {"name": "绛县卫健局", "level": "县直"})
    assert response.status_code == 302
    assert HelpUnit.objects.get().name == "绛县卫健局"
    page = client.get(url).content.decode()
    assert "绛县卫健局" in page and 'id="new-unit"' in page


def test_a_duplicate_help_unit_is_answered_in_chinese_and_nothing_changes(world, client):
    help_unit(name="绛县卫健局")
    client.force_login(world.county_admin)
    response = client.post(reverse("assistance:help_units", kwargs={"county": "140826"}), {"name": "绛县卫健局"})
    assert response.status_code == 200 and "已有名为" in response.content.decode()
    assert HelpUnit.objects.count() == 1


def test_the_township_sees_the_help_units_without_the_form_and_may_not_post(world, client):
    help_unit(name="绛县卫健局")
    response = _get(client, world.township_officer, "assistance:help_units", county="140826")
    assert "绛县卫健局" in response.content.decode() and 'id="new-unit"' not in response.content.decode()
    response = client.post(reverse("assistance:help_units", kwargs={"county": "140826"}), {"name": "新单位"})
    assert response.status_code == 403 and HelpUnit.objects.count() == 1


# --- 驻村工作队 -------------------------------------------------------------------------------------------

def test_the_teams_page_lists_members_with_roles_and_the_units_figures(world, client):
    team(XIAGAOCHI, phone="13611112222")
    page = _get(client, world.county_admin, "assistance:team_list", code="140826").content.decode()
    assert "周书记（第一书记）" in page and "13611112222" in page
    assert 'id="helpers-summary"' in page and 'id="station"' in page


@pytest.mark.parametrize("who", ["analyst", "evaluator", "work_team"])
def test_member_phones_are_masked_for_roles_that_keep_no_records(world, client, who):
    stationed = team(XIAGAOCHI, phone="13611112222")
    for name, kwargs in (("assistance:team_list", {"code": XIAGAOCHI}),
                         ("assistance:team_detail", {"team_id": stationed.pk})):
        page = _get(client, getattr(world, who), name, **kwargs).content.decode()
        assert "13611112222" not in page and "136****2222" in page, (who, name)


def test_a_township_officer_stations_a_team_adds_a_member_and_ends_the_term(world, client):
    client.force_login(world.township_officer)
    response = client.post(reverse("assistance:team_list", kwargs={"code": "140826100"}),
                           {"village": XIAGAOCHI, "start": START.isoformat()})
    stationed = WorkTeam.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/team/{stationed.pk}/")
    url = reverse("assistance:team_detail", kwargs={"team_id": stationed.pk})
    client.post(url, {"action": "add_member", "name": "周书记", "role": "secretary", "phone": "13611112222",
                      "start": START.isoformat(), "user": world.work_team.pk})
    member = stationed.members.get()
    assert member.user == world.work_team
    response = client.post(url, {"action": "add_member", "name": "冯书记", "role": "secretary",
                                 "start": START.isoformat()})
    assert "已有在岗的第一书记" in response.content.decode() and stationed.members.count() == 1
    client.post(url, {"action": "end_team", "end": START.isoformat()})
    stationed.refresh_from_db()
    member.refresh_from_db()
    assert stationed.end == START and member.end == START


def test_the_village_clerk_reads_the_team_but_may_not_change_it(world, client):
    stationed = team(XIAGAOCHI)
    page = _get(client, world.village_clerk, "assistance:team_detail", team_id=stationed.pk).content.decode()
    assert "周书记" in page and 'id="add-member"' not in page
    response = client.post(reverse("assistance:team_detail", kwargs={"team_id": stationed.pk}),
                           {"action": "end_team", "end": START.isoformat()})
    assert response.status_code == 403 and WorkTeam.objects.get().end is None


# --- 帮扶责任人 -------------------------------------------------------------------------------------------

def test_the_cadres_page_counts_households_and_this_years_letter(world, client):
    second_cadre()
    Household.objects.filter(pk=world.neighbour.pk).update(cadre=world.cadre_record)
    services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload(),
                           acting_user=world.county_admin)
    response = client.get(reverse("assistance:cadre_list", kwargs={"county": "140826"}) + "?year=2026")
    assert response.status_code == 302  # not signed in
    client.force_login(world.county_admin)
    response = client.get(reverse("assistance:cadre_list", kwargs={"county": "140826"}) + "?year=2026")
    rows = {c.name: (c.households_n, c.letter_n) for c in response.context["cadres"]}
    assert rows == {"李帮扶": (2, 1), "孙帮扶": (0, 0)}
    assert "2026 年已签帮扶责任书 1 名" in response.content.decode()
    client.force_login(world.village_clerk)  # the clerk counts only the households of its village
    response = client.get(reverse("assistance:cadre_list", kwargs={"county": "140826"}) + "?year=2026")
    assert {c.name: c.households_n for c in response.context["cadres"]} == {"李帮扶": 1, "孙帮扶": 0}


def test_the_cadres_page_is_not_for_a_cadre(world, client):
    assert _get(client, world.cadre, "assistance:cadre_list", county="140826").status_code == 403


def test_a_new_cadre_is_recorded_from_the_cadres_page(world, client):
    client.force_login(world.township_officer)
    response = client.post(reverse("assistance:cadre_list", kwargs={"county": "140826"}),
                           {"name": "钱帮扶", "work_unit": "绛县财政局", "phone": "13500001111"})
    assert response.status_code == 302
    assert world.cadre_record.county.cadres.filter(name="钱帮扶").exists()


def test_the_cadre_page_lists_households_pairings_and_letters(world, client):
    new = second_cadre()
    services.cadre_assign(household=world.home, cadre=new, reason="调离", acting_user=world.county_admin)
    page = _get(client, world.county_admin, "assistance:cadre_detail", cadre_id=new.pk).content.decode()
    assert world.home.code in page and "调离" in page and 'id="move-all"' in page
    old = _get(client, world.county_admin, "assistance:cadre_detail", cadre_id=world.cadre_record.pk).content.decode()
    assert "导入的结对" in old  # the imported pairing, closed, on the old cadre's page


def test_moving_all_households_from_the_cadre_page(world, client):
    new = second_cadre()
    client.force_login(world.county_admin)
    response = client.post(reverse("assistance:cadre_detail", kwargs={"cadre_id": world.cadre_record.pk}),
                           {"action": "move_all", "cadre": new.pk, "reason": "调离"})
    assert response.status_code == 302
    assert Household.objects.get(pk=world.home.pk).cadre == new


# --- the household page ------------------------------------------------------------------------------

def test_the_household_page_shows_the_cadre_section_with_adjust_for_managers(world, client):
    page = _get(client, world.township_officer, "registry:household_detail", code=world.home.code).content.decode()
    assert 'id="cadre"' in page and reverse("assistance:cadre_assign", kwargs={"code": world.home.code}) in page
    page = _get(client, world.village_clerk, "registry:household_detail", code=world.home.code).content.decode()
    assert 'id="cadre"' in page and "李帮扶" in page
    assert reverse("assistance:cadre_assign", kwargs={"code": world.home.code}) not in page


def test_reassigning_from_the_household_page_keeps_history(world, client):
    new = second_cadre()
    client.force_login(world.township_officer)
    url = reverse("assistance:cadre_assign", kwargs={"code": world.home.code})
    response = client.post(url, {"cadre": new.pk, "reason": ""})
    assert response.status_code == 200 and not CadreAssignment.objects.exists()
    response = client.post(url, {"cadre": new.pk, "reason": "原责任人调离"})
    assert response.status_code == 302
    page = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
    assert "原责任人调离" in page and "孙帮扶" in page and "导入的结对" in page


def test_the_reassign_form_is_refused_to_the_village_clerk(world, client):
    response = _get(client, world.village_clerk, "assistance:cadre_assign", code=world.home.code)
    assert response.status_code == 403


# --- 帮扶责任书 -------------------------------------------------------------------------------------------

def test_a_letter_uploaded_and_downloaded_with_an_audit_row(world, client):
    client.force_login(world.county_admin)
    url = reverse("assistance:letter_upload", kwargs={"cadre_id": world.cadre_record.pk})
    response = client.post(url, {"year": 2026, "signed_on": START.isoformat(), "file": pdf_upload()})
    assert response.status_code == 302
    letter = ResponsibilityLetter.objects.get()
    client.force_login(world.cadre)  # the cadre downloads their own letter
    response = client.get(reverse("assistance:letter_download", kwargs={"letter_id": letter.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("id")
    assert event.actor == world.cadre and event.detail["what"] == "responsibility_letter"


def test_a_photo_instead_of_a_pdf_is_refused_in_chinese(world, client):
    client.force_login(world.county_admin)
    url = reverse("assistance:letter_upload", kwargs={"cadre_id": world.cadre_record.pk})
    response = client.post(url, {"year": 2026, "signed_on": START.isoformat(),
                                 "file": pdf_upload("scan.pdf", jpeg_bytes())})
    assert response.status_code == 400 and "不是可以打开的 PDF" in response.content.decode()
    assert not ResponsibilityLetter.objects.exists()


def test_a_letter_of_another_countys_cadre_is_not_found(world, client):
    other = second_cadre("140829", "平陆帮扶")
    letter = services.letter_upload(cadre=other, year=2026, signed_on=START, file=pdf_upload(),
                                    acting_user=world.outsider)
    assert _get(client, world.county_admin, "assistance:letter_download", letter_id=letter.pk).status_code == 404


# --- 我的帮扶对象 and the menu -----------------------------------------------------------------------------

def test_my_households_takes_a_cadre_to_their_own_page(world, client):
    response = _get(client, world.cadre, "assistance:my_households")
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:cadre_detail", kwargs={"cadre_id": world.cadre_record.pk})
    page = client.get(response["Location"]).content.decode()
    assert "我的帮扶对象" in page and world.home.code in page
    assert _get(client, world.village_clerk, "assistance:my_households").status_code == 403


def test_the_menu_offers_each_role_its_entries(world, client):
    page = _get(client, world.cadre, "desk:todo").content.decode()
    assert reverse("assistance:my_households") in page
    assert reverse("assistance:cadre_list", kwargs={"county": "140826"}) not in page
    page = _get(client, world.township_officer, "desk:todo").content.decode()
    assert reverse("assistance:team_list", kwargs={"code": "140826100"}) in page
    assert reverse("assistance:cadre_list", kwargs={"county": "140826"}) in page
    assert reverse("assistance:my_households") not in page


def test_teams_of_another_township_are_not_found(world, client):
    other = team(HENGDONG)
    assert _get(client, world.township_officer, "assistance:team_detail", team_id=other.pk).status_code == 404
    assert _get(client, world.township_officer, "assistance:team_list", code="140826101").status_code == 404


def test_a_teams_members_are_listed_first_secretary_first(world, client):
    stationed = team(XIAGAOCHI)  # 周书记 (第一书记) and 吴队员 (队员)
    services.team_member_add(team_id=stationed.pk, name="郑队长", role="leader", start=START,
                             acting_user=world.county_admin)
    response = _get(client, world.county_admin, "assistance:team_detail", team_id=stationed.pk)
    assert [m.name for m in response.context["members"]] == ["周书记", "郑队长", "吴队员"]


def test_the_cadres_page_sorts_pages_and_prints_with_an_audit_row(world, client):
    for n in range(3):
        second_cadre(name=f"帮扶{n}", phone=f"1392222000{n}")
    client.force_login(world.county_admin)
    url = reverse("assistance:cadre_list", kwargs={"county": "140826"})
    response = client.get(url, {"sort": "-name", "per": "20"})
    names = [c.name for c in response.context["cadres"]]
    assert names == sorted(names, reverse=True) and len(names) == 4
    response = client.get(url, {"print": "1"})
    assert response.status_code == 200 and 'id="new-cadre"' not in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("id")
    assert event.detail["what"] == "cadre_list_print" and event.detail["count"] == 4


def test_the_teams_page_prints_every_team_with_an_audit_row(world, client):
    team(XIAGAOCHI)
    client.force_login(world.township_officer)
    response = client.get(reverse("assistance:team_list", kwargs={"code": "140826100"}), {"print": "1"})
    page = response.content.decode()
    assert "周书记" in page and 'id="station"' not in page
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("id")
    assert event.detail["what"] == "team_list_print" and event.detail["count"] == 1
