"""考评 scoring: a scheme (TOML, see docs/appraisal.md) applied to a table of inputs per unit.

Pure: no database, no ORM, no engine. The service (services/appraisal.py) gathers each unit's inputs —
one number per scheme item, deduction and veto, keyed by their codes — and this module turns them into
points, deductions, vetoes, totals and ranks. The golden fixtures (tests/golden/appraisal/) feed it
hand-written inputs and compare with hand-computed results.

Why here and not in `analytics/`: the table is a county's few dozen units, the rules are arithmetic per
row, and nothing here needs an engine (DuckDB, Spark); what belongs in analytics is what scales with the
registry. The inputs are plain dicts, so an Arrow table's `to_pylist()` feeds it as well.

Arithmetic is in Decimal, rounded to 2 places half up, as a scoring table is printed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

#: Unit kinds a group may appraise (supervision.vocab.AgencyKind values).
GROUP_KINDS = ("township", "department", "village", "other")
#: Where an item's number comes from (the service gathers it; see docs/appraisal.md).
SOURCES = ("indicator", "ledger", "assessment", "spot", "manual")
#: The measures the ledger source knows (per unit, over its items due in the year).
LEDGER_MEASURES = ("on_time_rate", "closed_rate", "overdue", "overdue_30")
#: The measures the assessment source knows (the unit's villages' approved cases of the year's 考核评估).
ASSESSMENT_MEASURES = ("wrong_exit_rate", "approval", "wrong_exits")
#: How an item's value becomes points.
RULES = ("linear", "deduct", "manual")

_TOP_KEYS = {"name", "year", "group"}
_GROUP_KEYS = {"kind", "name", "total", "item", "deduction", "veto"}
_ITEM_KEYS = {"code", "name", "points", "source", "indicator", "measure", "rule", "floor", "target", "per",
              "missing"}
_DEDUCTION_KEYS = {"code", "name", "source", "indicator", "measure", "per", "cap"}
_VETO_KEYS = {"code", "name", "source", "indicator", "measure", "above", "below"}
TWO = Decimal("0.01")


class SchemeError(Exception):
    """A scheme that cannot be used; `errors` are Chinese sentences naming the key at fault."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def dec(value) -> Decimal:
    """A number as Decimal (floats through their shortest repr, so 0.1 stays 0.1)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def q2(value: Decimal) -> Decimal:
    """Rounded to 2 places half up; never "-0.00" (0 × a negative share)."""
    return value.quantize(TWO, rounding=ROUND_HALF_UP) + Decimal("0.00")


# --- the scheme -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """考评项目: `points` at most, from `source`'s number by `rule`."""

    code: str
    name: str
    points: Decimal
    source: str
    rule: str
    indicator: str = ""
    measure: str = ""
    #: linear: the value worth 0 points and the value worth full points (either direction); "letter" as
    #: target takes the unit's 目标责任书 target for the indicator.
    floor: Decimal | None = None
    target: Decimal | str | None = None
    #: deduct: points off per unit of the value (e.g. per overdue item).
    per: Decimal | None = None
    #: With no number for a unit: "zero" (0 points) or "full" (full points, nothing to judge).
    missing: str = "zero"


@dataclass(frozen=True)
class Deduction:
    """扣分: `per` points off for each unit of the value, at most `cap`."""

    code: str
    name: str
    source: str
    per: Decimal
    cap: Decimal | None = None
    indicator: str = ""
    measure: str = ""


@dataclass(frozen=True)
class Veto:
    """一票否决: the unit scores 0 and ranks last when its value is above `above` (or below `below`);
    with source "manual", when the county has marked it (a manual score above 0, whose note is the reason)."""

    code: str
    name: str
    source: str
    above: Decimal | None = None
    below: Decimal | None = None
    indicator: str = ""
    measure: str = ""


@dataclass(frozen=True)
class Group:
    kind: str
    name: str
    total: Decimal
    items: tuple[Item, ...]
    deductions: tuple[Deduction, ...] = ()
    vetoes: tuple[Veto, ...] = ()

    def codes(self) -> list[str]:
        return [i.code for i in self.items] + [d.code for d in self.deductions] + [v.code for v in self.vetoes]


