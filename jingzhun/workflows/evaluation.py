"""Exit evaluation against the policy pack: a household (户退出), a village (村退出) and a county (县退出).

Each criterion comes back with its status and the data behind it, so the page can show why. The
household's education and medical criteria run the data-quality rules Q08 (义务教育阶段失学辍学) and Q11
(未参加基本医疗保险) themselves, on a snapshot of this one household taken inside the caller's
transaction, so "as in Q08" cannot drift from the rule the county reads in its problem list.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import gettext_lazy

from jingzhun.policy import PolicyPack, policy_pack_for
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, VillageProfile

PASS, FAIL, PENDING, NO_DATA = "pass", "fail", "pending", "no_data"
STATUS_LABELS = {PASS: gettext_lazy("达标"), FAIL: gettext_lazy("未达标"), PENDING: gettext_lazy("待核实"),
                 NO_DATA: gettext_lazy("暂无数据")}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    status: str
    data: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict:
        return asdict(self)


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _rule_findings(household: Household, codes: tuple[str, ...], as_of: datetime.date) -> dict[str, list[str]]:
    """{rule code: [messages]} of the given rules over this household's current rows (ORM, locked)."""
    from jingzhun.analytics import Snapshot, conform, get_engine
    from jingzhun.analytics.snapshot import SCHEMA
    from jingzhun.checks.runner import run_rules
    from jingzhun.checks.services import catalog

    household_columns = [c for c, _t in SCHEMA["households"] if not c.startswith("cadre_")]
    member_columns = [c for c, _t in SCHEMA["members"]]
    households = pa.Table.from_pylist(list(Household.objects.filter(pk=household.pk).values(*household_columns)))
    members = list(household.members.values(*member_columns))
    snapshot = Snapshot(org=household.code, tables={
        "households": conform("households", households),
        "members": conform("members", pa.Table.from_pylist(members) if members else
                           pa.schema(SCHEMA["members"]).empty_table()),
        "villages": pa.schema(SCHEMA["villages"]).empty_table(),
    })
    rules = catalog()
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        findings = run_rules(engine, [rules[c] for c in codes if c in rules]).to_pylist()
    found: dict[str, list[str]] = {c: [] for c in codes}
    names = dict(household.members.values_list("id_number", "name"))
    for row in findings:
        found[row["rule"]].append(_("%(label)s：%(value)s") % {"label": names.get(row["person"], row["person"] or ""),
                                                                 "value": row["message"]})
    return found


def household_exit_criteria(household: Household, *, year: int, food_clothing: bool | None,
                            as_of: datetime.date | None = None, pack: PolicyPack | None = None) -> list[Criterion]:
    """户退出 criteria of the year's pack, each passed, failed or pending, with the data behind it."""
    from django.utils import timezone

    pack = pack or policy_pack_for(household.code, year)
    switches = pack.exit_criteria
    as_of = as_of or timezone.localdate()
    result: list[Criterion] = []
    if switches.income:
        count = household.members.filter(status=vocab.MemberStatus.NORMAL).count()
        income = household.per_capita_income(count)
        line = pack.poverty_line
        if line is None:
            result.append(Criterion("income", _("收入稳定超过贫困线"), NO_DATA,
                                    _("%(year)s 年没有贫困线数据") % {"year": year}))
        else:
            passed = income is not None and income > line
            result.append(Criterion("income", _("收入稳定超过贫困线"), PASS if passed else FAIL,
                                    ngettext("年人均纯收入 %(income)s 元（收入年度 %(iy)s，%(n)s 人），%(year)s 年贫困线 "
                                             "%(line)s 元", "年人均纯收入 %(income)s 元（收入年度 %(iy)s，%(n)s 人），"
                                             "%(year)s 年贫困线 %(line)s 元", count) % {"income": _money(income), "iy": household.income_year,
                                                        "n": count, "year": year, "line": _money(line)}))
    if switches.food_clothing:
        status = PENDING if food_clothing is None else (PASS if food_clothing else FAIL)
        data = {None: _("待驻村工作队核实"), True: _("核实：不愁吃、不愁穿"), False: _("核实：吃穿仍有困难")}[food_clothing]
        result.append(Criterion("food_clothing", _("两不愁（吃穿不愁）"), status, data))
    rule_codes = tuple(c for c, on in (("Q08", switches.education), ("Q11", switches.medical)) if on)
    findings = _rule_findings(household, rule_codes, as_of) if rule_codes else {}
    if switches.education:
        hits = findings.get("Q08", [])
        result.append(Criterion("education", _("义务教育有保障"), FAIL if hits else PASS,
                                _("；").join(hits) if hits else _("无义务教育阶段失学辍学成员（规则 Q08）")))
    if switches.medical:
        hits = findings.get("Q11", [])
        result.append(Criterion("medical", _("基本医疗有保障"), FAIL if hits else PASS,
                                _("；").join(hits) if hits else _("家庭成员均参加基本医疗保险（规则 Q11）")))
    if switches.housing:
        grade = household.housing_grade
        if not grade:
            result.append(Criterion("housing", _("住房安全有保障"), FAIL, _("危房等级未填写")))
        else:
            result.append(Criterion("housing", _("住房安全有保障"),
                                    FAIL if grade in vocab.UNSAFE_HOUSING_GRADES else PASS,
                                    _("危房等级 %(grade)s") % {"grade": vocab.HousingGrade(grade).label}))
    if switches.water:
        result.append(Criterion("water", _("饮水安全有保障"), PASS if household.safe_water else FAIL,
                                _("饮水安全：%(v)s") % {"v": _("是") if household.safe_water else _("否")}))
    return result


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


