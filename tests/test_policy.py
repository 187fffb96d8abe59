"""Policy packs: national defaults, Shanxi, the west, a county's own file, and bad files refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingzhun.analytics.lines import poverty_lines
from jingzhun.policy import PolicyPackError, policy_pack, policy_pack_for


def _line(year: int, region: str = "CN") -> Decimal:
    rows = [r for r in poverty_lines().to_pylist() if r["year"] == year and r["region"] == region]
    return Decimal(rows[0]["line"])


def test_shanxi_pack_has_the_thresholds_of_the_issue():
    pack = policy_pack("14", 2019)
    assert pack.village_exit.max_incidence == Decimal("2")
    assert pack.county_exit.max_incidence == Decimal("2")
    assert pack.county_exit.max_wrong_exit_rate == Decimal("2")
    assert pack.county_exit.max_missed_rate == Decimal("2")
    assert pack.county_exit.min_approval == Decimal("90")
    assert pack.publicity_days == 7
    assert all(vars(pack.exit_criteria).values())
    assert [p.rsplit("/", 1)[-1] for p in pack.sources] == ["CN.toml", "14.toml"]


def test_comparison_signals_use_the_agreed_keys():
    signals = policy_pack("14", 2018).comparison
    assert signals.car_price_min == 30000
    assert signals.excluded_house_types == ("商品房", "商铺")
    assert signals.company_roles == ("法定代表人", "股东")
    assert signals.state_paid_staff is True and signals.village_cadre is True


def test_poverty_line_comes_from_the_checks_table_not_the_pack():
    for year in (2014, 2016, 2019, 2020):
        pack = policy_pack("14", year)
        assert pack.poverty_line == _line(year) and pack.poverty_line_region == "CN"


def test_year_without_a_line_has_none_rather_than_a_guess():
    assert policy_pack("14", 2031).poverty_line is None


def test_monitoring_line_from_2021_with_its_source():
    assert policy_pack("14", 2020).monitoring_line is None  # no 防止返贫监测 before 2021
    for year in (2021, 2025):
        pack = policy_pack("14", year, county="140826")
        assert pack.monitoring_line == Decimal("6000") and "2021" in pack.monitoring_line_source
        assert pack.poverty_line is None  # the national poverty standard's table ends with 2020


def test_a_province_or_county_states_its_own_monitoring_line(tmp_path, settings):
    (tmp_path / "140826.toml").write_text(
        '[from.2025.monitoring]\nincome_line = 7800\nsource = "示例值"\n', encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    assert policy_pack("14", 2025, county="140826").monitoring_line == Decimal("7800")
    assert policy_pack("14", 2025, county="140826").monitoring_line_source == "示例值"
    assert policy_pack("14", 2024, county="140826").monitoring_line == Decimal("6000")
    assert policy_pack("14", 2025, county="140829").monitoring_line == Decimal("6000")
    (tmp_path / "140826.toml").write_text('[monitoring]\nsource = "某文件"\n', encoding="utf-8")
    with pytest.raises(PolicyPackError, match="缺少设置项：monitoring.income_line"):
        policy_pack("14", 2019, county="140826")  # a source for years without any line


def test_western_province_gets_three_percent():
    pack = policy_pack("62", 2019)  # 甘肃
    assert pack.village_exit.max_incidence == Decimal("3")
    assert pack.county_exit.max_incidence == Decimal("3")
    assert pack.county_exit.max_wrong_exit_rate == Decimal("2")


def test_county_file_overrides_and_from_year_sections(tmp_path, settings):
    (tmp_path / "140826.toml").write_text(
        "publicity_days = 10\n[comparison]\ncar_price_min = 50000\nlong_absence_months = 12\n"
        "[from.2020]\npublicity_days = 5\n[from.2020.exit_criteria]\nfood_clothing = false\n",
        encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    county = policy_pack("14", 2019, county="140826")
    assert county.publicity_days == 10 and county.comparison.car_price_min == 50000
    assert county.comparison.extra["long_absence_months"] == 12
    assert county.comparison.excluded_house_types == ("商品房", "商铺")  # untouched keys inherited
    later = policy_pack_for("140826100233", 2021)
    assert later.publicity_days == 5 and later.exit_criteria.food_clothing is False
    assert later.exit_criteria.income is True
    assert policy_pack("14", 2019, county="140829").publicity_days == 7  # another county: no override


@pytest.mark.parametrize("text, words", [
    ("publicity_days = \"七\"\n", "publicity_days 应为整数"),
    ("[exit_criteria]\nincome = 1\n", "exit_criteria.income 应为true 或 false"),
    ("[exit_critera]\nincome = true\n", "不认识的设置项 exit_critera"),
    ("poverty_line = 5000\n", "贫困线不写在政策包里"),
    ("[village_exit]\nindicators = [\"airport\"]\n", "不认识的村表指标 airport"),
    ("[from.next]\npublicity_days = 3\n", "应以四位年度命名"),
    ("publicity_days = [\n", "格式错误"),
    ("[county_exit]\nmin_approval = -1\n", "不能为负数"),
    ("[monitoring]\nincome_line = \"六千\"\n", "monitoring.income_line 应为数值"),
    ("[monitoring]\nsource = 6000\n", "monitoring.source 应为文字"),
])
def test_bad_county_file_gets_a_chinese_error(tmp_path, settings, text, words):
    path = tmp_path / "140826.toml"
    path.write_text(text, encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    with pytest.raises(PolicyPackError) as caught:
        policy_pack("14", 2019, county="140826")
    assert words in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("args, words", [
    (("1", 2019), "省级代码应为 2 位数字"),
    (("14", 1900), "年度应为"),
    (("14", "2019"), "年度应为"),
])
def test_bad_arguments_get_a_chinese_error(args, words):
    with pytest.raises(PolicyPackError, match=words):
        policy_pack(*args)


def test_county_of_another_province_is_refused():
    with pytest.raises(PolicyPackError, match="属于省 14"):
        policy_pack("14", 2019, county="610102")


def test_missing_override_folder_is_reported(settings, tmp_path):
    settings.JINGZHUN_POLICY_DIRS = [tmp_path / "nowhere"]
    with pytest.raises(PolicyPackError, match="不存在"):
        policy_pack("14", 2019)


# --- titles: what pages call a pack (issue 13, defect 7: never its file name) ---------------------------

def test_every_shipped_pack_has_a_title_that_is_in_the_translation_list():
    import tomllib

    from jingzhun.policy.loader import PACKS_DIR, SHIPPED_TITLES

    titles = {tomllib.loads(p.read_text(encoding="utf-8")).get("title") for p in PACKS_DIR.glob("*.toml")}
    assert None not in titles and titles == set(SHIPPED_TITLES)
    assert policy_pack("14", 2019).titles == ("国家精准扶贫默认政策", "山西省精准扶贫政策")


def test_a_county_file_without_a_title_is_named_by_its_level_and_a_bad_title_is_refused(tmp_path, settings):
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    (tmp_path / "140826.toml").write_text("publicity_days = 5\n", encoding="utf-8")
    pack = policy_pack_for("140826", 2019)
    assert pack.titles[-1] == "县级政策（140826）" and not any(".toml" in t for t in pack.titles)
    (tmp_path / "140826.toml").write_text('title = "绛县补充规定"\n[from.2020]\ntitle = "又一个"\n', encoding="utf-8")
    with pytest.raises(PolicyPackError, match="title 只能写在文件开头"):
        policy_pack_for("140826", 2021)
    (tmp_path / "140826.toml").write_text("title = 7\n", encoding="utf-8")
    with pytest.raises(PolicyPackError, match="title 应为 1 到 60 个字"):
        policy_pack_for("140826", 2019)
