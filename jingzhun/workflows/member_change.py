"""人员变更: what a member change carries, what it changes (field by field, for the approver), what it does
to the household's income figures, and applying it to the registry.

A person added or taken out changes 家庭人口 and so the computed 年人均纯收入 (net income ÷ members in 正常
status). A household that has a 申报年人均纯收入 keeps it only if someone says what it is after the change:
the approval step shows the figures before → after and asks for the declared figure, and the approval
writes it with the member in one transaction (check Q23 compares the two, Q26 an exited household's
figure with the line).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jingzhun.policy import PolicyPackError, policy_pack_for
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member

from .common import WorkflowError
from .definitions import ADDING_CHANGES, ChangeType

MEMBER_FIELDS = ("name", "id_number", "relation", "sex", "ethnicity", "education", "schooling", "health", "labour",
                 "migrant_work", "migrant_months", "medical_insurance", "serious_illness_insurance",
                 "pension_insurance", "dibao", "tekun", "active_soldier")

CENT = Decimal("0.01")


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def member_change_payload(household: Household, data: dict[str, Any]) -> dict[str, Any]:
    """The procedure's payload for a change of `household` (the cleaned form data), or WorkflowError."""
    change = data.get("change", "")
    if change not in ChangeType.values:
        raise WorkflowError(_("请选择变更类型。"))
    if change in ADDING_CHANGES:
        member = data.get("member")
        if not member:
            raise WorkflowError(_("请填写新增成员的信息。"))
        if member.get("relation") == vocab.Relation.HEAD:
            raise WorkflowError(_("新增成员不能是“户主”。"))
        if Member.objects.filter(id_number=member["id_number"], status=vocab.MemberStatus.NORMAL).exists():
            raise WorkflowError(_("身份证号 %(id)s 已在建档立卡户中登记。") % {"id": member["id_number"]})
        return {"change": change, "member": _jsonable({k: member.get(k) for k in MEMBER_FIELDS}),
                "person": member["name"]}
    member = household.members.filter(pk=data.get("member_id"), status=vocab.MemberStatus.NORMAL).first()
    if member is None:
        raise WorkflowError(_("请选择本户一名人员状态为“正常”的成员。"))
    if member.relation == vocab.Relation.HEAD:
        raise WorkflowError(_("户主不能直接减员：请先在户信息中变更户主。"))
    return {"change": change, "member_id": member.pk, "person": member.name}


# --- What changes, field by field ------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