#: 收入稳定超过监测线: at least this many months of verifications, every one above the line.
STABLE_MONTHS = 6
INCOME_STABLE_SQL = Path(__file__).with_name("sql") / "income_stable.sql"
_MONEY_TYPE = pa.decimal128(14, 2)


def income_stability(verifications, lines: dict[int, Decimal | None], *, as_of: datetime.date,
                     since: datetime.date) -> dict[str, dict]:
    """{household: its row of sql/income_stable.sql}: the verifications (any number of households) and the
    lines by year go to the analytics engine as Arrow tables; the rule is the SQL file."""
    from jingzhun.analytics import get_engine

    table = pa.table({
        "household": pa.array([v.household_id for v in verifications], pa.string()),
        "verified_on": pa.array([v.verified_on for v in verifications], pa.date32()),
        "per_capita": pa.array([v.per_capita for v in verifications], _MONEY_TYPE),
    })
    known = {y: line for y, line in lines.items() if line is not None}
    line_table = pa.table({"year": pa.array(list(known), pa.int32()),
                           "line": pa.array([Decimal(line).quantize(Decimal("0.01")) for line in known.values()],
                                            _MONEY_TYPE)})
    with get_engine() as engine:
        engine.register("verifications", table)
        engine.register("lines", line_table)
        engine.register("stable_params", pa.table({"as_of": pa.array([as_of], pa.date32()),
                                                   "since": pa.array([since], pa.date32())}))
        rows = engine.query(INCOME_STABLE_SQL.read_text(encoding="utf-8")).to_pylist()
    return {row["household"]: row for row in rows}


