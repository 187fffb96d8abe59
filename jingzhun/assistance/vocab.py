"""The assistance module's vocabularies: measure types (data/measure_types.toml) and fixed choices."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

DETAIL_KINDS = frozenset({"text", "int", "money", "date", "bool", "choice"})


@dataclass(frozen=True)
class Detail:
    key: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureType:
    """One 帮扶措施类型: what `data/measure_types.toml` says of it."""

    code: str
    name: str
    continues: bool
    member: bool
    details: tuple[Detail, ...]


@cache
def measure_types() -> dict[str, MeasureType]:
    """code → MeasureType, in the file's order; a malformed file fails loudly at first use."""
    raw = tomllib.loads((Path(__file__).parent / "data" / "measure_types.toml").read_text("utf-8"))
    out: dict[str, MeasureType] = {}
    for code, spec in raw.items():
        details = []
        for d in spec.get("details", []):
            if d["kind"] not in DETAIL_KINDS:
                raise ValueError(f"measure type {code}: unknown detail kind {d['kind']!r}")
            if (d["kind"] == "choice") != bool(d.get("choices")):
                raise ValueError(f"measure type {code}: detail {d['key']} needs choices exactly when kind=choice")
            details.append(Detail(d["key"], d["label"], d["kind"], tuple(d.get("choices", ()))))
        out[code] = MeasureType(code, spec["name"], bool(spec.get("continues", False)),
                                bool(spec.get("member", False)), tuple(details))
    return out


def measure_type_choices() -> list[tuple[str, str]]:
    """Choices for Measure.type (a callable, so the migration does not freeze the list)."""
    return [(t.code, t.name) for t in measure_types().values()]


class LoanStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    OVERDUE = "overdue", _("逾期")
    NON_PERFORMING = "npl", _("不良")
    SETTLED = "settled", _("结清")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    FIRST_SECRETARY = "secretary", _("第一书记")
    MEMBER = "member", _("队员")


class ProjectState(models.TextChoices):
    """项目库 states: 入库 → 公示 → 实施 → 竣工 → 验收 (and 终止 from any state before 竣工)."""

    LISTED = "listed", _("入库")
    PUBLICISED = "publicised", _("公示")
    UNDERWAY = "underway", _("实施")
    COMPLETED = "completed", _("竣工")
    ACCEPTED = "accepted", _("验收")
    CANCELLED = "cancelled", _("终止")


class FundSource(models.TextChoices):
    """衔接资金 by level, and other money."""

    CENTRAL = "central", _("中央衔接资金")
    PROVINCE = "province", _("省级衔接资金")
    CITY = "city", _("市级衔接资金")
    COUNTY = "county", _("县级衔接资金")
    OTHER = "other", _("其他资金")


class ProjectCategory(models.TextChoices):
    INDUSTRY = "industry", _("产业发展")
    EMPLOYMENT = "employment", _("就业项目")
    INFRASTRUCTURE = "infrastructure", _("乡村建设")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    RELOCATION = "relocation", _("易地搬迁后续扶持")
    OTHER = "other", _("其他")
