"""入户调查问卷: the questions (data/questionnaire.toml), answers checked, and each household's verdict.

One definition serves the phone page, the spreadsheet import and the estimates, so a questionnaire
filled in either way is checked and judged alike.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

KINDS = frozenset({"int", "money", "bool", "choice", "multi", "text"})
INCOME_ITEMS = ("wage", "business", "property", "transfer")
GUARANTEES = ("food_clothing", "education", "medical", "housing", "water")
APPROVAL_ITEMS = ("approve_policy", "approve_measures", "approve_exit", "approve_cadres")
DISAPPROVE = "不认可"
#: Upper bounds that catch a slip of the finger (an income of 10 million, a household of 99).
MAX_PERSONS = 30
MAX_MONEY = Decimal("10000000")
TEXT_MAX = 1000
TRUE_WORDS = frozenset({"是", "有", "true", "1", "yes", "y", "√"})
FALSE_WORDS = frozenset({"否", "无", "没有", "false", "0", "no", "n", "×"})


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    kind: str
    section: str
    required: bool = False
    choices: tuple[str, ...] = ()
    #: The frames (Case.Frame values) asked this question; empty = all.
    frames: tuple[str, ...] = ()
    #: The question's column in the results spreadsheet (docs/assessment-format.md).
    header: str = ""

    def asked(self, frame: str) -> bool:
        return not self.frames or frame in self.frames


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]


@cache
def sections() -> tuple[Section, ...]:
    """The questionnaire's sections in order; a malformed file fails loudly at first use."""
    raw = tomllib.loads((Path(__file__).parent / "data" / "questionnaire.toml").read_text("utf-8"))
    out = []
    seen: set[str] = set()
    headers: set[str] = set()
    for s in raw["section"]:
        items = []
        for i in s["items"]:
            if i["kind"] not in KINDS:
                raise ValueError(f"questionnaire item {i['key']}: unknown kind {i['kind']!r}")
            if (i["kind"] in {"choice", "multi"}) != bool(i.get("choices")):
                raise ValueError(f"questionnaire item {i['key']}: choices exactly when kind is choice or multi")
            if i["key"] in seen:
                raise ValueError(f"questionnaire item {i['key']} appears twice")
            seen.add(i["key"])
            if not i.get("header") or i["header"] in headers:
                raise ValueError(f"questionnaire item {i['key']}: a header of its own (the spreadsheet's column)")
            headers.add(i["header"])
            items.append(Item(i["key"], i["label"], i["kind"], s["key"], bool(i.get("required", False)),
                              tuple(i.get("choices", ())), tuple(i.get("frames", ())), i["header"]))
        out.append(Section(s["key"], s["title"], tuple(items)))
    return tuple(out)


def items() -> dict[str, Item]:
    """key → Item, in the questionnaire's order."""
    return {i.key: i for s in sections() for i in s.items}


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


def clean_answers(raw: dict, *, frame: str) -> tuple[dict, dict[str, str]]:
    """Answers checked against the questionnaire for a household of `frame`.

    Returns (answers, errors): answers hold JSON values (int, str of a decimal for money, bool, str,
    list of str) for the questions asked of this frame; errors map a question key to a Chinese message
    that names it. Keys the questionnaire does not know are an error too (a misspelt column must not
    vanish silently).
    """
    known = items()
    out: dict = {}
    errors: dict[str, str] = {}
    for key in raw:
        if key not in known:
            errors[key] = _("问卷中没有“%(key)s”这一项") % {"key": key}
    for item in known.values():
        if not item.asked(frame):
            continue
        value = raw.get(item.key)
        empty = value is None or (isinstance(value, str | list) and not value)
        if empty:
            if item.required:
                errors[item.key] = _("请回答“%(label)s”") % {"label": item.label}
            continue
        try:
            out[item.key] = _clean(item, value)
        except ValueError as exc:
            errors[item.key] = str(exc) or _("“%(label)s”的回答无法识别") % {"label": item.label}
    return out, errors


def _clean(item: Item, value):
    if item.kind == "int":
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(_("“%(label)s”应为整数") % {"label": item.label}) from None
        if number < 0 or (item.key == "persons" and not 1 <= number <= MAX_PERSONS):
            raise ValueError(_("“%(label)s”应在 1 到 %(max)d 之间") % {"label": item.label, "max": MAX_PERSONS})
        return number
    if item.kind == "money":
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("“%(label)s”应为金额（元）") % {"label": item.label}) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
            raise ValueError(_("“%(label)s”应在 0 到 %(max)s 元之间") % {"label": item.label, "max": MAX_MONEY})
        return str(amount.quantize(Decimal("0.01")))
    if item.kind == "bool":
        try:
            return _bool(value)
        except ValueError:
            raise ValueError(_("“%(label)s”请答“是”或“否”") % {"label": item.label}) from None
    if item.kind == "choice":
        if str(value).strip() not in item.choices:
            raise ValueError(_("“%(label)s”应为：%(choices)s") % {"label": item.label, "choices": "、".join(item.choices)})
        return str(value).strip()
    if item.kind == "multi":
        values = value if isinstance(value, list) else [v for v in str(value).replace("，", ",").replace("、", ",").split(",")]
        values = [str(v).strip() for v in values if str(v).strip()]
        wrong = [v for v in values if v not in item.choices]
        if wrong:
            raise ValueError(_("“%(label)s”中“%(value)s”不是可选项") % {"label": item.label, "value": wrong[0]})
        return values
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        raise ValueError(_("“%(label)s”不能超过 %(n)d 个字") % {"label": item.label, "n": TEXT_MAX})
    return text


@dataclass(frozen=True)
class Verdict:
    """One household's verdict: 错退 (exited frame), 漏评 (screen frame), 认可, and why."""

    persons: int
    income_per_person: Decimal
    wrong_exit: bool | None
    missed: bool | None
    approves: bool
    reasons: list[dict] = field(default_factory=list)


def verdict(answers: dict, *, frame: str, line: Decimal) -> Verdict:
    """The verdict on clean answers (clean_answers) against the line of the year (yuan per person).

    A household is 错退 (exited frame) or 漏评 (screened, outside the registry) when its net income per
    person over the last 12 months is below `line`, or any of 两不愁三保障 and safe water fails. It approves
    when it answers no 认可度 question with 不认可 (households, not persons, count for 认可度).
    """
    persons = int(answers["persons"])
    income = sum((Decimal(answers.get(k, "0")) for k in INCOME_ITEMS), Decimal(0)) - Decimal(answers.get("costs", "0"))
    per_person = (income / persons).quantize(Decimal("0.01"))
    reasons: list[dict] = []
    if per_person < line:
        reasons.append({"kind": "income", "text": _("人均纯收入 %(income)s 元，低于标准 %(line)s 元")
                        % {"income": per_person, "line": line}})
    labels = items()
    for key in GUARANTEES:
        if answers.get(key) is False:
            reasons.append({"kind": key, "text": _("未达到：%(label)s") % {"label": labels[key].label}})
    poor = bool(reasons)
    disapproved = [k for k in APPROVAL_ITEMS if answers.get(k) == DISAPPROVE]
    for key in disapproved:
        reasons.append({"kind": "approval", "text": _("不认可：%(label)s") % {"label": labels[key].label}})
    from .models import Case

    return Verdict(persons=persons, income_per_person=per_person,
                   wrong_exit=poor if frame == Case.Frame.EXITED else None,
                   missed=poor if frame == Case.Frame.SCREEN else None,
                   approves=not disapproved, reasons=reasons)
