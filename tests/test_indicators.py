"""Indicators against a small registry whose every figure was worked out by hand (see the comments)."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest

from jingzhun.analytics import Snapshot, conform, get_engine
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.indicators.compute import unit_values

from .golden_checks import CLEAN_HOUSEHOLD, CLEAN_MEMBER, valid_id

AS_OF = datetime.date(2020, 12, 31)
V1, V2, V3 = "140826100233", "140826100201", "140826101201"  # 下高池, 城内 (古绛镇); 横东 (横水镇)


def _member(household, n, birth, sex="男", **fields):
    return {**CLEAN_MEMBER, "id": int(household[-4:]) * 10 + n, "household_id": household,
            "id_number": valid_id("140826", birth, sex, int(household[-4:]) * 10 + n), "sex": sex, **fields}


def _household(code, **fields):
    return {**CLEAN_HOUSEHOLD, "code": code, "village_id": code[:12], "income_year": 2020, "wage_income": 0.0,
            "business_income": 0.0, "property_income": 0.0, "transfer_income": 0.0, "business_expense": 0.0,
            **fields}


H1, H2, H3, H4, H5 = V1 + "0001", V1 + "0002", V2 + "0001", V3 + "0001", V3 + "0002"
HOUSEHOLDS = [
    # net 10000 + 2000 + 1000 − 1000 = 12000; 3 正常 members (the grandmother died)
    _household(H1, status="已脱贫", exit_year=2018, main_cause="因病", wage_income=10000.0, business_income=2000.0,
               transfer_income=1000.0, business_expense=1000.0, housing_grade="B"),
    # net 2000; no cadre; unsafe house (C) and water
    _household(H2, status="未脱贫", exit_year=None, main_cause="缺资金", wage_income=2000.0, housing_grade="C",
               safe_water=False, cadre_name="", cadre_work_unit="", cadre_phone=""),
    # net 3000 + 1000 = 4000
    _household(H3, status="返贫", exit_year=None, main_cause="因病", wage_income=3000.0, transfer_income=1000.0,
               housing_grade="A"),
    _household(H4, status="清退", exit_year=None, main_cause="缺技术", wage_income=50000.0),
    # net 6000; unsafe house (D); no cadre (exited, so it does not count against coverage)
    _household(H5, status="已脱贫", exit_year=2019, main_cause="缺劳力", wage_income=6000.0, housing_grade="D",
               cadre_name="", cadre_work_unit="", cadre_phone=""),
]
MEMBERS = [
    _member(H1, 1, "1970-03-01", relation="户主", pension_insurance=True),              # 50, pension base: insured
    _member(H1, 2, "1972-05-01", "女", relation="配偶", pension_insurance=False),       # 48, base: not insured
    _member(H1, 3, "2010-06-01", relation="之子", schooling="小学", education="小学",
            labour="无劳动力", pension_insurance=None),                                   # 10, at school
    _member(H1, 4, "1940-01-01", "女", relation="之母", status="死亡"),                  # not counted
    _member(H2, 1, "1960-01-01", relation="户主", medical_insurance=False, pension_insurance=False),  # 60, uninsured
    _member(H2, 2, "2008-02-01", relation="之子", schooling="非在校生", education="小学",
            labour="无劳动力", pension_insurance=None),                                   # 12, out of school: dropout
    _member(H3, 1, "1980-01-01", relation="户主", medical_insurance=False, active_soldier=True,
            pension_insurance=None),                                                      # soldier: counts as insured
    _member(H3, 2, "2005-09-01", "女", relation="之女", schooling="高中", education="初中",
            labour="无劳动力", pension_insurance=None),                                   # 15, at school
    _member(H4, 1, "1975-01-01", relation="户主"),                                        # 清退: POP_REMOVED
    _member(H4, 2, "1976-01-01", "女", relation="配偶"),                                  # 清退: POP_REMOVED
    _member(H5, 1, "1950-01-01", relation="户主", pension_insurance=True),               # 70, base: insured
    _member(H5, 2, "1952-01-01", "女", relation="配偶", status="迁出"),                  # not counted
]
VILLAGES = [
    {"village_id": V1, "registered_population": 1000, "registered_households": 300, "is_poor_village": True,
     "exit_year": 2019, "paved_road": True, "bus_service": False, "broadband": True, "clinic_up_to_standard": True,
     "cultural_venue": False},
    {"village_id": V2, "registered_population": 500, "registered_households": 150, "is_poor_village": False,
     "exit_year": None, "paved_road": True, "bus_service": True, "broadband": False, "clinic_up_to_standard": None,
     "cultural_venue": True},
    {"village_id": V3, "registered_population": 500, "registered_households": 160, "is_poor_village": True,
     "exit_year": None, "paved_road": False, "bus_service": False, "broadband": True, "clinic_up_to_standard": True,
     "cultural_venue": True},
]

COUNTY = {
    "HH_REG": 4, "POP_REG": 8, "HH_POOR": 2, "POP_POOR": 4, "HH_EXITED": 2, "POP_EXITED": 4, "HH_RETURNED": 1,
    "POP_RETURNED": 2, "HH_REMOVED": 1, "POP_REMOVED": 2, "VILLAGES": 3, "RURAL_POP": 2000,
    "INCIDENCE": 0.2,            # 4 ÷ 2000 × 100
    "POOR_VILLAGES": 2, "POOR_VILLAGES_EXITED": 1, "VILLAGE_EXIT_RATE": 50.0,
    "ROAD_RATE": 66.67, "BUS_RATE": 33.33, "BROADBAND_RATE": 66.67, "CLINIC_RATE": 66.67, "CULTURE_RATE": 66.67,
    "MED_INS_RATE": 87.5,        # 7 of 8: only H2's head lacks it (H3's head is a soldier)
    "PENSION_RATE": 40.0,        # base: heads of H1 H2 H3 H5 and H1's spouse = 5; insured: H1 and H5 heads
    "DROPOUTS": 1, "UNSAFE_HOUSING_HH": 2, "UNSAFE_WATER_HH": 1,
    "AVG_INCOME_PC": 3000.0,     # (12000 + 2000 + 4000 + 6000) ÷ 8
    "HELPER_COVERAGE": 50.0,     # H3 has a cadre, H2 has none
    # no 监测户 in the golden registry: counts 0, the rate unknown
    "MON_HH": 0, "MON_POP": 0, "MON_UNSTABLE_HH": 0, "MON_EDGE_HH": 0, "MON_SUDDEN_HH": 0, "MON_ELIMINATED_HH": 0,
    "MON_ELIMINATED_RATE": None,
    # no measure, visit, loan or project: 帮扶 counts 0 over the 4 建档立卡 households (2 with a cadre), rates 0
    "ASST_BASE_HH": 4, "ASST_MEASURED_HH": 0, "ASST_COVERAGE": 0.0, "ASST_NO_MEASURE_HH": 4, "VISIT_CADRE_HH": 2,
    "VISITS_Q": 0, "VISITED_Q_HH": 0, "VISITS_PER_HH_Q": 0.0, "VISITED_Q_RATE": 0.0, "LOAN_HH": 0, "LOAN_HH_YEAR": 0,
    "LOAN_COVERAGE": 0.0, "LOAN_AMOUNT": 0, "LOAN_AMOUNT_YEAR": 0, "LOAN_BALANCE": 0, "LOAN_OVERDUE_N": 0,
    "LOAN_OVERDUE_BALANCE": 0, "LOAN_NPL_N": 0, "PUBLIC_POST_PERSONS": 0, "EMPLOY_TRAINED": 0, "EMPLOY_EMPLOYED": 0,
    "PROJECTS": 0, "PROJ_LISTED": 0, "PROJ_PUBLICISED": 0, "PROJ_UNDERWAY": 0, "PROJ_COMPLETED": 0,
    "PROJ_ACCEPTED": 0, "PROJ_CANCELLED": 0, "FUND_PLANNED": 0, "FUND_SPENT": 0, "FUND_RATE": None,
    # no spot check (随机抽查): none checked of the 4, no verification so the discrepancy rate is unknown
    "SPOT_CHECKED_HH": 0, "SPOT_CHECK_RATE": 0.0, "SPOT_VERIFIED": 0, "SPOT_DISCREPANT": 0,
    "SPOT_DISCREPANCY_RATE": None,
}
#: 帮扶 figures that count 监测户 (and, for visits, any household with a cadre) besides the 建档立卡 ones
NOT_JIANDANG = {"ASST_BASE_HH", "ASST_NO_MEASURE_HH", "VISIT_CADRE_HH"}
TOWNSHIP = {"HH_REG": 3, "POP_REG": 7, "POP_POOR": 4, "RURAL_POP": 1500, "INCIDENCE": 0.27, "VILLAGES": 2,
            "AVG_INCOME_PC": 2571.43}  # 4 ÷ 1500 × 100 = 0.2667; 18000 ÷ 7
HENGDONG = {"HH_REG": 1, "HH_REMOVED": 1, "POP_REMOVED": 2, "HH_POOR": 0, "HELPER_COVERAGE": 100.0,
            "INCIDENCE": 0.0, "VILLAGE_EXIT_RATE": 0.0}


@pytest.fixture(scope="module")
def table():
    with get_engine() as engine:
        engine.load(_snapshot(), as_of=AS_OF)
        return unit_values(engine)


def _snapshot(households=HOUSEHOLDS):
    return Snapshot("", {"households": conform("households", pa.Table.from_pylist(households)),
                         "members": conform("members", pa.Table.from_pylist(MEMBERS)),
                         "villages": conform("villages", pa.Table.from_pylist(VILLAGES))})


def _value(v):
    return float(v) if v is not None and not isinstance(v, int) else v


def test_county_figures_match_the_hand_count(table):
    assert set(COUNTY) == set(indicator_catalog())
    assert {code: _value(table["140826"][code]) for code in COUNTY} == COUNTY


@pytest.mark.parametrize("org,expected", [("140826100", TOWNSHIP), (V3, HENGDONG)])
def test_lower_levels_are_sums_of_their_villages(table, org, expected):
    assert {code: _value(table[org][code]) for code in expected} == expected


def test_every_level_up_to_the_province_is_there(table):
    assert {"14", "1408", "140826", "140826100", "140826101", V1, V2, V3} <= set(table)
    assert table["14"]["POP_REG"] == table["1408"]["POP_REG"] == table["140826"]["POP_REG"] == 8


def test_causes_and_exits_by_year(table):
    assert table["140826"]["CAUSES"] == {"因病": 2, "缺资金": 1, "缺劳力": 1}
    assert table["140826"]["EXITS_BY_YEAR"] == {"2018": {"households": 1, "persons": 3},
                                                    "2019": {"households": 1, "persons": 1}}


def test_bulletin_numbers_are_the_indicators(table, tmp_path):
    from docx import Document

    from jingzhun.indicators.bulletin import bulletin_docx, bulletin_paragraphs

    values = table["140826"]
    paragraphs = bulletin_paragraphs(unit_name="绛县", code="140826", as_of=AS_OF, values=values)
    text = "".join(paragraphs)
    assert "截至 2020 年 12 月 31 日，绛县全县建档立卡贫困户 4 户 8 人" in text
    assert "已脱贫 2 户 4 人" in text and "剩余贫困人口 4 人（含返贫 1 户 2 人）" in text
    assert "贫困发生率降至 0.2%" in text and "贫困村退出率达 50%" in text
    assert "通村公路硬化率 66.67%" in text and "客运班车开通率 33.33%" in text
    assert "基本医疗保险参保率 87.5%" in text and "养老保险参保率 40%" in text
    assert "失学辍学 1 人" in text and "住房不安全 2 户" in text and "饮水不安全 1 户" in text
    assert "人均纯收入 3000 元" in text and "帮扶责任人覆盖率 50%" in text
    assert "因病 2 户" in text
    path = tmp_path / "简报.docx"
    bulletin_docx(paragraphs, title="绛县脱贫攻坚工作简报", path=path)
    texts = [p.text for p in Document(str(path)).paragraphs if p.text]  # the 公文 layout has blank lines
    assert texts[0] == "绛县脱贫攻坚工作简报"
    assert texts[1:] == paragraphs


def test_a_unit_with_nothing_registered_has_zero_counts_and_no_rates():
    from jingzhun.indicators.compute import empty_unit_values

    empty = Snapshot("", {name: conform(name, pa.table({})) for name in ("households", "members", "villages")})
    with get_engine() as engine:
        engine.load(empty, as_of=AS_OF)
        values = empty_unit_values(engine)
    assert values["HH_REG"] == 0 and values["POP_POOR"] == 0
    assert values["INCIDENCE"] is None and values["MED_INS_RATE"] is None
    assert values["HELPER_COVERAGE"] == 100.0  # no poor household: nobody lacks a cadre


def test_households_that_are_not_jiandang_change_no_jiandang_figure(table):
    """一般农户 and a 边缘易致贫户 (template v2) in the same villages: every 建档立卡 figure stays as counted by
    hand, though they have unsafe houses, an uninsured member, a dropout and incomes of their own."""
    not_registered = {"standard": "", "attribute": "", "status": "", "identified_year": None, "exit_year": None,
                      "main_cause": ""}
    h6, h7 = V1 + "0006", V2 + "0007"
    households = [*HOUSEHOLDS,
                  _household(h6, **not_registered, category="一般农户", wage_income=40000.0, housing_grade="D",
                             safe_water=False),
                  _household(h7, **not_registered, category="监测户", monitoring_class="边缘易致贫户",
                             monitoring_since=datetime.date(2020, 6, 1), risk_type="因病", wage_income=5000.0,
                             housing_grade="C")]
    members = [*MEMBERS, _member(h6, 1, "1970-01-01", relation="户主", medical_insurance=False),
               _member(h6, 2, "2008-02-01", relation="之子", schooling="非在校生", education="小学", labour="无劳动力"),
               _member(h7, 1, "1966-01-01", relation="户主", health="患有大病")]
    snapshot = Snapshot("", {"households": conform("households", pa.Table.from_pylist(households)),
                             "members": conform("members", pa.Table.from_pylist(members)),
                             "villages": conform("villages", pa.Table.from_pylist(VILLAGES))})
    with get_engine() as engine:
        engine.load(snapshot, as_of=AS_OF)
        wider = unit_values(engine)
    jiandang = {code: value for code, value in COUNTY.items() if not code.startswith("MON_") and code not in NOT_JIANDANG}
    assert {code: _value(wider["140826"][code]) for code in jiandang} == jiandang
    # the 监测户 h7 receives help (4 + 1); h6 and h7 have a cadre (2 + 2); nobody has a measure yet
    assert {code: wider["140826"][code] for code in NOT_JIANDANG} == {"ASST_BASE_HH": 5, "ASST_NO_MEASURE_HH": 5,
                                                                       "VISIT_CADRE_HH": 4}
    for key in ("CAUSES", "INCOME"):
        assert wider["140826"][key] == table["140826"][key]


def test_income_structure_sums_the_sources_of_registered_households(table):
    # H1 10000 + H2 2000 + H3 3000 + H5 6000 wages; H4 (清退, 50000) is not counted
    assert table["140826"]["INCOME"] == {"工资性收入": 21000.0, "生产经营性收入": 2000.0, "财产性收入": 0.0,
                                         "转移性收入": 2000.0}


def _exited_h2():
    """The golden registry a month later: H2 has left poverty (已脱贫 in 2021)."""
    return [{**h, "status": "已脱贫", "exit_year": 2021} if h["code"] == H2 else h for h in HOUSEHOLDS]


@pytest.mark.django_db
def test_a_refresh_stores_every_unit_with_the_hand_counted_values():
    from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators
    from jingzhun.indicators.services import indicators_refresh

    refresh = indicators_refresh(snapshot=_snapshot(), as_of=AS_OF, reason="test")
    assert refresh.status == IndicatorRefresh.Status.DONE and refresh.members == len(MEMBERS)
    stored = dict(UnitIndicators.objects.filter(refresh=refresh).values_list("org", "values"))
    assert {"14", "1408", "140826", "140826100", "140826101", V1, V2, V3} <= set(stored)
    assert {code: stored["140826"][code] for code in COUNTY} == COUNTY
    assert stored["140826"]["EXITS_BY_YEAR"]["2018"] == {"households": 1, "persons": 3}
    assert refresh.units == len(stored)


@pytest.mark.django_db
def test_the_bulletin_reports_the_change_since_an_earlier_refresh():
    from jingzhun.indicators.bulletin import bulletin_paragraphs
    from jingzhun.indicators.models import UnitIndicators
    from jingzhun.indicators.services import indicators_refresh

    before = indicators_refresh(snapshot=_snapshot(), as_of=AS_OF)
    after = indicators_refresh(snapshot=_snapshot(_exited_h2()), as_of=datetime.date(2021, 1, 31))
    old = UnitIndicators.objects.get(refresh=before, org="140826").values
    new = UnitIndicators.objects.get(refresh=after, org="140826").values
    assert new["POP_POOR"] == 2 and new["INCIDENCE"] == 0.1 and new["HH_EXITED"] == 3
    text = bulletin_paragraphs(unit_name="绛县", code="140826", as_of=after.as_of, values=new, earlier=old,
                               earlier_date=before.as_of)[-1]
    # POP_POOR 4 → 2, INCIDENCE 0.2 → 0.1, HH_EXITED 2 → 3, POP_EXITED 4 → 6, HELPER_COVERAGE 50 → 100
    assert text.startswith("与 2020 年 12 月 31 日相比，剩余贫困人口减少 2 人，贫困发生率下降 0.1 个百分点，"
                           "已脱贫户增加 1 户，已脱贫人口增加 2 人，返贫户持平，")
    assert "帮扶责任人覆盖率提高 50 个百分点" in text and "人均纯收入持平" in text
    assert new["HELPER_COVERAGE"] - old["HELPER_COVERAGE"] == 50


@pytest.mark.django_db
def test_old_refreshes_are_pruned_to_the_last_of_each_day():
    from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators
    from jingzhun.indicators.services import indicators_refresh, refresh_prune

    today = datetime.date.today()
    old_day = today - datetime.timedelta(days=30)
    first = indicators_refresh(snapshot=_snapshot(), as_of=old_day)
    second = indicators_refresh(snapshot=_snapshot(), as_of=old_day)  # prunes `first`: same old day
    recent = indicators_refresh(snapshot=_snapshot(), as_of=today)
    recent_twin = indicators_refresh(snapshot=_snapshot(), as_of=today)  # recent: both kept
    kept = set(IndicatorRefresh.objects.values_list("pk", flat=True))
    assert first.pk not in kept and {second.pk, recent.pk, recent_twin.pk} == kept
    # a week later the two of today are old too, and only the last of them stays
    assert refresh_prune(today=today + datetime.timedelta(days=8)) == 1
    assert set(IndicatorRefresh.objects.values_list("pk", flat=True)) == {second.pk, recent_twin.pk}
    assert not UnitIndicators.objects.filter(refresh_id=first.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_queues_one_refresh_that_runs_after_commit(settings, tmp_path):
    from jingzhun.exchange.importer import registry_import
    from jingzhun.indicators.models import IndicatorRefresh
    from jingzhun.indicators.services import refresh_soon
    from jingzhun.orgunits.services import divisions_load

    from .exchange_files import synth_folder

    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = True
    divisions_load(prefix="140826")
    assert not registry_import(paths=[synth_folder(tmp_path / "in")]).issues
    refreshes = list(IndicatorRefresh.objects.all())
    # the test settings run tasks at once (ImmediateBackend), so the queued refresh has already run
    assert [r.status for r in refreshes] == [IndicatorRefresh.Status.DONE]
    assert refreshes[0].reason.startswith("导入") and refreshes[0].units > 0
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    assert refresh_soon(reason="x") is None


@pytest.mark.django_db(transaction=True)
def test_a_direct_refresh_takes_over_a_queued_one_whose_task_then_skips(settings):
    from jingzhun.indicators.models import IndicatorRefresh
    from jingzhun.indicators.services import indicators_refresh
    from jingzhun.indicators.tasks import refresh_indicators

    queued = IndicatorRefresh.objects.create(as_of=AS_OF, reason="导入 村表.csv")  # as refresh_soon leaves it
    done = indicators_refresh(as_of=AS_OF)  # e.g. `jingzhun refresh` or the demo, before any worker ran
    assert done.pk == queued.pk and done.status == IndicatorRefresh.Status.DONE and done.reason == "导入 村表.csv"
    assert IndicatorRefresh.objects.count() == 1
    assert refresh_indicators.call(queued.pk) == "skipped"


def _monitored_registry():
    """The golden registry with three 监测户: H3 (返贫, 建档立卡) is a 脱贫不稳定户 at risk 因病; H7, not 建档立卡,
    an 边缘易致贫户 whose 因灾 risk is eliminated; H8 a 突发严重困难户 at risk 因病 (two members)."""
    not_registered = {"standard": "", "attribute": "", "status": "", "identified_year": None, "exit_year": None,
                      "main_cause": ""}
    h7, h8 = V2 + "0007", V3 + "0008"
    since = datetime.date(2021, 3, 1)
    households = [h if h["code"] != H3 else {**h, "category": "监测户", "monitoring_class": "脱贫不稳定户",
                                             "monitoring_since": since, "risk_type": "因病"} for h in HOUSEHOLDS]
    households += [
        _household(h7, **not_registered, category="监测户", monitoring_class="边缘易致贫户", monitoring_since=since,
                   risk_type="因灾", risk_eliminated=True, risk_eliminated_on=datetime.date(2022, 3, 1)),
        _household(h8, **not_registered, category="监测户", monitoring_class="突发严重困难户", monitoring_since=since,
                   risk_type="因病")]
    members = [*MEMBERS, _member(h7, 1, "1966-01-01", relation="户主"),
               _member(h8, 1, "1970-01-01", relation="户主", health="患有大病"),
               _member(h8, 2, "1972-01-01", "女", relation="配偶"),
               _member(h8, 3, "1940-01-01", "女", relation="之母", status="死亡")]  # not counted
    return Snapshot("", {"households": conform("households", pa.Table.from_pylist(households)),
                         "members": conform("members", pa.Table.from_pylist(members)),
                         "villages": conform("villages", pa.Table.from_pylist(VILLAGES))})


def test_monitoring_objects_by_class_with_the_share_out_of_risk_and_their_risk_types():
    with get_engine() as engine:
        engine.load(_monitored_registry(), as_of=AS_OF)
        values = unit_values(engine)
    county = {code: _value(v) for code, v in values["140826"].items() if code.startswith("MON_")}
    assert county == {"MON_HH": 3, "MON_POP": 5,        # H3's 2 + H7's 1 + H8's 2 正常 members
                      "MON_UNSTABLE_HH": 1, "MON_EDGE_HH": 1, "MON_SUDDEN_HH": 1, "MON_ELIMINATED_HH": 1,
                      "MON_ELIMINATED_RATE": 33.33}      # 1 ÷ 3 × 100
    assert values["140826"]["RISKS"] == {"因病": 2}      # H7's 因灾 is eliminated
    assert values[V3]["MON_HH"] == 1 and values[V3]["RISKS"] == {"因病": 1}
    # the 建档立卡 figures are those counted by hand: H3 stays a 返贫 household, H7 and H8 are not 建档立卡
    assert {code: _value(values["140826"][code]) for code in COUNTY
            if not code.startswith("MON_") and code not in NOT_JIANDANG} == \
        {code: value for code, value in COUNTY.items() if not code.startswith("MON_") and code not in NOT_JIANDANG}


def test_the_bulletin_reports_the_monitoring_objects_in_the_papers_words():
    from jingzhun.indicators.bulletin import bulletin_paragraphs

    with get_engine() as engine:
        engine.load(_monitored_registry(), as_of=AS_OF)
        values = unit_values(engine)["140826"]
    text = "".join(bulletin_paragraphs(unit_name="绛县", code="140826", as_of=AS_OF, values=values))
    assert ("全县共有防止返贫监测对象 3 户 5 人，其中脱贫不稳定户 1 户、边缘易致贫户 1 户、突发严重困难户 1 户；"
            "已消除风险 1 户，风险消除率 33.33%。尚未消除风险的监测对象中，因病 2 户 居首位。") in text


def test_a_unit_without_monitoring_objects_has_no_monitoring_paragraph(table):
    from jingzhun.indicators.bulletin import bulletin_paragraphs

    text = "".join(bulletin_paragraphs(unit_name="绛县", code="140826", as_of=AS_OF, values=table["140826"]))
    assert "监测对象" not in text
