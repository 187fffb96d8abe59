"""The demo county: 绛县 (140826) as it stands today, one user per role, and a few things to do.

`jingzhun demo` builds the county as a county office has it on the reference day (today): ages, schooling
and years fit that day, incomes are those of the last full year, every household is 已脱贫 (or 清退), and
the checks find nothing — but for the cases planted below in the demo village clerk's village, 下高池村,
each one a mistake or a situation a clerk meets and fixes. `demo_work.py` then opens the procedures,
a 公示 and an objection that wait for each role.

The planted cases (`plant_problems`; each in its own 已脱贫 household of 下高池村, found by the rules named):

- dropout (Q08, Q29): a child of 7–15 at school is recorded 非在校生. The clerk visits: a child in school
  gets the grade back; a child really out of school is reported to the township to be brought back.
- id_check (Q03): a member's ID number has a mistyped last character. Corrected from the 户口簿.
- uninsured (Q11, Q30): a member (a daughter-in-law where there is one) is recorded without 城乡居民基本
  医疗保险: insured elsewhere, or to be enrolled.
- per_capita (Q23): the declared 年人均纯收入 was computed with one member too many (not updated when
  someone left). Recomputed by the formula.
- migrant_months (Q13): a migrant worker's 务工时间 is blank. The months are asked and filled in.
- phone (Q35): the household's phone number lacks a digit. Asked and corrected.
- overage_grade (Q09, claimed 情况属实): a 19-year-old is in 九年级 — true: two years off school for
  illness. The clerk has claimed the exception with the school's certificate; the township reviews it.

A clean demo therefore holds exactly these problems (`PLANTED_RULES`), all in 下高池村, and the bulletin
counts the one planted dropout.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from jingzhun.accounts.models import Role, User
from jingzhun.accounts.services import user_create
from jingzhun.exchange.importer import import_sheets, sheets_from_tables
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry import vocab
from jingzhun.registry.idnumbers import check_characters
from jingzhun.registry.models import AssistanceCadre, Household
from jingzhun.registry.services import UpsertSummary

from .generator import generate, years_before
from .headers import HOUSEHOLD_SHEET, MEMBER_SHEET

DEMO_COUNTY = "140826"  # 绛县, 运城市
DEMO_TOWNSHIP = "140826100"  # 古绛镇
DEMO_VILLAGE = "140826100233"  # 下高池村 (seeds 001/004)
#: (username, role, org code or None) — the township and village are those of seed 001/004's 下高池村.
DEMO_USERS = (
    ("admin", Role.SYSADMIN, None),
    ("county", Role.COUNTY_ADMIN, DEMO_COUNTY),
    ("township", Role.TOWNSHIP_OFFICER, DEMO_TOWNSHIP),
    ("village", Role.VILLAGE_CLERK, DEMO_VILLAGE),
    ("analyst", Role.ANALYST, "1408"),
    ("evaluator", Role.EVALUATOR, DEMO_COUNTY),
    # the rest of the demo assessment's staff (demo_assessment gives them their duties; none is from 绛县)
    ("evaluator2", Role.EVALUATOR, DEMO_COUNTY),
    ("evaluator3", Role.EVALUATOR, DEMO_COUNTY),
    ("evaluator4", Role.EVALUATOR, DEMO_COUNTY),
    ("supervisor", Role.EVALUATOR, DEMO_COUNTY),
    ("hq", Role.EVALUATOR, DEMO_COUNTY),
    ("cadre", Role.CADRE, DEMO_COUNTY),
    # a member of 下高池村's 驻村工作队 (demo_assistance makes them its 第一书记)
    ("workteam", Role.WORK_TEAM, DEMO_VILLAGE),
    # staff of 县乡村振兴局, a 县直部门 (demo_ledger makes them its 经办人员): its ledger items wait for them
    ("department", Role.DEPARTMENT, DEMO_COUNTY),
)

#: The rules each planted case makes fire (one problem per rule), in the order planted.
PLANTED_RULES: dict[str, tuple[str, ...]] = {
    "dropout": ("Q08", "Q29"),
    "id_check": ("Q03",),
    "uninsured": ("Q11", "Q30"),
    "per_capita": ("Q23",),
    "migrant_months": ("Q13",),
    "phone": ("Q35",),
    "overage_grade": ("Q09",),
}
#: The planted case whose problem the village clerk has claimed 情况属实 (demo_work.py).
EXCEPTION_CASE = "overage_grade"
EXCEPTION_REASON = "该生 2022 年因病休学两年，2024 年复学，现就读九年级，有学校出具的在读证明。"


@dataclass(frozen=True)
class Planted:
    """One planted case: which household (and member, by the ID number as planted) and the rules it trips."""

    case: str
    household: str
    person: str
    rules: tuple[str, ...]


def demo_as_of(as_of: datetime.date | None = None) -> tuple[datetime.date, int]:
    """The reference day (today unless given) and the income year: the last full year before it."""
    day = as_of or timezone.localdate()
    return day, day.year - 1


def demo_registry_load(*, county: str = DEMO_COUNTY, households: int = 3000, seed: int = 2020,
                       as_of: datetime.date | None = None) -> tuple[UpsertSummary, list[Planted]] | None:
    """Generate the demo county as it stands on `as_of` (today), plant the cases, and import it like a
    county file — unless the county already has households (then None)."""
    if Household.objects.filter(code__startswith=county).exists():
        return None
    day, year = demo_as_of(as_of)
    registry = generate(county=county, households=households, seed=seed, year=year, as_of=day)
    tables, planted = plant_problems(registry.tables, as_of=day)
    report = import_sheets(sheets=sheets_from_tables(tables, "演示数据"), via="jingzhun demo")
    if not report.ok:  # the generator writes well-formed files; this would be a bug worth a loud stop
        raise RuntimeError(f"demo data failed its own import check: {report.issues[:3]}")
    return report.summary, planted


def demo_data_year(county: str = DEMO_COUNTY) -> int | None:
    """The latest 收入年度 of the county's households (None: no households): an older demo database shows
    a county of that year, whatever day it is."""
    return Household.objects.filter(code__startswith=county).aggregate(year=Max("income_year"))["year"]


# --- the planted cases ------------------------------------------------------------------------------

_PRESENT = ("", vocab.MemberStatus.NORMAL)
_AT_SCHOOL = set(vocab.Schooling.values) - {vocab.Schooling.NOT_IN_SCHOOL, vocab.Schooling.PRESCHOOL, ""}
_INCOMES = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")


def _birth(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def age_on(id_number: str, day: datetime.date) -> int:
    """Full years of age on `day` from a valid ID number."""
    born = _birth(id_number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def id_number_of(region: str, born: datetime.date, sequence: int) -> str:
    """A valid 18-character ID number: region, birth date, 3-digit sequence (odd for men), check character."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + chr(check_characters(np.frombuffer(body.encode(), dtype=np.uint8)[None, :])[0])


