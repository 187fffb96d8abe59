"""考评: gather each unit's inputs from the records, score them with the year's scheme (supervision.scoring),
publish the result (frozen, with the scheme's SHA-256) and print the 绩效考评情况通报 (.docx, 公文 layout).

The inputs per unit (docs/appraisal.md has the full list):
- indicator / spot: the dashboard's stored values of the unit's division (the latest finished refresh on
  or before the reference day: 31 December of the year, or today during the year);
- ledger: the unit's items as 责任单位 whose deadline falls in the year (assigned, not drafts), as of the
  reference day: due, closed on time, closed late, open past the deadline, and those over 30 days late;
- assessment: the headquarters-approved cases of the year's 考核评估 in the unit's villages (per-village
  counts, analytics.survey.estimate.per_village): 错退 among the sampled exited households, approval;
- manual: the county's ManualScore rows (points and note), which also mark the manual vetoes.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_appraise, require

from .. import scoring
from ..models import Agency, Appraisal, Item, Letter, ManualScore
from ..selectors.scores import may_see_live_scores
from ..vocab import ItemState
from .schemes import scheme_for

COUNTY_LENGTH = 6
#: Days past the deadline after which a late item counts in `overdue_30`.
LONG_OVERDUE_DAYS = 30


class AppraisalError(Exception):
    """An appraisal that cannot be computed or published as asked; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Scores:
    """A county's scores for a year as computed now, with what they were computed from."""

    county: OrgUnit
    year: int
    as_of: datetime.date
    scheme: scoring.Scheme
    scheme_sha256: str
    #: "county": the county's own scheme for the year; "default": the shipped one.
    scheme_origin: str
    refresh: IndicatorRefresh | None
    groups: list[scoring.GroupScore]

    def results(self) -> dict:
        """The JSON an Appraisal keeps (and the CLI prints)."""
        groups = []
        for group in self.groups:
            shown = group.as_dict()
            for row in shown["rows"]:
                row["agency"] = row.pop("unit")
            groups.append(shown)
        return {"county": self.county.code, "county_name": self.county.name, "year": self.year,
                "as_of": self.as_of.isoformat(), "scheme_name": self.scheme.name,
                "scheme_origin": self.scheme_origin, "scheme_sha256": self.scheme_sha256,
                "refresh": None if self.refresh is None else
                {"id": self.refresh.pk, "as_of": self.refresh.as_of.isoformat()},
                "groups": groups}


# --- the scheme in force ----------------------------------------------------------------------------------

def reference_day(year: int, today: datetime.date | None = None) -> datetime.date:
    """31 December of `year`, or today while the year runs."""
    today = today or timezone.localdate()
    return min(today, datetime.date(year, 12, 31))


# --- inputs -----------------------------------------------------------------------------------------------

def _refresh(as_of: datetime.date) -> IndicatorRefresh | None:
    return (IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.DONE, as_of__lte=as_of)
            .order_by("-id").first())


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 2)


def _no_items() -> dict:
    """The counts of a unit with no item due: nothing overdue (rates stay None: nothing to measure)."""
    return {"due": 0, "closed_on_time": 0, "closed_late": 0, "open_overdue": 0, "overdue_30": 0}


def _ledger_figures(figures: dict, as_of: datetime.date) -> dict:
    closed = figures["closed_on_time"] + figures["closed_late"]
    return {**figures, "on_time_rate": _percent(figures["closed_on_time"], figures["due"]),
            "closed_rate": _percent(closed, figures["due"]),
            "overdue": figures["closed_late"] + figures["open_overdue"], "as_of": as_of.isoformat()}


