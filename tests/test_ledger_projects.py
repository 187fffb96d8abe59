"""重点项目 (key projects): a project registered with its investment and milestones
(services.tasks.project_item_create), milestones added and done, the deadline colour counting overdue
milestones, the project list and page (photo gallery through the evidence download), the new-project form —
in scope (the 责任单位 and the county read a project; another township, department or county do not)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Project
from jingzhun.orgunits.permissions import Refused
from jingzhun.supervision.models import Item, Milestone
from jingzhun.supervision.selectors.tasks import project_timing, projects_for
from jingzhun.supervision.services.items import LedgerError, item_progress, item_report, item_review, item_sign
from jingzhun.supervision.services.tasks import milestone_add, milestone_done
from jingzhun.supervision.vocab import ItemKind, ItemState, Timing

from .notice_photos import jpeg_bytes, upload
from .tasks_world import days, project_make, tasks_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def tw(world):
    return tasks_build(world, meeting=False)


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _library(county="140826", code="2020-001", percent=35):
    return Project.objects.create(county_id=county, code=code, name="光伏扶贫电站", category="industry", year=2020,
                                  responsible_unit="县发改局", percent_complete=percent)


def _photo(world, item, note="主体封顶", percent=None):
    if item.state == ItemState.ASSIGNED:
        item_sign(acting_user=world.township_officer, item_id=item.pk)
        item.state = ItemState.DOING
    return item_progress(acting_user=world.township_officer, item_id=item.pk, note=note, percent=percent,
                         upload=upload("现场.jpg", jpeg_bytes()))


# --- the service ---------------------------------------------------------------------------------------------

def test_a_key_project_is_an_assigned_item_with_its_investment_and_milestones(world, tw):
    item = project_make(world, tw.township, deadline=days(200), milestones=[
        {"name": "完成土建", "due": days(60)}, {"name": "设备安装", "due": days(120)}])
    assert (item.kind, item.state, item.investment, item.agency_id, item.deadline) == (
        ItemKind.PROJECT, ItemState.ASSIGNED, Decimal("1250.50"), tw.township.pk, days(200))
    assert list(item.milestones.values_list("name", "due", "done_on")) == [("完成土建", days(60), None),
                                                                           ("设备安装", days(120), None)]


def test_the_ledger_percent_does_not_follow_the_linked_library_project(world, tw):
    library = _library(percent=35)
    item = project_make(world, tw.township, project_id=library.pk)
    assert (item.project_id, item.percent) == (library.pk, 0)
    _photo(world, item, percent=50)
    assert Item.objects.get(pk=item.pk).percent == 50 and Project.objects.get(pk=library.pk).percent_complete == 35


@pytest.mark.parametrize("change, words", [
    ({"investment": "很多"}, "应是以万元为单位的数字"),
    ({"investment": "-5"}, "应在 0 到"),
    ({"investment": None}, "请填写总投资"),
    ({"name": "  "}, "请填写项目名称"),
    ({"milestones": [{"name": "土建", "due": None}]}, "第 1 个节点"),
])
def test_a_bad_project_is_refused_and_nothing_is_made(world, tw, change, words):
    before = Item.objects.count()
    with pytest.raises(LedgerError) as error:
        project_make(world, tw.township, **change)
    assert words in error.value.message and Item.objects.count() == before


def test_a_project_links_only_its_own_countys_library_project_once(world, tw):
    with pytest.raises(LedgerError, match="不是本县的项目"):
        project_make(world, tw.township, project_id=_library(county="140829", code="PL-1").pk)
    library = _library()
    project_make(world, tw.township, project_id=library.pk)
    with pytest.raises(LedgerError, match="已登记为重点项目"):
        project_make(world, tw.dept, name="另一个", project_id=library.pk)


def test_only_the_county_registers_key_projects(world, tw):
    for user in (world.township_officer, world.department, world.outsider):
        with pytest.raises(Refused):
            project_item_create_as(user, tw)
    assert not Item.objects.filter(kind=ItemKind.PROJECT).exists()


def project_item_create_as(user, tw):
    from jingzhun.supervision.services.tasks import project_item_create

    return project_item_create(acting_user=user, county="140826", name="园区", investment="10", agency_id=tw.dept.pk,
                               deadline=days(30))


def test_the_county_and_the_unit_keep_milestones_others_may_not(world, tw):
    item = project_make(world, tw.township)
    milestone_add(acting_user=world.county_admin, item_id=item.pk, name="完成土建", due=days(10))
    mine = milestone_add(acting_user=world.township_officer, item_id=item.pk, name="设备进场", due=days(20))
    milestone_done(acting_user=world.township_officer, item_id=item.pk, milestone_id=mine.pk)
    assert Milestone.objects.get(pk=mine.pk).done_on == days(0)
    assert item.events.filter(kind="edit").count() == 3
    with pytest.raises(Http404):  # another unit does not reach the item
        milestone_add(acting_user=world.department, item_id=item.pk, name="插手", due=days(5))
    with pytest.raises(Refused):  # reads it, keeps nothing
        milestone_add(acting_user=world.analyst, item_id=item.pk, name="插手", due=days(5))
    assert item.milestones.count() == 2


def test_a_milestone_is_done_once_never_in_the_future_never_after_closing(world, tw):
    item = project_make(world, tw.township, milestones=[{"name": "土建", "due": days(5)}])
    stone = item.milestones.get()
    with pytest.raises(LedgerError, match="不能晚于今天"):
        milestone_done(acting_user=world.county_admin, item_id=item.pk, milestone_id=stone.pk, done_on=days(1))
    milestone_done(acting_user=world.county_admin, item_id=item.pk, milestone_id=stone.pk)
    with pytest.raises(LedgerError, match="已于"):
        milestone_done(acting_user=world.county_admin, item_id=item.pk, milestone_id=stone.pk)
    other = project_make(world, tw.township, name="别的项目", milestones=[{"name": "x", "due": days(5)}])
    with pytest.raises(LedgerError, match="没有这个节点"):
        milestone_done(acting_user=world.county_admin, item_id=item.pk, milestone_id=other.milestones.get().pk)
    item_sign(acting_user=world.township_officer, item_id=item.pk)
    item_report(acting_user=world.township_officer, item_id=item.pk, note="竣工")
    item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    with pytest.raises(LedgerError, match="已销号"):
        milestone_add(acting_user=world.county_admin, item_id=item.pk, name="补", due=days(3))


def test_a_problem_item_has_no_milestones(world, tw):
    from jingzhun.supervision.services.items import item_create

    problem = item_create(acting_user=world.county_admin, county="140826", title="数据错误", agency_id=tw.township.pk)
    with pytest.raises(LedgerError, match="只有重点工作和重点项目"):
        milestone_add(acting_user=world.county_admin, item_id=problem.pk, name="x", due=days(3))


def test_an_overdue_milestone_makes_the_project_overdue(world, tw):
    item = project_make(world, tw.township, deadline=days(100), milestones=[{"name": "土建", "due": days(-1)}])
    today = days(0)
    assert item.timing(today, 7) == Timing.ON_TIME and project_timing(item, today, 7) == Timing.OVERDUE
    milestone_done(acting_user=world.county_admin, item_id=item.pk, milestone_id=item.milestones.get().pk)
    assert project_timing(Item.objects.get(pk=item.pk), today, 7) == Timing.ON_TIME


# --- the list ------------------------------------------------------------------------------------------------

def _rows(body: str) -> str:
    return re.search(r'<table class="grid ledger-work" id="projects">(.*?)</table>', body, re.S).group(1)


def test_the_project_list_shows_investment_percent_milestones_photos_and_colour(world, tw, client):
    library = _library(percent=35)
    item = project_make(world, tw.township, project_id=library.pk, deadline=days(100), milestones=[
        {"name": "土建", "due": days(-2)}, {"name": "安装", "due": days(30)}])
    _photo(world, item, percent=45)
    _photo(world, item, note="第二张")
    item_progress(acting_user=world.township_officer, item_id=item.pk, note="无照片")
    table = _rows(_as(client, world.county_admin).get(reverse("supervision:project_list")).content.decode())
    row = re.search(rf'<tr id="project-{item.pk}" class="([^"]+)">(.*?)</tr>', table, re.S)
    assert row.group(1) == "timing-overdue"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(2), re.S)
    assert "1250.50" in cells[2] and 'value="45"' in cells[3] and "项目库 35%" in cells[3]
    assert 'class="milestone late"' in cells[4] and "逾期" in cells[4] and cells[5].strip() == "2"
    assert "1 个节点逾期" in cells[6]


def test_a_department_and_a_township_read_their_own_projects_only(world, tw, client):
    township = project_make(world, tw.township, name="乡镇项目")
    dept = project_make(world, tw.dept, name="部门项目")
    other = project_make(world, tw.other_township, name="横水项目")
    assert set(projects_for(world.department)) == {dept}
    assert set(projects_for(world.township_officer)) == {township}
    assert set(projects_for(world.county_admin)) == {township, dept, other}
    assert not projects_for(world.outsider).exists()
    table = _rows(_as(client, world.department).get(reverse("supervision:project_list")).content.decode())
    assert "部门项目" in table and "乡镇项目" not in table and "横水项目" not in table
    assert _as(client, world.work_team).get(reverse("supervision:project_list")).status_code == 403


def test_the_project_workbook_is_audited(world, tw, client):
    import openpyxl

    project_make(world, tw.township)
    response = _as(client, world.county_admin).get(reverse("supervision:project_list"), {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1][0] == "农产品加工园区" and rows[1][3] == 1250.5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="ledger_projects").exists()


def test_a_forged_state_filter_gets_an_error_page(world, tw, client):
    response = _as(client, world.county_admin).get(reverse("supervision:project_list"), {"state": "gone"})
    assert response.status_code == 400


# --- the project page and the evidence ------------------------------------------------------------------------

def test_the_project_page_shows_milestones_and_a_photo_gallery(world, tw, client):
    item = project_make(world, tw.township, milestones=[{"name": "土建", "due": days(-2)}])
    event = _photo(world, item)
    body = _as(client, world.township_officer).get(reverse("supervision:project_detail",
                                                           kwargs={"item_id": item.pk})).content.decode()
    gallery = re.search(r'<div class="gallery" id="photos">(.*?)</div>', body, re.S).group(1)
    src = reverse("supervision:item_evidence", kwargs={"event_id": event.pk})
    assert f'src="{src}"' in gallery and "主体封顶" in gallery
    assert 'class="overdue"' in body and "标记完成" in body and 'id="milestone-form"' in body
    body = _as(client, world.analyst).get(reverse("supervision:project_detail", kwargs={"item_id": item.pk})).content.decode()
    assert "标记完成" not in body and 'id="milestone-form"' not in body  # a reader keeps nothing


def test_the_evidence_download_serves_a_photo_inline_and_is_audited(world, tw, client):
    item = project_make(world, tw.township)
    event = _photo(world, item)
    url = reverse("supervision:item_evidence", kwargs={"event_id": event.pk})
    response = _as(client, world.county_admin).get(url)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="ledger_evidence").count() == 1
    assert _as(client, world.department).get(url).status_code == 404  # not the department's item
    assert _as(client, world.outsider).get(url).status_code == 404


def test_the_project_page_is_for_projects_in_reach_only(world, tw, client):
    item = project_make(world, tw.township)
    url = reverse("supervision:project_detail", kwargs={"item_id": item.pk})
    assert _as(client, world.department).get(url).status_code == 404
    assert _as(client, world.outsider).get(url).status_code == 404
    assert _as(client, world.cadre).get(url).status_code == 404


def test_milestones_through_the_page(world, tw, client):
    item = project_make(world, tw.township)
    _as(client, world.township_officer)
    response = client.post(reverse("supervision:milestone_new", kwargs={"item_id": item.pk}),
                           {"name": "完成验收", "due": days(9).isoformat()})
    assert response.status_code == 302
    stone = item.milestones.get()
    client.post(reverse("supervision:milestone_done", kwargs={"item_id": item.pk, "milestone_id": stone.pk}))
    assert Milestone.objects.get(pk=stone.pk).done_on == days(0)
    response = client.post(reverse("supervision:milestone_new", kwargs={"item_id": item.pk}), {"name": "", "due": "x"})
    assert response.status_code == 400 and item.milestones.count() == 1
    assert _as(client, world.analyst).post(reverse("supervision:milestone_new", kwargs={"item_id": item.pk}),
                                           {"name": "插手", "due": days(9).isoformat()}).status_code == 403


def test_the_county_registers_a_project_through_the_form(world, tw, client):
    library = _library()
    data = {"name": "农产品冷链物流中心", "investment": "3200", "agency": tw.dept.pk, "lead_agency": "",
            "responsible": "王局长", "deadline": days(300).isoformat(), "project": library.pk, "measures": "冷库两座",
            "rows": "2", "m0-name": "主体完工", "m0-due": days(100).isoformat(), "m1-name": "", "m1-due": ""}
    response = _as(client, world.county_admin).post(reverse("supervision:project_new"), data)
    item = Item.objects.get(title="农产品冷链物流中心")
    assert response.status_code == 302 and response["Location"] == reverse("supervision:project_detail",
                                                                           kwargs={"item_id": item.pk})
    assert (item.investment, item.project_id, item.milestones.count()) == (Decimal("3200.00"), library.pk, 1)
    response = client.post(reverse("supervision:project_new"), {**data, "name": "再来一个"})
    assert response.status_code == 400 and not Item.objects.filter(title="再来一个").exists()  # linked already
    assert _as(client, world.township_officer).get(reverse("supervision:project_new")).status_code == 403
