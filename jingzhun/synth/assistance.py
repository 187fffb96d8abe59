"""Synthetic 帮扶 for a county already in the registry: the demo's, the tests' and the benchmarks'.

Given the county's households and members (read as one Arrow snapshot), `assistance_load` draws what a
county's help looks like on a reference day and writes it in bulk — measures (with their history rows) and
visits through the registry's set-based writer, the smaller tables with bulk_create, never a row at a
time; the same seed and day give the same rows. What is drawn, for the households that receive help
(脱贫户 and 监测户 not 清退):

- 帮扶单位: the cadres' work units; a 驻村工作队 in every village, sent by one of them, of three or four
  members, a 第一书记 in nearly all (seed 003: 1,951 teams, 6,091 members, 1,833 first secretaries).
- 帮扶结对: the current cadre of every household that has one (from the registry), and for some an
  earlier cadre whose term ended.
- Measures of this year (and a share repeated last year) in shares that follow the household: 产业 for
  most, 就业 for working-age labourers (training, a job, or both), 公益岗位 and 生态护林员 for the weaker
  households, 教育资助 for pupils, 健康帮扶 for the ill, 危房改造 for C/D houses, 兜底保障 for 低保/特困,
  易地搬迁 for the relocated, 小额信贷 for the borrowers; a household left with none gets 产业 mostly
  (监测户 always: a monitoring object must have a measure).
- Visits: households with a cadre visited in most of the last four quarters, the current one so far.
- 小额信贷: some households (borrower 18–65, ≤ 5 万, ≤ 3 years) with yearly installments; a few overdue,
  exactly one 不良.
- Projects of this year in every state, with 衔接资金 by source and spending that follows the state, and
  a few of last year; their villages and beneficiaries.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.utils import timezone

from jingzhun.analytics import registry_snapshot
from jingzhun.assistance.models import (CadreAssignment, HelpUnit, Loan, LoanInstallment, Measure, Project,
                                        ProjectFund, ProjectSpending, Visit, WorkTeam, WorkTeamMember)
from jingzhun.assistance.vocab import FundSource, LoanStatus, ProjectCategory, ProjectState, TeamRole
from jingzhun.registry.bulk import insert_rows, insert_with_history, reserve_ids
from jingzhun.registry.models import AssistanceCadre, Household

from . import names

_BATCH = 2000
TRAINING = ("护工", "家政服务", "电商", "厨师", "电焊", "种植技术", "养殖技术", "汽车维修")
JOBS = ("护工", "家政服务员", "保洁员", "建筑工", "餐饮服务员", "快递员", "工厂普工", "保安")
POSTS = ("保洁员", "护林员", "道路养护员", "水管员", "公益性岗位协管员", "村级信息员")
INDUSTRY = ("养殖肉牛", "种植核桃", "种植中药材", "养殖生猪", "种植蔬菜大棚", "种植苹果", "养殖羊")
BANKS = ("农村商业银行", "中国邮政储蓄银行", "中国农业银行")
PROJECT_NAMES = {
    ProjectCategory.INDUSTRY: ("{v}肉牛养殖基地", "{v}光伏电站", "{v}蔬菜大棚", "{v}中药材种植基地"),
    ProjectCategory.EMPLOYMENT: ("{v}扶贫车间", "{v}就业帮扶车间"),
    ProjectCategory.INFRASTRUCTURE: ("{v}村内道路硬化", "{v}安全饮水巩固提升", "{v}产业路"),
    ProjectCategory.PUBLIC_SERVICE: ("{v}卫生室改造", "{v}文化广场"),
    ProjectCategory.RELOCATION: ("{v}安置点后续扶持",),
    ProjectCategory.OTHER: ("{v}人居环境整治",),
}
#: Share of spent money by project state (low, high), of each source's planned amount.
SPENT_SHARE = {ProjectState.LISTED: (0, 0), ProjectState.PUBLICISED: (0, 0), ProjectState.UNDERWAY: (0.3, 0.8),
               ProjectState.COMPLETED: (0.85, 1.0), ProjectState.ACCEPTED: (1.0, 1.0),
               ProjectState.CANCELLED: (0, 0)}


@dataclass(frozen=True)
class SynthAssistance:
    """What assistance_load wrote, by kind."""

    help_units: int
    teams: int
    team_members: int
    first_secretaries: int
    assignments: int
    measures: int
    visits: int
    loans: int
    installments: int
    projects: int
    funds: int
    spending: int


def _bulk(model, rows: list) -> int:
    model.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


def _day(rng: np.random.Generator, start: datetime.date, end: datetime.date, n: int) -> list[datetime.date]:
    span = max((end - start).days, 0)
    return [start + datetime.timedelta(days=int(d)) for d in rng.integers(0, span + 1, n)]


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def _people(snapshot, as_of: datetime.date) -> dict[str, np.ndarray]:
    """The present members (人员状态 正常 or blank) as numpy columns, with their age on `as_of`."""
    members = snapshot.tables["members"]
    status = pc.fill_null(members["status"], "")
    members = members.filter(pc.is_in(status, pa.array(["", "正常"])))
    ids = pc.fill_null(members["id_number"], "")
    born = pc.utf8_slice_codeunits(ids, 6, 10)
    year = np.array([int(y) if y.isdigit() else 1970 for y in born.to_pylist()])
    return {"id": members["id"].to_numpy(zero_copy_only=False),
            "household": np.array(members["household_id"].to_pylist()),
            "relation": np.array(pc.fill_null(members["relation"], "").to_pylist()),
            "age": as_of.year - year,
            "schooling": np.array(pc.fill_null(members["schooling"], "").to_pylist()),
            "health": np.array(pc.fill_null(members["health"], "").to_pylist()),
            "labour": np.array(pc.fill_null(members["labour"], "").to_pylist()),
            "dibao": np.array(pc.fill_null(members["dibao"], False).to_pylist()),
            "tekun": np.array(pc.fill_null(members["tekun"], False).to_pylist())}


def assistance_load(*, county: str, seed: int, as_of: datetime.date, acting_user, visitor,
                    cadre_users: dict[int, object] | None = None) -> SynthAssistance | None:
    """Draw and write the county's 帮扶 as it stands on `as_of` (see the module), unless the county already
    has measures or projects (then None). `acting_user` records the spending; visits are recorded by the
    cadre's own account where the cadre has one (`cadre_users`: cadre id → user, else read), else by
    `visitor` (a synthetic account)."""
    if Measure.objects.filter(household__code__startswith=county).exists() or \
            Project.objects.filter(county_id=county).exists():
        return None
    rng = np.random.default_rng([seed, 15])
    snapshot = registry_snapshot(county)
    hh = snapshot.tables["households"]
    codes = np.array(hh["code"].to_pylist(), dtype=object)
    status = np.array(pc.fill_null(hh["status"], "").to_pylist(), dtype=object)
    category = np.array(pc.fill_null(hh["category"], "").to_pylist(), dtype=object)
    registered = np.isin(status, ["未脱贫", "已脱贫", "返贫"])
    helped = (status != "清退") & (np.isin(category, ["脱贫户", "监测户"]) | registered)
    monitored = category == "监测户"
    grade = np.array(pc.fill_null(hh["housing_grade"], "").to_pylist(), dtype=object)
    relocated = np.array(pc.fill_null(hh["relocated"], False).to_pylist(), dtype=bool)
    village_of = np.array([c[:12] for c in codes], dtype=object)
    people = _people(snapshot, as_of)
    index = {c: i for i, c in enumerate(codes)}
    p_h = np.array([index.get(h, -1) for h in people["household"]], dtype=np.int64)
    keep = p_h >= 0
    people = {k: v[keep] for k, v in people.items()}
    p_h = p_h[keep]
    p_helped = helped[p_h]
    year = as_of.year

    with transaction.atomic():
        # --- 帮扶单位, 驻村工作队 and members ------------------------------------------------------------
        unit_names = sorted(set(AssistanceCadre.objects.filter(county_id=county).exclude(work_unit="")
                                .values_list("work_unit", flat=True))) or [f"{county}县直单位"]
        units = [HelpUnit(county_id=county, name=name[:128], level="乡镇" if name.endswith(("镇人民政府", "乡人民政府"))
                          else "县直") for name in unit_names]
        _bulk(HelpUnit, units)
        units = list(HelpUnit.objects.filter(county_id=county).order_by("name"))
        villages = sorted(set(village_of))
        team_start = _day(rng, datetime.date(year - 2, 3, 1), datetime.date(year - 1, 6, 30), len(villages))
        team_unit = rng.integers(0, len(units), len(villages))
        teams = [WorkTeam(village_id=v, help_unit=units[u], start=s)
                 for v, u, s in zip(villages, team_unit, team_start)]
        _bulk(WorkTeam, teams)
        teams = list(WorkTeam.objects.filter(village_id__in=villages).order_by("village_id", "id"))
        sizes = 3 + (rng.random(len(teams)) < 0.12)
        n_members = int(sizes.sum())
        male = rng.random(n_members) < 0.7
        member_names = names.name_text(rng, names.surname_index(rng, n_members), male).to_pylist()
        phones = (13000000000 + rng.integers(0, 9 * 10 ** 9, n_members)).tolist()
        has_secretary = rng.random(len(teams)) < 0.94
        members, k = [], 0
        for t, team in enumerate(teams):
            for position in range(sizes[t]):
                role = (TeamRole.FIRST_SECRETARY if has_secretary[t] else TeamRole.LEADER) if position == 0 else \
                    TeamRole.LEADER if position == 1 and has_secretary[t] and rng.random() < 0.3 else TeamRole.MEMBER
                members.append(WorkTeamMember(team=team, name=member_names[k], role=role, phone=str(phones[k]),
                                              help_unit=team.help_unit, start=team.start))
                k += 1
        _bulk(WorkTeamMember, members)

        # --- 帮扶结对: the current cadre, and an earlier one for some -------------------------------------
        current = list(Household.objects.filter(code__startswith=county, cadre__isnull=False)
                       .values_list("code", "cadre_id").order_by("code"))
        cadre_ids = sorted({c for _h, c in current})
        assignments = []
        if current:
            started = _day(rng, datetime.date(year - 3, 1, 1), datetime.date(year - 1, 12, 31), len(current))
            earlier = rng.random(len(current)) < 0.1
            other = rng.integers(0, len(cadre_ids), len(current))
            for i, (code, cadre) in enumerate(current):
                if earlier[i] and cadre_ids[other[i]] != cadre:
                    assignments.append(CadreAssignment(household_id=code, cadre_id=cadre_ids[other[i]],
                                                       start=started[i] - datetime.timedelta(days=730),
                                                       end=started[i], reason="原帮扶责任人工作调动"))
                assignments.append(CadreAssignment(household_id=code, cadre_id=cadre, start=started[i]))
        _bulk(CadreAssignment, assignments)

        # --- 小额信贷 ------------------------------------------------------------------------------------
        loans, installments, borrowers = _loans(rng, codes, helped, people, p_h, as_of)

        # --- measures --------------------------------------------------------------------------------
        measures = _measures(rng, codes=codes, helped=helped, monitored=monitored, grade=grade,
                             relocated=relocated, people=people, p_h=p_h, p_helped=p_helped, as_of=as_of,
                             borrowers=borrowers)

        # --- visits ----------------------------------------------------------------------------------
        cadre_users = cadre_users if cadre_users is not None else dict(
            AssistanceCadre.objects.filter(county_id=county, user__isnull=False).values_list("id", "user"))
        visits = []
        quarter = _quarter_start(as_of)
        quarters = [quarter] + [_add_months(quarter, -3 * q) for q in (1, 2, 3)]
        elapsed = ((as_of - quarter).days + 1) / 91
        for q, start in enumerate(quarters):
            end = as_of if q == 0 else _add_months(start, 3) - datetime.timedelta(days=1)
            chance = min(0.95, 0.35 + 0.6 * elapsed) if q == 0 else 0.9
            visited = rng.random(len(current)) < chance
            twice = rng.random(len(current)) < 0.25
            days = _day(rng, start, end, 2 * len(current))
            for i, (code, cadre) in enumerate(current):
                if not visited[i]:
                    continue
                for d in days[2 * i: 2 * i + 1 + int(twice[i])]:
                    visits.append((code, cadre_users.get(cadre, visitor.pk), d))

        # --- projects --------------------------------------------------------------------------------
        projects, funds, spending = _projects(rng, county=county, villages=villages, village_of=village_of,
                                              codes=codes, helped=helped, as_of=as_of, acting_user=acting_user)
        counts = SynthAssistance(
            help_units=len(units), teams=len(teams), team_members=len(members),
            first_secretaries=sum(m.role == TeamRole.FIRST_SECRETARY for m in members),
            assignments=len(assignments), measures=_measures_insert(measures), visits=_visits_insert(rng, visits),
            loans=len(loans), installments=installments, projects=projects, funds=funds, spending=spending)
    return counts


def _loans(rng, codes, helped, people, p_h, as_of: datetime.date):
    """Loans of about 15 % of the helped households (borrower the head, else a member, aged 18–65 when the
    loan was made), a third of them this year; yearly installments paid on time but for a few overdue
    loans; the first overdue loan is 不良. Returns the loans, the installment count and {household: year}."""
    year = as_of.year
    adult = (people["age"] >= 21) & (people["age"] <= 65)
    order = np.lexsort((people["relation"] != "户主", p_h))  # by household, the head first
    borrower_of: dict[int, int] = {}
    for j in order:
        if adult[j] and helped[p_h[j]] and p_h[j] not in borrower_of:
            borrower_of[int(p_h[j])] = int(people["id"][j])
    chosen = [h for h in sorted(borrower_of) if rng.random() < 0.15]
    loans, plans = [], []
    this_year = rng.random(len(chosen)) < 0.35
    for i, h in enumerate(chosen):
        start = datetime.date(year, 1, 1) if this_year[i] else datetime.date(year - 3, 1, 5)
        end = as_of if this_year[i] else datetime.date(year - 1, 12, 20)
        disbursed = _day(rng, start, end, 1)[0]
        term = int(rng.choice([12, 24, 36], p=[0.2, 0.3, 0.5]))
        amount = int(rng.integers(2, 11)) * 5000
        due = [_add_months(disbursed, m) for m in range(12, term + 1, 12)]
        late = any(d < as_of for d in due) and rng.random() < 0.06
        paid = [d < as_of and not (late and d == max(x for x in due if x < as_of)) for d in due]
        each = (Decimal(amount) / len(due)).quantize(Decimal("0.01"))
        principal = [each] * (len(due) - 1) + [Decimal(amount) - each * (len(due) - 1)]  # the last takes the cents
        balance = Decimal(amount) - sum(p for p, ok in zip(principal, paid) if ok)
        status = LoanStatus.SETTLED if all(paid) else LoanStatus.OVERDUE if late else LoanStatus.NORMAL
        loans.append(Loan(household_id=codes[h], borrower_id=borrower_of[h], bank=f"{BANKS[i % len(BANKS)]}",
                          contract_no=f"XD{codes[h][:6]}{i + 1:06d}", amount=Decimal(amount), term_months=term,
                          annual_rate=Decimal("3.450"), subsidy_percent=Decimal(100), purpose="发展产业",
                          disbursed_on=disbursed, due_on=_add_months(disbursed, term),
                          balance=balance.quantize(Decimal("0.01")), status=status))
        plans.append((due, paid, principal))
    overdue = [i for i, loan in enumerate(loans) if loan.status == LoanStatus.OVERDUE]
    if not overdue:  # a county always has a loan in trouble to show: the oldest unsettled one
        open_ = [i for i, (due, _p, _a) in enumerate(plans) if any(d < as_of for d in due) and
                 loans[i].status != LoanStatus.SETTLED]
        if open_:
            i = open_[0]
            due, paid, principal = plans[i]
            last = max(k for k, d in enumerate(due) if d < as_of)
            paid[last] = False
            loans[i].balance = Decimal(loans[i].amount) - sum(p for p, ok in zip(principal, paid) if ok)
            loans[i].status = LoanStatus.OVERDUE
            overdue = [i]
    if overdue:
        loans[overdue[0]].status = LoanStatus.NON_PERFORMING
    _bulk(Loan, loans)
    stored = {loan.contract_no: loan.pk for loan in Loan.objects.filter(contract_no__in=[x.contract_no for x in loans])}
    rows = []
    for loan, (due, paid, principal) in zip(loans, plans):
        for d, p, amount in zip(due, paid, principal):
            interest = (Decimal(loan.amount) * Decimal("0.0345")).quantize(Decimal("0.01"))
            rows.append(LoanInstallment(loan_id=stored[loan.contract_no], due_on=d, principal=amount,
                                        interest=interest, paid_on=d if p else None,
                                        paid_amount=amount + interest if p else None))
    _bulk(LoanInstallment, rows)
    borrowers = {loan.household_id: loan.disbursed_on.year for loan in loans if loan.status != LoanStatus.SETTLED
                 or loan.due_on.year >= as_of.year}
    return loans, len(rows), borrowers


def _measures(rng, *, codes, helped, monitored, grade, relocated, people, p_h, p_helped, as_of, borrowers) -> list:
    year = as_of.year
    H = len(codes)
    start_end = as_of if as_of > datetime.date(year, 1, 1) else datetime.date(year, 1, 1)
    rows: list[tuple] = []  # (household, member, year, type, name, amount, start, end, unit, details, continues)

    def add(h, type_, name, *, member=None, amount=None, details=None, unit="", y=year):
        start = _day(rng, datetime.date(y, 1, 1), start_end if y == year else datetime.date(y, 12, 31), 1)[0]
        rows.append((codes[h], member, y, type_, name, None if amount is None else Decimal(int(amount)), start,
                     datetime.date(y, 12, 31), unit, details or {}, type_ not in ("housing", "consumption", "other")))

    has = np.zeros(H, dtype=bool)
    # household measures, by the household's situation
    draw = rng.random((H, 6))
    ill_hh = np.zeros(H, dtype=bool)
    np.logical_or.at(ill_hh, p_h, np.isin(people["health"], ["长期慢性病", "患有大病"]))
    weak_hh = np.zeros(H, dtype=bool)
    np.logical_or.at(weak_hh, p_h, np.isin(people["labour"], ["丧失劳动力", "无劳动力"]) & (people["age"] >= 16))
    safety = np.zeros(H, dtype=bool)
    np.logical_or.at(safety, p_h, people["dibao"] | people["tekun"])
    tekun = np.zeros(H, dtype=bool)
    np.logical_or.at(tekun, p_h, people["tekun"])
    for h in np.flatnonzero(helped):
        h = int(h)
        if draw[h, 0] < (0.6 if monitored[h] else 0.5):
            add(h, "industry", INDUSTRY[h % len(INDUSTRY)], amount=rng.integers(10, 51) * 100,
                details={"project": INDUSTRY[h % len(INDUSTRY)], "scale": f"{rng.integers(2, 11)} 头（亩）"},
                unit="县农业农村局")
            has[h] = True
        if grade[h] in ("C", "D") and draw[h, 1] < 0.8:
            add(h, "housing", "农村危房改造", amount=rng.integers(15, 36) * 1000,
                details={"grade_before": grade[h], "way": "修缮加固" if grade[h] == "C" else "拆除重建"},
                unit="县住房和城乡建设局")
            has[h] = True
        if relocated[h]:
            add(h, "relocation", "易地扶贫搬迁后续扶持", details={"site": "县城集中安置点", "moved_in": True},
                unit="县发展和改革局")
            has[h] = True
        if safety[h]:
            add(h, "safety_net", "特困供养" if tekun[h] else "农村低保", amount=rng.integers(30, 80) * 100,
                details={"kind": "特困供养" if tekun[h] else "低保"}, unit="县民政局")
            has[h] = True
        if draw[h, 2] < 0.15:
            add(h, "photovoltaic", "村级光伏电站收益分配", amount=rng.integers(5, 16) * 100,
                details={"station": "村级光伏电站"}, unit="县乡村振兴局")
            has[h] = True
        if draw[h, 3] < 0.08:
            add(h, "consumption", "消费帮扶农产品认购", amount=rng.integers(5, 31) * 100,
                details={"product": INDUSTRY[h % len(INDUSTRY)][2:]}, unit="帮扶单位")
            has[h] = True
        if codes[h] in borrowers and borrowers[codes[h]] <= year:
            add(h, "microcredit", "脱贫人口小额信贷贴息", details={"bank": "农村商业银行"}, unit="县乡村振兴局")
            has[h] = True
    # member measures
    p_draw = rng.random((len(p_h), 3))
    for j in np.flatnonzero(p_helped):
        h, member, age = int(p_h[j]), int(people["id"][j]), int(people["age"][j])
        able = people["labour"][j] in ("普通劳动力", "技能劳动力")
        if able and 18 <= age <= 55 and p_draw[j, 0] < 0.22:
            roll = p_draw[j, 1]
            details = {}
            if roll < 0.75:
                details["training"] = TRAINING[j % len(TRAINING)]
            if roll > 0.3:
                details.update(job=JOBS[j % len(JOBS)], months=int(rng.integers(3, 13)),
                               income=int(rng.integers(20, 60)) * 1000)
            add(h, "employment", "就业帮扶" if "job" in details else "职业技能培训", member=member,
                details=details, unit="县人力资源和社会保障局")
            has[h] = True
        elif 30 <= age <= 65 and (weak_hh[h] or monitored[h]) and p_draw[j, 0] < 0.12:
            months = int(rng.integers(6, 13))
            add(h, "public_post", "乡村公益性岗位", member=member, amount=months * 700,
                details={"post": POSTS[j % len(POSTS)], "months": months, "monthly_pay": 700}, unit="县人力资源和社会保障局")
            has[h] = True
        elif 25 <= age <= 60 and p_draw[j, 0] > 0.975:
            add(h, "forest_ranger", "生态护林员", member=member, amount=8000,
                details={"contract": f"HLY{year}{j:06d}", "yearly_pay": 8000}, unit="县林业局")
            has[h] = True
        school = people["schooling"][j]
        if school and school != "非在校生" and p_draw[j, 2] < 0.7:
            programme = {"学前教育": "学前教育资助", "高中": "高中教育资助", "中职": "中职教育资助", "高职": "高校资助",
                         "大专及以上": "高校资助"}.get(school, "义务教育资助")
            add(h, "education", programme, member=member, amount=rng.integers(5, 31) * 100,
                details={"programme": programme}, unit="县教育局")
            has[h] = True
        if people["health"][j] in ("长期慢性病", "患有大病") and p_draw[j, 2] < 0.9:
            add(h, "health", "家庭医生签约服务", member=member,
                details={"doctor_signed_on": f"{year}-0{1 + j % 3}-15", "treat_first": True, "chronic_care": True,
                         "disease": "慢性病" if people["health"][j] == "长期慢性病" else "大病"}, unit="县卫生健康局")
            has[h] = True
    # nobody of the base is left without help for long: 监测户 always get one, the others mostly
    rest = np.flatnonzero(helped & ~has & (monitored | (rng.random(H) < 0.75)))
    for h in rest:
        add(int(h), "industry", "产业奖补", amount=rng.integers(10, 31) * 100,
            details={"project": INDUSTRY[int(h) % len(INDUSTRY)]}, unit="县农业农村局")
    # last year: most measures went on (with their own rows)
    again = rng.random(len(rows)) < 0.6
    for m, repeat in zip(list(rows), again):
        if repeat:
            rows.append((*m[:2], year - 1, *m[3:6], m[6].replace(year=year - 1, day=min(m[6].day, 28)),
                         datetime.date(year - 1, 12, 31), *m[8:]))
    return rows


def _measures_insert(rows: list[tuple]) -> int:
    """The measures through the registry's set-based writer (one statement, COPY on PostgreSQL), each with its
    "+" history row, as a measure entered by hand has."""
    if not rows:
        return 0
    now = timezone.now()
    columns = list(zip(*rows))
    table = pa.table({
        "id": reserve_ids(Measure, len(rows)),
        "household_id": pa.array(columns[0], pa.string()), "member_id": pa.array(columns[1], pa.int64()),
        "year": pa.array(columns[2], pa.int32()), "type": pa.array(columns[3], pa.string()),
        "name": pa.array(columns[4], pa.string()), "amount": pa.array(columns[5], pa.decimal128(12, 2)),
        "start": pa.array(columns[6], pa.date32()), "end": pa.array(columns[7], pa.date32()),
        "responsible_unit": pa.array(columns[8], pa.string()),
        "details": pa.array([json.dumps(d, ensure_ascii=False) for d in columns[9]], pa.string()),
        "continues_after_exit": pa.array(columns[10], pa.bool_()), "note": pa.array([""] * len(rows), pa.string()),
        "created_by_id": pa.nulls(len(rows), pa.int64()),
        "created_at": pa.array([connection.ops.adapt_datetimefield_value(now)] * len(rows)),
    })
    return insert_with_history(Measure, table, history_user_id=None, reason="合成数据", now=now)


def _visits_insert(rng, rows: list[tuple]) -> int:
    """Visits (household, visitor, day) through the registry's set-based writer; Visit keeps no history."""
    if not rows:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    client_id = Visit._meta.get_field("client_id")
    households, visitors, days = zip(*rows)
    stamps = {d: adapt(timezone.make_aware(datetime.datetime.combine(d, datetime.time(10)))) for d in set(days)}
    ids = [str(client_id.get_db_prep_value(uuid.UUID(bytes=rng.bytes(16), version=4), connection)) for _ in rows]
    n = len(rows)
    table = pa.table({
        "client_id": pa.array(ids, pa.string()), "household_id": pa.array(households, pa.string()),
        "visitor_id": pa.array(visitors, pa.int64()), "visited_on": pa.array(days, pa.date32()),
        "met": pa.array(["户主"] * n), "situation": pa.array(["家中生产生活正常，两不愁三保障有保障。"] * n),
        "needs": pa.array([""] * n), "done": pa.array(["宣讲帮扶政策，了解收入情况。"] * n),
        "recorded_at": pa.array([stamps[d] for d in days]),
        "received_at": pa.array([adapt(timezone.now())] * n),
    })
    return insert_rows(Visit, table)


