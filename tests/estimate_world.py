"""An assessment of 绛县 with headquarters-approved questionnaires, made with the ORM as a drawn plan and its
fieldwork would leave them (as tests/scope_world.py does), for the estimates' service, pages, report,
CLI and the exit pages."""

from __future__ import annotations

from django.utils import timezone

from jingzhun.assessment.models import Assessment, Case, SampledVillage, Staff, Stratum, Team

from .people import CHENGNEI, HENGDONG, XIAGAOCHI, World

OTHER = "140826101202"
#: stratum, village, probability of the village
VILLAGES = (("poor", XIAGAOCHI, 0.5), ("poor", CHENGNEI, 0.4), ("other", HENGDONG, 0.25), ("other", OTHER, 0.2))
ANSWERS = {"persons": 3, "wage": "24000", "food_clothing": True, "education": True, "medical": True,
           "housing": True, "water": True, "approve_policy": "认可", "approve_measures": "认可",
           "approve_exit": "认可", "approve_cadres": "认可"}


def exit_assessment(world: World, *, kind: str = Assessment.Kind.EXIT, hq=None, wrong_in: str = XIAGAOCHI,
                    year: int | None = None) -> Assessment:
    """绛县's assessment in fieldwork: two strata of two villages, 5 exited and 2 not-exited households per
    village approved by headquarters (one wrongly exited household of 3 persons in `wrong_in`, one
    household in 城内村 without safe water that does not approve), one screened household found missed,
    and three drawn households not approved (assigned, completed, rejected) that must not count.
    `hq` (default the world's evaluator) is its headquarters."""
    now = timezone.now()
    assessment = Assessment.objects.create(
        county="140826", year=year or timezone.localdate().year, kind=kind, title="绛县退出评估",
        state=Assessment.State.FIELDWORK, seed=20260101, design={"margin": 0.03}, frame_sha256="ab" * 32,
        frame_as_of=timezone.localdate(), created_by=world.county_admin, drawn_by=world.county_admin, drawn_at=now)
    strata = {code: Stratum.objects.create(assessment=assessment, code=code, name={"poor": "贫困村", "other": "非贫困村"}[code],
                                           villages_in_frame=10, villages_drawn=2) for code in ("poor", "other")}
    team = Team.objects.create(assessment=assessment, name="第1组")
    Staff.objects.create(assessment=assessment, user=hq or world.evaluator, duty=Staff.Duty.HEADQUARTERS,
                         home_county="140829")
    order = 0

    def case(village, frame, *, weight, state=Case.State.HQ_APPROVED, wrong=False, missed=None, approves=True,
             answers=None):
        nonlocal order
        order += 1
        return Case.objects.create(
            assessment=assessment, village=village, frame=frame, weight=weight, probability=1 / weight if weight else None,
            order=order, team=team, state=state, answers=answers or dict(ANSWERS), persons=3,
            wrong_exit=wrong if frame == Case.Frame.EXITED else None, missed=missed, approves=approves)

    for n, (stratum, village, probability) in enumerate(VILLAGES, start=1):
        SampledVillage.objects.create(assessment=assessment, stratum=strata[stratum], village=village, size=100,
                                      probability=probability, order=n)
        for h in range(5):
            case(village, Case.Frame.EXITED, weight=20 / probability, wrong=village == wrong_in and h == 0)
        for h in range(2):
            poor_water = village == CHENGNEI and h == 0
            case(village, Case.Frame.NOT_EXITED, weight=5 / probability, approves=not poor_water,
                 answers={**ANSWERS, "water": False} if poor_water else None)
    case(CHENGNEI, Case.Frame.SCREEN, weight=None, missed=True)
    for state in (Case.State.ASSIGNED, Case.State.COMPLETED, Case.State.REJECTED):
        case(HENGDONG, Case.Frame.EXITED, weight=80.0, state=state, wrong=True, approves=False)
    return assessment