@dataclass(frozen=True)
class Scheme:
    name: str
    groups: tuple[Group, ...]
    year: int | None = None

    def group(self, kind: str) -> Group | None:
        return next((g for g in self.groups if g.kind == kind), None)


def _number(errors: list[str], where: str, key: str, value, *, required: bool = False,
            positive: bool = False) -> Decimal | None:
    if value is None:
        if required:
            errors.append(_("%(where)s缺少 %(key)s。") % {"where": where, "key": key})
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(_("%(where)s的 %(key)s 应为数字。") % {"where": where, "key": key})
        return None
    number = dec(value)
    if positive and number <= 0:
        errors.append(_("%(where)s的 %(key)s 应大于 0。") % {"where": where, "key": key})
    elif number < 0:
        errors.append(_("%(where)s的 %(key)s 不能为负数。") % {"where": where, "key": key})
    return number


def _unknown(errors: list[str], where: str, table: dict, allowed: set[str]) -> None:
    for key in sorted(set(table) - allowed):
        errors.append(_("%(where)s有未知的键 %(key)s。") % {"where": where, "key": key})


def _text(errors: list[str], where: str, key: str, value, *, required: bool = True) -> str:
    if value is None:
        if required:
            errors.append(_("%(where)s缺少 %(key)s。") % {"where": where, "key": key})
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(_("%(where)s的 %(key)s 应为非空文字。") % {"where": where, "key": key})
        return ""
    return value.strip()


def _source(errors: list[str], where: str, table: dict, indicators) -> tuple[str, str, str]:
    """(source, indicator, measure) of an item, deduction or veto, checked."""
    source = _text(errors, where, "source", table.get("source"))
    indicator = _text(errors, where, "indicator", table.get("indicator"), required=False)
    measure = _text(errors, where, "measure", table.get("measure"), required=False)
    if source and source not in SOURCES:
        errors.append(_("%(where)s的 source 只能是 %(choices)s 之一。") % {"where": where, "choices": "、".join(SOURCES)})
    elif source in ("indicator", "spot"):
        if not indicator:
            errors.append(_("%(where)s缺少 indicator（看板指标代码）。") % {"where": where})
        elif indicators is not None and indicator not in indicators:
            errors.append(_("%(where)s的 indicator %(code)s 不是看板的指标。") % {"where": where, "code": indicator})
        elif source == "spot" and not indicator.startswith("SPOT_"):
            errors.append(_("%(where)s的 source 为 spot 时 indicator 应为随机抽查指标（SPOT_ 开头）。") % {"where": where})
    elif source == "ledger" and measure not in LEDGER_MEASURES:
        errors.append(_("%(where)s的 measure 只能是 %(choices)s 之一。")
                      % {"where": where, "choices": "、".join(LEDGER_MEASURES)})
    elif source == "assessment" and measure not in ASSESSMENT_MEASURES:
        errors.append(_("%(where)s的 measure 只能是 %(choices)s 之一。")
                      % {"where": where, "choices": "、".join(ASSESSMENT_MEASURES)})
    return source, indicator, measure


