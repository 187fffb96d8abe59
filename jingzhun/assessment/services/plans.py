"""Plan writes: an assessment's design, its one draw (frame snapshot, strata, villages, cases), its staff
and its two-person teams (三随机三回避).

The frame comes from the registry snapshot through the analytics engine (DuckDB over Arrow): villages of
the county with their stratum and size (registry households), households per frame, and the purposive
screen of high-risk people outside the registry that departments flagged. It is kept as one Parquet file
with its SHA-256; `sample_redraw(frame, design=, seed=)` is the pure function that turns it into the
sample, so the draw and anyone redrawing from the file (`jingzhun assess plan --frame FILE`) get the same.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import secrets
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jingzhun.analytics import get_engine, registry_snapshot
from jingzhun.analytics.survey.sampling import draw, margin_for, sample_size
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_plan_assessment, reach_code, require
from jingzhun.orgunits.roles import Role
from jingzhun.registry.models import Household

from ..models import Assessment, Case, SampledVillage, Staff, Stratum, Team
from ..selectors import assessment_get

#: The probability frames of households, in the order the plan shows them.
FRAMES = ("exited", "not_exited", "monitored")
STRATA_BASES = ("poor_village", "township")
#: Stratum codes of the poor_village basis and their names.
POOR, NON_POOR = "poor", "non_poor"
#: What the purposive screen looks for, by where it is found (department files loaded into the platform).
SCREEN_SOURCES = {"低保": "低保", "特困": "特困", "危房": "危房", "大病": "大病慢性病", "残疾": "残疾（无劳力）"}
#: Random streams derived from the one seed: the village and household stages use 0 and 1 (sampling.py).
_SCREEN_STREAM, _TEAM_STREAM = 2, 3
DEFAULT_DESIGN = {
    "strata": "poor_village", "villages_per_stratum": 5,
    "per_village": {"exited": 10, "not_exited": 3, "monitored": 5},
    "screen": True, "screen_per_village": 0, "margin": 0.03, "expected_rate": 0.03, "deff": 2.0,
}
SEED_MAX = 2**31 - 1


class PlanError(Exception):
    """A plan that cannot be made or changed as asked; `message` (Chinese) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the design --------------------------------------------------------------------------------------------


def _int(value, name: str, lo: int, hi: int, problems: list[str]) -> int:
    try:
        number = int(value)
        if isinstance(value, float) and value != number or isinstance(value, bool):
            raise ValueError
    except (TypeError, ValueError):
        problems.append(_("“%(name)s”应为整数。") % {"name": name})
        return lo
    if not lo <= number <= hi:
        problems.append(_("“%(name)s”应在 %(lo)d 到 %(hi)d 之间。") % {"name": name, "lo": lo, "hi": hi})
    return number