def risk_elimination_criteria(household: Household, *, as_of: datetime.date) -> list[Criterion]:
    """风险消除 criteria against the pack, each passed, failed or without data, with the data behind it.

    - 收入稳定超过监测线: the household's income verifications (workflows.IncomeVerification) cover at least
      six months up to `as_of` — one on or before the day six months back — and every one from that one on
      has 年人均纯收入 above the monitoring line of its own year;
    - 大额刚性支出已化解: at the latest verification, 年人均纯收入 after 合规自付支出 is still above the line;
    - 义务教育, 基本医疗 (rules Q08, Q11, as for 户退出), 住房安全 and 饮水安全 (三保障 and drinking water).
    """
    verifications = list(household.income_verifications.filter(verified_on__lte=as_of).order_by("verified_on", "pk"))
    lines: dict[int, Decimal | None] = {}

    def line_of(year: int) -> Decimal | None:
        if year not in lines:
            standards = policy_pack_for(household.code, year).monitoring
            lines[year] = standards.line.value if standards else None
        return lines[year]

    result: list[Criterion] = []
    label = _("收入稳定超过监测线（%(n)s 个月以上）") % {"n": STABLE_MONTHS}
    since = _months_before(as_of, STABLE_MONTHS)
    for year in {v.verified_on.year for v in verifications}:
        line_of(year)
    found = income_stability(verifications, lines, as_of=as_of, since=since).get(household.code)
    if found is None:
        result.append(Criterion("income_stable", label, NO_DATA, _("没有收入核实记录")))
    elif found["anchor"] is None:
        result.append(Criterion("income_stable", label, FAIL,
                                _("收入核实记录从 %(first)s 开始，不足 %(n)s 个月（须有 %(since)s 或更早的核实）")
                                % {"first": found["first_on"], "n": STABLE_MONTHS, "since": since}))
    elif found["years_without_line"]:
        result.append(Criterion("income_stable", label, NO_DATA, _("%(years)s 年没有监测线")
                                % {"years": "、".join(map(str, sorted(found["years_without_line"])))}))
    elif found["below_on"]:
        result.append(Criterion("income_stable", label, FAIL, _("；").join(
            _("%(d)s 核实年人均纯收入 %(v)s 元，未超过监测线 %(line)s 元") % {"d": day, "v": _money(value), "line": _money(line)}
            for day, value, line in zip(found["below_on"], found["below_value"], found["below_line"]))))
    else:
        result.append(Criterion("income_stable", label, PASS,
                                _("%(start)s 至 %(end)s 共 %(n)s 次核实，年人均纯收入最低 %(min)s 元，均超过监测线（%(line)s 元）")
                                % {"start": found["window_start"], "end": found["window_end"], "n": found["n"],
                                   "min": _money(found["min_per_capita"]), "line": _money(found["last_line"])}))
    expense_label = _("大额刚性支出已化解")
    if not verifications:
        result.append(Criterion("expenses", expense_label, NO_DATA, _("没有收入核实记录")))
    else:
        latest = verifications[-1]
        line = line_of(latest.verified_on.year)
        after = latest.per_capita_after_expenses
        words = (_("%(d)s 核实：合规自付支出 %(e)s 元，扣除后年人均纯收入 %(v)s 元，监测线 %(line)s 元")
                 % {"d": latest.verified_on, "e": _money(latest.compliant_out_of_pocket_12m), "v": _money(after),
                    "line": _money(line)})
        result.append(Criterion("expenses", expense_label,
                                NO_DATA if line is None else (PASS if after > line else FAIL), words))
    findings = _rule_findings(household, ("Q08", "Q11"), as_of)
    hits = findings.get("Q08", [])
    result.append(Criterion("education", _("义务教育有保障"), FAIL if hits else PASS,
                            _("；").join(hits) if hits else _("无义务教育阶段失学辍学成员（规则 Q08）")))
    hits = findings.get("Q11", [])
    result.append(Criterion("medical", _("基本医疗有保障"), FAIL if hits else PASS,
                            _("；").join(hits) if hits else _("家庭成员均参加基本医疗保险（规则 Q11）")))
    grade = household.housing_grade
    result.append(Criterion("housing", _("住房安全有保障"),
                            FAIL if not grade or grade in vocab.UNSAFE_HOUSING_GRADES else PASS,
                            _("危房等级 %(grade)s") % {"grade": vocab.HousingGrade(grade).label} if grade
                            else _("危房等级未填写")))
    result.append(Criterion("water", _("饮水安全有保障"), PASS if household.safe_water else FAIL,
                            _("饮水安全：%(v)s") % {"v": _("是") if household.safe_water else _("否")}))
    return result


def _percent(value) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.2f}%"


