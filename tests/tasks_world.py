"""Key tasks and projects for the tests of 重点工作 / 重点项目: 绛县's units (县民政局 with the world's department
user, the townships 140826100 and 140826101), 平陆县's 县民政局, a meeting with a task for each 绛县 unit and
key projects made through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from jingzhun.orgunits.models import OrgUnit
from jingzhun.supervision.models import Agency
from jingzhun.supervision.services.agencies import agency_create, agency_for_org, agency_staff_set
from jingzhun.supervision.services.tasks import meeting_record, project_item_create

from .people import World


@dataclass
class TasksWorld:
    dept: Agency
    township: Agency
    other_township: Agency
    other_county_dept: Agency
    meeting: object = None
    tasks: dict = field(default_factory=dict)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def tasks_build(world: World, *, meeting: bool = True) -> TasksWorld:
    dept = agency_create(acting_user=world.county_admin, county="140826", name="县民政局")
    agency_staff_set(acting_user=world.county_admin, agency_id=dept.pk, usernames=["department"])
    built = TasksWorld(dept=dept, township=agency_for_org(OrgUnit.objects.get(code="140826100")),
                       other_township=agency_for_org(OrgUnit.objects.get(code="140826101")),
                       other_county_dept=agency_create(acting_user=world.outsider, county="140829", name="县民政局"))
    if meeting:
        built.meeting = meeting_record(
            acting_user=world.county_admin, county="140826", name="县委常委会第5次会议", held_on=days(-3),
            issued_by="县委办公室", tasks=[
                {"title": "安全生产大检查", "agency_id": dept.pk, "responsible": "王局长", "deadline": days(30)},
                {"title": "疫情防控常态化", "agency_id": built.township.pk, "responsible": "李乡长", "deadline": days(3)},
                {"title": "大气污染防治", "agency_id": built.other_township.pk, "deadline": days(-1)},
            ])
        built.tasks = {i.number: i for i in built.meeting.items.order_by("number")}
    return built


def project_make(world: World, agency: Agency, *, name: str = "农产品加工园区", deadline=None, milestones=(), **extra):
    return project_item_create(acting_user=world.county_admin, county=agency.county_id, name=name,
                               investment=extra.pop("investment", "1250.5"), agency_id=agency.pk,
                               deadline=deadline or days(90), milestones=milestones, **extra)