def _projects(rng, *, county, villages, village_of, codes, helped, as_of, acting_user) -> tuple[int, int, int]:
    """This year's projects, at least one in every state, and a few of last year (accepted); funds by source
    and spending that follows the state. Returns (projects, funds, spending rows)."""
    from jingzhun.orgunits.models import OrgUnit

    year = as_of.year
    short = dict(OrgUnit.objects.filter(code__in=villages).values_list("code", "name"))
    n = max(len(ProjectState), len(villages) // 4)
    states = list(ProjectState) + list(rng.choice(
        [ProjectState.UNDERWAY, ProjectState.COMPLETED, ProjectState.ACCEPTED, ProjectState.PUBLICISED,
         ProjectState.LISTED, ProjectState.CANCELLED], size=n - len(ProjectState), p=[0.35, 0.2, 0.2, 0.1, 0.1, 0.05]))
    last_year = max(2, n // 5)
    plan = [(year, ProjectState(s)) for s in states] + [(year - 1, ProjectState.ACCEPTED)] * last_year
    categories = list(ProjectCategory)
    projects, picks = [], []
    for i, (y, state) in enumerate(plan):
        category = categories[int(rng.choice(len(categories), p=[0.4, 0.12, 0.3, 0.1, 0.04, 0.04]))]
        served = sorted(set(rng.choice(villages, size=min(len(villages), int(rng.integers(1, 4))), replace=False)))
        name = PROJECT_NAMES[category][i % len(PROJECT_NAMES[category])].format(v=short.get(served[0], ""))
        percent = {ProjectState.UNDERWAY: int(rng.integers(20, 90)), ProjectState.COMPLETED: 100,
                   ProjectState.ACCEPTED: 100}.get(state, 0)
        projects.append(Project(county_id=county, code=f"{y}-{i + 1:03d}", name=name, category=category, year=y,
                                planned_start=datetime.date(y, 3, 1), planned_end=datetime.date(y, 11, 30),
                                responsible_unit="县乡村振兴局", output_target="按设计完成建设内容",
                                benefit_target="带动脱贫户和监测户增收", mechanism="务工带动、入股分红",
                                state=state, percent_complete=percent))
        picks.append(served)
    _bulk(Project, projects)
    stored = {p.code: p for p in Project.objects.filter(county_id=county)}
    projects = [stored[p.code] for p in projects]
    through_v = Project.villages.through
    through_b = Project.beneficiaries.through
    by_village: dict[str, list[str]] = {}
    for code, village, ok in zip(codes, village_of, helped):
        if ok:
            by_village.setdefault(village, []).append(code)
    v_rows, b_rows, funds, spending = [], [], [], []
    for project, served in zip(projects, picks):
        for village in served:
            v_rows.append(through_v(project_id=project.pk, orgunit_id=village))
            pool = by_village.get(village, [])
            for code in sorted(rng.choice(pool, size=min(len(pool), int(rng.integers(5, 21))), replace=False)) \
                    if pool else []:
                b_rows.append(through_b(project_id=project.pk, household_id=code))
        sources = [FundSource.CENTRAL] + [s for s, p in ((FundSource.PROVINCE, 0.6), (FundSource.CITY, 0.3),
                                                         (FundSource.COUNTY, 0.7), (FundSource.OTHER, 0.3))
                                          if rng.random() < p]
        low, high = SPENT_SHARE[project.state]
        end = as_of if project.year == year else datetime.date(project.year, 12, 31)
        for source in sources:
            planned = 10000 * int(rng.integers(5, 60) if source == FundSource.CENTRAL else rng.integers(1, 20))
            funds.append(ProjectFund(project=project, source=source, amount=Decimal(planned)))
            share = rng.uniform(low, high) if high else 0
            if share:
                parts = 1 if share >= 1 or rng.random() < 0.5 else 2
                for k in range(parts):
                    amount = Decimal(planned * share / parts).quantize(Decimal("0.01"))
                    paid_on = _day(rng, min(datetime.date(project.year, 4, 1), end), end, 1)[0]
                    spending.append(ProjectSpending(project=project, source=source, amount=amount,
                                                    paid_on=paid_on,
                                                    note="项目进度款" if k == 0 else "项目尾款",
                                                    recorded_by=acting_user))
    _bulk(through_v, v_rows)
    _bulk(through_b, b_rows)
    return len(projects), _bulk(ProjectFund, funds), _bulk(ProjectSpending, spending)
