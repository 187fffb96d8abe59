"""Alert rules as data: one SQL file per rule in `rules/`, its metadata in a comment header, run in
DuckDB through the engine layer (`jingzhun.analytics.get_engine`) over two tables.

    -- code: YJ02
    -- name: 住院个人自付达到预警金额
    -- kind: medical                 (a code of kinds.ALERT_KINDS)
    -- risk_type: 因病               (the 风险类型 a lead gets)
    -- form: absolute                (optional: the 医保 threshold form the rule belongs to)
    SELECT record_id, figures FROM records CROSS JOIN thresholds …

`records`: one row per record of the file — `record_id`, the person columns, the kind's own columns
(amounts DOUBLE, dates DATE), and from the linkage `member_id`, `household`, `grp` ('monitored' for
脱贫 and monitored people, else 'others') and `person_key` (one key per person). `thresholds`: one row,
the pack's [alerts] tables flattened (`medical_form`, `medical_inpatient_others`, …, `rural_income`, its value) and
the file's `data_date`. A rule returns `record_id` (the record a hit points to) and `figures`, a JSON
object of the figures behind the hit (keys as in `FIGURE_LABELS`).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.analytics import get_engine

from .kinds import ALERT_KINDS

RULES_DIR = Path(__file__).resolve().parent / "rules"
_REQUIRED = ("code", "name", "kind", "risk_type")
_HEADER = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")
#: The 风险类型 a rule may name (issue 14's vocabulary).
RISK_TYPES = ("因病", "因残", "因学", "因灾", "因意外事故", "因产业项目失败", "因务工就业不稳", "缺劳动力",
              "住房出现安全问题", "饮水安全问题", "其他")

#: The labels of the figures rules return, for pages and lead descriptions.
FIGURE_LABELS = {
    "out_of_pocket": _("个人自付（元）"), "visits": _("就诊次数"), "rural_income": _("上年农村居民人均可支配收入（元）"),
    "rural_income_year": _("收入年度"), "share": _("比例"), "threshold": _("预警线"), "strict": _("须超过预警线"),
    "month": _("月份"), "assistance": _("救助类别"), "start_date": _("开始日期"), "amount": _("金额（元）"),
    "within_days": _("新增期限（天）"), "stage": _("学段"), "school": _("学校"), "date": _("日期"),
    "cost": _("费用（元）"), "disaster": _("灾害类型"), "loss": _("直接经济损失（元）"), "house_damage": _("房屋损毁"),
    "event": _("事件类型"), "disability": _("残疾类别"), "grade": _("等级"), "issued": _("发证日期"),
    "registration": _("登记类别"),
}


class AlertRuleError(ValueError):
    """A rule file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class AlertRule:
    code: str
    name: str
    kind: str
    risk_type: str
    form: str
    sql: str

    @property
    def name_shown(self) -> str:
        return gettext(self.name)


def parse_rule(path: Path) -> AlertRule:
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if match and not body:
            meta[match.group(1)] = match.group(2)
        elif not line.startswith("--") or body:
            body.append(line)
    missing = [k for k in _REQUIRED if not meta.get(k)]
    if missing:
        raise AlertRuleError(f"预警规则文件 {path.name} 缺少 {', '.join(missing)}")
    if meta["kind"] not in ALERT_KINDS:
        raise AlertRuleError(f"预警规则文件 {path.name}：不认识的数据类别 {meta['kind']}")
    if meta["risk_type"] not in RISK_TYPES:
        raise AlertRuleError(f"预警规则文件 {path.name}：不认识的风险类型 {meta['risk_type']}")
    return AlertRule(meta["code"], meta["name"], meta["kind"], meta["risk_type"], meta.get("form", ""),
                     "\n".join(body).strip().rstrip(";"))


def load_rules(kind: str | None = None) -> list[AlertRule]:
    rules = [parse_rule(p) for p in sorted(RULES_DIR.glob("*.sql"))]
    return [r for r in rules if kind is None or r.kind == kind]


def rule_names() -> dict[str, str]:
    return {r.code: r.name for r in load_rules()}


def flatten_thresholds(alerts: Mapping[str, Any], data_date: datetime.date) -> pa.Table:
    """The pack's [alerts] tables as the one-row `thresholds` table (sources and example flags left out)."""
    row: dict[str, pa.Array] = {"data_date": pa.array([data_date], pa.date32())}
    income = alerts.get("rural_income", {})
    row["rural_income"] = pa.array([None if income.get("value") is None else float(income["value"])], pa.float64())
    row["rural_income_year"] = pa.array([income.get("year")], pa.int64())
    for table, keys in alerts.items():
        if not isinstance(keys, Mapping) or table == "rural_income":
            continue
        for key, value in keys.items():
            if key in ("source", "example"):
                continue
            name = f"{table}_{key}"
            if isinstance(value, (bool, str)):
                row[name] = pa.array([value])
            elif isinstance(value, (int, float)):
                row[name] = pa.array([value], pa.int64() if key.endswith("_days") else pa.float64())
            else:
                row[name] = pa.array([list(value)], pa.list_(pa.string()))
    return pa.table(row)


HIT_SCHEMA = pa.schema([("rule", pa.string()), ("record_id", pa.int64()), ("figures", pa.string())])


def run_rules(kind: str, records: pa.Table, thresholds: pa.Table, *, threads: int | None = None,
              rules: list[AlertRule] | None = None, engine: str = "duckdb", **engine_options) -> pa.Table:
    """Every hit of the kind's rules over `records`: (rule, record_id, figures as JSON text), on DuckDB
    or another engine of `jingzhun.analytics.ENGINES` (its options, e.g. Spark's `spark` session)."""
    rules = load_rules(kind) if rules is None else rules
    parts = []
    if engine == "duckdb":
        engine_options["threads"] = threads
    with get_engine(engine, **engine_options) as running:
        running.register("records", records)
        running.register("thresholds", thresholds)
        for rule in rules:
            result = running.query(f"SELECT '{rule.code}' AS rule, record_id::BIGINT AS record_id, "
                                  f"figures::VARCHAR AS figures FROM ({rule.sql})")
            parts.append(result.cast(HIT_SCHEMA))
    return pa.concat_tables(parts) if parts else HIT_SCHEMA.empty_table()


def figures_shown(figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of a hit's figures in the active language (unknown keys as written)."""
    out = []
    for key, value in figures.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = gettext("是") if value else gettext("否")
        elif isinstance(value, float) and key == "share":
            value = f"{value:.0%}"
        elif isinstance(value, float):
            value = f"{value:,.2f}"
        out.append((str(FIGURE_LABELS.get(key, key)), str(value)))
    return out


def figures_text(figures: Mapping[str, Any]) -> str:
    return "；".join(f"{label}：{value}" for label, value in figures_shown(figures))


def parse_figures(text: str) -> dict:
    return json.loads(text) if text else {}