def _ledger(county: str, year: int, as_of: datetime.date) -> dict[int, dict]:
    """Per agency id, its ledger figures of the year as of `as_of` (see the module docstring)."""
    out: dict[int, dict] = {}
    rows = (Item.objects.filter(county_id=county, deadline__year=year, agency__isnull=False)
            .exclude(state=ItemState.DRAFT).values_list("agency_id", "deadline", "state", "closed_on"))
    for agency_id, deadline, state, closed_on in rows:
        figures = out.setdefault(agency_id, _no_items())
        closed = state == ItemState.CLOSED and closed_on is not None and closed_on <= as_of
        if not closed and deadline >= as_of:
            continue  # not due yet: neither on time nor late
        figures["due"] += 1
        if closed and closed_on <= deadline:
            figures["closed_on_time"] += 1
            continue
        late_by = ((closed_on if closed else as_of) - deadline).days
        figures["closed_late" if closed else "open_overdue"] += 1
        if late_by > LONG_OVERDUE_DAYS:
            figures["overdue_30"] += 1
    return {agency_id: _ledger_figures(figures, as_of) for agency_id, figures in out.items()}


def _assessment(county: str, year: int, orgs: list[str]) -> dict[str, dict]:
    """Per division code in `orgs`, the approved cases of the county's assessments of the year in its villages."""
    from jingzhun.analytics.survey.estimate import per_village
    from jingzhun.assessment.models import Assessment
    from jingzhun.assessment.services.estimates import surveyed_table

    villages: list[dict] = []
    ids = []
    for assessment in Assessment.objects.filter(county=county, year=year).order_by("id"):
        table = surveyed_table(assessment)
        if table.height:
            ids.append(assessment.pk)
            villages += per_village(table).to_dicts()
    out = {}
    for org in orgs:
        mine = [v for v in villages if v["village"].startswith(org)]
        if not mine:
            continue
        households = sum(v["households"] for v in mine)
        exited = sum(v["exited"] for v in mine)
        wrong = sum(v["wrong_exit"] for v in mine)
        approves = sum(v["approves"] for v in mine)
        out[org] = {"assessments": ids, "villages": len(mine), "households": households, "exited": exited,
                    "wrong_exits": wrong, "approves": approves, "wrong_exit_rate": _percent(wrong, exited),
                    "approval": _percent(approves, households)}
    return out


def _inputs(county: str, year: int, as_of: datetime.date, scheme: scoring.Scheme,
            refresh: IndicatorRefresh | None) -> list[dict]:
    """One dict per active unit of the scheme's kinds: {"unit", "name", "kind", "values", "targets",
    "data", "notes"} keyed by the scheme's codes (scoring.unit_score)."""
    kinds = [g.kind for g in scheme.groups]
    agencies = list(Agency.objects.filter(county_id=county, active=True, kind__in=kinds).order_by("name"))
    orgs = [a.org_id for a in agencies if a.org_id]
    stored = {}
    if refresh is not None and orgs:
        stored = dict(UnitIndicators.objects.filter(refresh=refresh, org__in=orgs).values_list("org", "values"))
    ledger = _ledger(county, year, as_of)
    needs_assessment = any(r.source == "assessment" for g in scheme.groups
                           for r in (*g.items, *g.deductions, *g.vetoes))
    assessed = _assessment(county, year, orgs) if needs_assessment and orgs else {}
    manual: dict[int, dict[str, ManualScore]] = {}
    for row in ManualScore.objects.filter(county_id=county, year=year).select_related("scored_by"):
        manual.setdefault(row.agency_id, {})[row.item] = row
    letters = dict(Letter.objects.filter(county_id=county, year=year).values_list("agency_id", "targets"))
    catalog = indicator_catalog()

    units = []
    for agency in agencies:
        group = scheme.group(agency.kind)
        values, data, notes, targets = {}, {}, {}, {}
        for rule in (*group.items, *group.deductions, *group.vetoes):
            if rule.source in ("indicator", "spot"):
                indicator = catalog.get(rule.indicator)
                values[rule.code] = stored.get(agency.org_id, {}).get(rule.indicator) if agency.org_id else None
                data[rule.code] = {"indicator": rule.indicator, "name": indicator.name if indicator else "",
                                   "unit": indicator.unit if indicator else "",
                                   "refresh_as_of": refresh.as_of.isoformat() if refresh else None}
                if getattr(rule, "target", None) == "letter":
                    target = next((t.get("target") for t in letters.get(agency.pk) or []
                                   if isinstance(t, dict) and t.get("indicator") == rule.indicator), None)
                    targets[rule.code] = target
                    data[rule.code]["letter_target"] = target
            elif rule.source == "ledger":
                figures = ledger.get(agency.pk) or _ledger_figures(_no_items(), as_of)
                values[rule.code] = figures.get(rule.measure)
                data[rule.code] = {"measure": rule.measure, **figures}
            elif rule.source == "assessment":
                figures = assessed.get(agency.org_id, {}) if agency.org_id else {}
                values[rule.code] = figures.get(rule.measure)
                data[rule.code] = {"measure": rule.measure, **figures}
            else:
                score = manual.get(agency.pk, {}).get(rule.code)
                values[rule.code] = score.points if score else None
                if score:
                    notes[rule.code] = score.note
                    data[rule.code] = {"note": score.note, "scored_by": score.scored_by.get_username()}
        units.append({"unit": agency.pk, "name": agency.name, "kind": agency.kind, "values": values,
                      "targets": targets, "data": data, "notes": notes})
    return units


