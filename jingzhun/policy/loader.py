"""Policy packs: the rules of a province and year, as data files, merged national → province → county.

    packs/CN.toml          national defaults (shipped)
    packs/14.toml          山西 overrides (shipped)
    <dir>/CN.toml, <dir>/14.toml, <dir>/140826.toml
                           a deployment's own files, in the folders of the setting JINGZHUN_POLICY_DIRS

Each file holds keys for every year at its top level and `[from.YEAR]` tables that change keys from that
year on, and a `title` that names it on pages (never the file name). CN.toml may also name groups of
provinces (`[regions.west] provinces = [...]`) with their own keys, applied after the national keys and
before the province's file. Tables merge key by key; a list or a number replaces the one below it. The poverty line is never in a pack file: it comes from the table the
data-quality checks use (jingzhun/analytics/data/poverty_lines.csv).
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_noop

PACKS_DIR = Path(__file__).resolve().parent / "packs"
NATIONAL = "CN"

#: The 村表 indicators a village exit may require (VillageProfile boolean fields).
VILLAGE_INDICATORS = ("paved_road", "bus_service", "broadband", "clinic_up_to_standard", "cultural_venue")
EXIT_CRITERIA = ("income", "food_clothing", "education", "medical", "housing", "water")
#: 防止返贫监测: a monitoring object's 村级公示 lasts at least this many days (the national rule the issue and the
#: county notices state: "村级公示（一次，不少于 5 天）"); a pack may set more, never fewer.
MONITORING_MIN_PUBLICITY_DAYS = 5
#: Tables a year may lack: 防止返贫监测 exists from 2021 on only.
_OPTIONAL_TABLES = {"monitoring", "alerts", "loans", "supervision"}

_NUMBER = (int, float)
# key → expected type(s); a nested dict is a table. Unknown keys are refused (a misspelt switch must not
# silently fall back to the default), except in [comparison], whose signals the comparison module owns.
_SCHEMA: dict[str, Any] = {
    "publicity_days": int,
    "exit_criteria": {name: bool for name in EXIT_CRITERIA},
    "village_exit": {"max_incidence": _NUMBER, "indicators": list, "min_collective_income": _NUMBER},
    "county_exit": {"max_incidence": _NUMBER, "max_wrong_exit_rate": _NUMBER, "max_missed_rate": _NUMBER,
                    "min_approval": _NUMBER},
    "comparison": {"car_price_min": _NUMBER, "excluded_house_types": list, "company_roles": list,
                   "state_paid_staff": bool, "village_cadre": bool},
    "monitoring": {
        # the line: a fixed amount (line_basis = "fixed", income_line) or a multiple of the local 低保
        # standard (line_basis = "dibao", dibao_multiple × [monitoring.dibao].standard)
        "line_basis": str, "income_line": _NUMBER, "dibao_multiple": _NUMBER, "effective_from": str,
        "source": str, "example": bool,
        "dibao": {"standard": _NUMBER, "source": str, "example": bool},
        # not included: income after 合规刚性支出 above the local rural average by more than margin_percent
        "exclusion": {"rural_income_average": _NUMBER, "margin_percent": _NUMBER, "source": str, "example": bool},
        # 入户核实 within verify_working_days working days; lead to decision within decide_days days
        "limits": {"verify_working_days": int, "decide_days": int, "publicity_days": int, "source": str,
                   "example": bool},
        # working days: holidays and 调休 working days for years the calendar library does not know
        "calendar": {"holidays": list, "workdays": list, "source": str},
    },
    # 部门预警 thresholds (read by jingzhun/alerts; each table names its source and whether its figures are
    # example values): the province's previous-year rural per-capita disposable income, and one table per
    # kind of department file.
    "alerts": {
        "rural_income": {"value": _NUMBER, "year": int, "source": str, "example": bool},
        "medical": {"form": str, "share_monitored": _NUMBER, "share_others": _NUMBER, "inpatient_monitored": _NUMBER,
                    "inpatient_others": _NUMBER, "strict": bool, "special_outpatient_monthly": _NUMBER,
                    "source": str, "example": bool},
        "civil": {"categories": list, "new_within_days": int, "source": str, "example": bool},
        "education": {"dropout": bool, "cost_min": _NUMBER, "source": str, "example": bool},
        "emergency": {"loss_min": _NUMBER, "house_damage": list, "source": str, "example": bool},
        "police": {"events": list, "source": str, "example": bool},
        "disability": {"grades": list, "new_within_days": int, "source": str, "example": bool},
        "housing": {"grades": list, "source": str, "example": bool},
        "employment": {"categories": list, "source": str, "example": bool},
    },
    # 小额信贷 (read by jingzhun.assistance and the checks Q39–Q43): the loan limits and when a loan is
    # 逾期 (an installment unpaid more than overdue_grace_days after its due date) or 不良 (more than npl_days).
    "loans": {"max_amount": _NUMBER, "max_term_months": int, "min_age": int, "max_age": int,
              "overdue_grace_days": int, "npl_days": int, "source": str, "example": bool},
    # 整改台账 (read by jingzhun.supervision): an open item whose deadline is at most warning_days away is 临期
    # (amber on the ledger, on the to-do page); past its deadline it is 逾期.
    "supervision": {"warning_days": int},
}
#: 临期 when the pack is silent: a week before the deadline.
DEFAULT_LEDGER_WARNING_DAYS = 7
LINE_BASES = ("fixed", "dibao")
#: The forms a 医保 alert threshold takes: a share of the rural income, or absolute amounts.
MEDICAL_FORMS = ("income_share", "absolute")
_OPEN_TABLES = {"comparison"}

#: The titles of the shipped packs, for the translation catalogue (pages show them through gettext);
#: tests/test_policy.py keeps this list equal to the files' `title`s.
SHIPPED_TITLES = (gettext_noop("国家精准扶贫默认政策"), gettext_noop("山西省精准扶贫政策"))
#: The `source`s of the shipped packs' figures, for the translation catalogue likewise (a deployment's own
#: sources are shown as written); tests/test_monitoring_standards.py keeps this list equal to the files'.
SHIPPED_SOURCES = (
    gettext_noop("国家乡村振兴局：2021 年防止返贫监测范围，家庭年人均纯收入 6000 元（约为现行扶贫标准的 1.5 倍）"),
    gettext_noop("示例值：请在省、县政策包中填写当地上年农村居民人均可支配收入及“明显高于”的幅度"),
    gettext_noop("示例值：各地防止返贫监测通知常见做法（线索 2 个工作日内入户核实，15 日内完成认定）"),
    gettext_noop("国务院办公厅关于部分节假日安排的通知（按年发布）"),
    gettext_noop("示例值：请填写当地农村低保标准（元/人·年）及其文件"),
    gettext_noop("山西省统计局《山西省2023年国民经济和社会发展统计公报》（示例值：使用前请核对公报原文）"),
    gettext_noop("示例值：请按《山西省2024年国民经济和社会发展统计公报》填写"),
    gettext_noop("示例值：请按《山西省2025年国民经济和社会发展统计公报》填写"),
    gettext_noop("国家统计局《中华人民共和国2023年国民经济和社会发展统计公报》"),
    gettext_noop("国家统计局《中华人民共和国2024年国民经济和社会发展统计公报》"),
    gettext_noop("示例值：请按国家统计局2025年统计公报填写"),
    gettext_noop("多地防返贫监测部门预警做法（住院自付 5000 / 20000 元、门诊特病每月 500 元）；国家层面无统一数额"),
    gettext_noop("《关于健全防止返贫动态监测和帮扶机制的指导意见》：民政部门新纳入低保、特困、临时救助人员信息推送"),
    gettext_noop("教育部门控辍保学、学生资助数据推送；费用数额为示例值"),
    gettext_noop("应急管理部门灾情数据推送；数额为示例值"),
    gettext_noop("公安部门意外事故、伤亡信息推送"),
    gettext_noop("残联新增残疾人信息推送"),
    gettext_noop("《农村住房安全性鉴定技术导则》C 级、D 级为危房；住建部门推送"),
    gettext_noop("人社部门失业登记、失业保险金数据推送"),
    gettext_noop("《关于深入扎实做好过渡期脱贫人口小额信贷工作的通知》（银保监发〔2021〕6号）：5 万元以下、3 年期以内；"
                 "借款人年龄、逾期宽限和不良认定天数为各地常见做法（示例值）"),
)


class PolicyPackError(ValueError):
    """A pack that cannot be used; the message (Chinese) names the file and what is wrong."""


@dataclass(frozen=True)
class ExitCriteria:
    """户退出 criteria switches: 收入, 两不愁, 义务教育, 基本医疗, 住房安全, 饮水安全."""

    income: bool
    food_clothing: bool
    education: bool
    medical: bool
    housing: bool
    water: bool


@dataclass(frozen=True)
class VillageExit:
    """贫困村退出: incidence (percent) strictly below `max_incidence`, and the listed 村表 indicators."""

    max_incidence: Decimal
    indicators: tuple[str, ...]
    min_collective_income: Decimal


@dataclass(frozen=True)
class CountyExit:
    """贫困县退出 (三率一度): rates in percent; any one failing vetoes."""

    max_incidence: Decimal
    max_wrong_exit_rate: Decimal
    max_missed_rate: Decimal
    min_approval: Decimal


@dataclass(frozen=True)
class Comparison:
    """一比对 exclusion signals (read by the comparison module); `extra` holds keys a deployment added."""

    car_price_min: Decimal
    excluded_house_types: tuple[str, ...]
    company_roles: tuple[str, ...]
    state_paid_staff: bool
    village_cadre: bool
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Figure:
    """A policy figure with where it comes from; `example` when no official figure is known (pages say 示例值)."""

    value: Decimal
    source: str
    example: bool


@dataclass(frozen=True)
class Monitoring:
    """防止返贫监测 standards of a year: the line (and how it is set), the exclusion rule, the time limits."""

    #: "fixed" (an amount) or "dibao" (a multiple of the local 低保 standard).
    line_basis: str
    #: The monitoring line (yuan per person per year), however it is set.
    line: Figure
    #: The day the year's line takes effect (None: 1 January); before it the previous year's line holds.
    effective_from: datetime.date | None
    dibao_multiple: Decimal | None
    #: 农村低保标准 (yuan per person per year), when the pack states one.
    dibao: Figure | None
    #: 农村居民人均可支配收入 of the place (yuan), and the margin (percent) above it that excludes.
    rural_income_average: Figure | None
    exclusion_margin_percent: Decimal | None
    verify_working_days: int
    decide_days: int
    limits: Figure  # value = verify_working_days, for its source and example flag
    #: 村级公示 of 识别纳入 and 风险消除: its days (at least 5, the national rule; 5 when the pack is silent).
    publicity_days: int
    holidays: tuple[datetime.date, ...]
    workdays: tuple[datetime.date, ...]
    calendar_source: str

    @property
    def exclusion_threshold(self) -> Decimal | None:
        """Income after 合规刚性支出 (per person) above this is "clearly above the local rural average"."""
        if self.rural_income_average is None or self.exclusion_margin_percent is None:
            return None
        return self.rural_income_average.value * (1 + self.exclusion_margin_percent / 100)

    def excludes(self, income_after_rigid: Decimal) -> bool | None:
        """True when the income is clearly above the local rural average (None: the pack sets no rule)."""
        threshold = self.exclusion_threshold
        return None if threshold is None else Decimal(income_after_rigid) > threshold


@dataclass(frozen=True)
class LoanRules:
    """小额信贷 limits: amount at most `max_amount` yuan, term at most `max_term_months`, the borrower aged
    `min_age`–`max_age` (inclusive, full years) on the day of disbursement; an installment unpaid more than
    `overdue_grace_days` days after it fell due makes the loan 逾期, more than `npl_days` days 不良."""

    max_amount: Decimal
    max_term_months: int
    min_age: int
    max_age: int
    overdue_grace_days: int
    npl_days: int
    source: str
    example: bool


@dataclass(frozen=True)
class PolicyPack:
    """The policy of one province (and optionally county) for one year."""

    province: str
    county: str | None
    year: int
    #: 贫困线 (yuan per person per year) of the year: the province's own line if it has one, else the
    #: national; None when the table has no line for that year.
    poverty_line: Decimal | None
    poverty_line_region: str | None
    #: 防止返贫监测范围 (yuan per person per year) of the year and where the figure comes from; None
    #: before 2021 (no monitoring) or when no pack states one.
    monitoring_line: Decimal | None
    monitoring_line_source: str
    publicity_days: int
    exit_criteria: ExitCriteria
    village_exit: VillageExit
    county_exit: CountyExit
    comparison: Comparison
    #: The files merged, in order (for administrators and logs: pages show `titles`).
    sources: tuple[str, ...]
    #: Each merged file's `title`, in the order of `sources` (what a page names as 政策依据).
    titles: tuple[str, ...] = ()
    #: 防止返贫监测 standards (None before 2021).
    monitoring: Monitoring | None = None
    #: 部门预警 thresholds as merged (the [alerts] tables; read and checked for use by jingzhun/alerts).
    alerts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: 小额信贷 limits (None when no pack states them).
    loans: LoanRules | None = None
    #: 整改台账: an open item is 临期 this many days before its deadline ([supervision] warning_days).
    ledger_warning_days: int = 7


def _policy_dirs() -> tuple[Path, ...]:
    from django.conf import settings

    if not settings.configured:  # outside the site (a benchmark, the synthetic generator): shipped packs only
        return ()
    return tuple(Path(p) for p in getattr(settings, "JINGZHUN_POLICY_DIRS", ()))


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyPackError(f"政策文件 {path} 格式错误：{exc}") from None
    except OSError as exc:
        raise PolicyPackError(f"无法读取政策文件 {path}：{exc.strerror}") from None


def _load(path: Path) -> dict:
    return _read(path, path.stat().st_mtime_ns)


def _check(table: Mapping, schema: Mapping, path: Path, where: str = "") -> None:
    for key, value in table.items():
        name = f"{where}{key}"
        if key not in schema:
            if where.rstrip(".") in _OPEN_TABLES:
                continue
            if key == "title":
                raise PolicyPackError(f"政策文件 {path}：title 只能写在文件开头，不能写在 [from.…]、[regions.…] 等表中")
            if key == "poverty_line":
                raise PolicyPackError(f"政策文件 {path}：贫困线不写在政策包里，请在 "
                                      f"jingzhun/analytics/data/poverty_lines.csv 中维护")
            raise PolicyPackError(f"政策文件 {path}：不认识的设置项 {name}")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise PolicyPackError(f"政策文件 {path}：{name} 应为一个表（[{name}]）")
            _check(value, expected, path, f"{name}.")
            continue
        # bool is an int in Python: a switch written as 1 or a number written as true is refused.
        wrong = isinstance(value, bool) != (expected is bool) or not isinstance(value, expected)
        if wrong:
            kind = {bool: "true 或 false", int: "整数", list: "列表", str: "文字"}.get(expected, "数值")
            raise PolicyPackError(f"政策文件 {path}：{name} 应为{kind}，现为 {value!r}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise PolicyPackError(f"政策文件 {path}：{name} 应为文字列表")
        if expected is _NUMBER and value < 0:
            raise PolicyPackError(f"政策文件 {path}：{name} 不能为负数")
    if where == "village_exit." and "indicators" in table:
        unknown = [i for i in table["indicators"] if i not in VILLAGE_INDICATORS]
        if unknown:
            raise PolicyPackError(f"政策文件 {path}：village_exit.indicators 中不认识的村表指标 "
                                  f"{', '.join(unknown)}（可用：{', '.join(VILLAGE_INDICATORS)}）")
    if where == "alerts.medical." and "form" in table and table["form"] not in MEDICAL_FORMS:
        raise PolicyPackError(f"政策文件 {path}：alerts.medical.form 应为 {' 或 '.join(MEDICAL_FORMS)}，现为 {table['form']!r}")
    if where == "" and "publicity_days" in table and not 1 <= table["publicity_days"] <= 60:
        raise PolicyPackError(f"政策文件 {path}：publicity_days 应在 1 到 60 天之间")


def _merge(into: dict, layer: Mapping) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, dict):
            into[key] = {}
            _merge(into[key], value)
        else:
            into[key] = value


def _layers(document: dict, path: Path, year: int, province: str) -> Iterable[dict]:
    """The parts of one file that apply to `year` (and, for CN.toml, to the province's region), in order."""
    document = dict(document)
    document.pop("title", None)  # the file's name on pages (_title), not a setting
    years = document.pop("from", {})
    regions = document.pop("regions", {})
    if not isinstance(years, dict) or not isinstance(regions, dict):
        raise PolicyPackError(f"政策文件 {path}：[from.年度] 和 [regions.名称] 应为表")
    chosen = []
    for key, table in years.items():
        if not re.fullmatch(r"\d{4}", str(key)) or not isinstance(table, dict):
            raise PolicyPackError(f"政策文件 {path}：[from.{key}] 应以四位年度命名，如 [from.2016]")
        _check(table, _SCHEMA, path, "")
        if int(key) <= year:
            chosen.append((int(key), table))
    _check(document, _SCHEMA, path)
    matched = []
    for name, table in regions.items():
        if not isinstance(table, dict):
            raise PolicyPackError(f"政策文件 {path}：[regions.{name}] 应为表")
        table = dict(table)
        provinces = table.pop("provinces", None)
        if not isinstance(provinces, list) or not all(isinstance(p, str) for p in provinces):
            raise PolicyPackError(f"政策文件 {path}：[regions.{name}] 需要 provinces = [\"省级代码\", …]")
        _check(table, _SCHEMA, path, "")
        if province in provinces:
            matched.append(table)
    for layer in (document, *matched, *(table for _, table in sorted(chosen, key=lambda item: item[0]))):
        yield _figures_sourced(layer, path)


#: The [monitoring] tables whose figures carry a source: (path in the table, the keys that are figures).
_FIGURE_TABLES = (((), ("income_line", "dibao_multiple")), (("dibao",), ("standard",)),
                  (("exclusion",), ("rural_income_average", "margin_percent")),
                  (("limits",), ("verify_working_days", "decide_days")))


def _figures_sourced(layer: dict, path: Path) -> dict:
    """A layer that sets a monitoring figure must say where it comes from (`source`); its `example` flag
    is false unless it says so — a county's own figure never inherits the 示例值 mark of the figure it
    replaces, nor its source. Returns a copy (the parsed file is cached)."""
    monitoring = layer.get("monitoring")
    if not isinstance(monitoring, dict):
        return layer
    layer = dict(layer)
    layer["monitoring"] = monitoring = {k: dict(v) if isinstance(v, dict) else v for k, v in monitoring.items()}
    for where, keys in _FIGURE_TABLES:
        table = monitoring
        for name in where:
            table = table.get(name) if isinstance(table, dict) else None
        if not isinstance(table, dict) or not any(k in table for k in keys):
            continue
        if "source" not in table:
            name = ".".join(("monitoring", *where))
            raise PolicyPackError(f"政策文件 {path}：[{name}] 写了 {'、'.join(k for k in keys if k in table)}，"
                                  f"须同时写明出处 source（无正式文件时写明示例值并加 example = true）")
        table.setdefault("example", False)
    return layer


def _title(document: dict, path: Path, name: str) -> str:
    """The file's `title`; a deployment's file without one is named by the level it sets."""
    title = document.get("title")
    if title is None:
        return {NATIONAL: "国家默认政策"}.get(name) or (f"省级政策（{name}）" if len(name) == 2 else f"县级政策（{name}）")
    if not isinstance(title, str) or not title.strip() or len(title) > 60:
        raise PolicyPackError(f"政策文件 {path}：title 应为 1 到 60 个字的文字，如 title = \"山西省精准扶贫政策\"")
    return title.strip()


def _poverty_line(province: str, year: int) -> tuple[Decimal | None, str | None]:
    from jingzhun.analytics.lines import poverty_lines

    found: dict[str, Decimal] = {}
    for row in poverty_lines().to_pylist():
        if row["year"] == year and row["region"] in (NATIONAL, province):
            found[row["region"]] = Decimal(row["line"])
    for region in (province, NATIONAL):
        if region in found:
            return found[region], region
    return None, None


def policy_pack(province: str, year: int, *, county: str | None = None) -> PolicyPack:
    """The merged policy of a province (2-digit code) for a year, with a county's own file if given.

    Raises PolicyPackError (a Chinese message naming the file) for a bad code, year or file.
    """
    province = str(province)
    if not re.fullmatch(r"\d{2}", province):
        raise PolicyPackError(f"省级代码应为 2 位数字，现为 {province!r}")
    if county is not None and not (re.fullmatch(r"\d{6}", county) and county.startswith(province)):
        raise PolicyPackError(f"县级代码 {county!r} 应为 6 位数字且属于省 {province}")
    if isinstance(year, bool) or not isinstance(year, int) or not 1980 <= year <= 2100:
        raise PolicyPackError(f"年度应为 1980 到 2100 之间的整数，现为 {year!r}")
    dirs = _policy_dirs()
    for folder in dirs:
        if not folder.is_dir():
            raise PolicyPackError(f"JINGZHUN_POLICY_DIRS 中的文件夹 {folder} 不存在")
    names = [NATIONAL, province] + ([county] if county else [])
    merged: dict[str, Any] = {}
    sources: list[str] = []
    titles: list[str] = []
    for name in names:
        for folder in (PACKS_DIR, *dirs):
            path = folder / f"{name}.toml"
            if not path.is_file():
                continue
            document = _load(path)
            if name != NATIONAL and "regions" in document:
                raise PolicyPackError(f"政策文件 {path}：只有 CN.toml 可以定义 [regions]")
            for layer in _layers(document, path, year, province):
                _merge(merged, layer)
            sources.append(str(path))
            titles.append(_title(document, path, name))
    if not sources or Path(sources[0]).name != f"{NATIONAL}.toml":
        raise PolicyPackError(f"缺少国家默认政策文件 {PACKS_DIR / 'CN.toml'}")
    missing = [f"{section}.{key}" if isinstance(spec, dict) else section
               for section, spec in _SCHEMA.items() if section not in _OPTIONAL_TABLES
               for key in (spec if isinstance(spec, dict) else [None])
               if (section not in merged) or (key is not None and key not in merged[section])]
    if missing:
        raise PolicyPackError(f"政策包缺少设置项：{', '.join(missing)}")
    line, region = _poverty_line(province, year)
    comparison = dict(merged["comparison"])
    known = {k: comparison.pop(k) for k in _SCHEMA["comparison"]}
    standards = _monitoring(merged.get("monitoring", {}), year)
    return PolicyPack(
        province=province, county=county, year=year, poverty_line=line, poverty_line_region=region,
        monitoring_line=standards.line.value if standards else None,
        monitoring_line_source=standards.line.source if standards else "",
        publicity_days=merged["publicity_days"],
        exit_criteria=ExitCriteria(**merged["exit_criteria"]),
        village_exit=VillageExit(max_incidence=Decimal(str(merged["village_exit"]["max_incidence"])),
                                 indicators=tuple(merged["village_exit"]["indicators"]),
                                 min_collective_income=Decimal(str(merged["village_exit"]["min_collective_income"]))),
        county_exit=CountyExit(**{k: Decimal(str(v)) for k, v in merged["county_exit"].items()}),
        comparison=Comparison(car_price_min=Decimal(str(known["car_price_min"])),
                              excluded_house_types=tuple(known["excluded_house_types"]),
                              company_roles=tuple(known["company_roles"]),
                              state_paid_staff=known["state_paid_staff"], village_cadre=known["village_cadre"],
                              extra=MappingProxyType(comparison)),
        sources=tuple(sources), titles=tuple(titles), monitoring=standards,
        alerts=MappingProxyType(merged.get("alerts", {})),
        loans=_loans(merged.get("loans", {})),
        ledger_warning_days=_warning_days(merged.get("supervision", {})),
    )


def _warning_days(table: Mapping) -> int:
    days = table.get("warning_days", DEFAULT_LEDGER_WARNING_DAYS)
    if not 0 <= days <= 90:
        raise PolicyPackError("政策包：supervision.warning_days（整改临期提醒天数）应在 0 到 90 天之间")
    return days


def _loans(table: Mapping) -> LoanRules | None:
    """The merged [loans] table, or PolicyPackError naming what is missing or inconsistent."""
    if not table:
        return None
    keys = ("max_amount", "max_term_months", "min_age", "max_age", "overdue_grace_days", "npl_days")
    missing = [k for k in keys if k not in table]
    if missing:
        raise PolicyPackError(f"政策包缺少设置项：{', '.join('loans.' + k for k in missing)}")
    if not table["min_age"] <= table["max_age"]:
        raise PolicyPackError("政策包：loans.min_age 不能大于 loans.max_age")
    if not table["overdue_grace_days"] < table["npl_days"]:
        raise PolicyPackError("政策包：loans.overdue_grace_days（逾期宽限天数）应小于 loans.npl_days（不良认定天数）")
    if table["max_term_months"] < 1:
        raise PolicyPackError("政策包：loans.max_term_months 至少为 1 个月")
    return LoanRules(max_amount=Decimal(str(table["max_amount"])), max_term_months=table["max_term_months"],
                     min_age=table["min_age"], max_age=table["max_age"],
                     overdue_grace_days=table["overdue_grace_days"], npl_days=table["npl_days"],
                     source=table.get("source", ""), example=table.get("example", False))


def _date(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise PolicyPackError(f"政策包：{name} 应为日期（如 2024-03-14），现为 {value!r}") from None


def _monitoring(table: Mapping, year: int) -> Monitoring | None:
    """The merged [monitoring] table as standards, or PolicyPackError naming what is missing or wrong."""
    if not table:
        return None
    basis = table.get("line_basis", "fixed")
    if basis not in LINE_BASES:
        raise PolicyPackError(f"政策包：monitoring.line_basis 应为 \"fixed\"（固定金额）或 \"dibao\"（低保标准的倍数），"
                              f"现为 {basis!r}")
    example = table.get("example", False)
    dibao_table = table.get("dibao", {})
    dibao = None
    if dibao_table:
        if "standard" not in dibao_table:
            raise PolicyPackError("政策包缺少设置项：monitoring.dibao.standard")
        dibao = Figure(Decimal(str(dibao_table["standard"])), dibao_table.get("source", ""),
                       dibao_table.get("example", False))
    multiple = Decimal(str(table["dibao_multiple"])) if "dibao_multiple" in table else None
    if basis == "fixed":
        if "income_line" not in table:
            raise PolicyPackError("政策包缺少设置项：monitoring.income_line")
        line = Figure(Decimal(str(table["income_line"])), table.get("source", ""), example)
    else:
        if multiple is None or dibao is None:
            raise PolicyPackError("政策包：monitoring.line_basis = \"dibao\" 需要 monitoring.dibao_multiple "
                                  "和 [monitoring.dibao] standard")
        line = Figure((dibao.value * multiple).quantize(Decimal("1")), table.get("source", "") or dibao.source,
                      example or dibao.example)
    effective = table.get("effective_from")
    effective_from = _date(effective, "monitoring.effective_from") if effective else None
    if effective_from is not None and effective_from.year != year:
        # A year's line takes effect within its own year; the merged key of an earlier year holds from 1 January.
        effective_from = None
    exclusion = table.get("exclusion", {})
    average = margin = None
    if exclusion:
        missing = [k for k in ("rural_income_average", "margin_percent") if k not in exclusion]
        if missing:
            raise PolicyPackError(f"政策包缺少设置项：{', '.join('monitoring.exclusion.' + k for k in missing)}")
        average = Figure(Decimal(str(exclusion["rural_income_average"])), exclusion.get("source", ""),
                         exclusion.get("example", False))
        margin = Decimal(str(exclusion["margin_percent"]))
    limits = table.get("limits", {})
    missing = [k for k in ("verify_working_days", "decide_days") if k not in limits]
    if missing:
        raise PolicyPackError(f"政策包缺少设置项：{', '.join('monitoring.limits.' + k for k in missing)}")
    if not 1 <= limits["verify_working_days"] <= 30 or not 1 <= limits["decide_days"] <= 90:
        raise PolicyPackError("政策包：monitoring.limits 的入户核实时限应在 1 到 30 个工作日之间，决定时限应在 1 到 90 天之间")
    publicity = limits.get("publicity_days", MONITORING_MIN_PUBLICITY_DAYS)
    if not MONITORING_MIN_PUBLICITY_DAYS <= publicity <= 30:
        raise PolicyPackError(f"政策包：monitoring.limits.publicity_days（监测对象公示天数）应在 "
                              f"{MONITORING_MIN_PUBLICITY_DAYS} 到 30 天之间，不得少于 {MONITORING_MIN_PUBLICITY_DAYS} 天")
    calendar = table.get("calendar", {})
    return Monitoring(
        line_basis=basis, line=line, effective_from=effective_from, dibao_multiple=multiple, dibao=dibao,
        rural_income_average=average, exclusion_margin_percent=margin,
        verify_working_days=limits["verify_working_days"], decide_days=limits["decide_days"], publicity_days=publicity,
        limits=Figure(Decimal(limits["verify_working_days"]), limits.get("source", ""), limits.get("example", False)),
        holidays=tuple(_date(d, "monitoring.calendar.holidays") for d in calendar.get("holidays", ())),
        workdays=tuple(_date(d, "monitoring.calendar.workdays") for d in calendar.get("workdays", ())),
        calendar_source=calendar.get("source", ""),
    )


def policy_pack_for(org_code: str, year: int) -> PolicyPack:
    """The pack for any unit or household code (its first 2 digits are the province, 6 the county)."""
    code = str(org_code)
    if not re.fullmatch(r"\d{6,16}", code):
        raise PolicyPackError(f"区划代码 {code!r} 应至少为 6 位数字")
    return policy_pack(code[:2], year, county=code[:6])
