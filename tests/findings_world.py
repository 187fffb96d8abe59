"""考核评估 findings for the people of `World`: an assessment of 绛县 with the world's evaluator as its
headquarters (评估组), a supervisor, and cases approved by headquarters with findings sent to the county.

Made directly with the ORM, as a drawn plan and headquarters' approval would leave them (other areas build
the draw and the approvals).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from jingzhun.accounts.services import user_create
from jingzhun.assessment.models import Assessment, Case, SampledVillage, Staff, Stratum, Team
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.roles import Role

from .people import CHENGNEI, PASSWORD, XIAGAOCHI, ZHANGGUO, World


@dataclass
class Findings:
    assessment: Assessment
    other: Assessment  # 平陆县's, where the world's evaluator has no duty
    supervisor: object
    cases: dict[str, Case] = field(default_factory=dict)


def finding_case(assessment: Assessment, *, name: str, village: str, household=None, order: int,
                 notified_at: datetime.datetime | None = None, wrong_exit=False, missed=None, approves=True,
                 reasons=None, state=Case.State.HQ_APPROVED) -> Case:
    return Case.objects.create(
        assessment=assessment, village=village, household=household, order=order,
        frame=Case.Frame.EXITED if household is not None else Case.Frame.SCREEN,
        head_name=household.head_name if household is not None else name,
        screen_source="" if household is not None else "民政低保 #12",
        weight=20.0 if household is not None else None, team=assessment.teams.first(), state=state, persons=3,
        wrong_exit=wrong_exit if household is not None else None, missed=missed, approves=approves,
        reasons=reasons if reasons is not None else [{"kind": "income", "text": "人均纯收入 3,100 元，低于标准 4,000 元"}],
        notified_at=notified_at if notified_at is not None else (timezone.now() if state == Case.State.HQ_APPROVED
                                                                 else None))


def _assessment(world: World, county: str, admin) -> Assessment:
    now = timezone.now()
    assessment = Assessment.objects.create(county=county, year=now.year, title=f"{county}退出评估",
                                           state=Assessment.State.FIELDWORK, seed=1, created_by=admin, drawn_by=admin,
                                           drawn_at=now)
    stratum = Stratum.objects.create(assessment=assessment, code="all", name="全部村")
    Team.objects.create(assessment=assessment, name="第1组")
    villages = (XIAGAOCHI, CHENGNEI) if county == "140826" else (ZHANGGUO,)
    for order, village in enumerate(villages, start=1):
        SampledVillage.objects.create(assessment=assessment, stratum=stratum, village=village, size=10,
                                      probability=0.5, order=order)
    return assessment


def findings_build(world: World) -> Findings:
    """绛县's assessment: the home household wrongly exited (and not approving), the neighbour approving
    with no finding, a screened household missed; 平陆县's: its household wrongly exited."""
    assessment = _assessment(world, "140826", world.county_admin)
    other = _assessment(world, "140829", world.outsider)
    Staff.objects.create(assessment=assessment, user=world.evaluator, duty=Staff.Duty.HEADQUARTERS)
    supervisor = user_create(username="supervisor", password=PASSWORD, role=Role.EVALUATOR,
                             org_unit=OrgUnit.objects.get(code="140826"), full_name="督导员", check_password=False)
    Staff.objects.create(assessment=assessment, user=supervisor, duty=Staff.Duty.SUPERVISOR, home_county="140829")
    found = Findings(assessment=assessment, other=other, supervisor=supervisor)
    found.cases["home"] = finding_case(
        assessment, name="", village=XIAGAOCHI, household=world.home, order=1, wrong_exit=True, approves=False,
        reasons=[{"kind": "income", "text": "人均纯收入 3,100 元，低于标准 4,000 元"},
                 {"kind": "approval", "text": "不认可：对退出结果"}])
    found.cases["neighbour"] = finding_case(assessment, name="", village=CHENGNEI, household=world.neighbour, order=2)
    found.cases["screen"] = finding_case(assessment, name="孙无名", village=CHENGNEI, order=3, missed=True,
                                         approves=None)
    found.cases["other"] = finding_case(other, name="", village=ZHANGGUO, household=world.other_county, order=1,
                                        wrong_exit=True)
    return found


def sent_days_ago(case: Case, days: int) -> Case:
    """The case's finding as sent to the county `days` calendar days ago (its dispute period then long over)."""
    case.notified_at = timezone.now() - datetime.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(notified_at=case.notified_at)
    return case
