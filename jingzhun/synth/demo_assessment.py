"""考核评估 in the demo county: a 巩固成果后评估 planned and drawn from the demo registry through the
services, its staff (the demo evaluators, none of them from 绛县: 三回避) in two-person teams, and most of
its questionnaires answered, reviewed and approved, so the estimates page shows 三率一度 with their
intervals while the enumerators still have households to visit on the phone.

The answers are what a household of the registry would say: its members, its 近 12 个月收入 (or the
registry's income items) as wages, its housing grade and water as recorded, and a seeded share of
households that disapprove of something. Findings are not confirmed as problems: the county's dispute
period is part of the demo (the county admin's to-do lists them), and the demo's problem ledger stays
the planted one.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from jingzhun.accounts.models import User
from jingzhun.assessment.models import Assessment, Case, Staff
from jingzhun.assessment.services.fieldwork import case_approve, case_hq_approve, case_submit
from jingzhun.assessment.services.plans import assessment_create, assessment_draw, staff_add, teams_assign
from jingzhun.registry.models import Household

from .demo import DEMO_COUNTY

#: (username, duty, home county): the demo's evaluators and where they come from (never 绛县).
DEMO_STAFF = (
    ("evaluator", Staff.Duty.ENUMERATOR, "140829"),
    ("evaluator2", Staff.Duty.ENUMERATOR, "140827"),
    ("evaluator3", Staff.Duty.ENUMERATOR, "140828"),
    ("evaluator4", Staff.Duty.ENUMERATOR, "140830"),
    ("supervisor", Staff.Duty.SUPERVISOR, "140829"),
    ("hq", Staff.Duty.HEADQUARTERS, "140802"),
)
DESIGN = {"strata": "poor_village", "villages_per_stratum": 4,
          "per_village": {"exited": 10, "not_exited": 2, "monitored": 3}, "screen": True, "screen_per_village": 2}
#: Share of cases answered (the rest wait for the enumerators), and of those headquarters has approved.
ANSWERED, APPROVED = 0.85, 0.9
#: Chance that a household disapproves of one item (three items asked): about 3% of households disapprove.
DISAPPROVE = 0.01


@dataclass(frozen=True)
class DemoAssessment:
    assessment: Assessment
    cases: int
    answered: int
    approved: int


def _answers(case: Case, rng: random.Random) -> dict:
    household = Household.objects.filter(pk=case.household_id).prefetch_related("members").first()
    if household is None:  # a screened household: no registry record, answers drawn plainly
        persons = rng.randint(1, 4)
        income = Decimal(rng.randint(3000, 9000) * persons)
        housing, water = rng.random() > 0.3, True
    else:
        persons = max(1, sum(1 for m in household.members.all() if m.status == "正常"))
        income = household.income_12m if household.income_12m is not None else household.net_income()
        housing, water = not household.unsafe_housing, bool(household.safe_water)
    answers = {"persons": persons, "wage": str(max(Decimal(0), income or Decimal(0))), "food_clothing": True,
               "education": True, "medical": True, "housing": housing, "water": water,
               "policies": ["产业帮扶"] if household is not None else ["没有享受"]}
    for key in ("approve_policy", "approve_measures", "approve_cadres"):
        answers[key] = "不认可" if rng.random() < DISAPPROVE else rng.choice(["认可", "认可", "基本认可"])
    if case.frame == Case.Frame.EXITED:
        answers["approve_exit"] = "认可"
    return answers


def demo_assessment_load(*, day: datetime.date, seed: int = 2020, county: str = DEMO_COUNTY) -> DemoAssessment | None:
    """The demo county's assessment as of `day`, unless it has one already (a second `jingzhun demo`)."""
    if Assessment.objects.filter(county=county).exists():
        return None
    admin = User.objects.get(username="county")
    assessment = assessment_create(county=county, year=day.year, kind=Assessment.Kind.POST,
                                   title=f"绛县 {day.year} 年巩固拓展脱贫攻坚成果后评估（演示）", design=DESIGN,
                                   seed=seed, acting_user=admin)
    assessment_draw(assessment_id=assessment.pk, acting_user=admin)
    users = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in DEMO_STAFF])}
    for username, duty, home in DEMO_STAFF:
        staff_add(assessment_id=assessment.pk, user=users[username], duty=duty, home_county=home, acting_user=admin)
    teams_assign(assessment_id=assessment.pk, acting_user=admin)
    rng = random.Random(seed)
    enumerators = {s.team_id: s.user for s in Staff.objects.filter(assessment=assessment, duty=Staff.Duty.ENUMERATOR)
                   .select_related("user").order_by("pk")}
    supervisor, hq = users["supervisor"], users["hq"]
    cases = list(assessment.cases.order_by("order"))
    answered = approved = 0
    for case in cases:
        if rng.random() >= ANSWERED or case.team_id not in enumerators:
            continue
        start = datetime.datetime.combine(day - datetime.timedelta(days=rng.randint(1, 4)), datetime.time(9),
                                          tzinfo=datetime.UTC) + datetime.timedelta(minutes=rng.randint(0, 480))
        case_submit(case_id=case.pk, acting_user=enumerators[case.team_id], answers=_answers(case, rng),
                    started_at=start, ended_at=start + datetime.timedelta(minutes=rng.randint(18, 55)))
        answered += 1
        if rng.random() < APPROVED:
            case_approve(case_id=case.pk, acting_user=supervisor)
            case_hq_approve(case_id=case.pk, acting_user=hq)
            approved += 1
    return DemoAssessment(assessment, len(cases), answered, approved)