def _float(value, name: str, lo: float, hi: float, problems: list[str], *, closed: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(_("“%(name)s”应为数字。") % {"name": name})
        return hi
    inside = lo <= number <= hi if closed else lo < number < hi
    if not inside or number != number:
        problems.append(_("“%(name)s”应在 %(lo)s 到 %(hi)s 之间。") % {"name": name, "lo": lo, "hi": hi})
    return number


def design_clean(design: dict) -> dict:
    """The design checked and completed with the defaults; PlanError (Chinese, every problem) if wrong.

    Keys: strata ("poor_village": 贫困村/非贫困村 from the 村表; "township": one stratum per township),
    villages_per_stratum (a number, or {stratum code: number}), per_village ({frame: households per
    sampled village}), screen (the purposive screen on or off), screen_per_village (0 = everyone the
    screen finds in a sampled village), margin (target ± at 95%), expected_rate and deff.
    """
    if not isinstance(design, dict):
        raise PlanError(_("抽样设计格式不对。"))
    unknown = sorted(set(design) - set(DEFAULT_DESIGN))
    problems: list[str] = []
    if unknown:
        problems.append(_("抽样设计中有不认识的项：%(keys)s。") % {"keys": _("、").join(unknown)})
    merged = {**DEFAULT_DESIGN, **design}
    out: dict = {}
    if merged["strata"] not in STRATA_BASES:
        problems.append(_("分层依据应为“贫困村/非贫困村”（poor_village）或“乡镇”（township）。"))
    out["strata"] = merged["strata"]
    per_stratum = merged["villages_per_stratum"]
    if isinstance(per_stratum, dict):
        out["villages_per_stratum"] = {str(k): _int(v, _("各层抽取村数"), 0, 500, problems)
                                       for k, v in per_stratum.items()}
        if per_stratum and not any(out["villages_per_stratum"].values()):
            problems.append(_("各层抽取村数不能都为 0。"))
    else:
        out["villages_per_stratum"] = _int(per_stratum, _("每层抽取村数"), 1, 500, problems)
    per_village = merged["per_village"]
    if not isinstance(per_village, dict):
        problems.append(_("每村抽取户数格式不对。"))
        per_village = {}
    wrong = sorted(set(per_village) - set(FRAMES))
    if wrong:
        problems.append(_("每村抽取户数中有不认识的抽样框：%(keys)s（应为 exited、not_exited、monitored）。")
                        % {"keys": _("、").join(map(str, wrong))})
    names = {"exited": _("已脱贫户"), "not_exited": _("未脱贫户"), "monitored": _("监测对象")}
    out["per_village"] = {f: _int(per_village.get(f, 0), _("每村抽取%(frame)s户数") % {"frame": names[f]}, 0, 500,
                                  problems) for f in FRAMES}
    if not any(out["per_village"].values()):
        problems.append(_("每村至少要从一个抽样框抽取农户。"))
    if not isinstance(merged["screen"], bool):
        problems.append(_("“高风险未建档户筛查”应为是或否。"))
    out["screen"] = bool(merged["screen"])
    out["screen_per_village"] = _int(merged["screen_per_village"], _("每村筛查户数上限"), 0, 500, problems)
    out["margin"] = _float(merged["margin"], _("目标误差"), 0, 0.5, problems)
    out["expected_rate"] = _float(merged["expected_rate"], _("预期比率"), 0, 1, problems)
    out["deff"] = _float(merged["deff"], _("设计效应"), 1, 20, problems, closed=True)
    if problems:
        raise PlanError(problems[0] if len(problems) == 1
                        else _("；").join(p.rstrip("。.") for p in problems) + _("。"))
    return out


def per_stratum_of(design: dict, strata: list[str]) -> dict[str, int]:
    """Villages to draw in each stratum of the frame."""
    wanted = design["villages_per_stratum"]
    if isinstance(wanted, dict):
        return {s: int(wanted.get(s, 0)) for s in strata}
    return {s: int(wanted) for s in strata}


@dataclass(frozen=True)
class PrecisionRow:
    frame: str
    label: str
    planned: int
    margin: float
    needed: int


def precision(design: dict, planned: dict[str, int]) -> list[PrecisionRow]:
    """For each probability frame: the households planned (or drawn), the ± margin they buy at the expected
    rate and design effect, and the households the target margin asks for."""
    p, deff = design["expected_rate"], design["deff"]
    needed = sample_size(p=p, margin=design["margin"], deff=deff)
    labels = dict(Case.Frame.choices)
    rows = [PrecisionRow(f, str(labels[f]), int(planned.get(f, 0)), margin_for(n=int(planned.get(f, 0)), p=p, deff=deff),
                         needed) for f in FRAMES if design["per_village"].get(f) or planned.get(f)]
    return rows


# --- creating a plan ----------------------------------------------------------------------------------------


def assessment_create(*, county: str, year: int, kind: str, title: str, design: dict, seed: int | None,
                      acting_user) -> Assessment:
    """一次考核评估的方案: a county in reach, its design checked, its seed (random if None) recorded."""
    require(may_plan_assessment(acting_user), _("只有县级管理员和系统管理员可以制定考核评估方案。"))
    county = (county or "").strip()
    if not OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
        raise PlanError(_("没有区划代码为“%(code)s”的县。") % {"code": county})
    reach_code(acting_user, county)
    if kind not in Assessment.Kind.values:
        raise PlanError(_("评估类型应为贫困县退出评估或巩固成果后评估。"))
    if not isinstance(year, int) or not 2014 <= year <= 2100:
        raise PlanError(_("评估年度应在 2014 到 2100 之间。"))
    cleaned = design_clean(design)
    if seed is None:
        seed = secrets.randbelow(SEED_MAX) + 1
    if not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise PlanError(_("随机种子应为 0 到 %(max)d 之间的整数。") % {"max": SEED_MAX})
    title = (title or "").strip()[:200] or _("%(county)s%(year)d年%(kind)s") % {
        "county": OrgUnit.objects.get(code=county).name, "year": year, "kind": Assessment.Kind(kind).label}
    assessment = Assessment(county=county, year=year, kind=kind, title=title, design=cleaned, seed=seed,
                            created_by=acting_user)
    assessment._change_reason = _("制定评估方案")
    assessment.save()
    return assessment


# --- the frame ----------------------------------------------------------------------------------------------

#: The one Parquet table of a frame: a row per village ("village"), per registry household ("household")
#: and per screened person ("screen"); columns a row type does not use are null.
FRAME_SCHEMA = pa.schema([
    ("row", pa.string()), ("stratum", pa.string()), ("stratum_name", pa.string()), ("village", pa.string()),
    ("size", pa.int64()), ("frame", pa.string()), ("household", pa.string()), ("screen_key", pa.string()),
    ("head_name", pa.string()), ("address", pa.string()), ("source", pa.string()),
])

_VILLAGES_SQL = """
SELECT u.village, u.township, u.township_name,
       coalesce(p.is_poor_village, false) AS poor,
       (SELECT count(*) FROM households h WHERE h.village_id = u.village AND coalesce(h.status, '') <> '清退') AS size
FROM units u LEFT JOIN villages p ON p.village_id = u.village
ORDER BY u.village
"""

# 监测对象 first: a 脱贫户 under monitoring is in the monitored frame only, so the frames do not overlap.
_HOUSEHOLDS_SQL = """
SELECT village_id AS village, code AS household,
       CASE WHEN coalesce(category, '') = '监测户' AND NOT coalesce(risk_eliminated, false) THEN 'monitored'
            WHEN status = '已脱贫' THEN 'exited'
            WHEN status IN ('未脱贫', '返贫') THEN 'not_exited' END AS frame
FROM households
WHERE village_id IN (SELECT village FROM units)
"""

_SCREEN_SQL = """
SELECT s.village, s.screen_key, any_value(s.head_name ORDER BY s.source) AS head_name,
       any_value(s.address ORDER BY s.source) AS address, string_agg(DISTINCT s.source, '、' ORDER BY s.source) AS source
FROM screen s
WHERE s.village IN (SELECT village FROM units)
  AND (s.id_number = '' OR s.id_number NOT IN (SELECT id_number FROM members WHERE id_number IS NOT NULL))
GROUP BY s.village, s.screen_key
"""


def _screen_candidates(county: str) -> pa.Table:
    """People of the county that department files flag as high-risk and that no registry household was
    matched to: 低保/特困 (民政救助, 低保特困 comparison data), 危房 (C/D 级鉴定), 大病 (医保费用 that raised an
    alert), 残疾 (新增残疾). Read from the loaded files' records (a county's few thousand rows)."""
    from jingzhun.alerts.models import AlertHit, AlertRecord
    from jingzhun.compare.models import ExternalRecord, Match

    rows: list[dict] = []

    def add(record, source: str) -> None:
        if len(record["village"] or "") != 12:
            return  # a person with no village cannot be visited
        key = record["id_number"] or f"{record['name']}|{record['village']}"
        rows.append({"village": record["village"], "id_number": record["id_number"] or "",
                     "screen_key": hashlib.sha256(key.encode()).hexdigest()[:16], "head_name": record["name"],
                     "address": record["address"] or "", "source": SCREEN_SOURCES[source]})

    fields = ("name", "id_number", "village", "address", "extra", "batch__kind", "pk")
    alerts = AlertRecord.objects.filter(village__startswith=county, household="",
                                        batch__kind__in=("civil", "housing", "medical", "disability"))
    hit_records = set(AlertHit.objects.filter(record__in=alerts.filter(batch__kind="medical"))
                      .values_list("record_id", flat=True))
    for record in alerts.values(*fields):
        kind, extra = record["batch__kind"], record["extra"] or {}
        if kind == "civil" and extra.get("assistance") in ("低保", "特困"):
            add(record, extra["assistance"])
        elif kind == "housing" and extra.get("grade") in ("C级", "D级"):
            add(record, "危房")
        elif kind == "medical" and record["pk"] in hit_records:
            add(record, "大病")
        elif kind == "disability":
            add(record, "残疾")
    matched = Match.objects.filter(status__in=(Match.Status.AUTO, Match.Status.ACCEPTED)).values("record_id")
    external = ExternalRecord.objects.filter(village__startswith=county, batch__kind="assistance").exclude(pk__in=matched)
    for record in external.values("name", "id_number", "village", "address", "extra"):
        category = (record["extra"] or {}).get("category")
        if category in ("低保", "特困"):
            add(record, category)
    names = ("village", "id_number", "screen_key", "head_name", "address", "source")
    return pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})


