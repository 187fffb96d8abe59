"""services/appraisal: the inputs gathered from the records (indicators, ledger timeliness, assessment,
manual scores, 目标责任书 targets), the scores, publishing (frozen with the scheme's digest) and the 通报."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators
from jingzhun.orgunits.models import OrgUnit
from jingzhun.supervision.models import Agency, Appraisal, Item, Letter, ManualScore, Scheme
from jingzhun.supervision.services import appraisal as service
from jingzhun.supervision.services.agencies import agency_for_org

from .estimate_world import exit_assessment

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(2026, 2, 1)  # after the year: the reference day is 31 December 2025
SCHEME = """
name = "测试考评办法"
[[group]]
kind = "township"
name = "乡镇"
total = 30
[[group.item]]
code = "A"
name = "帮扶措施覆盖率"
points = 10
source = "indicator"
indicator = "ASST_COVERAGE"
floor = 80
target = "letter"
[[group.item]]
code = "B"
name = "按期销号率"
points = 10
source = "ledger"
measure = "on_time_rate"
floor = 0
target = 100
missing = "full"
[[group.item]]
code = "C"
name = "工作作风"
points = 10
source = "manual"
[[group.deduction]]
code = "D"
name = "逾期超过30天"
source = "ledger"
measure = "overdue_30"
per = 2
cap = 4
[[group.veto]]
code = "V"
name = "重大问题"
source = "manual"
[[group]]
kind = "department"
name = "县直部门"
total = 10
[[group.item]]
code = "E"
name = "工作实绩"
points = 10
source = "manual"
"""


@pytest.fixture
def county(world):
    """Three townships of 绛县 and 县民政局 with indicators, ledger items, letters and manual scores of 2025."""
    admin = world.county_admin
    codes = ["140826100", "140826101", next(c for c in OrgUnit.objects.filter(code__startswith="140826")
                                            .values_list("code", flat=True).order_by("code")
                                            if len(c) == 9 and c not in ("140826100", "140826101"))]
    a, b, c = (agency_for_org(OrgUnit.objects.get(code=code)) for code in codes)
    dept = Agency.objects.create(county_id="140826", kind="department", name="县民政局")
    Scheme.objects.create(county_id="140826", year=YEAR, text=SCHEME,
                          sha256=hashlib.sha256(SCHEME.encode()).hexdigest(), created_by=admin)
    old = IndicatorRefresh.objects.create(as_of=datetime.date(2025, 6, 30), status="done")
    UnitIndicators.objects.create(refresh=old, org=codes[0], values={"ASST_COVERAGE": 90})
    UnitIndicators.objects.create(refresh=old, org=codes[1], values={"ASST_COVERAGE": 100})
    new = IndicatorRefresh.objects.create(as_of=datetime.date(2026, 1, 20), status="done")  # after the year
    UnitIndicators.objects.create(refresh=new, org=codes[0], values={"ASST_COVERAGE": 50})
    for agency in (a, b):
        Letter.objects.create(county_id="140826", year=YEAR, agency=agency, created_by=admin,
                              targets=[{"indicator": "ASST_COVERAGE", "target": 100, "note": ""}])

    def item(agency, deadline, state, closed_on=None):
        return Item.objects.create(county_id="140826", source="inspection", title="问题", agency=agency,
                                   deadline=deadline, state=state, closed_on=closed_on, created_by=admin)

    march = datetime.date(2025, 3, 1)
    item(a, march, "closed", datetime.date(2025, 2, 20))  # on time
    item(a, march, "closed", datetime.date(2025, 5, 1))  # 61 days late
    item(a, datetime.date(2025, 11, 1), "doing")  # open, 60 days late on 31 December
    item(a, march, "draft")  # never assigned: not counted
    item(a, datetime.date(2026, 3, 1), "doing")  # another year's
    item(b, datetime.date(2025, 12, 31), "doing")  # due on the reference day itself: not late yet
    for agency, code, points, note in ((a, "C", "8", "作风扎实"), (b, "C", "9", "组织有力"), (dept, "E", "7", "实绩"),
                                       (c, "V", "1", "发生重大安全责任事故"), (c, "C", "10", "满分")):
        ManualScore.objects.create(county_id="140826", year=YEAR, agency=agency, item=code,
                                   points=Decimal(points), note=note, scored_by=admin)
    return {"a": a, "b": b, "c": c, "dept": dept}


def _rows(scores):
    return {row.name: row for group in scores.groups for row in group.rows}


def test_scores_come_from_the_records_as_of_the_end_of_the_year(county):
    scores = service.appraisal_scores(county="140826", year=YEAR, today=TODAY)
    assert scores.as_of == datetime.date(2025, 12, 31) and scores.refresh.as_of == datetime.date(2025, 6, 30)
    assert scores.scheme_origin == "county"
    assert scores.scheme_sha256 == hashlib.sha256(SCHEME.encode()).hexdigest()
    rows = _rows(scores)
    a, b, c = rows[county["a"].name], rows[county["b"].name], rows[county["c"].name]
    # A: 10 × (90 − 80) / (100 − 80) = 5 with the letter's target 100; B: 1 of 3 due closed on time = 33.33%
    # → 3.33; C: 8; D: two items over 30 days late → 4 (cap 4): 16.33 − 4 = 12.33
    assert [str(s.points) for s in a.items] == ["5.00", "3.33", "8.00"]
    assert str(a.deductions[0].points) == "4.00" and str(a.total) == "12.33"
    assert a.items[1].data["due"] == 3 and a.items[1].data["closed_late"] == 1
    assert a.items[1].data["open_overdue"] == 1 and a.items[0].data["letter_target"] == 100
    # b: 10 + nothing due yet (full) 10 + 9 = 29; c: no letter, no values → 0 + 10 + 10, but vetoed
    assert str(b.total) == "29.00" and b.rank == 1 and a.rank == 2
    assert c.vetoed and c.total == 0 and c.rank == 3 and c.vetoes[0]["reason"] == "发生重大安全责任事故"
    assert str(rows["县民政局"].total) == "7.00" and rows["县民政局"].rank == 1
    assert rows["县民政局"].items[0].data["note"] == "实绩"


def test_assessment_results_feed_the_unit_of_the_surveyed_villages(world, county):
    Scheme.objects.filter(county_id="140826").update(text=SCHEME.replace(
        'code = "V"\nname = "重大问题"\nsource = "manual"',
        'code = "V"\nname = "错退率超过2%"\nsource = "assessment"\nmeasure = "wrong_exit_rate"\nabove = 2'))
    exit_assessment(world, year=YEAR)  # one wrongly exited household in 下高池村 (140826100)
    rows = _rows(service.appraisal_scores(county="140826", year=YEAR, today=TODAY))
    a = rows[county["a"].name]
    assert a.vetoed and "错退率超过2%" in a.vetoes[0]["reason"]
    assert not rows[county["c"].name].vetoed


def test_without_its_own_scheme_the_county_is_scored_by_the_shipped_one(county):
    Scheme.objects.all().delete()
    scores = service.appraisal_scores(county="140826", year=YEAR, today=TODAY)
    assert scores.scheme_origin == "default"
    assert [g.group.kind for g in scores.groups] == ["township", "department"]


def test_a_broken_county_scheme_is_reported_not_scored(county):
    Scheme.objects.filter(county_id="140826").update(text=SCHEME.replace("total = 30", "total = 40"))
    with pytest.raises(service.AppraisalError, match="各项目分值之和为 30"):
        service.appraisal_scores(county="140826", year=YEAR, today=TODAY)


def test_a_township_code_is_refused_with_a_message(county):
    with pytest.raises(service.AppraisalError, match="不是县级区划代码"):
        service.appraisal_scores(county="140826100", year=YEAR)


def test_the_county_admin_publishes_a_frozen_result(world, county):
    appraisal = service.appraisal_publish(acting_user=world.county_admin, county="140826", year=YEAR)
    assert appraisal.scheme_sha256 == hashlib.sha256(SCHEME.encode()).hexdigest()
    groups = appraisal.results["groups"]
    assert [g["kind"] for g in groups] == ["township", "department"]
    assert groups[1]["rows"][0]["agency"] == county["dept"].pk
    ManualScore.objects.filter(item="E").update(points=Decimal("1"))
    appraisal.refresh_from_db()
    assert appraisal.results["groups"][1]["rows"][0]["total"] == "7.00"  # frozen


@pytest.mark.parametrize("who", ["township_officer", "outsider", "analyst", "evaluator", "department"])
def test_only_the_county_admin_publishes(world, county, who):
    with pytest.raises(PermissionDenied):
        service.appraisal_publish(acting_user=getattr(world, who), county="140826", year=YEAR)
    assert not Appraisal.objects.exists()


@pytest.mark.parametrize("who, sees", [("county_admin", True), ("analyst", True), ("evaluator", True),
                                       ("sysadmin", True), ("township_officer", False), ("department", False),
                                       ("outsider", False), ("village_clerk", False), ("cadre", False)])
def test_live_scores_are_for_those_who_read_the_county_whole(world, county, who, sees):
    if sees:
        assert service.appraisal_live(user=getattr(world, who), county="140826", year=YEAR).groups
    else:
        with pytest.raises(PermissionDenied):
            service.appraisal_live(user=getattr(world, who), county="140826", year=YEAR)


def _results(n: int, vetoed: tuple[str, ...] = ()) -> dict:
    names = ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇", "己镇"][:n]
    rows = [{"name": name, "rank": i + 1, "vetoed": name in vetoed, "subtotal": "90.00", "deducted": "0.00",
             "total": str(90 - i), "vetoes": [{"reason": "错退率超过2%"}] if name in vetoed else []}
            for i, name in enumerate(names)]
    return {"year": 2025, "scheme_name": "考评办法", "groups": [{"name": "乡镇", "rows": rows}]}


def test_the_bulletin_names_the_first_three_the_last_two_and_the_vetoed():
    assert service.group_sentences(_results(6, vetoed=("己镇",))["groups"][0]) == [
        "甲镇、乙镇、丙镇位列乡镇前三名", "丁镇、戊镇位列乡镇后两名", "己镇因错退率超过2%被一票否决"]
    assert service.group_sentences(_results(4)["groups"][0]) == ["甲镇、乙镇、丙镇位列乡镇前三名", "丁镇位列乡镇最后一名"]
    assert service.group_sentences(_results(2)["groups"][0]) == ["甲镇、乙镇位列乡镇前两名"]


def test_a_tie_for_third_place_names_both(tmp_path):
    results = _results(5)
    results["groups"][0]["rows"][3]["rank"] = 3
    assert service.group_sentences(results["groups"][0])[0] == "甲镇、乙镇、丙镇、丁镇位列乡镇前三名"


def test_the_bulletin_docx_has_the_title_the_places_and_a_ranking_table(world, county, tmp_path):
    appraisal = service.appraisal_publish(acting_user=world.county_admin, county="140826", year=YEAR)
    path = tmp_path / "t.docx"
    service.appraisal_docx(results=appraisal.results, path=path)
    xml = zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("word/document.xml").decode()
    assert "关于2025年度脱贫攻坚绩效考评情况的通报" in xml
    assert "因发生重大安全责任事故被一票否决" in xml
    assert "乡镇考评得分排名表" in xml and "<w:tbl>" in xml and "方正小标宋简体" in xml
