"""防止返贫监测 standards in the packs: the line (fixed or × 低保), the exclusion rule, time limits, working days."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.monitoring.calendar import add_working_days, is_working_day
from jingzhun.monitoring.standards import standards_for
from jingzhun.policy import PolicyPackError, policy_pack


def _county(tmp_path, settings, text: str) -> None:
    (tmp_path / "140826.toml").write_text(text, encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [str(tmp_path)]


def test_shipped_standards_carry_sources_and_say_which_figures_are_examples():
    standards = policy_pack("14", 2026, county="140826").monitoring
    assert standards.line_basis == "fixed" and standards.line.value == Decimal("6000") and not standards.line.example
    assert standards.line.source and standards.limits.source and standards.rural_income_average.source
    assert standards.verify_working_days == 2 and standards.decide_days == 15
    assert standards.limits.example and standards.rural_income_average.example and standards.dibao.example
    assert policy_pack("14", 2020).monitoring is None  # no 防止返贫监测 before 2021


def test_county_pack_sets_its_line_as_a_multiple_of_its_dibao_standard(tmp_path, settings):
    _county(tmp_path, settings, """
[from.2024.monitoring]
line_basis = "dibao"
dibao_multiple = 2
source = "县乡村振兴局 2024 年监测标准（示例）"
example = true
[from.2024.monitoring.dibao]
standard = 9780
source = "县民政局 2024 年农村低保标准（示例）"
example = true
""")
    standards = policy_pack("14", 2024, county="140826").monitoring
    assert standards.dibao.source.startswith("县民政局")
    assert standards.line_basis == "dibao" and standards.line.value == Decimal("19560") and standards.line.example
    assert policy_pack("14", 2024, county="140829").monitoring.line.value == Decimal("6000")  # another county
    assert policy_pack("14", 2023, county="140826").monitoring.line.value == Decimal("6000")  # an earlier year


def test_county_overrides_exclusion_and_time_limits_key_by_key(tmp_path, settings):
    _county(tmp_path, settings, """
[from.2025.monitoring.exclusion]
rural_income_average = 16000
margin_percent = 50
source = "县统计局：2024 年农村居民人均可支配收入（示例）"
[from.2025.monitoring.limits]
decide_days = 20
source = "某省：线索到认定 20 日（示例）"
""")
    standards = policy_pack("14", 2025, county="140826").monitoring
    assert standards.exclusion_threshold == Decimal("24000")
    assert standards.excludes(Decimal("24001")) and not standards.excludes(Decimal("24000"))
    # the county's own figure: its source, and not marked 示例值 (it did not say example)
    assert standards.rural_income_average.example is False and "县统计局" in standards.rural_income_average.source
    assert standards.decide_days == 20 and standards.verify_working_days == 2  # the province's default kept


def test_a_line_takes_effect_on_its_date_and_the_previous_year_holds_before(tmp_path, settings):
    _county(tmp_path, settings, """