def frame_read(county: str, design: dict) -> pa.Table:
    """The frame of a county now (see FRAME_SCHEMA), from the registry snapshot in DuckDB."""
    units = list(OrgUnit.objects.filter(code__startswith=county, level=Level.VILLAGE)
                 .values_list("code", "parent_id").order_by("code"))
    townships = dict(OrgUnit.objects.filter(code__startswith=county, level=Level.TOWNSHIP).values_list("code", "name"))
    unit_table = pa.table({"village": pa.array([u[0] for u in units], pa.string()),
                           "township": pa.array([u[1] or u[0][:9] for u in units], pa.string()),
                           "township_name": pa.array([townships.get(u[1] or u[0][:9], u[0][:9]) for u in units],
                                                     pa.string())})
    snapshot = registry_snapshot(county)
    with get_engine() as engine:
        for name in ("households", "members", "villages"):
            engine.register(name, snapshot.tables[name])
        engine.register("units", unit_table)
        villages = pl.from_arrow(engine.query(_VILLAGES_SQL))
        households = pl.from_arrow(engine.query(_HOUSEHOLDS_SQL)).filter(pl.col("frame").is_not_null())
        screen = None
        if design["screen"]:
            engine.register("screen", _screen_candidates(county))
            screen = pl.from_arrow(engine.query(_SCREEN_SQL))
    if design["strata"] == "township":
        villages = villages.with_columns(stratum=pl.col("township"), stratum_name=pl.col("township_name"))
    else:
        villages = villages.with_columns(
            stratum=pl.when(pl.col("poor")).then(pl.lit(POOR)).otherwise(pl.lit(NON_POOR)),
            stratum_name=pl.when(pl.col("poor")).then(pl.lit("贫困村")).otherwise(pl.lit("非贫困村")))
    parts = [villages.select(row=pl.lit("village"), stratum="stratum", stratum_name="stratum_name", village="village",
                             size=pl.col("size").cast(pl.Int64)),
             households.select(row=pl.lit("household"), village="village", frame="frame", household="household")]
    if screen is not None and screen.height:
        parts.append(screen.select(row=pl.lit("screen"), village="village", frame=pl.lit("screen"),
                                   screen_key="screen_key", head_name="head_name", address="address", source="source"))
    frame = pl.concat(parts, how="diagonal_relaxed")
    return _conform_frame(frame.to_arrow())


