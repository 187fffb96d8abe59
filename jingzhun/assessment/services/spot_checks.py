"""随机抽查 writes: N households drawn at random from a unit's records (seeded, the frame's digest
recorded), verified one by one with a short form against the registry, every discrepancy handed to the
household's village as a problem record (CC01) with a deadline.

The frame is the unit's 建档立卡 and 监测 households — 户类别 脱贫户 or 监测户 whose 脱贫状态 is not 清退 — the
households the 脱贫攻坚工作台账 and the 帮扶 figures are about (indicators' ASST_BASE_HH). It is read as a set
of 户编号 only, sorted; its SHA-256 (over the sorted codes, one per line, UTF-8) and the seed are stored
with the draw, and the households are drawn by `analytics.survey.sampling.draw_households` (numpy's
Generator), so the same seed over the same frame gives the same households (`spot_check_redraw`).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhun.analytics.survey.sampling import draw_households
from jingzhun.checks.services import Finding, problems_record
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.orgunits.permissions import may_spot_check, require
from jingzhun.registry import vocab
from jingzhun.registry.models import Household

from ..models import SpotCheck, SpotCheckItem
from ..selectors.spot_checks import spot_check_get, spot_item_get

#: 随机抽查：登记信息与核实不符 (the finding kind; its name is kept in checks' registry of findings).
FINDING_CODE = "CC01"
#: Days the village has to correct a discrepancy (整改时限, counted from the day of verification).
DUE_DAYS = 15
#: Most households one spot check draws (a check is verified by hand, house by house).
MAX_N = 200
#: Seeds are non-negative and below 2**53, so they read the same in JSON, spreadsheets and browsers.
SEED_LIMIT = 2**53
#: 年人均纯收入 agrees when the checker's figure is within this share of the registry's (or within
#: INCOME_FLOOR yuan, for small incomes): the 台账 rounds, the household remembers roughly.
INCOME_TOLERANCE = Decimal("0.10")
INCOME_FLOOR = Decimal("100")
#: The frame's single stratum and group for draw_households (one unit, one frame).
_FRAME = "registry"


class SpotCheckError(Exception):
    """A spot check that cannot be drawn or verified as asked; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the draw ------------------------------------------------------------------------------------------

def frame_codes(unit: str) -> list[str]:
    """The unit's frame: 户编号 of its 脱贫户 and 监测户 not 清退, sorted (set-wise, codes only)."""
    return list(Household.objects.filter(subtree_q("code", unit))
                .filter(category__in=(vocab.HouseholdCategory.EXITED, vocab.HouseholdCategory.MONITORED))
                .exclude(status=vocab.PovertyStatus.REMOVED)
                .order_by("code").values_list("code", flat=True))


def frame_digest(codes: Sequence[str]) -> str:
    """SHA-256 of the sorted codes, one per line (UTF-8): what a frame file must hash to."""
    return hashlib.sha256("\n".join(sorted(codes)).encode("utf-8")).hexdigest()


def draw_codes(codes: Sequence[str], n: int, seed: int) -> list[str]:
    """The `n` households a seed draws from a frame, in 户编号 order: a pure function of the set of codes
    and the seed (the codes' order does not matter)."""
    ordered = sorted(set(codes))
    if not ordered or n <= 0:
        return []
    table = pa.table({"village": pa.array([_FRAME] * len(ordered), pa.string()),
                      "frame": pa.array([_FRAME] * len(ordered), pa.string()),
                      "household": pa.array(ordered, pa.string())})
    drawn = draw_households(table, {_FRAME: int(n)}, int(seed))
    return drawn.column("household").to_pylist()


def spot_check_draw(*, unit: str, n: int, seed: int | None = None, note: str = "", acting_user) -> SpotCheck:
    """随机抽查: draw `n` households of `unit`'s frame at random and record the draw (seed, frame size and
    digest, who and when) with one item per household to verify.

    Refused (Refused) to roles that do not spot-check; SpotCheckError for a unit out of reach or unknown,
    an `n` the frame cannot give, a seed out of range. A seed not given is chosen at random and recorded.
    """
    require(may_spot_check(acting_user), _("你的角色不能进行随机抽查。"))
    access = access_for(acting_user)
    unit = (unit or "").strip()
    if not unit.isdigit() or not access.reaches_code(unit) or not OrgUnit.objects.filter(code=unit).exists():
        raise SpotCheckError(_("抽查单位不存在或不在你的管辖范围内。"))
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise SpotCheckError(_("抽查户数应为整数。")) from None
    if not 1 <= n <= MAX_N:
        raise SpotCheckError(_("抽查户数应在 1 到 %(max)d 之间。") % {"max": MAX_N})
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    elif not 0 <= int(seed) < SEED_LIMIT:
        raise SpotCheckError(_("随机种子应为 0 到 %(max)d 之间的整数。") % {"max": SEED_LIMIT - 1})
    seed = int(seed)
    with transaction.atomic():
        codes = frame_codes(unit)
        if n > len(codes):
            raise SpotCheckError(_("该单位只有 %(size)d 户脱贫户和监测户，抽查户数不能超过此数。") % {"size": len(codes)})
        drawn = draw_codes(codes, n, seed)
        spot = SpotCheck.objects.create(unit=unit, n=n, seed=seed, frame_size=len(codes),
                                        frame_sha256=frame_digest(codes), drawn_by=acting_user,
                                        note=(note or "").strip()[:200])
        SpotCheckItem.objects.bulk_create(SpotCheckItem(spot_check=spot, household_id=code, order=order)
                                          for order, code in enumerate(drawn, start=1))
    return spot


