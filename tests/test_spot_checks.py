"""随机抽查 services: the draw (reach, frame, seeded reproducibility, digest), the redraw, the verification
against the registry and the discrepancies handed to the village as CC01 problems with a deadline."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.assessment.models import SpotCheck, SpotCheckItem
from jingzhun.assessment.selectors.spot_checks import unverified_items_for
from jingzhun.assessment.services.spot_checks import (DUE_DAYS, FINDING_CODE, SpotCheckError, draw_codes, fields_for,
                                                      frame_codes, frame_digest, spot_check_draw, spot_check_redraw,
                                                      spot_check_verify)
from jingzhun.checks.models import Problem
from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.registry.models import Household

from .people import CHENGNEI, XIAGAOCHI, make_household

TOWNSHIP = "140826100"


@pytest.fixture
def township(world):
    """古绛镇 with 12 more households in 下高池村: 9 脱贫户, a 监测户, a 清退 household and a 一般农户."""
    for serial in range(2, 11):
        make_household(XIAGAOCHI, serial, f"户主{serial}")
    monitored = make_household(XIAGAOCHI, 11, "钱监测")
    Household.objects.filter(pk=monitored.pk).update(category="监测户", monitoring_class="脱贫不稳定户", risk_type="因病")
    make_household(XIAGAOCHI, 12, "孙清退", status="清退")
    ordinary = make_household(XIAGAOCHI, 13, "李一般")
    Household.objects.filter(pk=ordinary.pk).update(category="一般农户", status="", exit_year=None, main_cause="",
                                                    attribute="", standard="", identified_year=None)
    return world


def _codes(spot: SpotCheck) -> list[str]:
    return list(spot.items.order_by("order").values_list("household_id", flat=True))


# --- the frame and the draw ------------------------------------------------------------------------------

def test_the_frame_is_the_units_exited_and_monitored_households_not_removed(township):
    codes = frame_codes(XIAGAOCHI)
    assert codes == sorted(codes) and len(codes) == 11
    assert f"{XIAGAOCHI}0011" in codes                       # the 监测户
    assert f"{XIAGAOCHI}0012" not in codes and f"{XIAGAOCHI}0013" not in codes   # 清退, 一般农户
    assert frame_codes(TOWNSHIP) == sorted(codes + [township.neighbour.code])


def test_a_draw_records_seed_frame_size_and_the_digest_of_the_sorted_codes(township):
    spot = spot_check_draw(unit=TOWNSHIP, n=3, seed=2024, note="台账抽查", acting_user=township.township_officer)
    codes = frame_codes(TOWNSHIP)
    assert (spot.unit, spot.n, spot.seed, spot.frame_size, spot.note) == (TOWNSHIP, 3, 2024, 12, "台账抽查")
    assert spot.frame_sha256 == hashlib.sha256("\n".join(codes).encode()).hexdigest() == frame_digest(reversed(codes))
    drawn = _codes(spot)
    assert len(set(drawn)) == 3 and set(drawn) <= set(codes) and drawn == sorted(drawn)
    assert list(spot.items.values_list("order", flat=True).order_by("order")) == [1, 2, 3]
    assert spot.drawn_by == township.township_officer and spot.items.filter(verified_at__isnull=True).count() == 3


def test_the_same_seed_over_the_same_frame_draws_the_same_households(township):
    first = spot_check_draw(unit=TOWNSHIP, n=4, seed=99, acting_user=township.township_officer)
    again = spot_check_draw(unit=TOWNSHIP, n=4, seed=99, acting_user=township.county_admin)
    assert _codes(first) == _codes(again) == draw_codes(list(reversed(frame_codes(TOWNSHIP))), 4, 99)
    # and other seeds draw other households (not a fixed list)
    draws = {tuple(draw_codes(frame_codes(TOWNSHIP), 4, seed)) for seed in range(20)}
    assert len(draws) > 10


def test_a_seed_not_given_is_chosen_and_recorded(township):
    spot = spot_check_draw(unit=XIAGAOCHI, n=2, acting_user=township.county_admin)
    assert 0 <= spot.seed < 2**53
    assert _codes(spot) == draw_codes(frame_codes(XIAGAOCHI), 2, spot.seed)


def test_the_redraw_proves_a_recorded_draw_and_notices_a_changed_frame(township):
    spot = spot_check_draw(unit=TOWNSHIP, n=3, seed=5, acting_user=township.township_officer)
    redraw = spot_check_redraw(spot_check_id=spot.pk, acting_user=township.county_admin)
    assert redraw.same_frame and redraw.same_households and redraw.households == _codes(spot)
    make_household(CHENGNEI, 7, "新纳入")
    changed = spot_check_redraw(spot_check_id=spot.pk, acting_user=township.county_admin)
    assert not changed.same_frame and changed.frame_size == 13
    # the frame as it was (kept elsewhere) still redraws the same households
    kept = [c for c in frame_codes(TOWNSHIP) if c != f"{CHENGNEI}0007"]
    proof = spot_check_redraw(spot_check_id=spot.pk, acting_user=township.county_admin, codes=kept)
    assert proof.same_frame and proof.same_households


def test_the_redraw_of_a_check_out_of_reach_is_a_404(township):
    spot = spot_check_draw(unit=TOWNSHIP, n=1, seed=1, acting_user=township.county_admin)
    with pytest.raises(OutOfReach):
        spot_check_redraw(spot_check_id=spot.pk, acting_user=township.outsider)


@pytest.mark.parametrize("person", ["village_clerk", "evaluator", "cadre", "work_team"])
def test_roles_that_do_not_spot_check_are_refused(township, person):
    with pytest.raises(Refused):
        spot_check_draw(unit=XIAGAOCHI, n=1, seed=1, acting_user=getattr(township, person))
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("unit", ["140829", "140826101", "999999", "abc", ""])
def test_a_unit_out_of_reach_or_unknown_is_refused_and_nothing_is_drawn(township, unit):
    with pytest.raises(SpotCheckError, match="管辖范围"):
        spot_check_draw(unit=unit, n=1, seed=1, acting_user=township.township_officer)
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize(("n", "seed", "words"), [(0, 1, "1 到 200"), (201, 1, "1 到 200"), ("x", 1, "整数"),
                                                  (13, 1, "只有 12 户"), (1, -1, "随机种子"), (1, 2**53, "随机种子")])
def test_bad_sizes_and_seeds_are_refused_with_a_message(township, n, seed, words):
    with pytest.raises(SpotCheckError, match=words):
        spot_check_draw(unit=TOWNSHIP, n=n, seed=seed, acting_user=township.county_admin)
    assert not SpotCheck.objects.exists() and not SpotCheckItem.objects.exists()


def test_the_analyst_spot_checks_any_county_of_the_city(township):
    spot = spot_check_draw(unit="140829", n=1, seed=3, acting_user=township.analyst)
    assert _codes(spot) == [township.other_county.code]


# --- verification ------------------------------------------------------------------------------------------

def _item(world, household, **draw) -> SpotCheckItem:
    spot = SpotCheck.objects.create(unit=TOWNSHIP, n=1, seed=1, frame_size=1, frame_sha256="0" * 64,
                                    drawn_by=world.township_officer)
    return SpotCheckItem.objects.create(spot_check=spot, household=household, order=1)


# the home household (make_household): 王建国 and his daughter (2 正常), 脱贫户 已脱贫, 缺技术, grade B, safe water,
# net income 12000 + 3000 + 0 + 1500 − 500 = 16000 → 8000.00 per person, cadre 李帮扶
AGREEING = {"head_name": "王 建国", "persons": 2, "category": "脱贫户", "status": "已脱贫", "main_cause": "缺技术",
            "housing_safe": "yes", "safe_water": "yes", "income_per_capita": "8500", "cadre": "李帮扶"}


def test_the_form_asks_what_the_registry_states(world):
    asked = {f.key: value for f, value in fields_for(world.home)}
    assert asked == {"head_name": "王建国", "persons": 2, "category": "脱贫户", "status": "已脱贫", "main_cause": "缺技术",
                     "housing_safe": True, "safe_water": True, "income_per_capita": Decimal("8000.00"),
                     "cadre": "李帮扶"}  # no 风险类型: not a 监测户


def test_a_household_that_agrees_is_verified_with_no_problem(world):
    item = _item(world, world.home)
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found=AGREEING)
    item.refresh_from_db()
    assert item.discrepancies == 0 and item.verified_by == world.township_officer and item.verified_at
    assert set(item.checked) == set(AGREEING) and all(e["agrees"] for e in item.checked.values())
    assert item.checked["income_per_capita"]["registry"] == "8000.00"
    assert not Problem.objects.exists()


def test_each_discrepancy_is_named_in_a_cc01_problem_of_the_village_due_in_n_days(world):
    item = _item(world, world.home)
    found = {**AGREEING, "persons": "3", "housing_safe": "no", "income_per_capita": "9000.01", "cadre": "张帮扶"}
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found=found)
    item.refresh_from_db()
    assert item.discrepancies == 4
    assert {k for k, e in item.checked.items() if not e["agrees"]} == {"persons", "housing_safe", "income_per_capita",
                                                                       "cadre"}
    problem = Problem.objects.get()
    assert (problem.rule, problem.household, problem.village, problem.status) == (
        FINDING_CODE, world.home.code, XIAGAOCHI, Problem.Status.OPEN)
    assert problem.due == timezone.localdate() + datetime.timedelta(days=DUE_DAYS)
    for words in ("家庭人口（正常状态成员）：系统登记“2”，核实为“3”", "住房安全（非C、D级危房）：系统登记“是”，核实为“否”",
                  "年人均纯收入（元）：系统登记“8000.00”，核实为“9000.01”", "帮扶责任人：系统登记“李帮扶”，核实为“张帮扶”"):
        assert words in problem.message
    assert world.home.head_id_number not in problem.message and "139" not in problem.message
    assert problem.detail["fields"] == ["persons", "housing_safe", "income_per_capita", "cadre"]
    assert problem.first_run.triggered_by == world.township_officer and problem.first_run.org == TOWNSHIP


def test_the_registry_is_read_at_verify_time(world):
    item = _item(world, world.home)
    Household.objects.filter(pk=world.home.pk).update(safe_water=False)   # corrected after the draw
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found={"safe_water": "no"})
    item.refresh_from_db()
    assert item.discrepancies == 0 and item.checked["safe_water"]["registry"] is False


def test_fields_left_blank_are_not_checked(world):
    item = _item(world, world.home)
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found={"head_name": "王建国", "persons": ""})
    item.refresh_from_db()
    assert item.checked["head_name"]["agrees"] is True
    assert item.checked["persons"]["found"] is None and item.checked["persons"]["agrees"] is None


def test_a_second_verification_is_refused_and_changes_nothing(world):
    item = _item(world, world.home)
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found=AGREEING)
    with pytest.raises(SpotCheckError, match="不能重复核对"):
        spot_check_verify(item_id=item.pk, acting_user=world.county_admin, found={**AGREEING, "persons": 5})
    item.refresh_from_db()
    assert item.discrepancies == 0 and item.verified_by == world.township_officer and not Problem.objects.exists()


@pytest.mark.parametrize(("found", "words"), [
    ({}, "至少核对一项"), ({"persons": ""}, "至少核对一项"), ({"shoe_size": "42"}, "未知项目"),
    ({"persons": "0"}, "家庭人口"), ({"persons": "两"}, "家庭人口"), ({"category": "贫困户"}, "户类别"),
    ({"safe_water": "maybe"}, "饮水安全"), ({"income_per_capita": "很多"}, "年人均纯收入"),
    ({"head_name": "140826196503041234"}, "户主姓名"), ({"risk_type": "因病"}, "至少核对一项"),
])
def test_a_bad_form_is_refused_with_a_message_and_changes_nothing(world, found, words):
    item = _item(world, world.home)
    with pytest.raises(SpotCheckError, match=words):
        spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found=found)
    item.refresh_from_db()
    assert item.verified_at is None and item.discrepancies is None and not Problem.objects.exists()


def test_verification_out_of_reach_is_a_404_and_of_the_wrong_role_refused(world):
    item = _item(world, world.home)
    with pytest.raises(OutOfReach):
        spot_check_verify(item_id=item.pk, acting_user=world.outsider, found=AGREEING)
    with pytest.raises(Refused):
        spot_check_verify(item_id=item.pk, acting_user=world.village_clerk, found=AGREEING)
    item.refresh_from_db()
    assert item.verified_at is None


def test_a_monitored_household_is_asked_its_risk_type(world):
    Household.objects.filter(pk=world.neighbour.pk).update(category="监测户", monitoring_class="脱贫不稳定户",
                                                           risk_type="因病")
    item = _item(world, Household.objects.get(pk=world.neighbour.pk))
    spot_check_verify(item_id=item.pk, acting_user=world.county_admin, found={"risk_type": "因灾"})
    item.refresh_from_db()
    assert item.discrepancies == 1 and "主要风险类型：系统登记“因病”，核实为“因灾”" in Problem.objects.get().message


def test_the_checkers_to_do_is_their_unverified_items(township):
    spot = spot_check_draw(unit=TOWNSHIP, n=2, seed=8, acting_user=township.township_officer)
    spot_check_draw(unit=TOWNSHIP, n=1, seed=8, acting_user=township.county_admin)
    mine = unverified_items_for(township.township_officer)
    assert [i.household_id for i in mine] == _codes(spot)
    spot_check_verify(item_id=mine[0].pk, acting_user=township.township_officer, found={"safe_water": "yes"})
    assert unverified_items_for(township.township_officer).count() == 1
    assert not unverified_items_for(township.village_clerk).exists()