def _conform_frame(table: pa.Table) -> pa.Table:
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
               for f in FRAME_SCHEMA]
    return pa.table(columns, schema=FRAME_SCHEMA)


def frame_bytes(frame: pa.Table, *, county: str, as_of: datetime.date, design: dict | None = None) -> bytes:
    """The frame as Parquet: rows sorted (so the same frame always gives the same file), with the county,
    the date and the design it was drawn with in the file's metadata (the seed is given apart)."""
    ordered = pl.from_arrow(frame).sort(["row", "village", "frame", "household", "screen_key"], nulls_last=True)
    table = _conform_frame(ordered.to_arrow()).replace_schema_metadata(
        {"jingzhun": json.dumps({"county": county, "as_of": as_of.isoformat(), "format": 1, "design": design},
                                ensure_ascii=False)})
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


# --- the sample from a frame (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """What a design and a seed draw from a frame."""

    strata: pl.DataFrame  # stratum, stratum_name, villages_in_frame, villages_drawn
    villages: pl.DataFrame  # stratum, village, size, probability, order
    households: pl.DataFrame  # stratum, village, frame, household, probability, weight, order
    screen: pl.DataFrame  # village, screen_key, head_name, address, source, order

    def counts(self) -> dict[str, int]:
        counts = {f: 0 for f in FRAMES}
        counts.update(dict(self.households.group_by("frame").len().iter_rows()))
        counts["screen"] = self.screen.height
        return counts