@dataclass(frozen=True)
class Redraw:
    """A recorded draw done again: whether the frame is still the one drawn from (same digest), and
    whether the seed draws the same households from it."""

    frame_size: int
    frame_sha256: str
    recorded_sha256: str
    households: list[str]
    recorded: list[str]

    @property
    def same_frame(self) -> bool:
        return self.frame_sha256 == self.recorded_sha256

    @property
    def same_households(self) -> bool:
        return self.households == self.recorded


def spot_check_redraw(*, spot_check_id: int, acting_user, codes: Sequence[str] | None = None) -> Redraw:
    """Redraw a recorded spot check with its seed: over `codes` (a frame kept elsewhere) or today's frame
    of its unit. Reads only. When the frame's digest equals the recorded one, the households must be the
    recorded ones; when the registry has changed since, the digest says so."""
    spot = spot_check_get(acting_user, spot_check_id)
    frame = sorted(set(codes)) if codes is not None else frame_codes(spot.unit)
    recorded = list(spot.items.order_by("order").values_list("household_id", flat=True))
    return Redraw(frame_size=len(frame), frame_sha256=frame_digest(frame),
                  recorded_sha256=spot.frame_sha256,
                  households=draw_codes(frame, spot.n, spot.seed) if len(frame) >= spot.n else [], recorded=recorded)


# --- the short form ------------------------------------------------------------------------------------

YES, NO = "yes", "no"


def _name(value) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    if re.search(r"[0-9{}]", text):
        raise ValueError(_("姓名中不应有数字或括号。"))
    return text[:64]


def _int(value) -> int:
    number = int(value)
    if not 0 < number <= 50:
        raise ValueError(_("家庭人口应在 1 到 50 之间。"))
    return number


def _bool(value) -> bool:
    if value in (True, YES):
        return True
    if value in (False, NO):
        return False
    raise ValueError(_("请选择“是”或“否”。"))


def _money(value) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(_("请填写金额（元）。")) from None
    if not number.is_finite() or abs(number) > Decimal("10000000"):
        raise ValueError(_("请填写金额（元）。"))
    return number.quantize(Decimal("0.01"))


def _persons(household: Household) -> int:
    return household.members.filter(status=vocab.MemberStatus.NORMAL).count()


def _housing_safe(household: Household) -> bool | None:
    return None if not household.housing_grade else not household.unsafe_housing


def _income_agrees(registry: Decimal, found: Decimal) -> bool:
    return abs(found - registry) <= max(abs(registry) * INCOME_TOLERANCE, INCOME_FLOOR)


@dataclass(frozen=True)
class SpotField:
    """One fact of the short form: how the registry states it, how a checker's answer is read and
    compared. `choices` (value, label) for a pick list; `kind` says which input the page shows."""

    key: str
    label: str
    kind: str  # "text" | "int" | "choice" | "bool" | "money"
    registry: Callable[[Household], object]
    parse: Callable[[object], object]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    agrees: Callable[[object, object], bool] = lambda registry, found: registry == found
    help: str = ""

    def applies(self, household: Household) -> bool:
        """Asked only of households whose registry states the fact (a 一般农户 has no 致贫原因)."""
        return self.registry(household) not in (None, "")

    def shown(self, value) -> str:
        """A value as the page and the problem message say it."""
        if value is None or value == "":
            return "—"
        if self.kind == "bool":
            return str(_("是") if value else _("否"))
        if self.kind == "choice" and self.choices:
            return str(dict(self.choices()).get(value, value))
        return str(value)


def _choice(choices: Callable[[], list[tuple[str, str]]]) -> Callable[[object], str]:
    def parse(value) -> str:
        if value not in dict(choices()):
            raise ValueError(_("请从列表中选择。"))
        return str(value)
    return parse


