"""人工评分: manual_score_set (a manual item of the year's scheme, points ≥ 0 and within its highest, a note
required, history kept), the year's table, and the page (scope: a township sees its own row only)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.supervision.models import ManualScore
from jingzhun.supervision.selectors.appraisal import manual_score_history, manual_scores_for_year
from jingzhun.supervision.services import schemes
from jingzhun.supervision.services.items import LedgerError
from jingzhun.supervision.services.manual_scores import manual_score_set

from .appraisal_units import scheme_make, units_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_default(monkeypatch, tmp_path):
    monkeypatch.setattr(schemes, "DEFAULT_SCHEME", tmp_path / "default.toml")


@pytest.fixture
def units(world):
    scheme_make(world)
    scheme_make(world, county="140829")
    return units_make(world)


def _set(world, agency, *, user=None, item="ZF", points="8.5", note="作风扎实", year=2026):
    return manual_score_set(acting_user=user or world.county_admin, agency_id=agency.pk, year=year, item=item,
                            points=points, note=note)


def test_the_county_scores_a_manual_item_and_scoring_again_keeps_the_history(world, units):
    score = _set(world, units.township)
    assert (score.points, score.note, score.scored_by) == (Decimal("8.5"), "作风扎实", world.county_admin)
    again = _set(world, units.township, points="6", note="两次督查发现作风问题")
    assert again.pk == score.pk and again.points == Decimal("6")
    assert ManualScore.objects.count() == 1
    history = list(manual_score_history(world.county_admin, county="140826", year=2026))
    assert [h.points for h in history] == [Decimal("6"), Decimal("8.5")]
    table = manual_scores_for_year(world.county_admin, county="140826", year=2026)
    assert table[(units.township.pk, "ZF")].points == Decimal("6")


@pytest.mark.parametrize("kwargs, words", [
    ({"note": "  "}, "请填写评分说明"),
    ({"points": "-1"}, "不能为负数"),
    ({"points": "10.5"}, "最高 10 分"),
    ({"points": "abc"}, "得分应为数字"),
    ({"points": "1.234"}, "两位小数"),
    ({"item": "HH"}, "不是 2026 年度考评办法中的人工评分项目"),
    ({"item": "NOPE"}, "不是 2026 年度考评办法中的人工评分项目"),
    ({"year": 2025}, "没有人工评分项目"),
])
def test_bad_scores_are_refused_and_nothing_is_stored(world, units, kwargs, words):
    with pytest.raises(LedgerError, match=words):
        _set(world, units.township, **kwargs)
    assert not ManualScore.objects.exists()


def test_an_item_takes_any_points_from_zero_to_its_points(world, units):
    assert _set(world, units.dept, item="QZ", points="0").points == 0
    assert _set(world, units.dept, item="QZ", points="15").points == 15


def test_only_the_county_scores_and_out_of_reach_is_404(world, units):
    for user in (world.township_officer, world.department, world.analyst, world.evaluator):
        with pytest.raises((Refused, OutOfReach)):
            _set(world, units.township, user=user)
    with pytest.raises(OutOfReach):
        _set(world, units.township, user=world.outsider)
    assert _set(world, units.outside, user=world.outsider).agency == units.outside
    assert ManualScore.objects.count() == 1


# --- the page -------------------------------------------------------------------------------------------

def test_the_county_scores_on_the_page_and_the_table_shows_units_by_items(client, world, units):
    client.force_login(world.county_admin)
    url = reverse("supervision:score_page")
    response = client.post(url, {"county": "140826", "year": "2026", "agency": str(units.dept.pk), "item": "ZF",
                                 "points": "9", "note": "按时完成"})
    assert response.status_code == 302
    assert ManualScore.objects.get().points == Decimal("9")
    page = client.get(url, {"county": "140826", "year": "2026"}).content.decode()
    assert "工作作风" in page and "群众评议" in page and "按时完成" in page
    assert units.township.name in page and units.other_township.name in page


def test_a_refused_score_on_the_page_says_why_and_stores_nothing(client, world, units):
    client.force_login(world.county_admin)
    response = client.post(reverse("supervision:score_page"), {
        "county": "140826", "year": "2026", "agency": str(units.dept.pk), "item": "ZF", "points": "11", "note": "x"})
    assert response.status_code == 400 and "最高 10 分" in response.content.decode()
    response = client.post(reverse("supervision:score_page"), {
        "county": "140826", "year": "2026", "agency": str(units.outside.pk), "item": "ZF", "points": "1", "note": "x"})
    assert response.status_code == 400
    assert not ManualScore.objects.exists()


def test_a_township_sees_its_own_row_only_and_may_not_score(client, world, units):
    _set(world, units.township, note="乡镇作风")
    _set(world, units.dept, note="部门作风")
    client.force_login(world.township_officer)
    url = reverse("supervision:score_page")
    page = client.get(url, {"year": "2026"}).content.decode()
    assert "乡镇作风" in page and "部门作风" not in page and 'id="score-form"' not in page
    assert client.post(url, {"county": "140826", "year": "2026", "agency": str(units.township.pk), "item": "ZF",
                             "points": "10", "note": "自评"}).status_code == 403
    client.force_login(world.department)
    page = client.get(url, {"year": "2026"}).content.decode()
    assert "部门作风" in page and "乡镇作风" not in page
    client.force_login(world.work_team)
    assert client.get(url).status_code == 403
    assert ManualScore.objects.get(agency=units.township).points == Decimal("8.5")