def _screen_draw(screen: pl.DataFrame, villages: pl.Series, cap: int, seed: int) -> pl.DataFrame:
    """The screened people of the sampled villages: all of them, or at most `cap` per village at random."""
    chosen = screen.filter(pl.col("village").is_in(villages.implode())).sort(["village", "screen_key"])
    if cap <= 0 or chosen.height == 0:
        return chosen
    rng = np.random.default_rng([int(seed), _SCREEN_STREAM])
    kept = []
    for _village, group in chosen.group_by("village", maintain_order=True):
        n = min(cap, group.height)
        kept.append(group[np.sort(rng.choice(group.height, size=n, replace=False))])
    return pl.concat(kept)


def sample_redraw(frame: bytes | pa.Table, *, design: dict, seed: int) -> Sample:
    """The sample a design and seed draw from a frame (its Parquet bytes or table): the same every time."""
    design = design_clean(design)
    table = pq.read_table(io.BytesIO(frame)) if isinstance(frame, bytes | bytearray) else frame
    rows = pl.from_arrow(_conform_frame(table))
    villages = rows.filter(pl.col("row") == "village")
    households = rows.filter(pl.col("row") == "household")
    screen = rows.filter(pl.col("row") == "screen")
    strata = (villages.filter(pl.col("size") > 0).group_by("stratum")
              .agg(pl.col("stratum_name").first(), pl.len().alias("villages_in_frame")).sort("stratum"))
    per_stratum = per_stratum_of(design, strata["stratum"].to_list())
    wanted = {f: n for f, n in design["per_village"].items() if n > 0}
    sampled, within = draw(villages.select("stratum", "village", "size").to_arrow(),
                           households.select("village", "frame", "household").to_arrow(),
                           per_stratum=per_stratum, per_frame=wanted, seed=seed)
    sampled_df = pl.from_arrow(sampled)
    drawn = dict(sampled_df.group_by("stratum").len().iter_rows())
    strata = strata.with_columns(villages_drawn=pl.col("stratum").replace_strict(drawn, default=0,
                                                                                   return_dtype=pl.Int64))
    within_df = pl.from_arrow(within)
    picked = screen.select("village", "screen_key", "head_name", "address", "source")
    picked = _screen_draw(picked, sampled_df["village"], design["screen_per_village"], seed) if design["screen"] \
        else picked.clear()
    picked = picked.with_columns(order=pl.int_range(within_df.height + 1, within_df.height + picked.height + 1,
                                                    dtype=pl.Int64))
    return Sample(strata=strata, villages=sampled_df, households=within_df, screen=picked)


def frame_metadata(content: bytes) -> dict:
    """What a frame file says about itself: county, as_of, design (empty for a file that is not ours)."""
    try:
        meta = pq.read_schema(io.BytesIO(content)).metadata or {}
        return json.loads(meta.get(b"jingzhun", b"{}"))
    except (pa.ArrowInvalid, ValueError):
        return {}