def _tables(errors: list[str], where: str, key: str, value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.append(_("%(where)s的 %(key)s 应写成 [[…]] 表。") % {"where": where, "key": key})
        return []
    return value


def _item(errors: list[str], where: str, table: dict, indicators) -> Item:
    _unknown(errors, where, table, _ITEM_KEYS)
    source, indicator, measure = _source(errors, where, table, indicators)
    points = _number(errors, where, "points", table.get("points"), required=True, positive=True) or Decimal(0)
    rule = table.get("rule", "manual" if source == "manual" else "linear")
    floor = target = per = None
    if rule not in RULES:
        errors.append(_("%(where)s的 rule 只能是 %(choices)s 之一。") % {"where": where, "choices": "、".join(RULES)})
    elif (rule == "manual") != (source == "manual"):
        errors.append(_("%(where)s：rule = \"manual\" 只用于 source = \"manual\" 的项目。") % {"where": where})
    elif rule == "linear":
        raw_target = table.get("target")
        if raw_target == "letter":
            target = "letter"
            if source not in ("indicator", "spot"):
                errors.append(_("%(where)s：target = \"letter\"（取目标责任书的目标）只用于看板指标。") % {"where": where})
        else:
            target = _number(errors, where, "target", raw_target, required=True)
        floor = _number(errors, where, "floor", table.get("floor"), required=True)
        if isinstance(target, Decimal) and floor is not None and floor == target:
            errors.append(_("%(where)s的 floor 与 target 不能相同。") % {"where": where})
    elif rule == "deduct":
        per = _number(errors, where, "per", table.get("per"), required=True, positive=True)
    for key in ("floor", "target") if rule != "linear" else ():
        if key in table:
            errors.append(_("%(where)s：%(key)s 只用于 rule = \"linear\"。") % {"where": where, "key": key})
    if rule != "deduct" and "per" in table:
        errors.append(_("%(where)s：per 只用于 rule = \"deduct\"。") % {"where": where})
    missing = table.get("missing", "zero")
    if missing not in ("zero", "full"):
        errors.append(_("%(where)s的 missing 只能是 zero 或 full。") % {"where": where})
    return Item(code=str(table.get("code", "")), name=str(table.get("name", "")), points=points, source=source,
                rule=rule if rule in RULES else "linear", indicator=indicator, measure=measure, floor=floor,
                target=target, per=per, missing=missing if missing in ("zero", "full") else "zero")


def _deduction(errors: list[str], where: str, table: dict, indicators) -> Deduction:
    _unknown(errors, where, table, _DEDUCTION_KEYS)
    source, indicator, measure = _source(errors, where, table, indicators)
    per = _number(errors, where, "per", table.get("per"), required=True, positive=True) or Decimal(0)
    cap = _number(errors, where, "cap", table.get("cap"), positive=True)
    return Deduction(code=str(table.get("code", "")), name=str(table.get("name", "")), source=source, per=per,
                     cap=cap, indicator=indicator, measure=measure)


def _veto(errors: list[str], where: str, table: dict, indicators) -> Veto:
    _unknown(errors, where, table, _VETO_KEYS)
    source, indicator, measure = _source(errors, where, table, indicators)
    above = _number(errors, where, "above", table.get("above"))
    below = _number(errors, where, "below", table.get("below"))
    if source != "manual" and above is None and below is None:
        errors.append(_("%(where)s需要 above 或 below（超过或低于多少即否决）。") % {"where": where})
    if source == "manual" and (above is not None or below is not None):
        errors.append(_("%(where)s：source = \"manual\" 的否决由县里标记，不设 above 或 below。") % {"where": where})
    return Veto(code=str(table.get("code", "")), name=str(table.get("name", "")), source=source, above=above,
                below=below, indicator=indicator, measure=measure)


def scheme_parse(text: str, *, indicators=None) -> Scheme:
    """The scheme of a TOML text, or SchemeError listing every fault (in Chinese, naming the key).

    `indicators`: the dashboard's indicator codes to check `indicator` keys against (None: not checked).
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError([_("考评办法不是有效的 TOML：%(error)s") % {"error": error}]) from None
    errors: list[str] = []
    _unknown(errors, _("考评办法"), doc, _TOP_KEYS)
    year = doc.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100):
        errors.append(_("考评办法的 year 应为年份，如 2025。"))
        year = None
    groups: list[Group] = []
    raw_groups = _tables(errors, _("考评办法"), "group", doc.get("group"))
    if not raw_groups:
        errors.append(_("考评办法至少要有一个 [[group]]（考评对象类别）。"))
    kinds, codes = set(), set()
    for g_index, raw in enumerate(raw_groups, start=1):
        kind = raw.get("kind")
        where = _("第 %(n)d 个 [[group]]（%(kind)s）") % {"n": g_index, "kind": kind or "?"}
        _unknown(errors, where, raw, _GROUP_KEYS)
        if kind not in GROUP_KINDS:
            errors.append(_("%(where)s的 kind 只能是 %(choices)s 之一。") % {"where": where, "choices": "、".join(GROUP_KINDS)})
        elif kind in kinds:
            errors.append(_("%(where)s：kind 重复，每类单位只能有一个考评组。") % {"where": where})
        kinds.add(kind)
        total = _number(errors, where, "total", raw.get("total"), required=True, positive=True) or Decimal(0)
        parts = {"item": [], "deduction": [], "veto": []}
        for key, build in (("item", _item), ("deduction", _deduction), ("veto", _veto)):
            for i_index, table in enumerate(_tables(errors, where, key, raw.get(key)), start=1):
                code = table.get("code")
                inner = _("%(where)s的第 %(n)d 个 [[group.%(key)s]]（%(code)s）") % {
                    "where": where, "n": i_index, "key": key, "code": code or "?"}
                if not isinstance(code, str) or not code.strip():
                    errors.append(_("%(where)s缺少 code。") % {"where": inner})
                elif code in codes:
                    errors.append(_("%(where)s：code %(code)s 重复。") % {"where": inner, "code": code})
                codes.add(code)
                if not isinstance(table.get("name"), str) or not table.get("name", "").strip():
                    errors.append(_("%(where)s缺少 name。") % {"where": inner})
                parts[key].append(build(errors, inner, table, indicators))
        if not parts["item"]:
            errors.append(_("%(where)s至少要有一个 [[group.item]]（考评项目）。") % {"where": where})
        weights = sum((i.points for i in parts["item"]), Decimal(0))
        if parts["item"] and total and weights != total:
            errors.append(_("%(where)s各项目分值之和为 %(sum)s，应等于 total = %(total)s。")
                          % {"where": where, "sum": _plain(weights), "total": _plain(total)})
        groups.append(Group(kind=str(kind), name=str(raw.get("name") or kind), total=total,
                            items=tuple(parts["item"]), deductions=tuple(parts["deduction"]),
                            vetoes=tuple(parts["veto"])))
    if errors:
        raise SchemeError(errors)
    return Scheme(name=str(doc.get("name", "")), groups=tuple(groups), year=year)


def scheme_errors(text: str, *, indicators=None) -> list[str]:
    """The faults of a scheme text ([] when it can be used)."""
    try:
        scheme_parse(text, indicators=indicators)
    except SchemeError as error:
        return error.errors
    return []


def _plain(number: Decimal) -> str:
    """2.50 → "2.5", 10.00 → "10": how a scoring table prints points."""
    text = format(number.normalize(), "f")
    return text


# --- scoring ----------------------------------------------------------------------------------------------

@dataclass
class ItemScore:
    code: str
    name: str
    max: Decimal
    points: Decimal
    value: Decimal | None
    target: Decimal | None = None
    #: The data behind the number (counts, the indicator's refresh, the manual score's note …).
    data: dict = field(default_factory=dict)


@dataclass
class UnitScore:
    unit: object  # the caller's key (an Agency id)
    name: str
    items: list[ItemScore]
    deductions: list[ItemScore]
    vetoes: list[dict]  # [{"code", "name", "reason"}]
    subtotal: Decimal
    deducted: Decimal
    total: Decimal
    rank: int = 0

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    def as_dict(self) -> dict:
        def item(s: ItemScore) -> dict:
            return {"code": s.code, "name": s.name, "max": str(s.max), "points": str(s.points),
                    "value": None if s.value is None else str(s.value),
                    "target": None if s.target is None else str(s.target), "data": s.data}
        return {"unit": self.unit, "name": self.name, "items": [item(s) for s in self.items],
                "deductions": [item(s) for s in self.deductions], "vetoes": self.vetoes,
                "vetoed": self.vetoed, "subtotal": str(self.subtotal), "deducted": str(self.deducted),
                "total": str(self.total), "rank": self.rank}


@dataclass
class GroupScore:
    group: Group
    rows: list[UnitScore]  # in rank order

    def as_dict(self) -> dict:
        return {"kind": self.group.kind, "name": self.group.name, "total": str(self.group.total),
                "items": [{"code": i.code, "name": i.name, "max": str(i.points)} for i in self.group.items],
                "deductions": [{"code": d.code, "name": d.name} for d in self.group.deductions],
                "vetoes": [{"code": v.code, "name": v.name} for v in self.group.vetoes],
                "rows": [r.as_dict() for r in self.rows]}


def _value(unit: dict, code: str) -> Decimal | None:
    raw = (unit.get("values") or {}).get(code)
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = dec(raw)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def item_points(item: Item, value: Decimal | None, target: Decimal | None = None) -> Decimal:
    """The points of one item for one value (see docs/appraisal.md for each rule)."""
    if value is None:
        return q2(item.points if item.missing == "full" else Decimal(0))
    if item.rule == "manual":
        return q2(min(max(value, Decimal(0)), item.points))
    if item.rule == "deduct":
        return q2(max(item.points - item.per * value, Decimal(0)))
    goal = target if item.target == "letter" else item.target
    if goal is None:  # a letter target the unit has not signed: nothing to measure against
        return q2(item.points if item.missing == "full" else Decimal(0))
    floor = item.floor
    if goal == floor:  # a letter target equal to the floor has no direction: full points on it exactly
        share = Decimal(1) if value == goal else Decimal(0)
    else:
        share = (value - floor) / (goal - floor)
    return q2(item.points * min(max(share, Decimal(0)), Decimal(1)))


def _vetoed(veto: Veto, unit: dict) -> str | None:
    """The reason `veto` strikes the unit, or None."""
    value = _value(unit, veto.code)
    if veto.source == "manual":
        if value is not None and value > 0:
            note = (unit.get("notes") or {}).get(veto.code) or ""
            return note or veto.name
        return None
    if value is None:
        return None
    if veto.above is not None and value > veto.above:
        return _("%(name)s（%(value)s，超过 %(limit)s）") % {"name": veto.name, "value": _plain(value),
                                                         "limit": _plain(veto.above)}
    if veto.below is not None and value < veto.below:
        return _("%(name)s（%(value)s，低于 %(limit)s）") % {"name": veto.name, "value": _plain(value),
                                                         "limit": _plain(veto.below)}
    return None


def unit_score(group: Group, unit: dict) -> UnitScore:
    """One unit's points per item, deductions, vetoes and total (before ranking).

    `unit`: {"unit": key, "name": …, "values": {code: number | None}, "targets": {code: number},
    "data": {code: {...}}, "notes": {code: text}}.
    """
    data = unit.get("data") or {}
    targets = unit.get("targets") or {}
    items = []
    for item in group.items:
        value = _value(unit, item.code)
        target = dec(targets[item.code]) if targets.get(item.code) is not None else None
        items.append(ItemScore(code=item.code, name=item.name, max=item.points, value=value,
                               target=target if item.target == "letter" else None,
                               points=item_points(item, value, target), data=data.get(item.code) or {}))
    deductions = []
    for rule in group.deductions:
        value = _value(unit, rule.code)
        off = Decimal(0) if value is None or value <= 0 else rule.per * value
        if rule.cap is not None:
            off = min(off, rule.cap)
        deductions.append(ItemScore(code=rule.code, name=rule.name, max=rule.cap or Decimal(0), value=value,
                                    points=q2(off), data=data.get(rule.code) or {}))
    vetoes = []
    for veto in group.vetoes:
        reason = _vetoed(veto, unit)
        if reason:
            vetoes.append({"code": veto.code, "name": veto.name, "reason": reason})
    subtotal = q2(sum((s.points for s in items), Decimal(0)))
    deducted = q2(sum((s.points for s in deductions), Decimal(0)))
    total = Decimal("0.00") if vetoes else q2(max(subtotal - deducted, Decimal(0)))
    return UnitScore(unit=unit.get("unit"), name=str(unit.get("name", "")), items=items, deductions=deductions,
                     vetoes=vetoes, subtotal=subtotal, deducted=deducted, total=total)


def rank(rows: list[UnitScore]) -> list[UnitScore]:
    """Rows in rank order with `rank` set: by total, ties sharing a rank and the next skipping (1, 2, 2, 4);
    vetoed units after all others, sharing the rank after the last of them."""
    ranked = sorted((r for r in rows if not r.vetoed), key=lambda r: (-r.total, r.name))
    previous, place = None, 0
    for index, row in enumerate(ranked, start=1):
        if row.total != previous:
            place, previous = index, row.total
        row.rank = place
    vetoed = sorted((r for r in rows if r.vetoed), key=lambda r: r.name)
    for row in vetoed:
        row.rank = len(ranked) + 1
    return ranked + vetoed


def score(scheme: Scheme, units: list[dict]) -> list[GroupScore]:
    """Every group of the scheme scored and ranked over the units of its kind (`unit["kind"]`)."""
    result = []
    for group in scheme.groups:
        rows = [unit_score(group, u) for u in units if u.get("kind") == group.kind]
        result.append(GroupScore(group=group, rows=rank(rows)))
    return result
