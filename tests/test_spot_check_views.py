"""随机抽查 pages: the list, a new draw, one draw with its redraw and workbook, the short form of a household."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.assessment.models import SpotCheck, SpotCheckItem
from jingzhun.assessment.services.spot_checks import draw_codes, frame_codes, spot_check_draw
from jingzhun.checks.models import Problem
from jingzhun.registry.models import Household

from .people import CHENGNEI, XIAGAOCHI, make_household

TOWNSHIP = "140826100"


@pytest.fixture
def spot(world):
    return spot_check_draw(unit=TOWNSHIP, n=2, seed=11, note="季度抽查", acting_user=world.township_officer)


def test_the_list_shows_the_checks_in_reach(client, world, spot):
    other = spot_check_draw(unit="140829", n=1, seed=1, acting_user=world.outsider)
    client.force_login(world.county_admin)
    page = client.get(reverse("assessment:spot_list")).content.decode()
    assert reverse("assessment:spot_detail", args=[spot.pk]) in page and "古绛镇" in page
    assert reverse("assessment:spot_detail", args=[other.pk]) not in page
    assert reverse("assessment:spot_new") in page


@pytest.mark.parametrize("person", ["village_clerk", "evaluator", "cadre", "work_team"])
def test_roles_that_do_not_spot_check_are_refused(client, world, spot, person):
    client.force_login(getattr(world, person))
    for url in (reverse("assessment:spot_list"), reverse("assessment:spot_new"),
                reverse("assessment:spot_detail", args=[spot.pk]),
                reverse("assessment:spot_verify", args=[spot.items.first().pk])):
        assert client.get(url).status_code == 403


def test_the_new_form_defaults_to_the_users_unit_and_draws(client, world):
    client.force_login(world.township_officer)
    page = client.get(reverse("assessment:spot_new")).content.decode()
    assert f'value="{TOWNSHIP}"' in page
    response = client.post(reverse("assessment:spot_new"), {"unit": TOWNSHIP, "n": "2", "seed": "42", "note": "抽查"})
    spot = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:spot_detail", args=[spot.pk])
    assert list(spot.items.values_list("household_id", flat=True).order_by("order")) == draw_codes(
        frame_codes(TOWNSHIP), 2, 42)


@pytest.mark.parametrize(("data", "words"), [
    ({"unit": "140829", "n": "1"}, "不在你的管辖范围内"), ({"unit": TOWNSHIP, "n": "9"}, "只有 2 户"),
    ({"unit": TOWNSHIP, "n": "0"}, "1"), ({"unit": TOWNSHIP, "n": "1", "seed": "-3"}, "0"),
])
def test_a_bad_draw_is_answered_on_the_form_and_draws_nothing(client, world, data, words):
    client.force_login(world.township_officer)
    response = client.post(reverse("assessment:spot_new"), data)
    assert response.status_code == 400 and words in response.content.decode()
    assert not SpotCheck.objects.exists()


def test_the_detail_shows_seed_digest_households_and_proves_the_redraw(client, world, spot):
    client.force_login(world.county_admin)
    url = reverse("assessment:spot_detail", args=[spot.pk])
    page = client.get(url).content.decode()
    assert str(spot.seed) in page and spot.frame_sha256 in page and "季度抽查" in page
    for item in spot.items.all():
        assert item.household_id in page and reverse("assessment:spot_verify", args=[item.pk]) in page
    assert world.home.head_id_number not in page
    proved = client.get(url, {"redraw": "1"}).content.decode()
    assert "摘要与记录相同" in proved and "抽出的户与记录完全相同" in proved
    make_household(CHENGNEI, 9, "新纳入")
    changed = client.get(url, {"redraw": "1"}).content.decode()
    assert "登记数据已有变化" in changed and "当前抽样框有 3 户" in changed


def test_the_draw_downloads_as_a_workbook(client, world, spot):
    client.force_login(world.analyst)
    response = client.get(reverse("assessment:spot_detail", args=[spot.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("抽中顺序", "户编号", "户主姓名") and len(rows) == 3
    assert {r[1] for r in rows[1:]} == set(spot.items.values_list("household_id", flat=True))


def test_a_check_out_of_reach_is_a_404(client, world, spot):
    client.force_login(world.outsider)
    assert client.get(reverse("assessment:spot_detail", args=[spot.pk])).status_code == 404
    assert client.get(reverse("assessment:spot_verify", args=[spot.items.first().pk])).status_code == 404


def _home_item(world) -> SpotCheckItem:
    spot = SpotCheck.objects.create(unit=TOWNSHIP, n=1, seed=1, frame_size=1, frame_sha256="0" * 64,
                                    drawn_by=world.township_officer)
    return SpotCheckItem.objects.create(spot_check=spot, household=world.home, order=1)


def test_the_form_shows_the_registry_values_beside_the_inputs(client, world):
    item = _home_item(world)
    client.force_login(world.township_officer)
    page = client.get(reverse("assessment:spot_verify", args=[item.pk])).content.decode()
    for words in ("系统登记：<b>王建国</b>", "系统登记：<b>2</b>", "系统登记：<b>8000.00</b>", "系统登记：<b>李帮扶</b>",
                  'name="safe_water"', 'name="income_per_capita"', "data-print"):
        assert words in page
    assert 'name="risk_type"' not in page          # not a 监测户
    assert world.cadre_record.phone not in page and world.home.head_id_number not in page


def test_posting_the_form_verifies_and_hands_discrepancies_to_the_village(client, world):
    item = _home_item(world)
    client.force_login(world.township_officer)
    response = client.post(reverse("assessment:spot_verify", args=[item.pk]),
                           {"head_name": "王建国", "persons": "3", "safe_water": "no", "income_per_capita": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.discrepancies == 2 and item.checked["income_per_capita"]["agrees"] is None
    problem = Problem.objects.get()
    assert problem.rule == "CC01" and problem.village == XIAGAOCHI and problem.due is not None
    # afterwards the page shows the result, and a second POST is refused
    page = client.get(reverse("assessment:spot_verify", args=[item.pk])).content.decode()
    assert 'id="spot-result"' in page and "不符" in page and 'id="spot-verify"' not in page
    client.post(reverse("assessment:spot_verify", args=[item.pk]), {"persons": "2"})
    item.refresh_from_db()
    assert item.discrepancies == 2 and Problem.objects.count() == 1


def test_an_empty_or_bad_form_is_answered_with_a_message(client, world):
    item = _home_item(world)
    client.force_login(world.township_officer)
    url = reverse("assessment:spot_verify", args=[item.pk])
    empty = client.post(url, {})
    assert empty.status_code == 400 and "请至少核对一项" in empty.content.decode()
    bad = client.post(url, {"head_name": "王2国"})
    assert bad.status_code == 400 and "姓名中不应有数字" in bad.content.decode()
    item.refresh_from_db()
    assert item.verified_at is None and not Problem.objects.exists()


def test_the_menu_offers_spot_checks_to_those_who_spot_check(client, world):
    client.force_login(world.township_officer)
    assert reverse("assessment:spot_list") in client.get(reverse("desk:todo")).content.decode()
    client.force_login(world.village_clerk)
    assert reverse("assessment:spot_list") not in client.get(reverse("desk:todo")).content.decode()


def test_the_monitored_household_is_asked_its_risk_type(client, world):
    Household.objects.filter(pk=world.neighbour.pk).update(category="监测户", monitoring_class="脱贫不稳定户",
                                                           risk_type="因病")
    spot = SpotCheck.objects.create(unit=TOWNSHIP, n=1, seed=1, frame_size=1, frame_sha256="0" * 64,
                                    drawn_by=world.township_officer)
    item = SpotCheckItem.objects.create(spot_check=spot, household_id=world.neighbour.pk, order=1)
    client.force_login(world.county_admin)
    page = client.get(reverse("assessment:spot_verify", args=[item.pk])).content.decode()
    assert 'name="risk_type"' in page and "系统登记：<b>因病</b>" in page