def _shown(member: Member, name: str, access) -> str:
    field = Member._meta.get_field(name)
    value = getattr(member, name)
    if value is None or value == "":
        return "—"
    if name == "id_number":
        return access.mask_id(value)
    if field.choices:
        return str(getattr(member, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _status_label(status: str) -> str:
    return str(vocab.MemberStatus(status).label)


def member_change_rows(procedure, access) -> list[FieldChange]:
    """Every field the change writes (old → new), ID numbers masked as `access` sees them.

    A person added: each of their fields, from nothing; one taken out: who they are (unchanged) and their
    人员状态 正常 → 死亡 or 迁出.
    """
    payload = procedure.payload
    change = payload.get("change")
    rows: list[FieldChange] = []
    if change in ADDING_CHANGES:
        data = payload.get("member") or {}
        person = Member(**{k: v for k, v in data.items() if k in MEMBER_FIELDS})
        for name in MEMBER_FIELDS:
            rows.append(FieldChange(str(Member._meta.get_field(name).verbose_name), "—", _shown(person, name, access)))
        rows.append(FieldChange(str(Member._meta.get_field("status").verbose_name), "—",
                                _status_label(vocab.MemberStatus.NORMAL)))
        return rows
    member = Member.objects.filter(pk=payload.get("member_id")).first()
    if member is None:
        return rows
    for name in ("name", "id_number", "relation", "sex"):
        value = _shown(member, name, access)
        rows.append(FieldChange(str(Member._meta.get_field(name).verbose_name), value, value))
    new_status = vocab.MemberStatus.DECEASED if change == ChangeType.DEATH else vocab.MemberStatus.MOVED_OUT
    rows.append(FieldChange(str(Member._meta.get_field("status").verbose_name),
                            _status_label(vocab.MemberStatus.NORMAL), _status_label(new_status)))
    return rows


# --- What it does to the income figures --------------------------------------------------------------

@dataclass(frozen=True)
class IncomeImpact:
    """家庭人口 and 年人均纯收入 before → after a member change, the declared figure, the year's line."""

    income_year: int
    net_income: Decimal
    members_before: int
    members_after: int
    per_capita_before: Decimal | None
    per_capita_after: Decimal | None
    declared: Decimal | None
    poverty_line: Decimal | None
    exited: bool

    @property
    def below_line_after(self) -> bool:
        """An exited household whose figure after the change is under its income year's line (Q26)."""
        return bool(self.exited and self.poverty_line is not None and self.per_capita_after is not None
                    and self.per_capita_after < self.poverty_line)

    def as_dict(self) -> dict:
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> "IncomeImpact":
        """The impact as recorded with the approval (as_dict), its amounts decimals again."""
        money = ("net_income", "per_capita_before", "per_capita_after", "declared", "poverty_line")
        return cls(**{k: (Decimal(v) if k in money and v is not None else v) for k, v in data.items()})


def _per_capita(net: Decimal, members: int) -> Decimal | None:
    return (net / members).quantize(CENT, rounding=ROUND_HALF_UP) if members > 0 else None


def income_impact(household: Household, change: str) -> IncomeImpact:
    """What adding (出生, 婚入, 成员加入) or taking out one person does to `household`'s income figures now."""
    before = household.members.filter(status=vocab.MemberStatus.NORMAL).count()
    after = before + 1 if change in ADDING_CHANGES else before - 1
    net = household.net_income
    try:
        line = policy_pack_for(household.code, household.income_year).poverty_line
    except PolicyPackError:
        line = None  # the figures stand without it; only the warning about the line is left out
    return IncomeImpact(income_year=household.income_year, net_income=net, members_before=before,
                        members_after=after, per_capita_before=_per_capita(net, before),
                        per_capita_after=_per_capita(net, after), declared=household.declared_per_capita_income,
                        poverty_line=line, exited=household.status == vocab.PovertyStatus.EXITED)


def declared_after(impact: IncomeImpact, value: Any) -> Decimal | None:
    """The 申报年人均纯收入 to write with the change: the approver's figure, checked as check Q23 checks it.

    A household with a declared figure must have it confirmed or corrected (None is refused); one without
    may be given one. A figure more than 1 yuan per person off the formula is refused: Q23 would report it
    at the next check, so the income items have to be corrected first.
    """
    if value in (None, ""):
        if impact.declared is not None:
            raise WorkflowError(
                _("该户有申报年人均纯收入 %(d)s 元：变更后家庭人口为 %(n)s 人，请确认或更正申报年人均纯收入"
                  "（按公式应为 %(c)s 元）。") % {"d": impact.declared, "n": impact.members_after,
                                           "c": impact.per_capita_after})
        return None
    try:
        figure = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise WorkflowError(_("申报年人均纯收入应为金额（元），例如 4500.00。")) from None
    if figure < 0:
        raise WorkflowError(_("申报年人均纯收入不能为负数。"))
    members = impact.members_after
    if members > 0 and abs(figure * members - impact.net_income) > members:
        raise WorkflowError(
            _("申报年人均纯收入 %(d)s 元与按公式计算的 %(c)s 元（家庭纯收入 %(net)s 元 ÷ %(n)s 人）相差超过 1 元。"
              "如收入有变化，请先在户信息中更正收入各项，再办理审批。")
            % {"d": figure, "c": impact.per_capita_after, "net": impact.net_income, "n": members})
    return figure


# --- Applying it ---------------------------------------------------------------------------------------

def member_change_apply(procedure, household: Household, actor, reason: str, *, new_member) -> None:
    """Write the change: the new member (through `new_member`, which validates and records history) or
    the member's new 人员状态, and the approved 申报年人均纯收入, in the caller's transaction."""
    change = procedure.payload["change"]
    if change in ADDING_CHANGES:
        data = procedure.payload["member"]
        if household.members.filter(id_number=data["id_number"]).exists():
            raise WorkflowError(_("本户已有身份证号为 %(id)s 的成员。") % {"id": data["id_number"]})
        new_member(household, data, actor, reason)
    else:
        member = (Member.objects.select_for_update()
                  .filter(pk=procedure.payload["member_id"], household=household).first())
        if member is None or member.status != vocab.MemberStatus.NORMAL:
            raise WorkflowError(_("该成员已不是“正常”状态，变更无法办理。"))
        member.status = vocab.MemberStatus.DECEASED if change == ChangeType.DEATH else vocab.MemberStatus.MOVED_OUT
        member._history_user = actor
        member._change_reason = reason
        member.save(update_fields=["status", "updated_at"])
    if procedure.payload.get("declared_after") is not None:
        household.declared_per_capita_income = Decimal(procedure.payload["declared_after"])
        household._history_user = actor
        household._change_reason = reason
        household.save(update_fields=["declared_per_capita_income", "updated_at"])
