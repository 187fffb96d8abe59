"""The services of the people who help: help units, work teams and members, cadres, pairings, letters,
and the helpers' figures of a unit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import CadreAssignment, HelpUnit, ResponsibilityLetter, WorkTeam, WorkTeamMember
from jingzhun.assistance.selectors.people import helpers_summary
from jingzhun.assistance.services import people as services
from jingzhun.assistance.services.people import PeopleError
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.registry.models import Household

from .helper_people import START, help_unit, pdf_bytes, pdf_upload, second_cadre, team, work_team_user
from .notice_photos import jpeg_bytes
from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO, make_household

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- 帮扶单位 ---------------------------------------------------------------------------------------------

def test_county_admin_creates_and_renames_a_help_unit_keeping_its_history(world):
    unit = services.help_unit_create(county="140826", name="绛县交通局", level="县直", acting_user=world.county_admin)
    services.help_unit_update(unit_id=unit.pk, name="绛县交通运输局", level="县直", acting_user=world.county_admin)
    unit.refresh_from_db()
    assert unit.name == "绛县交通运输局"
    assert [h.name for h in unit.history.order_by("history_date")] == ["绛县交通局", "绛县交通运输局"]
    assert unit.history.first().history_user == world.county_admin


def test_a_help_unit_name_is_unique_in_its_county(world):
    services.help_unit_create(county="140826", name="绛县交通局", acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="已有名为"):
        services.help_unit_create(county="140826", name=" 绛县交通局 ", acting_user=world.county_admin)
    assert HelpUnit.objects.count() == 1


def test_township_officer_and_read_only_roles_may_not_create_help_units(world):
    for user in (world.township_officer, world.village_clerk, world.cadre, world.work_team):
        with pytest.raises(Refused):
            services.help_unit_create(county="140826", name="某单位", acting_user=user)
    with pytest.raises(OutOfReach):
        services.help_unit_create(county="140826", name="某单位", acting_user=world.outsider)
    assert not HelpUnit.objects.exists()


# --- 驻村工作队 -------------------------------------------------------------------------------------------

def test_township_officer_stations_a_team_in_its_village_and_not_a_second_one(world):
    unit = help_unit()
    stationed = services.team_station(village=XIAGAOCHI, help_unit=unit.pk, start=START,
                                      acting_user=world.township_officer)
    assert stationed.village_id == XIAGAOCHI and stationed.help_unit == unit and stationed.end is None
    with pytest.raises(PeopleError, match="已有在岗"):
        services.team_station(village=XIAGAOCHI, start=START, acting_user=world.township_officer)
    assert WorkTeam.objects.count() == 1


def test_a_team_goes_only_to_a_village_in_reach_with_a_help_unit_of_its_county(world):
    with pytest.raises(OutOfReach):
        services.team_station(village=HENGDONG, start=START, acting_user=world.township_officer)
    with pytest.raises(PeopleError, match="请选择驻村的村"):
        services.team_station(village="140826100", start=START, acting_user=world.township_officer)
    other = help_unit("140829", "平陆县水利局")
    with pytest.raises(PeopleError, match="本县的帮扶单位"):
        services.team_station(village=XIAGAOCHI, help_unit=other.pk, start=START, acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="不能晚于今天"):
        services.team_station(village=XIAGAOCHI, start=TODAY() + datetime.timedelta(days=1),
                              acting_user=world.county_admin)
    with pytest.raises(Refused):
        services.team_station(village=XIAGAOCHI, start=START, acting_user=world.village_clerk)
    assert not WorkTeam.objects.exists()


def test_members_are_added_with_one_first_secretary_at_a_time(world):
    stationed = services.team_station(village=XIAGAOCHI, start=START, acting_user=world.county_admin)
    secretary = services.team_member_add(team_id=stationed.pk, name="周书记", role="secretary", phone="13611112222",
                                         start=START, acting_user=world.township_officer)
    services.team_member_add(team_id=stationed.pk, name="郑队长", role="leader", start=START,
                             acting_user=world.township_officer)
    with pytest.raises(PeopleError, match="已有在岗的第一书记"):
        services.team_member_add(team_id=stationed.pk, name="冯书记", role="secretary", start=START,
                                 acting_user=world.township_officer)
    services.team_member_end(member_id=secretary.pk, end=TODAY(), acting_user=world.township_officer)
    services.team_member_add(team_id=stationed.pk, name="冯书记", role="secretary", start=TODAY(),
                             acting_user=world.township_officer)
    assert list(stationed.members.filter(role="secretary").order_by("start").values_list("name", "end")) == [
        ("周书记", TODAY()), ("冯书记", None)]


def test_a_member_links_only_a_work_team_account_of_the_teams_village(world):
    stationed = services.team_station(village=XIAGAOCHI, start=START, acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="驻村工作队"):  # a clerk's account: another role
        services.team_member_add(team_id=stationed.pk, name="甲", role="member", start=START,
                                 user=world.village_clerk, acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="驻村工作队"):  # a work team account of another village
        services.team_member_add(team_id=stationed.pk, name="乙", role="member", start=START,
                                 user=work_team_user(CHENGNEI), acting_user=world.county_admin)
    member = services.team_member_add(team_id=stationed.pk, name="丙", role="member", start=START,
                                      user=world.work_team.pk, acting_user=world.county_admin)
    assert member.user == world.work_team
    assert stationed.members.count() == 1


def test_ending_a_team_ends_its_members_in_post(world):
    stationed = team()
    services.team_end(team_id=stationed.pk, end=TODAY(), acting_user=world.township_officer)
    assert WorkTeam.objects.get(pk=stationed.pk).end == TODAY()
    assert set(WorkTeamMember.objects.filter(team=stationed).values_list("end", flat=True)) == {TODAY()}
    with pytest.raises(PeopleError, match="已经结束"):
        services.team_member_add(team_id=stationed.pk, name="晚到", role="member", start=TODAY(),
                                 acting_user=world.township_officer)


def test_a_term_cannot_end_before_it_began(world):
    stationed = team()
    with pytest.raises(PeopleError, match="不能早于"):
        services.team_end(team_id=stationed.pk, end=START - datetime.timedelta(days=1), acting_user=world.county_admin)
    assert WorkTeam.objects.get(pk=stationed.pk).end is None


def test_teams_out_of_reach_are_not_found(world):
    other = team(HENGDONG)
    with pytest.raises(OutOfReach):
        services.team_end(team_id=other.pk, end=TODAY(), acting_user=world.township_officer)


# --- 帮扶责任人 -------------------------------------------------------------------------------------------

def test_a_township_officer_records_a_cadre_of_its_county(world):
    cadre = services.cadre_create(county="140826", name="钱帮扶", work_unit="绛县财政局", phone="13500001111",
                                  acting_user=world.township_officer)
    assert cadre.county_id == "140826" and cadre.history.first().history_user == world.township_officer
    with pytest.raises(PeopleError, match="同名同电话"):
        services.cadre_create(county="140826", name="钱帮扶", phone="13500001111", acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="联系电话"):
        services.cadre_create(county="140826", name="赵帮扶", phone="call me", acting_user=world.county_admin)
    with pytest.raises(OutOfReach):
        services.cadre_create(county="140829", name="赵帮扶", acting_user=world.township_officer)


def test_a_cadre_links_only_a_cadre_account_of_the_county_not_linked_elsewhere(world):
    with pytest.raises(PeopleError, match="帮扶责任人”角色"):
        services.cadre_create(county="140826", name="赵帮扶", user=world.work_team, acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="另一名帮扶责任人"):  # world.cadre is linked to 李帮扶 already
        services.cadre_create(county="140826", name="赵帮扶", user=world.cadre, acting_user=world.county_admin)


def test_a_cadre_serving_households_out_of_reach_is_edited_by_the_county(world):
    Household.objects.filter(pk=world.other_township.pk).update(cadre=world.cadre_record)
    with pytest.raises(PeopleError, match="辖区以外的 1 户"):
        services.cadre_update(cadre_id=world.cadre_record.pk, name="李帮扶", work_unit="新单位",
                              phone=world.cadre_record.phone, user=world.cadre, acting_user=world.township_officer)
    services.cadre_update(cadre_id=world.cadre_record.pk, name="李帮扶", work_unit="新单位",
                          phone=world.cadre_record.phone, user=world.cadre, acting_user=world.county_admin)
    world.cadre_record.refresh_from_db()
    assert world.cadre_record.work_unit == "新单位" and world.cadre_record.user == world.cadre


# --- 帮扶结对 ---------------------------------------------------------------------------------------------

def test_reassigning_keeps_the_imported_pairing_and_records_it_in_the_households_history(world):
    new = second_cadre()
    assignment = services.cadre_assign(household=world.home, cadre=new, reason="原责任人调离",
                                       acting_user=world.township_officer)
    world.home.refresh_from_db()
    assert world.home.cadre == new and assignment.end is None and assignment.created_by == world.township_officer
    rows = list(CadreAssignment.objects.filter(household=world.home).order_by("id"))
    assert [(r.cadre_id, r.end) for r in rows] == [(world.cadre_record.pk, TODAY()), (new.pk, None)]
    latest = world.home.history.order_by("-history_date").first()
    assert latest.cadre_id == new.pk and latest.history_user == world.township_officer
    assert "原责任人调离" in latest.history_change_reason


def test_reassigning_twice_keeps_every_pairing(world):
    new = second_cadre()
    services.cadre_assign(household=world.home.code, cadre=new.pk, reason="调离", acting_user=world.county_admin)
    services.cadre_assign(household=world.home.code, cadre=world.cadre_record.pk, reason="回原单位",
                          acting_user=world.county_admin)
    rows = CadreAssignment.objects.filter(household=world.home).order_by("id")
    assert [r.cadre_id for r in rows] == [world.cadre_record.pk, new.pk, world.cadre_record.pk]
    assert rows.filter(end__isnull=True).count() == 1


def test_a_pairing_needs_a_reason_another_cadre_of_the_county_and_a_manager(world):
    other_county = second_cadre("140829", "平陆帮扶")
    with pytest.raises(PeopleError, match="调整原因"):
        services.cadre_assign(household=world.home, cadre=second_cadre(), reason=" ", acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="已是该户的帮扶责任人"):
        services.cadre_assign(household=world.home, cadre=world.cadre_record, reason="再次确认",
                              acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="请选择帮扶责任人"):  # another county's cadre is not in reach
        services.cadre_assign(household=world.home, cadre=other_county, reason="调整", acting_user=world.county_admin)
    with pytest.raises(PeopleError, match="所在县"):  # the sysadmin reaches both counties
        services.cadre_assign(household=world.home, cadre=other_county, reason="调整", acting_user=world.sysadmin)
    for user in (world.village_clerk, world.cadre, world.work_team, world.analyst):
        with pytest.raises(Refused):
            services.cadre_assign(household=world.home, cadre=other_county, reason="调整", acting_user=user)
    with pytest.raises(OutOfReach):
        services.cadre_assign(household=world.other_township, cadre=world.cadre_record, reason="调整",
                              acting_user=world.township_officer)
    assert not CadreAssignment.objects.exists()
    world.home.refresh_from_db()
    assert world.home.cadre == world.cadre_record


def test_a_cadre_who_leaves_hands_every_household_in_reach_to_another(world):
    Household.objects.filter(pk__in=[world.neighbour.pk, world.other_township.pk]).update(cadre=world.cadre_record)
    new = second_cadre()
    moved, left = services.cadre_move_all(from_cadre_id=world.cadre_record.pk, to_cadre_id=new.pk, reason="调离",
                                          acting_user=world.township_officer)
    assert (moved, left) == (2, 1)  # 横东村 is another township's
    assert set(Household.objects.filter(cadre=new).values_list("code", flat=True)) == {world.home.code,
                                                                                      world.neighbour.code}
    assert CadreAssignment.objects.filter(cadre=new, end__isnull=True).count() == 2
    with pytest.raises(PeopleError, match="另一名"):
        services.cadre_move_all(from_cadre_id=new.pk, to_cadre_id=new.pk, reason="调离",
                                acting_user=world.county_admin)


# --- 帮扶责任书 -------------------------------------------------------------------------------------------

def test_a_signed_pdf_is_stored_and_audited(world):
    letter = services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload(),
                                    acting_user=world.township_officer)
    assert letter.file.read().startswith(b"%PDF-") and letter.name == "责任书.pdf"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).latest("id")
    assert event.detail["what"] == "responsibility_letter" and event.detail["replaced"] is False


@pytest.mark.parametrize("name,content", [
    ("scan.pdf", jpeg_bytes()),  # a photo renamed to .pdf
    ("broken.pdf", b"%PDF-1.7\n" + b"garbage " * 200),  # a PDF header over nothing
    ("empty.pdf", b""),
])
def test_a_file_that_is_not_a_readable_pdf_is_refused(world, name, content):
    with pytest.raises(PeopleError):
        services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START,
                               file=pdf_upload(name, content), acting_user=world.county_admin)
    assert not ResponsibilityLetter.objects.exists()


def test_a_letter_over_the_size_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "LETTER_MAX_BYTES", len(pdf_bytes()) - 1)
    with pytest.raises(PeopleError, match="不能超过"):
        services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload(),
                               acting_user=world.county_admin)
    assert not ResponsibilityLetter.objects.exists()


def test_replacing_a_years_letter_keeps_the_old_one_in_history(world):
    first = services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload("一.pdf"),
                                   acting_user=world.county_admin)
    old_file = first.file.name
    second = services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=TODAY(),
                                    file=pdf_upload("二.pdf", pdf_bytes(2)), acting_user=world.township_officer)
    assert second.pk == first.pk and ResponsibilityLetter.objects.count() == 1
    assert second.file.name != old_file and second.name == "二.pdf"
    versions = list(second.history.order_by("history_date"))
    assert [v.name for v in versions] == ["一.pdf", "二.pdf"] and versions[0].file == old_file
    assert second.file.storage.exists(old_file)


def test_a_letter_year_is_checked_and_only_managers_upload(world):
    with pytest.raises(PeopleError, match="年度"):
        services.letter_upload(cadre=world.cadre_record, year=1999, signed_on=START, file=pdf_upload(),
                               acting_user=world.county_admin)
    for user in (world.cadre, world.village_clerk, world.work_team):
        with pytest.raises(Refused):
            services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload(),
                                   acting_user=user)
    assert not ResponsibilityLetter.objects.exists()


# --- the figures ---------------------------------------------------------------------------------------

def test_helpers_summary_counts_by_hand(world):
    team(XIAGAOCHI)  # a 第一书记 and a 队员, in post
    ended = team(CHENGNEI)
    ended.end = datetime.date(2025, 6, 30)  # a team that left the year before
    ended.save()
    WorkTeamMember.objects.filter(team=ended).update(end=datetime.date(2025, 6, 30))
    team(ZHANGGUO)  # another county
    # neither a 一般农户 nor a 清退 household is to have a cadre: not counted
    Household.objects.filter(pk=make_household(CHENGNEI, 7, "甲").pk).update(category="一般农户")
    make_household(HENGDONG, 7, "乙", status="清退")
    services.letter_upload(cadre=world.cadre_record, year=2026, signed_on=START, file=pdf_upload(),
                           acting_user=world.county_admin)
    county = access_for(world.county_admin)
    assert helpers_summary(county, "140826", 2026) == {
        "teams": 1, "members": 2, "first_secretaries": 1, "cadres": 1, "letters": 1,
        "households_with_cadre": 1, "households_without_cadre": 2}
    last_year = helpers_summary(county, "140826", 2025)
    assert (last_year["teams"], last_year["members"], last_year["letters"]) == (2, 4, 0)
    assert helpers_summary(access_for(world.village_clerk), XIAGAOCHI, 2026) == {
        "teams": 1, "members": 2, "first_secretaries": 1, "cadres": 1, "letters": 1,
        "households_with_cadre": 1, "households_without_cadre": 0}
    assert helpers_summary(access_for(world.sysadmin), "140829", 2026)["households_without_cadre"] == 1


def test_a_household_whose_record_fails_its_checks_is_answered_and_nothing_changes(world):
    Household.objects.filter(pk=world.home.pk).update(head_id_number="123")  # an old import's bad ID number
    with pytest.raises(PeopleError, match="登记信息有误"):
        services.cadre_assign(household=world.home, cadre=second_cadre(), reason="调离",
                              acting_user=world.county_admin)
    assert not CadreAssignment.objects.exists()
    assert Household.objects.get(pk=world.home.pk).cadre == world.cadre_record
