"""An assessment in fieldwork with headquarters, a supervisor, an enumerator and three cases, and results
files to import into it (tests of the results import: service, page, command)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import openpyxl
from django.utils import timezone

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.assessment.models import Assessment, Case, SampledVillage, Staff, Stratum, Team
from jingzhun.orgunits.models import OrgUnit

from .people import PASSWORD, World

HEADERS = ["样本序号", "户编号", "户主姓名", "家庭人口", "劳动力人数", "工资性收入", "生产经营性收入", "财产性收入",
           "转移性收入", "生产经营支出", "吃穿不愁", "义务教育保障", "基本医疗保障", "住房安全保障", "饮水安全保障",
           "享受政策措施", "政策认可", "措施认可", "退出认可", "干部工作认可", "情况说明", "开始时间", "结束时间"]


@dataclass
class ResultsWorld:
    assessment: Assessment
    hq: object
    supervisor: object
    enumerator: object
    exited: Case  # the home household, 已脱贫户
    monitored: Case  # the neighbour, 监测对象
    screened: Case  # outside the registry (立意筛查)


def evaluator(username: str, code: str = "14"):
    return user_create(username=username, password=PASSWORD, role=Role.EVALUATOR,
                       org_unit=OrgUnit.objects.get(code=code), full_name=username, check_password=False)


def results_world(world: World, *, county: str = "140826") -> ResultsWorld:
    """As a drawn plan would leave it (the ORM, as tests/scope_world.py's `_assessments`)."""
    now = timezone.now()
    assessment = Assessment.objects.create(county=county, year=now.year, title="绛县巩固成果后评估",
                                           kind=Assessment.Kind.POST, state=Assessment.State.FIELDWORK, seed=1,
                                           created_by=world.county_admin, drawn_by=world.county_admin, drawn_at=now,
                                           frame_as_of=datetime.date(now.year, 1, 1))
    stratum = Stratum.objects.create(assessment=assessment, code="all", name="全部村", villages_in_frame=3,
                                     villages_drawn=2)
    team = Team.objects.create(assessment=assessment, name="第1组")
    suffix = "" if county == "140826" else f"_{county}"
    hq, supervisor, enumerator = (evaluator(name + suffix) for name in ("hq", "supervisor", "enumerator"))
    Staff.objects.create(assessment=assessment, user=hq, duty=Staff.Duty.HEADQUARTERS, home_county="140829")
    Staff.objects.create(assessment=assessment, user=supervisor, duty=Staff.Duty.SUPERVISOR, home_county="140829",
                         team=team)
    Staff.objects.create(assessment=assessment, user=enumerator, duty=Staff.Duty.ENUMERATOR, home_county="140829",
                         team=team)
    for order, household in enumerate((world.home, world.neighbour), start=1):
        SampledVillage.objects.create(assessment=assessment, stratum=stratum, village=household.village_id, size=10,
                                      probability=0.5, order=order)

    def case(order, frame, household=None, village=None, head=""):
        return Case.objects.create(assessment=assessment, village=village or household.village_id, frame=frame,
                                   household=household, head_name=head or household.head_name, weight=20.0,
                                   probability=0.05, order=order, team=team)

    return ResultsWorld(assessment, hq, supervisor, enumerator,
                        case(1, Case.Frame.EXITED, world.home), case(2, Case.Frame.MONITORED, world.neighbour),
                        case(3, Case.Frame.SCREEN, village=world.home.village_id, head="孙大病"))


def good_rows(rw: ResultsWorld) -> list[list]:
    """Three interviews: the exited household poor (错退) and approving, the monitored one fine, the
    screened one poor (漏评) and not approving the measures."""
    return [
        [1, rw.exited.household_id, "王建国", 3, 1, "4000", "", "", "2000", "", "是", "是", "是", "是", "是",
         "低保兜底、健康帮扶", "认可", "认可", "认可", "基本认可", "", "2026-07-01 09:30", "2026-07-01 10:10"],
        [2, rw.monitored.household_id, "赵德福", 4, 2, 30000, 5000, "", 1200.5, 500, "是", "是", "是", "是", "是",
         "就业帮扶", "认可", "基本认可", "", "认可", "外出务工", "2026-07-01 10:30", "2026-07-01 11:00"],
        [3, "", "孙大病", 2, 0, "", "", "", "3000", "", "是", "是", "否", "是", "是",
         "没有享受", "认可", "不认可", "", "认可", "大病无医保", "", ""],
    ]


def workbook(path, rows, headers=HEADERS, sheet="调查结果"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def csv_file(path, rows, headers=HEADERS, encoding="utf-8-sig"):
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path