def village_exit_criteria(code: str, *, year: int, as_of: datetime.date) -> tuple[PolicyPack, list[Criterion]]:
    """贫困村退出: its 贫困发生率 against the pack's threshold, and the 村表 indicators the pack lists."""
    from jingzhun.indicators.services import indicators_compute

    pack = policy_pack_for(code, year)
    rule = pack.village_exit
    values = indicators_compute(org=code, as_of=as_of)
    incidence = values.get("INCIDENCE")
    result = [_threshold("incidence", _("贫困发生率"), incidence, rule.max_incidence, below=True,
                         detail=_("剩余贫困人口 %(poor)s 人 ÷ 户籍人口 %(pop)s 人")
                         % {"poor": values.get("POP_POOR", 0), "pop": values.get("RURAL_POP") or "—"})]
    profile = VillageProfile.objects.filter(village_id=code).first()
    labels = {f.name: str(f.verbose_name) for f in VillageProfile._meta.fields}
    for name in rule.indicators:
        value = getattr(profile, name) if profile else None
        status = NO_DATA if value is None else (PASS if value else FAIL)
        shown = _("未填写") if value is None else (_("是") if value else _("否"))
        result.append(Criterion(name, labels[name], status, _("村表：%(v)s") % {"v": shown}))
    income = profile.collective_income if profile else None
    result.append(Criterion(
        "collective_income", _("村集体经济收入"),
        NO_DATA if income is None else (PASS if income > rule.min_collective_income else FAIL),
        _("村表：%(v)s 元（应高于 %(min)s 元）") % {"v": _money(income), "min": _money(rule.min_collective_income)}))
    return pack, result


def _threshold(key, label, value, limit, *, below: bool, detail: str = "") -> Criterion:
    if value is None:
        return Criterion(key, label, NO_DATA, _("暂无数据"))
    value = Decimal(str(value))
    passed = value < limit if below else value > limit
    words = (_("%(value)s，应低于 %(limit)s") if below else _("%(value)s，应高于 %(limit)s")) % {
        "value": _percent(value), "limit": _percent(limit)}
    if detail:
        words = _("%(text)s（%(note)s）") % {"text": words, "note": detail}
    return Criterion(key, label, PASS if passed else FAIL, words)


def county_exit_criteria(code: str, *, year: int, as_of: datetime.date,
                         assessment: dict | None = None) -> tuple[PolicyPack, list[Criterion]]:
    """贫困县退出 (三率一度): incidence from the registry; 错退率, 漏评率, 认可度 from a third-party
    assessment, shown as 暂无数据 until one exists (`assessment`: {"wrong_exit_rate": …, …} in percent)."""
    from jingzhun.indicators.services import indicators_compute

    pack = policy_pack_for(code, year)
    rule = pack.county_exit
    values = indicators_compute(org=code, as_of=as_of)
    assessment = assessment or {}
    # an assessment's words beside its figures (interval, verdict, "第三方评估（抽样估计）"; see signals.py)
    details = assessment.get("details") or {}
    incidence = _threshold("incidence", _("综合贫困发生率"), values.get("INCIDENCE"), rule.max_incidence, below=True,
                           detail=_("剩余贫困人口 %(poor)s 人 ÷ 乡村户籍人口 %(pop)s 人")
                           % {"poor": values.get("POP_POOR", 0), "pop": values.get("RURAL_POP") or "—"})
    if assessment.get("incidence") is not None:  # the assessment's adds the wrongly exited and the missed
        incidence = _threshold("incidence", _("综合贫困发生率"), assessment["incidence"], rule.max_incidence,
                               below=True, detail=details.get("incidence", ""))
    return pack, [
        incidence,
        _threshold("wrong_exit_rate", _("错退率"), assessment.get("wrong_exit_rate"), rule.max_wrong_exit_rate,
                   below=True, detail=details.get("wrong_exit_rate", "")),
        _threshold("missed_rate", _("漏评率"), assessment.get("missed_rate"), rule.max_missed_rate, below=True,
                   detail=details.get("missed_rate", "")),
        _threshold("approval", _("群众认可度"), assessment.get("approval"), rule.min_approval, below=False,
                   detail=details.get("approval", "")),
    ]


def overall(criteria: list[Criterion]) -> str:
    """PASS when every criterion passed; FAIL when any failed; else NO_DATA / PENDING."""
    statuses = {c.status for c in criteria}
    if FAIL in statuses:
        return FAIL
    if NO_DATA in statuses:
        return NO_DATA
    if PENDING in statuses:
        return PENDING
    return PASS