def plant_problems(tables: dict[str, pa.Table], *, as_of: datetime.date,
                   village: str = DEMO_VILLAGE) -> tuple[dict[str, pa.Table], list[Planted]]:
    """The tables with the cases of PLANTED_RULES planted in `village` (each in its own 已脱贫 household,
    the first one in 户编号 order that fits), and the cases planted. A case that finds no household to fit
    (a small demo) is left out."""
    households = tables[HOUSEHOLD_SHEET].to_pylist()
    members = tables[MEMBER_SHEET].to_pylist()
    by_household: dict[str, list[dict]] = {}
    for m in members:
        by_household.setdefault(m["户编号"], []).append(m)
    ids = {m["身份证号"] for m in members}
    candidates = sorted((h for h in households if h["村代码"] == village and h["脱贫状态"] == vocab.PovertyStatus.EXITED),
                        key=lambda h: h["户编号"])
    used: set[str] = set()
    planted: list[Planted] = []

    def present(h):
        return [m for m in by_household[h["户编号"]] if m["人员状态"] in _PRESENT]

    def first(fits):
        """The first unused household with a member (or None for the household itself) that fits."""
        for h in candidates:
            if h["户编号"] in used:
                continue
            found = fits(h)
            if found is not None:
                used.add(h["户编号"])
                return h, found
        return None, None

    def record(case, h, person=""):
        planted.append(Planted(case, h["户编号"], person, PLANTED_RULES[case]))

    def member_where(test):
        return lambda h: next((m for m in present(h) if m["与户主关系"] != vocab.Relation.HEAD and test(h, m)), None)

    # dropout: a pupil of 12–15 (else 7–15) recorded out of school (not in a 因学 household: Q31 would fire too)
    def pupil(low):
        return member_where(lambda h, m: h["主要致贫原因"] != vocab.PovertyCause.SCHOOLING
                            and low <= age_on(m["身份证号"], as_of) <= 15 and m["在校生状况"] in _AT_SCHOOL
                            and m["健康状况"] != vocab.Health.DISABLED)

    h, m = first(pupil(12))
    if not h:
        h, m = first(pupil(7))
    if h:
        m["在校生状况"] = vocab.Schooling.NOT_IN_SCHOOL
        record("dropout", h, m["身份证号"])
    # id_check: the last character mistyped
    h, m = first(member_where(lambda h, m: True))
    if h:
        wrong = next(m["身份证号"][:17] + c for c in "1234567890X" if c != m["身份证号"][17]
                     and m["身份证号"][:17] + c not in ids)
        m["身份证号"] = wrong
        ids.add(wrong)
        record("id_check", h, wrong)
    # uninsured: a daughter-in-law where there is one (her insurance often stays in her home county)
    h, m = first(member_where(lambda h, m: m["与户主关系"] == vocab.Relation.DAUGHTER_IN_LAW and m["现役军人"] != "是"))
    if not h:
        h, m = first(member_where(lambda h, m: m["现役军人"] != "是"))
    if h:
        m["城乡居民基本医疗保险"] = "否"
        record("uninsured", h, m["身份证号"])
    # per_capita: 年人均纯收入 divided by one member too many
    h, _m = first(lambda h: True if len(present(h)) >= 2 else None)
    if h:
        net = sum(Decimal(h[k]) for k in _INCOMES) - Decimal(h["生产经营性支出"])
        h["年人均纯收入"] = str((net / (len(present(h)) + 1)).quantize(Decimal("0.01")))
        record("per_capita", h)
    # migrant_months: 务工时间 left blank
    h, m = first(member_where(lambda h, m: bool(m["务工状况"])))
    if h:
        m["务工时间"] = ""
        record("migrant_months", h, m["身份证号"])
    # phone: a digit missing
    h, _m = first(lambda h: True if h["联系电话"] else None)
    if h:
        h["联系电话"] = h["联系电话"][:-1]
        record("phone", h)
    # overage_grade: a child or grandchild made 19 (born 19 years and 100 days before the day), in 九年级
    born = years_before(as_of, 19) - datetime.timedelta(days=100)
    gap = {vocab.Relation.SON: 15, vocab.Relation.DAUGHTER: 15, vocab.Relation.GRANDSON: 30,
           vocab.Relation.GRANDDAUGHTER: 30}

    def room(h, m):
        head = next(x for x in by_household[h["户编号"]] if x["与户主关系"] == vocab.Relation.HEAD)
        return m["与户主关系"] in gap and years_before(born, gap[m["与户主关系"]]) >= _birth(head["身份证号"])

    h, m = first(member_where(room))
    if h:
        sequence = int(m["身份证号"][14:17])
        number = id_number_of(DEMO_COUNTY, born, sequence)
        while number in ids:  # same parity: the sex stays
            sequence = sequence + 2 if sequence <= 997 else 2 - sequence % 2
            number = id_number_of(DEMO_COUNTY, born, sequence)
        ids.add(number)
        m.update({"身份证号": number, "在校生状况": vocab.Schooling.GRADE_9, "文化程度": vocab.Education.PRIMARY,
                  "劳动技能": vocab.LabourAbility.NONE, "务工状况": "", "务工时间": "", "城乡居民基本养老保险": "",
                  "现役军人": "否"})
        record("overage_grade", h, number)
    out = dict(tables)
    out[HOUSEHOLD_SHEET] = pa.Table.from_pylist(households, schema=tables[HOUSEHOLD_SHEET].schema)
    out[MEMBER_SHEET] = pa.Table.from_pylist(members, schema=tables[MEMBER_SHEET].schema)
    return out, planted