# --- computing and publishing -----------------------------------------------------------------------------

def appraisal_scores(*, county: str, year: int, today: datetime.date | None = None) -> Scores:
    """The county's scores for `year` from the records as they are now (no reach check: the CLI and the
    scoped functions below call it)."""
    unit = OrgUnit.objects.filter(code=county).first()
    if unit is None or len(county) != COUNTY_LENGTH:
        raise AppraisalError(_("“%(code)s”不是县级区划代码：考评按县进行。") % {"code": county})
    if not 2000 <= year <= 2100:
        raise AppraisalError(_("年度应在 2000 到 2100 之间。"))
    current = scheme_for(county, year)
    if current is None:
        raise AppraisalError(_("%(year)d年度没有考评办法，请先在“考评办法”页面上传。") % {"year": year})
    text, origin = current.text, ("default" if current.default else "county")
    try:
        scheme = scoring.scheme_parse(text, indicators=set(indicator_catalog()))
    except scoring.SchemeError as error:
        raise AppraisalError(_("%(year)d年度考评办法有误，请先修改考评办法：%(errors)s")
                             % {"year": year, "errors": "；".join(error.errors)}) from None
    as_of = reference_day(year, today)
    refresh = _refresh(as_of)
    groups = scoring.score(scheme, _inputs(county, year, as_of, scheme, refresh))
    return Scores(county=unit, year=year, as_of=as_of, scheme=scheme,
                  scheme_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), scheme_origin=origin,
                  refresh=refresh, groups=groups)


def appraisal_live(*, user, county: str, year: int) -> Scores:
    """The live scores for a user who may see them (those who read the county whole)."""
    require(may_see_live_scores(user, county), _("实时考评得分只对县级及以上用户开放；请查看已发布的考评结果。"))
    return appraisal_scores(county=county, year=year)


def appraisal_publish(*, acting_user, county: str, year: int) -> Appraisal:
    """发布考评结果: freeze the scores as computed now, with the scheme's SHA-256 and the data behind each
    item, so the ranking and the 通报 read the same figures whatever changes after."""
    access = access_for(acting_user)
    require(may_appraise(access), _("只有县级管理员可以发布本县的考评结果。"))
    if len(county) != COUNTY_LENGTH or not county.isdigit():
        raise AppraisalError(_("“%(code)s”不是县级区划代码：考评按县进行。") % {"code": county})
    require(access.reaches_code(county), _("只有县级管理员可以发布本县的考评结果。"))
    with transaction.atomic():
        # two people publishing the same county at once: the lock on the county row makes the second
        # compute after the first has committed, so each frozen result is a consistent reading
        OrgUnit.objects.select_for_update().get(code=county)
        scores = appraisal_scores(county=county, year=year)
        if not any(group.rows for group in scores.groups):
            raise AppraisalError(_("本县还没有可考评的单位（乡镇或县直部门），无法发布。"))
        return Appraisal.objects.create(county_id=county, year=year, scheme_sha256=scores.scheme_sha256,
                                        results=scores.results(), published_by=acting_user)


# --- the 通报 ----------------------------------------------------------------------------------------------

def appraisal_title(year: int) -> str:
    return _("关于%(year)d年度脱贫攻坚绩效考评情况的通报") % {"year": year}


def _names(rows: list[dict]) -> str:
    return _("、").join(r["name"] for r in rows)


