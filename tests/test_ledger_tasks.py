"""重点工作 (key tasks): a meeting recorded with its tasks (services.tasks.meeting_record), the meeting form,
and the task list with its deadline colours, percent and last progress — in scope (a department reads its
own tasks only, a township its own, another county none)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.permissions import Refused
from jingzhun.supervision.models import Batch, Item
from jingzhun.supervision.services.items import LedgerError, item_progress, item_report, item_review, item_sign
from jingzhun.supervision.services.tasks import meeting_record
from jingzhun.supervision.vocab import ItemKind, ItemState, Source

from .tasks_world import days, tasks_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def tw(world):
    return tasks_build(world)


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _table(body: str) -> str:
    return re.search(r'<table class="grid ledger-work" id="tasks">(.*?)</table>', body, re.S).group(1)


# --- the service ---------------------------------------------------------------------------------------------

def test_a_meeting_becomes_a_batch_with_its_tasks_assigned_to_their_units(world, tw):
    batch = tw.meeting
    assert (batch.source, batch.kind, batch.issued_by, batch.received_on) == (Source.MEETING, ItemKind.TASK,
                                                                               "县委办公室", days(-3))
    tasks = list(batch.items.order_by("number"))
    assert [(t.number, t.title, t.agency_id, t.responsible, t.deadline) for t in tasks] == [
        (1, "安全生产大检查", tw.dept.pk, "王局长", days(30)), (2, "疫情防控常态化", tw.township.pk, "李乡长", days(3)),
        (3, "大气污染防治", tw.other_township.pk, "", days(-1))]
    assert all(t.kind == ItemKind.TASK and t.source == Source.MEETING and t.state == ItemState.ASSIGNED for t in tasks)
    assert [e.kind for e in tasks[0].events.order_by("id")] == ["create", "assign"]


def test_a_meeting_can_be_recorded_without_assigning_its_tasks(world, tw):
    batch = meeting_record(acting_user=world.county_admin, county="140826", name="招商引资推进会", held_on=days(0),
                           assign=False, tasks=[{"title": "签约项目落地", "agency_id": tw.dept.pk, "deadline": days(60)}])
    assert batch.items.get().state == ItemState.DRAFT


@pytest.mark.parametrize("row, words", [
    ({"title": " ", "agency_id": "dept", "deadline": 10}, "第 2 项任务：请填写任务内容"),
    ({"title": "任务", "agency_id": None, "deadline": 10}, "第 2 项任务：请选择责任单位"),
    ({"title": "任务", "agency_id": "dept", "deadline": None}, "第 2 项任务：请填写完成时限"),
    ({"title": "任务", "agency_id": "dept", "deadline": -10}, "不能早于会议日期"),
    ({"title": "任务", "agency_id": "other_county", "deadline": 10}, "第 2 项任务：责任单位不是本县在用的单位"),
])
def test_one_bad_task_refuses_the_whole_meeting(world, tw, row, words):
    agencies = {"dept": tw.dept.pk, "other_county": tw.other_county_dept.pk, None: None}
    bad = {"title": row["title"], "agency_id": agencies[row["agency_id"]],
           "deadline": None if row["deadline"] is None else days(row["deadline"])}
    before = (Batch.objects.count(), Item.objects.count())
    with pytest.raises(LedgerError) as error:
        meeting_record(acting_user=world.county_admin, county="140826", name="第二次会议", held_on=days(-1), tasks=[
            {"title": "好任务", "agency_id": tw.dept.pk, "deadline": days(5)}, bad])
    assert words in error.value.message
    assert (Batch.objects.count(), Item.objects.count()) == before


@pytest.mark.parametrize("name, held_on, tasks, words", [
    ("", -1, 1, "请填写会议名称"),
    ("县委常委会第5次会议", -1, 1, "已有名为"),
    ("明天的会", 1, 1, "不能晚于今天"),
    ("没有任务的会", -1, 0, "至少填写一项"),
])
def test_a_meeting_needs_a_new_name_a_past_date_and_tasks(world, tw, name, held_on, tasks, words):
    rows = [{"title": "任务", "agency_id": tw.dept.pk, "deadline": days(9)}] * tasks
    with pytest.raises(LedgerError) as error:
        meeting_record(acting_user=world.county_admin, county="140826", name=name, held_on=days(held_on), tasks=rows)
    assert words in error.value.message


def test_only_the_county_records_its_meetings(world, tw):
    rows = [{"title": "任务", "agency_id": tw.dept.pk, "deadline": days(9)}]
    for user in (world.township_officer, world.department, world.analyst, world.outsider):
        with pytest.raises(Refused):
            meeting_record(acting_user=user, county="140826", name=f"会-{user.username}", held_on=days(0), tasks=rows)
    assert Batch.objects.filter(source=Source.MEETING).count() == 1


def test_a_task_goes_through_the_ledger_flow_with_its_percent(world, tw):
    task = tw.tasks[1]
    item_sign(acting_user=world.department, item_id=task.pk)
    item_progress(acting_user=world.department, item_id=task.pk, note="已检查企业 12 家", percent=40)
    assert Item.objects.get(pk=task.pk).percent == 40
    item_report(acting_user=world.department, item_id=task.pk, note="检查完毕，隐患全部整改")
    closed = item_review(acting_user=world.county_admin, item_id=task.pk, passed=True)
    assert (closed.state, closed.percent) == (ItemState.CLOSED, 100)
    with pytest.raises(Http404):  # a township's task is out of the department's reach
        item_sign(acting_user=world.department, item_id=tw.tasks[2].pk)


# --- the list ------------------------------------------------------------------------------------------------

def test_the_county_reads_every_task_with_its_deadline_colour(world, tw, client):
    body = _as(client, world.county_admin).get(reverse("supervision:task_list")).content.decode()
    table = _table(body)
    assert "县委常委会第5次会议" in table and table.count('<tr id="task-') == 3
    row = lambda n: re.search(rf'<tr id="task-{tw.tasks[n].pk}" class="([^"]+)">(.*?)</tr>', table, re.S).groups()
    assert row(1)[0] == "timing-on_time" and "剩 30 天" in row(1)[1]
    assert row(2)[0] == "timing-due_soon" and "临期" in row(2)[1]
    assert row(3)[0] == "timing-overdue" and "逾期" in row(3)[1]
    assert 'id="meeting-new"' in body


def test_the_list_shows_the_percent_and_the_last_progress(world, tw, client):
    task = tw.tasks[2]
    item_sign(acting_user=world.township_officer, item_id=task.pk)
    item_progress(acting_user=world.township_officer, item_id=task.pk, note="第一轮消杀", percent=20)
    item_progress(acting_user=world.township_officer, item_id=task.pk, note="核酸检测点建成", percent=60)
    table = _table(_as(client, world.county_admin).get(reverse("supervision:task_list")).content.decode())
    row = re.search(rf'<tr id="task-{task.pk}".*?</tr>', table, re.S).group(0)
    assert 'value="60"' in row and "核酸检测点建成" in row and "第一轮消杀" not in row


def test_a_department_reads_its_own_tasks_only(world, tw, client):
    body = _as(client, world.department).get(reverse("supervision:task_list")).content.decode()
    table = _table(body)
    assert "安全生产大检查" in table and "疫情防控常态化" not in table and "大气污染防治" not in table
    assert 'id="meeting-new"' not in body


def test_a_township_reads_its_own_tasks_only(world, tw, client):
    table = _table(_as(client, world.township_officer).get(reverse("supervision:task_list")).content.decode())
    assert "疫情防控常态化" in table and "安全生产大检查" not in table and "大气污染防治" not in table


def test_another_county_reads_none_and_helpers_are_refused(world, tw, client):
    table = _table(_as(client, world.outsider).get(reverse("supervision:task_list")).content.decode())
    assert "<tr id=\"task-" not in table and "没有重点工作" in table
    assert _as(client, world.cadre).get(reverse("supervision:task_list")).status_code == 403


def test_the_list_filters_by_meeting_and_state(world, tw, client):
    other = meeting_record(acting_user=world.county_admin, county="140826", name="招商引资推进会", held_on=days(0),
                           tasks=[{"title": "签约项目落地", "agency_id": tw.dept.pk, "deadline": days(60)}])
    _as(client, world.county_admin)
    table = _table(client.get(reverse("supervision:task_list"), {"meeting": other.pk}).content.decode())
    assert "签约项目落地" in table and "安全生产大检查" not in table
    item_sign(acting_user=world.department, item_id=tw.tasks[1].pk)
    table = _table(client.get(reverse("supervision:task_list"), {"state": "doing"}).content.decode())
    assert table.count('<tr id="task-') == 1 and "安全生产大检查" in table


def test_a_forged_filter_gets_an_error_page(world, tw, client):
    response = _as(client, world.county_admin).get(reverse("supervision:task_list"), {"meeting": "abc"})
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()
    response = client.get(reverse("supervision:task_list"), {"meeting": "999999"})  # not a meeting in reach
    assert response.status_code == 400


def test_the_workbook_holds_the_tasks_in_reach_and_is_audited(world, tw, client):
    response = _as(client, world.township_officer).get(reverse("supervision:task_list"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "任务" and [r[3] for r in rows[1:]] == ["疫情防控常态化"] and rows[1][9] == "临期"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="ledger_tasks").count() == 1


# --- the meeting form ----------------------------------------------------------------------------------------

def _meeting_post(tw, **rows):
    data = {"name": "全县重点工作推进会", "held_on": days(-1).isoformat(), "issued_by": "县政府办", "rows": "3"}
    for n, (title, agency, deadline) in rows.items():
        data.update({f"{n}-title": title, f"{n}-agency": agency, f"{n}-responsible": "",
                     f"{n}-deadline": deadline})
    return data


def test_the_county_records_a_meeting_with_several_tasks_and_blank_rows_are_skipped(world, tw, client):
    data = _meeting_post(tw, t0=("安全生产", tw.dept.pk, days(20).isoformat()),
                         t2=("大气污染防治", tw.township.pk, days(25).isoformat()))
    response = _as(client, world.county_admin).post(reverse("supervision:meeting_new"), data)
    batch = Batch.objects.get(name="全县重点工作推进会")
    assert response.status_code == 302 and response["Location"].endswith(f"?meeting={batch.pk}")
    assert list(batch.items.order_by("number").values_list("number", "title", "state")) == [
        (1, "安全生产", "assigned"), (2, "大气污染防治", "assigned")]


def test_a_bad_meeting_form_says_why_and_records_nothing(world, tw, client):
    data = _meeting_post(tw, t0=("安全生产", tw.dept.pk, "2020-13-45"), t1=("没单位", "", days(3).isoformat()))
    response = _as(client, world.county_admin).post(reverse("supervision:meeting_new"), data)
    assert response.status_code == 400 and "第 1 行" in response.content.decode()
    data = _meeting_post(tw, t1=("没单位", "", days(3).isoformat()))
    response = client.post(reverse("supervision:meeting_new"), data)
    assert response.status_code == 400 and "第 1 项任务：请选择责任单位" in response.content.decode()
    data = _meeting_post(tw, t0=("别县单位", tw.other_county_dept.pk, days(3).isoformat()))
    assert client.post(reverse("supervision:meeting_new"), data).status_code == 400  # not a choice of 绛县's
    assert not Batch.objects.filter(name="全县重点工作推进会").exists()


def test_the_meeting_form_offers_more_rows(world, tw, client):
    body = _as(client, world.county_admin).get(reverse("supervision:meeting_new"), {"rows": "12"}).content.decode()
    assert body.count('name="t11-title"') == 1 and 'name="t12-title"' not in body
    assert "县民政局" in body and "平陆" not in body


def test_only_the_county_opens_the_meeting_form(world, tw, client):
    for user in (world.township_officer, world.department, world.analyst, world.village_clerk):
        assert _as(client, user).get(reverse("supervision:meeting_new")).status_code == 403


def test_the_system_administrator_picks_the_county_first(world, tw, client):
    _as(client, world.sysadmin)
    assert 'id="county-pick"' in client.get(reverse("supervision:meeting_new")).content.decode()
    response = client.get(reverse("supervision:meeting_new"), {"county": "999999"})
    assert "没有这个县" in response.content.decode()
    assert 'id="meeting-form"' in client.get(reverse("supervision:meeting_new"), {"county": "140826"}).content.decode()


def test_a_task_item_is_not_a_project_page(world, tw, client):
    response = _as(client, world.county_admin).get(reverse("supervision:project_detail",
                                                           kwargs={"item_id": tw.tasks[1].pk}))
    assert response.status_code == 404