FIELDS: tuple[SpotField, ...] = (
    SpotField("head_name", gettext_lazy("户主姓名"), "text", lambda h: h.head_name, _name),
    SpotField("persons", gettext_lazy("家庭人口（正常状态成员）"), "int", _persons, _int),
    SpotField("category", gettext_lazy("户类别"), "choice", lambda h: h.category,
              _choice(lambda: list(vocab.HouseholdCategory.choices)), lambda: list(vocab.HouseholdCategory.choices)),
    SpotField("status", gettext_lazy("脱贫状态"), "choice", lambda h: h.status,
              _choice(lambda: list(vocab.PovertyStatus.choices)), lambda: list(vocab.PovertyStatus.choices)),
    SpotField("main_cause", gettext_lazy("主要致贫原因"), "choice", lambda h: h.main_cause,
              _choice(lambda: list(vocab.PovertyCause.choices)), lambda: list(vocab.PovertyCause.choices)),
    SpotField("risk_type", gettext_lazy("主要风险类型"), "choice", lambda h: h.risk_type,
              _choice(vocab.risk_type_choices), vocab.risk_type_choices),
    SpotField("housing_safe", gettext_lazy("住房安全（非C、D级危房）"), "bool", _housing_safe, _bool),
    SpotField("safe_water", gettext_lazy("饮水安全"), "bool", lambda h: h.safe_water, _bool),
    SpotField("income_per_capita", gettext_lazy("年人均纯收入（元）"), "money", lambda h: h.per_capita_income(),
              _money, agrees=_income_agrees,
              help=gettext_lazy("与系统登记相差不超过 10%（或 100 元）视为相符。")),
    SpotField("cadre", gettext_lazy("帮扶责任人"), "text", lambda h: h.cadre.name if h.cadre_id else "", _name),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}


def fields_for(household: Household) -> list[tuple[SpotField, object]]:
    """The short form's facts for one household with the registry's value of each, as read now."""
    out = []
    for spot_field in FIELDS:
        value = spot_field.registry(household)
        if value not in (None, ""):
            out.append((spot_field, value))
    return out


def _stored(value):
    return str(value) if isinstance(value, Decimal) else value


def spot_check_verify(*, item_id: int, acting_user, found: dict) -> SpotCheckItem:
    """核对: the checker's findings for one drawn household, compared field by field with the registry as
    it stands now; the result is stored on the item (`checked`, `discrepancies`, who and when) and the
    discrepancies, if any, become one CC01 problem of the household's village (each field named with both
    values), due in DUE_DAYS days.

    `found` maps a field's key to what the checker found; a field left blank (or absent) was not checked.
    At least one field must be checked. An item is verified once: a second verification is refused.
    """
    require(may_spot_check(acting_user), _("你的角色不能进行随机抽查。"))
    with transaction.atomic():
        spot_item_get(acting_user, item_id)
        # two checkers may send the same household: the row lock makes the second see it verified
        item = SpotCheckItem.objects.select_for_update().select_related("spot_check").get(pk=item_id)
        if item.verified_at is not None:
            raise SpotCheckError(_("该户已于 %(when)s 核对，不能重复核对。") % {
                "when": timezone.localtime(item.verified_at).strftime("%Y-%m-%d %H:%M")})
        household = Household.objects.select_related("cadre").get(pk=item.household_id)
        unknown = sorted(set(found) - set(FIELDS_BY_KEY))
        if unknown:
            raise SpotCheckError(_("核对表中有未知项目：%(keys)s。") % {"keys": "、".join(unknown)})
        checked, errors, discrepant = {}, [], []
        for spot_field, registry in fields_for(household):
            raw = found.get(spot_field.key)
            entry = {"label": str(spot_field.label), "registry": _stored(registry),
                     "registry_shown": spot_field.shown(registry), "found": None, "agrees": None}
            if raw not in (None, ""):
                try:
                    value = spot_field.parse(raw)
                except (TypeError, ValueError, ArithmeticError) as exc:
                    errors.append(f"{spot_field.label}：{exc}" if str(exc) else str(spot_field.label))
                    continue
                agrees = bool(spot_field.agrees(registry, value))
                entry.update(found=_stored(value), found_shown=spot_field.shown(value), agrees=agrees)
                if not agrees:
                    discrepant.append(entry)
            checked[spot_field.key] = entry
        if errors:
            raise SpotCheckError(_("核对表填写有误：%(errors)s") % {"errors": "；".join(errors)})
        if not any(e["agrees"] is not None for e in checked.values()):
            raise SpotCheckError(_("请至少核对一项。"))
        item.checked, item.discrepancies = checked, len(discrepant)
        item.verified_by, item.verified_at = acting_user, timezone.now()
        item.save(update_fields=["checked", "discrepancies", "verified_by", "verified_at"])
        if discrepant:
            parts = "；".join(_("%(field)s：系统登记“%(registry)s”，核实为“%(found)s”") % {
                "field": e["label"], "registry": e["registry_shown"], "found": e["found_shown"]} for e in discrepant)
            message = _("随机抽查（%(date)s）发现登记信息与核实不符：%(parts)s。") % {
                "date": timezone.localdate().isoformat(), "parts": parts}
            finding = Finding(rule=FINDING_CODE, household=household.code, village=household.village_id,
                              message=message, detail={"spot_check": item.spot_check_id, "item": item.pk,
                                                       "fields": [k for k, e in checked.items() if e["agrees"] is False]})
            problems_record(org=item.spot_check.unit, findings=[finding], acting_user=acting_user,
                            due=due_date(), reason=_("随机抽查核对"))
    return item


def due_date(today: datetime.date | None = None) -> datetime.date:
    """整改时限 of a discrepancy found today: DUE_DAYS calendar days on."""
    return (today or timezone.localdate()) + datetime.timedelta(days=DUE_DAYS)
