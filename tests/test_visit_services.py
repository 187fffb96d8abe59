"""走访 services: visits stored once, in scope only; edits applied when the phone's base still holds, kept as
a conflict otherwise; a conflict resolved by the cadre with both versions kept."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from jingzhun.assistance.models import EditConflict, Visit, VisitPhoto
from jingzhun.assistance.selectors.visits import field_households, income_verification_due, open_conflicts
from jingzhun.assistance.services.visits import VisitError, conflict_resolve, edit_apply, visit_photo_add, visit_record
from jingzhun.registry.models import Household, Member
from jingzhun.registry.services import household_update

from .notice_photos import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def _visit(world, user=None, household=None, **extra):
    fields = {"client_id": str(uuid.uuid4()), "household_code": (household or world.home).code,
              "visited_on": timezone.localdate().isoformat(), "met": "户主王建国", "situation": "身体好转",
              "needs": "想学养殖技术", "done": "联系了农技站", "recorded_at": timezone.now().isoformat()}
    fields.update(extra)
    return visit_record(acting_user=user or world.cadre, **fields)


def _income_edit(world, user=None, base=None, values=None, client_id=None):
    home = Household.objects.get(code=world.home.code)
    return edit_apply(client_id=client_id or str(uuid.uuid4()), household_code=home.code, author=user or world.cadre,
                      base=base if base is not None else {"income_12m": None, "income_12m_verified_on": None},
                      values=values or {"income_12m": "9500", "income_12m_verified_on": timezone.localdate().isoformat()},
                      recorded_at=timezone.now().isoformat())


def test_a_visit_sent_twice_is_stored_once(world):
    key = str(uuid.uuid4())
    first, created = _visit(world, client_id=key)
    again, created_again = _visit(world, client_id=key, situation="something else")
    assert created and not created_again
    assert again.pk == first.pk and again.situation == "身体好转"
    assert Visit.objects.filter(client_id=key).count() == 1


def test_cadre_cannot_record_a_visit_to_a_household_not_theirs(world):
    with pytest.raises(Http404):
        _visit(world, household=world.neighbour)
    assert not Visit.objects.exists()


def test_work_team_records_in_its_village_and_not_next_door(world):
    _visit(world, user=world.work_team)
    with pytest.raises(Http404):
        _visit(world, user=world.work_team, household=world.neighbour)
    assert Visit.objects.count() == 1


def test_read_only_office_roles_may_not_record_visits(world):
    with pytest.raises(PermissionDenied):
        _visit(world, user=world.analyst)
    with pytest.raises(PermissionDenied):
        _visit(world, user=world.county_admin)
    assert not Visit.objects.exists()


def test_bad_visit_input_is_refused_in_chinese(world):
    with pytest.raises(VisitError, match="不能晚于今天"):
        _visit(world, visited_on=(timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    with pytest.raises(VisitError, match="记录编号无效"):
        _visit(world, client_id="not-a-uuid")
    with pytest.raises(VisitError, match="坐标"):
        _visit(world, latitude="123", longitude="100")
    assert not Visit.objects.exists()


def test_location_is_stored_only_when_sent(world):
    without, _ = _visit(world)
    with_location, _ = _visit(world, latitude="35.491234", longitude="111.568765")
    assert without.latitude is None and without.longitude is None
    assert with_location.latitude == Decimal("35.491234")


def test_photos_are_checked_and_stored_once(world):
    visit, _ = _visit(world)
    photo_id = str(uuid.uuid4())
    photo, created = visit_photo_add(acting_user=world.cadre, visit_client_id=visit.client_id,
                                     upload=upload("a.jpg", jpeg_bytes()), photo_id=photo_id)
    again, created_again = visit_photo_add(acting_user=world.cadre, visit_client_id=visit.client_id,
                                           upload=upload("a.jpg", jpeg_bytes()), photo_id=photo_id)
    assert created and not created_again and again.pk == photo.pk
    with pytest.raises(VisitError, match="不是可以打开的照片"):
        visit_photo_add(acting_user=world.cadre, visit_client_id=visit.client_id,
                        upload=upload("b.jpg", b"not an image at all"), photo_id=str(uuid.uuid4()))
    assert VisitPhoto.objects.count() == 1


def test_an_edit_on_unchanged_values_is_applied_with_history(world):
    outcome = _income_edit(world)
    home = Household.objects.get(code=world.home.code)
    assert outcome.status == "applied" and set(outcome.changed) == {"income_12m", "income_12m_verified_on"}
    assert home.income_12m == Decimal("9500")
    latest = home.history.order_by("-history_date").first()
    assert latest.history_user == world.cadre and latest.history_change_reason == "走访修改"


def test_an_edit_sent_twice_changes_once(world):
    key = str(uuid.uuid4())
    _income_edit(world, client_id=key)
    before = Household.objects.get(code=world.home.code).history.count()
    again = _income_edit(world, client_id=key)
    assert again.status == "applied" and again.changed == ()
    assert Household.objects.get(code=world.home.code).history.count() == before


def test_helpers_may_change_only_the_visit_fields(world):
    with pytest.raises(VisitError, match="不能修改"):
        edit_apply(client_id=str(uuid.uuid4()), household_code=world.home.code, author=world.cadre,
                   base={"head_name": "王建国"}, values={"head_name": "篡改"}, recorded_at=timezone.now().isoformat())
    with pytest.raises(PermissionDenied):  # the registry's own edit path stays closed to helpers
        household_update(code=world.home.code, acting_user=world.cadre, data={"income_12m": Decimal("1")})
    assert Household.objects.get(code=world.home.code).head_name == "王建国"


def test_an_edit_to_a_household_out_of_reach_writes_nothing(world):
    with pytest.raises(Http404):
        edit_apply(client_id=str(uuid.uuid4()), household_code=world.neighbour.code, author=world.cadre,
                   base={"safe_water": True}, values={"safe_water": False}, recorded_at=timezone.now().isoformat())
    assert Household.objects.get(code=world.neighbour.code).safe_water is True
    assert not EditConflict.objects.exists()


def test_a_member_answer_is_changed_through_the_member_path(world):
    daughter = world.home.members.get(relation="之女")
    outcome = edit_apply(client_id=str(uuid.uuid4()), household_code=world.home.code, member_id=daughter.pk,
                         author=world.work_team, base={"medical_insurance": True}, values={"medical_insurance": False},
                         recorded_at=timezone.now().isoformat())
    assert outcome.status == "applied"
    assert Member.objects.get(pk=daughter.pk).medical_insurance is False


def test_a_conflicting_edit_is_kept_not_applied(world):
    household_update(code=world.home.code, acting_user=world.village_clerk,
                     data={"income_12m": Decimal("8000"), "income_12m_verified_on": timezone.localdate()})
    key = str(uuid.uuid4())
    outcome = _income_edit(world, client_id=key)
    assert outcome.status == "conflict"
    conflict = outcome.conflict
    assert conflict.base == {"income_12m": None, "income_12m_verified_on": None}
    assert conflict.phone_values["income_12m"] == "9500"
    assert conflict.server_values["income_12m"] == "8000.00"
    assert Household.objects.get(code=world.home.code).income_12m == Decimal("8000")
    # sent again: the same conflict, not a second one
    assert _income_edit(world, client_id=key).conflict.pk == conflict.pk
    assert EditConflict.objects.count() == 1
    shown = open_conflicts(world.cadre)
    assert shown[0]["changed_by"] == "village_clerk" and shown[0]["fields"][0]["server"] == "8000.00"


def test_resolving_with_the_phone_value_applies_it_and_keeps_both_versions(world):
    household_update(code=world.home.code, acting_user=world.village_clerk, data={"income_12m": Decimal("8000")})
    conflict = _income_edit(world, base={"income_12m": None}, values={"income_12m": "9500"}).conflict
    resolved = conflict_resolve(conflict=conflict, choice="phone", acting_user=world.cadre)
    assert resolved.resolution == EditConflict.Resolution.TOOK_PHONE and resolved.resolved_by == world.cadre
    home = Household.objects.get(code=world.home.code)
    assert home.income_12m == Decimal("9500")
    incomes = [h.income_12m for h in home.history.order_by("history_date")]
    assert Decimal("8000") in incomes and incomes[-1] == Decimal("9500")
    assert EditConflict.objects.get(pk=conflict.pk).server_values == {"income_12m": "8000.00"}
    assert not open_conflicts(world.cadre)


def test_resolving_with_the_server_value_changes_nothing_but_the_conflict(world):
    household_update(code=world.home.code, acting_user=world.village_clerk, data={"safe_water": False})
    conflict = edit_apply(client_id=str(uuid.uuid4()), household_code=world.home.code, author=world.cadre,
                          base={"safe_water": True}, values={"safe_water": True, }, recorded_at=timezone.now().isoformat())
    # the phone wanted True, the server has False, the phone had read True: a conflict
    assert conflict.status == "conflict"
    before = Household.objects.get(code=world.home.code).history.count()
    resolved = conflict_resolve(conflict=conflict.conflict, choice="server", acting_user=world.cadre)
    assert resolved.resolution == EditConflict.Resolution.KEPT_SERVER
    home = Household.objects.get(code=world.home.code)
    assert home.safe_water is False and home.history.count() == before
    with pytest.raises(VisitError, match="已经处理过"):
        conflict_resolve(conflict=resolved, choice="phone", acting_user=world.cadre)


def test_a_cadre_cannot_resolve_a_conflict_out_of_reach(world):
    household_update(code=world.neighbour.code, acting_user=world.township_officer, data={"safe_water": False})
    conflict = edit_apply(client_id=str(uuid.uuid4()), household_code=world.neighbour.code,
                          author=world.township_officer, base={"safe_water": True}, values={"safe_water": True},
                          recorded_at=timezone.now().isoformat()).conflict
    with pytest.raises(Http404):
        conflict_resolve(conflict=conflict, choice="phone", acting_user=world.cadre)
    assert EditConflict.objects.get(pk=conflict.pk).resolution == EditConflict.Resolution.OPEN


def test_field_page_lists_what_is_due(world):
    Household.objects.filter(code=world.home.code).update(category="监测户", monitoring_class="脱贫不稳定户",
                                                          monitoring_since=datetime.date(2024, 1, 1))
    rows = field_households(world.cadre, today=datetime.date(2026, 5, 10))
    assert [r["code"] for r in rows] == [world.home.code]
    assert "本季度未走访" in rows[0]["due"] and "需核实近 12 个月收入" in rows[0]["due"]
    assert "*" in rows[0]["head_id"]
    Visit.objects.create(household=world.home, visitor=world.cadre, visited_on=datetime.date(2026, 4, 2),
                         recorded_at=timezone.now())
    Household.objects.filter(code=world.home.code).update(income_12m_verified_on=datetime.date(2025, 6, 1))
    rows = field_households(world.cadre, today=datetime.date(2026, 5, 10))
    assert rows[0]["due"] == []
    assert {r["code"] for r in field_households(world.work_team)} == {world.home.code}


def test_income_verification_is_due_after_twelve_months_for_monitored_only(world):
    home = Household.objects.get(code=world.home.code)
    assert not income_verification_due(home, datetime.date(2026, 5, 10))  # a 脱贫户
    home.category, home.income_12m_verified_on = "监测户", datetime.date(2025, 5, 11)
    assert not income_verification_due(home, datetime.date(2026, 5, 10))
    assert income_verification_due(home, datetime.date(2026, 5, 11))
    home.risk_eliminated = True
    assert not income_verification_due(home, datetime.date(2026, 5, 11))


def test_another_helper_cannot_choose_for_the_author(world):
    household_update(code=world.home.code, acting_user=world.village_clerk, data={"safe_water": False})
    conflict = edit_apply(client_id=str(uuid.uuid4()), household_code=world.home.code, author=world.cadre,
                          base={"safe_water": True}, values={"safe_water": True},
                          recorded_at=timezone.now().isoformat()).conflict
    with pytest.raises(PermissionDenied):
        conflict_resolve(conflict=conflict, choice="phone", acting_user=world.work_team)
    assert conflict_resolve(conflict=conflict, choice="server", acting_user=world.village_clerk).resolved_by \
        == world.village_clerk


def test_a_measure_ending_within_thirty_days_is_due(world):
    from jingzhun.assistance.models import Measure

    today = datetime.date(2026, 5, 10)
    Measure.objects.create(household=world.home, year=2026, type="public_post", name="村保洁员", start=datetime.date(2026, 1, 1),
                           end=datetime.date(2026, 6, 9))
    Measure.objects.create(household=world.home, year=2026, type="industry", name="养牛", start=datetime.date(2026, 1, 1),
                           end=datetime.date(2026, 6, 10))
    due = field_households(world.cadre, today=today)[0]["due"]
    assert "措施“村保洁员”2026-06-09到期" in due
    assert not any("养牛" in d for d in due)  # 31 days away
