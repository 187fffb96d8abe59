"""An assessment in fieldwork for the fieldwork tests: 绛县's 2020 exit assessment, one two-person team
(the World's evaluator and a second enumerator from 平陆), a second team, a supervisor, headquarters, and
three sampled households, made with the ORM as a drawn plan leaves them (tests/scope_world.py does the same)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.assessment.models import Assessment, Case, SampledVillage, Staff, Stratum, Team
from jingzhun.orgunits.models import OrgUnit

from .people import PASSWORD, World

#: A household that is neither poor nor disapproving (the exit line of 2020 is 4,000 yuan a person).
GOOD = {"persons": "3", "wage": "24000", "business": "3000", "food_clothing": "是", "education": "是",
        "medical": "是", "housing": "是", "water": "是", "approve_policy": "认可", "approve_measures": "认可",
        "approve_exit": "认可", "approve_cadres": "基本认可"}
#: A household wrongly exited (income below the line) that does not approve of its exit.
POOR = {**GOOD, "wage": "6000", "business": "0", "approve_exit": "不认可"}


@dataclass
class Fieldwork:
    assessment: Assessment
    team: Team
    other_team: Team
    enumerator: object  # the World's evaluator
    partner: object  # the team's second enumerator
    stranger: object  # an enumerator of the other team
    supervisor: object
    hq: object
    cases: dict[str, Case] = field(default_factory=dict)  # by household code; "other" is the other team's


def evaluator_make(name: str, code: str):
    return user_create(username=name, password=PASSWORD, role=Role.EVALUATOR,
                       org_unit=OrgUnit.objects.get(code=code), full_name=name, check_password=False)


def fieldwork_build(world: World, *, year: int = 2020) -> Fieldwork:
    now = timezone.now()
    assessment = Assessment.objects.create(county="140826", year=year, kind=Assessment.Kind.EXIT,
                                           title="绛县贫困县退出评估", state=Assessment.State.FIELDWORK, seed=20201,
                                           created_by=world.county_admin, drawn_by=world.county_admin, drawn_at=now,
                                           frame_as_of=datetime.date(year, 1, 1))
    stratum = Stratum.objects.create(assessment=assessment, code="all", name="全部村", villages_in_frame=3,
                                     villages_drawn=3)
    team = Team.objects.create(assessment=assessment, name="第1组")
    other_team = Team.objects.create(assessment=assessment, name="第2组")
    fw = Fieldwork(assessment=assessment, team=team, other_team=other_team, enumerator=world.evaluator,
                   partner=evaluator_make("enumerator2", "140829"), stranger=evaluator_make("enumerator3", "140829"),
                   supervisor=evaluator_make("supervisor", "140829"), hq=evaluator_make("headquarters", "1408"))
    Staff.objects.create(assessment=assessment, user=fw.enumerator, duty=Staff.Duty.ENUMERATOR, home_county="140829",
                         team=team)
    Staff.objects.create(assessment=assessment, user=fw.partner, duty=Staff.Duty.ENUMERATOR, home_county="140829",
                         team=team)
    Staff.objects.create(assessment=assessment, user=fw.stranger, duty=Staff.Duty.ENUMERATOR, home_county="140829",
                         team=other_team)
    Staff.objects.create(assessment=assessment, user=fw.supervisor, duty=Staff.Duty.SUPERVISOR, home_county="140829")
    Staff.objects.create(assessment=assessment, user=fw.hq, duty=Staff.Duty.HEADQUARTERS)
    rows = [(world.home, Case.Frame.EXITED, team), (world.neighbour, Case.Frame.EXITED, team),
            (world.other_township, Case.Frame.NOT_EXITED, other_team)]
    for order, (household, frame, which) in enumerate(rows, start=1):
        SampledVillage.objects.get_or_create(assessment=assessment, village=household.village_id,
                                             defaults={"stratum": stratum, "size": 10, "probability": 0.5,
                                                       "order": order})
        case = Case.objects.create(assessment=assessment, village=household.village_id, frame=frame,
                                   household=household, head_name=household.head_name, address="村里",
                                   weight=20.0, probability=0.05, order=order, team=which)
        fw.cases["other" if which == other_team else household.code] = case
    return fw
