"""重点工作 and 重点项目 on the ledger machinery: a meeting's tasks recorded in one go (会议交办), a key
project with its investment and 节点 (milestones), and milestones added and marked done.

Both are ledger items (kind `task` or `project`) and go through the same flow as a problem (签收, 进展 with
a photo, 办结报告, 复核, 销号: services.items); this module only adds how they come in and their milestones.

形象进度: the ledger's `percent` is what the 责任单位 reports through its progress entries (item_progress);
a key project linked to a 项目库 project does NOT follow that project's `percent_complete`. The two are
kept by different people (the unit reports to the 督查 office; the county's project managers keep the
项目库) and the pages show them side by side, so a gap between them is visible instead of overwritten.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.assistance.selectors.projects import projects_for
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_handle_ledger_items, may_manage_ledger, require

from ..models import Batch, Item, ItemEvent, Milestone
from ..selectors import acts_for, item_get
from ..vocab import OPEN_STATES, EventKind, ItemKind, Source
from .items import LedgerError, item_assign, item_create

#: What a key project's 总投资 may be at most (万元): the field holds 12 digits, 2 after the point.
INVESTMENT_MAX = Decimal("9999999999.99")


def _require_manager(acting_user, county: str) -> None:
    access = access_for(acting_user)
    require(may_manage_ledger(access) and access.reaches_code(county),
            _("只有县级管理员可以登记会议交办的重点工作和重点项目。"))


def _milestone_rows(milestones: Iterable[Mapping], *, start: datetime.date | None = None) -> list[tuple[str, datetime.date]]:
    rows = []
    for n, row in enumerate(milestones, start=1):
        name = (row.get("name") or "").strip()
        due = row.get("due")
        if not name or due is None:
            raise LedgerError(_("第 %(n)d 个节点：请同时填写节点名称和计划完成日期。") % {"n": n})
        if len(name) > 128:
            raise LedgerError(_("第 %(n)d 个节点：节点名称不能超过 128 个字。") % {"n": n})
        if start is not None and due < start:
            raise LedgerError(_("第 %(n)d 个节点：计划完成日期不能早于登记日期。") % {"n": n})
        rows.append((name, due))
    return rows


@transaction.atomic
def meeting_record(*, acting_user, county: str, name: str, held_on: datetime.date, tasks: Iterable[Mapping],
                   issued_by: str = "", assign: bool = True) -> Batch:
    """会议交办: a meeting (a batch of source 会议交办, kind 重点工作) and its tasks as ledger items, in one go.

    Each task is a mapping with `title` (the task), `agency_id` (责任单位), `deadline` (时限) and optionally
    `responsible` (责任人) and `lead_agency_id` (牵头单位). With `assign` (the default) the tasks are 交办 at
    once — a meeting hands its tasks over as it assigns them — and wait for the units to 签收. Any bad row
    refuses the whole meeting, saying which row and what to fix.
    """
    _require_manager(acting_user, county)
    name = name.strip()
    if not name:
        raise LedgerError(_("请填写会议名称（如“县委常委会第5次会议”）。"))
    if len(name) > 128:
        raise LedgerError(_("会议名称不能超过 128 个字。"))
    if held_on > timezone.localdate():
        raise LedgerError(_("会议日期不能晚于今天。"))
    tasks = list(tasks)
    if not tasks:
        raise LedgerError(_("请至少填写一项交办任务。"))
    if Batch.objects.filter(county_id=county, name=name).exists():
        raise LedgerError(_("本县已有名为“%(name)s”的交办批次，请换一个名称（如加上日期）。") % {"name": name})
    for n, task in enumerate(tasks, start=1):
        if not (task.get("title") or "").strip():
            raise LedgerError(_("第 %(n)d 项任务：请填写任务内容。") % {"n": n})
        if task.get("agency_id") is None:
            raise LedgerError(_("第 %(n)d 项任务：请选择责任单位。") % {"n": n})
        if task.get("deadline") is None:
            raise LedgerError(_("第 %(n)d 项任务：请填写完成时限。") % {"n": n})
        if task["deadline"] < held_on:
            raise LedgerError(_("第 %(n)d 项任务：完成时限不能早于会议日期。") % {"n": n})
    batch = Batch.objects.create(county_id=county, name=name, source=Source.MEETING, kind=ItemKind.TASK,
                                 issued_by=issued_by.strip()[:128], received_on=held_on, created_by=acting_user)
    for n, task in enumerate(tasks, start=1):
        try:
            item = item_create(acting_user=acting_user, county=county, title=task["title"], source=Source.MEETING,
                               kind=ItemKind.TASK, batch=batch, number=n, agency_id=task["agency_id"],
                               lead_agency_id=task.get("lead_agency_id"),
                               responsible=(task.get("responsible") or "")[:64], deadline=task["deadline"])
            if assign:
                item_assign(acting_user=acting_user, item_id=item.pk)
        except LedgerError as error:
            raise LedgerError(_("第 %(n)d 项任务：%(why)s") % {"n": n, "why": error.message}) from None
    return batch


@transaction.atomic
def project_item_create(*, acting_user, county: str, name: str, investment: Decimal | str | None, agency_id: int | None,
                        deadline: datetime.date | None, responsible: str = "", lead_agency_id: int | None = None,
                        measures: str = "", project_id: int | None = None, milestones: Iterable[Mapping] = (),
                        assign: bool = True) -> Item:
    """重点项目: a key project as a ledger item — name, 总投资 (万元), 责任单位, 时限, optionally the 项目库 project
    it is (of the same county, in the user's reach, not already a key project) and its 节点.

    With `assign` (the default) it is 交办 at once to its unit. The ledger percent is what the unit reports,
    never copied from the 项目库 (module docstring).
    """
    _require_manager(acting_user, county)
    if not name.strip():
        raise LedgerError(_("请填写项目名称。"))
    if investment in (None, ""):
        raise LedgerError(_("请填写总投资（万元）。"))
    try:
        amount = Decimal(str(investment)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise LedgerError(_("总投资应是以万元为单位的数字，如 1250.5。")) from None
    if not amount.is_finite() or amount < 0 or amount > INVESTMENT_MAX:
        raise LedgerError(_("总投资应在 0 到 9999999999.99 万元之间。"))
    if agency_id is None:
        raise LedgerError(_("请选择责任单位。"))
    if deadline is None:
        raise LedgerError(_("请填写完成时限（如“2020年底完工”填 2020-12-31）。"))
    rows = _milestone_rows(milestones)
    if project_id is not None:
        # the county's project list as the user reads it: a project out of reach is "not there", never named
        if not projects_for(acting_user).filter(pk=project_id, county_id=county).exists():
            raise LedgerError(_("所选项目库项目不是本县的项目，请从列表中选择。"))
        if Item.objects.filter(project_id=project_id, kind=ItemKind.PROJECT).exists():
            raise LedgerError(_("该项目库项目已登记为重点项目，请在重点项目列表中查看。"))
    item = item_create(acting_user=acting_user, county=county, title=name, source=Source.OTHER,
                       kind=ItemKind.PROJECT, agency_id=agency_id, lead_agency_id=lead_agency_id,
                       responsible=responsible[:64], measures=measures, deadline=deadline, investment=amount,
                       project_id=project_id)
    Milestone.objects.bulk_create([Milestone(item=item, name=n, due=due) for n, due in rows])
    if assign:
        item = item_assign(acting_user=acting_user, item_id=item.pk)
    return item


def _require_keeper(acting_user, item: Item) -> None:
    """Milestones are kept by the county (who registered the item) and the 责任单位 (who does the work)."""
    access = access_for(acting_user)
    manages = may_manage_ledger(access) and access.reaches_code(item.county_id)
    handles = may_handle_ledger_items(access) and acts_for(acting_user, item)
    require(manages or handles, _("只有县级管理员和责任单位的经办人员可以维护节点。"))


def _locked_work(acting_user, item_id: int) -> Item:
    item_get(acting_user, item_id)  # reach first (a 404 out of reach), then the lock
    item = Item.objects.select_for_update().get(pk=item_id)
    _require_keeper(acting_user, item)
    if item.kind == ItemKind.PROBLEM:
        raise LedgerError(_("只有重点工作和重点项目有节点。"))
    if item.state not in OPEN_STATES:
        raise LedgerError(_("该事项已销号，节点不能再修改；如需继续，请先重新整改。"))
    return item


@transaction.atomic
def milestone_add(*, acting_user, item_id: int, name: str, due: datetime.date) -> Milestone:
    """A new 节点 of a key task or project (what is to be done by when)."""
    # the item is locked: a milestone added while the county closes the item must not slip in after 销号
    item = _locked_work(acting_user, item_id)
    ((name, due),) = _milestone_rows([{"name": name, "due": due}])
    milestone = Milestone.objects.create(item=item, name=name, due=due)
    ItemEvent.objects.create(item=item, kind=EventKind.EDIT, state_after=item.state, actor=acting_user,
                             note=_("新增节点“%(name)s”，计划 %(due)s 完成") % {"name": name, "due": due.isoformat()})
    return milestone


@transaction.atomic
def milestone_done(*, acting_user, item_id: int, milestone_id: int, done_on: datetime.date | None = None) -> Milestone:
    """A 节点 reached, on `done_on` (today by default; never in the future)."""
    item = _locked_work(acting_user, item_id)
    # locked too: two people pressing 完成 at once must not both log it (ordered by pk: the default order
    # joins the item and its nullable batch, which PostgreSQL cannot lock)
    milestone = Milestone.objects.select_for_update().filter(pk=milestone_id, item=item).order_by("pk").first()
    if milestone is None:
        raise LedgerError(_("该事项没有这个节点，请刷新页面。"))
    if milestone.done_on is not None:
        raise LedgerError(_("节点“%(name)s”已于 %(day)s 完成。") % {"name": milestone.name,
                                                                  "day": milestone.done_on.isoformat()})
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise LedgerError(_("完成日期不能晚于今天。"))
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    ItemEvent.objects.create(item=item, kind=EventKind.EDIT, state_after=item.state, actor=acting_user,
                             note=_("节点“%(name)s”已完成（%(day)s）") % {"name": milestone.name,
                                                                     "day": done_on.isoformat()})
    return milestone