# --- the draw ------------------------------------------------------------------------------------------------


def assessment_draw(*, assessment_id: int, acting_user) -> Assessment:
    """抽样: read the frame, keep it (Parquet + SHA-256), draw the sample and store its strata, villages and
    cases; the assessment goes to 调查中. Done once: a second draw is refused."""
    require(may_plan_assessment(acting_user), _("只有县级管理员和系统管理员可以抽样。"))
    assessment = assessment_get(acting_user, assessment_id)
    reach_code(acting_user, assessment.county)
    if assessment.drawn_at is not None:
        raise PlanError(_("该评估已于 %(at)s 抽样，样本不再重抽。") % {
            "at": timezone.localtime(assessment.drawn_at).strftime("%Y-%m-%d %H:%M")})
    design = design_clean(assessment.design)
    as_of = timezone.localdate()
    # Read before the write transaction: the snapshot reads what is committed, on its own connection.
    content = frame_bytes(frame_read(assessment.county, design), county=assessment.county, as_of=as_of,
                          design=design)
    sample = sample_redraw(content, design=design, seed=assessment.seed)
    if sample.villages.height == 0:
        raise PlanError(_("该县登记数据中没有可抽取的村（没有农户的村不能入样），不能抽样。"))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # two planners pressing 抽样 at once: the row lock makes the second see drawn_at and stop
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.drawn_at is not None:
            raise PlanError(_("该评估已抽样，样本不再重抽。"))
        strata = {}
        for row in sample.strata.iter_rows(named=True):
            strata[row["stratum"]] = Stratum.objects.create(
                assessment=locked, code=row["stratum"], name=(row["stratum_name"] or row["stratum"])[:64],
                villages_in_frame=row["villages_in_frame"], villages_drawn=row["villages_drawn"])
        SampledVillage.objects.bulk_create(
            SampledVillage(assessment=locked, stratum=strata[v["stratum"]], village=v["village"], size=v["size"],
                           probability=v["probability"], order=v["order"])
            for v in sample.villages.iter_rows(named=True))
        codes = sample.households["household"].to_list()
        heads = dict(Household.objects.filter(code__in=codes).values_list("code", "head_name"))
        cases = [Case(assessment=locked, village=h["village"], frame=h["frame"], household_id=h["household"],
                      head_name=heads.get(h["household"], ""), weight=h["weight"], probability=h["probability"],
                      order=h["order"]) for h in sample.households.iter_rows(named=True)]
        cases += [Case(assessment=locked, village=s["village"], frame=Case.Frame.SCREEN, household=None,
                       head_name=(s["head_name"] or "")[:64], address=(s["address"] or "")[:200],
                       screen_source=(s["source"] or "")[:128], weight=None, probability=None, order=s["order"])
                  for s in sample.screen.iter_rows(named=True)]
        bulk_create_with_history(cases, Case, batch_size=500, default_user=acting_user,
                                 default_change_reason=_("抽样"))
        locked.frame.save(f"{locked.pk}-{digest[:16]}.parquet", ContentFile(content), save=False)
        locked.frame_sha256, locked.frame_as_of = digest, as_of
        locked.drawn_at, locked.drawn_by = timezone.now(), acting_user
        locked.state = Assessment.State.FIELDWORK
        locked._change_reason = _("抽样")
        locked.save()
    return locked


# --- staff and teams (三随机三回避) -------------------------------------------------------------------------------