def group_sentences(group: dict) -> list[str]:
    """The first and last places of a group as the papers print them: "甲镇、乙镇、丙镇位列乡镇前三名",
    "戊镇、己镇位列乡镇后两名", "丁镇因错退率超过2%被一票否决"."""
    rows = group["rows"]
    ranked = [r for r in rows if not r["vetoed"]]
    vetoed = [r for r in rows if r["vetoed"]]
    out = []
    top_n = min(3, len(ranked))
    if top_n:
        top = [r for r in ranked if r["rank"] <= top_n]
        words = {1: _("%(names)s位列%(group)s第一名"), 2: _("%(names)s位列%(group)s前两名"),
                 3: _("%(names)s位列%(group)s前三名")}[top_n]
        out.append(words % {"names": _names(top), "group": group["name"]})
        rest = [r for r in ranked if r not in top]
        last = rest[-2:] if len(ranked) > 3 else []
        if len(last) == 1:
            out.append(_("%(names)s位列%(group)s最后一名") % {"names": _names(last), "group": group["name"]})
        elif last:
            out.append(_("%(names)s位列%(group)s后两名") % {"names": _names(last), "group": group["name"]})
    for row in vetoed:
        reasons = "、".join(v["reason"] for v in row["vetoes"])
        out.append(_("%(name)s因%(reason)s被一票否决") % {"name": row["name"], "reason": reasons})
    return out


def appraisal_paragraphs(results: dict) -> list[str]:
    """The 通报's paragraphs from published (or live) results."""
    year = results["year"]
    scheme = results.get("scheme_name") or _("考评办法")
    paragraphs = [_("各乡镇人民政府，县直各有关单位："),
                  _("根据《%(scheme)s》，县脱贫攻坚领导小组对各乡镇和县直有关单位%(year)d年度脱贫攻坚工作进行了"
                    "绩效考评。现将考评情况通报如下。") % {"scheme": scheme, "year": year}]
    numbers = (_("一"), _("二"), _("三"), _("四"))  # one heading per kind of unit: four at most
    for index, group in enumerate(g for g in results["groups"] if g["rows"]):
        sentences = group_sentences(group)
        heading = _("%(n)s、%(group)s考评情况。") % {"n": numbers[index % 4], "group": group["name"]}
        paragraphs.append(heading + _("参加考评的%(group)s共%(count)d个。") % {"group": group["name"],
                                                                           "count": len(group["rows"])}
                          + ("；".join(sentences) + "。" if sentences else ""))
    paragraphs.append(_("希望排名靠前的单位再接再厉；排名靠后和被一票否决的单位要认真查找差距，逐项制定整改措施，"
                        "限期整改到位。"))
    paragraphs.append(_("附件：%(year)d年度绩效考评得分排名表") % {"year": year})
    return paragraphs


def appraisal_docx(*, results: dict, path: Path) -> None:
    """The 绩效考评情况通报 in the 公文 layout (indicators.gongwen), with a ranking table per group."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from jingzhun.indicators.gongwen import gongwen_docx

    gongwen_docx(title=appraisal_title(results["year"]), paragraphs=appraisal_paragraphs(results), path=path)
    document = Document(str(path))
    columns = [_("名次"), _("单位"), _("得分"), _("扣分"), _("总分"), _("备注")]
    for group in results["groups"]:
        if not group["rows"]:
            continue
        heading = document.add_paragraph(_("%(group)s考评得分排名表") % {"group": group["name"]})
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        table = document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, columns):
            cell.text = text
        for row in group["rows"]:
            note = "；".join(_("一票否决：%(reason)s") % {"reason": v["reason"]} for v in row["vetoes"])
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(row["rank"]), row["name"], _points(row["subtotal"]),
                                          _points(row["deducted"]), _points(row["total"]), note)):
                cell.text = text
        for row in table.rows:  # the table in 四号 (14 pt), single spacing: the 22-line grid is for prose
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.line_spacing = 1.0
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    for run in paragraph.runs:
                        run.font.size = Pt(14)
    document.save(str(path))


def _points(text: str) -> str:
    """"38.50" as printed; "38.00" → "38"."""
    number = Decimal(text)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number)