# --- the demo users ---------------------------------------------------------------------------------

@transaction.atomic
def demo_users_reset(*, cadre_households: Iterable[str] = ()) -> list[tuple[str, str, str, str]]:
    """Create (or reset the passwords of) one demo user per role; returns their credentials.

    The cadre account, the first time, becomes the assistance cadre of most of `cadre_households` (the
    planted cases' households: the cadre then follows problems of their own), else of most households
    of the demo village, else of the county."""
    credentials = []
    for username, role, code in DEMO_USERS:
        unit = OrgUnit.objects.get(code=code) if code else None
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, role=role, org_unit=unit,
                               full_name=f"演示{Role(role).label}", check_password=False)
        else:
            user.set_password(password)
            user.role, user.org_unit = role, unit
            user.save()
        if role == Role.CADRE:
            _link_demo_cadre(user, code, list(cadre_households))
        credentials.append((username, password, str(Role(role).label), unit.name if unit else "全国"))
    return credentials


#: The demo's integration: a service account of the county (as a provincial pull or a 医保局 push would have).
DEMO_API_ACCOUNT = "demo-api"


def demo_api_token(*, days: int = 30) -> tuple[str, str]:
    """The demo's service account (county admin of the demo county, tokens only) and a new token for it; the
    tokens of earlier runs are revoked, as the passwords are reset. Returns (account, token)."""
    from django.utils import timezone

    from jingzhun.accounts.models import ApiToken
    from jingzhun.accounts.tokens import service_account_create, token_create

    account = User.objects.filter(username=DEMO_API_ACCOUNT).first()
    if account is None:
        account = service_account_create(username=DEMO_API_ACCOUNT, role=Role.COUNTY_ADMIN,
                                         org_unit=OrgUnit.objects.get(code=DEMO_COUNTY), full_name="演示接口账号")
    ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return account.get_username(), token_create(user=account, days=days, name="演示")[1]


def _link_demo_cadre(user: User, county: str, households: list[str]) -> None:
    if hasattr(user, "cadre"):
        return
    free = AssistanceCadre.objects.filter(county_id=county, user__isnull=True)
    cadre = None
    for chosen in (free.filter(households__code__in=households), free.filter(households__village_id=DEMO_VILLAGE), free):
        cadre = chosen.annotate(n=Count("households")).order_by("-n", "pk").first()
        if cadre is not None:
            break
    if cadre is not None:
        cadre.user = user
        cadre.save(update_fields=["user"])