[from.2024.monitoring]
income_line = 8800
effective_from = "2024-03-14"
source = "示例：自 2024 年 3 月 14 日起执行"
""")
    assert standards_for("140826100233", datetime.date(2024, 3, 13)).line.value == Decimal("6000")
    assert standards_for("140826100233", datetime.date(2024, 3, 14)).line.value == Decimal("8800")
    assert standards_for("140826100233", datetime.date(2025, 1, 2)).line.value == Decimal("8800")


@pytest.mark.parametrize("text, message", [
    ('[from.2024.monitoring]\nline_basis = "dibao"\nsource = "x"\n', "dibao_multiple"),
    ('[from.2024.monitoring.exclusion]\nrural_income_average = 16000\n', "须同时写明出处 source"),
    ('[from.2024.monitoring]\nline_basis = "percent"\n', "line_basis"),
    ('[from.2024.monitoring.limits]\nverify_working_days = 0\nsource = "x"\n', "1 到 30 个工作日"),
    ('[from.2024.monitoring.limits]\nverify_working_days = "两天"\nsource = "x"\n', "monitoring.limits.verify_working_days 应为整数"),
    ('[from.2024.monitoring]\neffective_from = "3月14日"\n', "日期"),
    ('[from.2024.monitoring.calendar]\nholidays = ["2027-13-01"]\n', "日期"),
    ('[from.2024.monitoring]\nexample = "yes"\n', "monitoring.example 应为true 或 false"),
    ('[from.2024.monitoring.limits]\nhours = 48\n', "不认识的设置项 monitoring.limits.hours"),
])
def test_a_bad_monitoring_table_is_refused_in_chinese(tmp_path, settings, text, message):
    _county(tmp_path, settings, text)
    with pytest.raises(PolicyPackError, match=message):
        policy_pack("14", 2024, county="140826")


def test_working_days_skip_holidays_and_count_the_weekend_days_worked():
    standards = policy_pack("14", 2026).monitoring
    # 2026-09-30 (Wed) + 2 working days: 1–7 October are the National Day holiday, 8 Oct a working day
    assert add_working_days(datetime.date(2026, 9, 30), 2, standards) == datetime.date(2026, 10, 9)
    # a Friday: the weekend does not count
    assert add_working_days(datetime.date(2026, 12, 4), 2, standards) == datetime.date(2026, 12, 8)
    assert is_working_day(datetime.date(2026, 10, 10), standards)  # a Saturday worked in exchange (调休)


def test_years_the_library_does_not_know_use_the_packs_lists_then_weekdays(tmp_path, settings):
    _county(tmp_path, settings, """
[from.2027.monitoring.calendar]
holidays = ["2027-01-01"]
workdays = ["2027-01-02"]
source = "测试"
""")
    standards = policy_pack("14", 2027, county="140826").monitoring
    assert not is_working_day(datetime.date(2027, 1, 1), standards)  # a Friday, a holiday by the pack
    assert is_working_day(datetime.date(2027, 1, 2), standards)  # a Saturday worked by the pack
    assert not is_working_day(datetime.date(2027, 1, 3), standards)  # Sunday
    assert add_working_days(datetime.date(2026, 12, 31), 2, standards) == datetime.date(2027, 1, 4)


def test_every_source_of_the_shipped_packs_is_in_the_translation_list():
    import tomllib

    from jingzhun.policy.loader import PACKS_DIR, SHIPPED_SOURCES

    def sources(table):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from sources(value)
            elif key == "source":
                yield value

    shipped = {s for p in PACKS_DIR.glob("*.toml") for s in sources(tomllib.loads(p.read_text(encoding="utf-8")))}
    assert shipped == set(SHIPPED_SOURCES)


def test_a_monitoring_notice_lasts_the_packs_days_never_fewer_than_five(tmp_path, settings):
    """村级公示 of a monitoring object: at least 5 days (the pack's monitoring.limits.publicity_days, 5 when
    silent) — its own figure, not the 精准识别 notice's 7; a county pack asking for 3 is refused."""
    from jingzhun.workflows.definitions import Kind
    from jingzhun.workflows.publicity import publicity_days

    assert policy_pack("14", 2026, county="140826").monitoring.publicity_days == 5
    assert publicity_days("140826100233", "140826100233", 2026, Kind.MONITORING_ENTRY) == 5
    assert publicity_days("140826100233", "140826100233", 2026, Kind.RISK_ELIMINATION) == 5
    assert publicity_days("140826100233", "140826100233", 2026, Kind.ENTRY) == 7
    _county(tmp_path, settings, """
title = "绛县政策"
[from.2026.monitoring.limits]
verify_working_days = 2
decide_days = 15
publicity_days = 3
source = "县里想缩短公示"
""")
    with pytest.raises(PolicyPackError, match="不得少于 5 天"):
        policy_pack("14", 2026, county="140826")