def staff_add(*, assessment_id: int, user, duty: str, home_county: str, acting_user) -> Staff:
    """评估人员: an evaluator given a duty in the assessment. 三回避: an enumerator never surveys their own
    county, so one whose home county is the assessed county is refused."""
    require(may_plan_assessment(acting_user), _("只有县级管理员和系统管理员可以安排评估人员。"))
    assessment = assessment_get(acting_user, assessment_id)
    reach_code(acting_user, assessment.county)
    if duty not in Staff.Duty.values:
        raise PlanError(_("职责应为调查员、督导员或评估组。"))
    if user is None or not user.is_active or access_for(user).role != Role.EVALUATOR or user.is_superuser:
        raise PlanError(_("评估人员须为启用的第三方评估人员账号。"))
    home_county = (home_county or "").strip()
    if home_county and not (len(home_county) == 6 and home_county.isdigit()):
        raise PlanError(_("来源县应为 6 位县级区划代码。"))
    if duty == Staff.Duty.ENUMERATOR:
        if not home_county:
            raise PlanError(_("调查员须填写来源县，以执行回避。"))
        if home_county == assessment.county:
            raise PlanError(_("三回避：调查员%(name)s来自被评估县，不能参加本县评估。") % {
                "name": user.get_full_name() or user.get_username()})
    if assessment.state == Assessment.State.CLOSED:
        raise PlanError(_("该评估已结束，不能再安排人员。"))
    with transaction.atomic():
        if Staff.objects.filter(assessment=assessment, user=user).exists():
            raise PlanError(_("%(name)s已是本次评估的人员。") % {"name": user.get_full_name() or user.get_username()})
        return Staff.objects.create(assessment=assessment, user=user, duty=duty, home_county=home_county)


def teams_assign(*, assessment_id: int, acting_user) -> list[Team]:
    """三随机: the enumerators paired at random into two-person teams (an odd one joins the last team as a
    third), the sampled villages given to the teams at random, each case taking its village's team.

    Seeded from the assessment's seed (its own stream), so the same staff and sample give the same teams.
    Refused once fieldwork has begun on any case; before that, assigning again replaces the teams.
    """
    require(may_plan_assessment(acting_user), _("只有县级管理员和系统管理员可以分配调查组。"))
    assessment = assessment_get(acting_user, assessment_id)
    reach_code(acting_user, assessment.county)
    if assessment.drawn_at is None:
        raise PlanError(_("请先抽样，再分配调查组。"))
    with transaction.atomic():
        # a second planner assigning at the same time waits here and then replaces the first's teams
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if Case.objects.filter(assessment=locked).exclude(state=Case.State.ASSIGNED).exists() or \
                Case.objects.filter(assessment=locked, events__isnull=False).exists():
            raise PlanError(_("已有样本户开始调查，不能重新分配调查组。"))
        enumerators = list(Staff.objects.filter(assessment=locked, duty=Staff.Duty.ENUMERATOR)
                           .select_related("user").order_by("user__username"))
        if len(enumerators) < 2:
            raise PlanError(_("至少需要 2 名调查员才能组成调查组。"))
        local = [s for s in enumerators if s.home_county == locked.county]
        if local:
            raise PlanError(_("三回避：%(names)s来自被评估县，不能参加本县评估。") % {
                "names": _("、").join(s.user.get_full_name() or s.user.get_username() for s in local)})
        rng = np.random.default_rng([int(locked.seed), _TEAM_STREAM])
        shuffled = [enumerators[i] for i in rng.permutation(len(enumerators))]
        count = len(shuffled) // 2
        Staff.objects.filter(assessment=locked).update(team=None)
        Case.objects.filter(assessment=locked).update(team=None)
        Team.objects.filter(assessment=locked).delete()
        teams = [Team.objects.create(assessment=locked, name=_("第%(n)d组") % {"n": i + 1}) for i in range(count)]
        for i, staff in enumerate(shuffled):
            staff.team = teams[min(i // 2, count - 1)]
        Staff.objects.bulk_update(shuffled, ["team"])
        villages = list(SampledVillage.objects.filter(assessment=locked).order_by("order")
                        .values_list("village", flat=True))
        team_of = {villages[j]: teams[k % count] for k, j in enumerate(rng.permutation(len(villages)))}
        cases = list(Case.objects.filter(assessment=locked))
        for case in cases:
            case.team = team_of.get(case.village)
        bulk_update_with_history(cases, Case, ["team"], batch_size=500, default_user=acting_user,
                                 default_change_reason=_("分配调查组"))
    return teams
