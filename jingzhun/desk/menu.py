"""The left-hand menu, grouped by work: each entry a URL name and the check that governs its view.

An entry is shown exactly when its check lets the user in, so no menu item answers 403 (tests/test_desk.py
opens every entry as every role). A group with nothing usable is hidden; 监测帮扶 holds the lead queue
(monitoring), 帮扶 the assistance module's pages (measures, people, visits, loans, projects and funds). Entries whose URL needs a unit
take the user's own (none: not shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import Level
from jingzhun.orgunits.permissions import (
    may_appraise,
    may_edit_measures,
    may_import,
    may_manage_ledger,
    may_manage_tokens,
    may_read_appraisals,
    may_read_assessments,
    may_read_household_file,
    may_read_ledger,
    may_record_lead,
    may_review_visit_conflicts,
    may_screen,
    may_spot_check,
    may_survey,
    may_view_unit_figures,
    may_visit,
)

Check = Callable[[object, Access], bool]  # (request, access) → may the user open the page


def signed_in(request, access: Access) -> bool:
    """Pages every signed-in person with a reach may open (their reads are scoped by the selectors)."""
    return access.active


def anyone(request, access: Access) -> bool:
    """One's own account pages (password, two-factor): every signed-in person."""
    return request.user.is_authenticated


def _own_unit(level: int | None = None):
    """The URL parameters naming the user's own unit (of `level`, if given), or None."""
    def kwargs(request) -> dict | None:
        unit = request.user.org_unit if request.user.org_unit_id else None
        if unit is None or (level is not None and unit.level != level):
            return None
        return {"code" if level is None else "unit": unit.code}
    return kwargs


def _own_village(request) -> dict | None:
    """{"code": the user's village}, or None for a user bound above a village."""
    code = request.user.org_unit_id or ""
    return {"code": code} if len(code) == 12 else None


def _own_county(request) -> dict | None:
    """The county of the user's unit (for its public report page), or None above a county."""
    code = request.user.org_unit_id or ""
    return {"county": code[:6]} if len(code) >= 6 else None


def _own_cadre_record(request, access: Access) -> bool:
    """我的帮扶对象: a signed-in assistance cadre whose 帮扶责任人 record is linked to their account."""
    from jingzhun.registry.models import AssistanceCadre

    return access.active and access.cadre_only and AssistanceCadre.objects.filter(user=request.user).exists()


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    allowed: Check
    #: request → URL parameters (None: the entry is not for this user); default: none needed.
    kwargs: Callable[[object], dict | None] | None = None


@dataclass(frozen=True)
class Group:
    label: str
    entries: tuple[Entry, ...]


MENU: tuple[Group, ...] = (
    Group("", (Entry(_("待办"), "desk:todo", anyone),)),
    Group(_("建档立卡"), (
        Entry(_("区划总览"), "registry:division_root", signed_in),
        Entry(_("贫困户"), "registry:household_list", signed_in),
        Entry(_("导入数据"), "exchange:import_start", lambda request, access: may_import(access)),
    )),
    Group(_("核查整改"), (
        Entry(_("问题数据"), "checks:problem_list", signed_in),
        Entry(_("核查批次"), "checks:run_list", signed_in),
        Entry(_("部门比对"), "compare:home", signed_in),
    )),
    Group(_("办理程序"), (
        Entry(_("程序列表"), "workflows:procedure_list", signed_in),
        Entry(_("公示公告"), "workflows:batch_list", signed_in),
        Entry(_("动态调整台账"), "workflows:ledger", signed_in),
    )),
    Group(_("监测帮扶"), (
        Entry(_("监测线索"), "monitoring:lead_list", signed_in),
        Entry(_("村级排查登记"), "monitoring:lead_new", lambda request, access: may_record_lead(access)),
        Entry(_("排查名单"), "monitoring:screening", lambda request, access: may_screen(access)),
        Entry(_("农户自主申报页"), "monitoring:report", signed_in, kwargs=_own_county),
    )),
    # 帮扶 (jingzhun.assistance): what is done for the households and who does it
    Group(_("帮扶"), (
        # 帮扶措施 (assistance: measures)
        Entry(_("帮扶措施"), "assistance:measure_list", signed_in),
        Entry(_("导入帮扶措施"), "assistance:measure_import", lambda request, access: may_edit_measures(access)),
        # 明白卡 (file): the cards of one's own village, one a page, for the clerk or work team to print
        Entry(_("本村明白卡"), "assistance:village_cards_pdf", lambda request, access: may_read_household_file(access),
              kwargs=_own_village),
        # the people who help (assistance/people)
        Entry(_("我的帮扶对象"), "assistance:my_households", _own_cadre_record),
        Entry(_("驻村工作队"), "assistance:team_list", signed_in, kwargs=_own_unit()),
        Entry(_("帮扶责任人"), "assistance:cadre_list", lambda request, access: may_view_unit_figures(access),
              kwargs=_own_county),
        Entry(_("帮扶单位"), "assistance:help_units", signed_in, kwargs=_own_county),
        # 小额信贷 (loans)
        Entry(_("小额信贷"), "assistance:loan_list", signed_in),
        # 走访 (assistance): the phone page for helpers and clerks, the visits, the conflicts for record keepers
        Entry(_("走访（手机）"), "assistance:field", lambda request, access: may_visit(access)),
        Entry(_("走访记录"), "assistance:visit_list", signed_in),
        Entry(_("修改冲突"), "assistance:conflict_list", lambda request, access: may_review_visit_conflicts(access)),
        # 项目库 and 衔接资金 (projects and funds): every reader sees the projects touching their villages
        Entry(_("项目库"), "assistance:project_list", signed_in),
        Entry(_("衔接资金执行"), "assistance:fund_execution", signed_in),
    )),
    Group(_("考核评估"), (
        Entry(_("贫困县退出评估"), "workflows:county_exit", signed_in, kwargs=_own_unit(Level.COUNTY)),
        Entry(_("贫困村退出评估"), "workflows:village_exit", signed_in, kwargs=_own_unit(Level.VILLAGE)),
        # 考核评估 plans (assessment): the assessments in reach, their plans, draws, staff and teams
        Entry(_("评估方案与抽样"), "assessment:list", lambda request, access: may_read_assessments(access)),
        # 随机抽查 (assessment: spot checks) of a unit's records
        Entry(_("随机抽查"), "assessment:spot_list", lambda request, access: may_spot_check(access)),
        # fieldwork: the enumerators' phone page (the review pages open from the to-do page's cases)
        Entry(_("入户调查（手机）"), "assessment:field", lambda request, access: may_survey(access)),
    )),
    # 督查督办 (supervision): the ledger, its overdue list, batches, key tasks and projects, gathering, the units, 考评
    Group(_("督查督办"), (
        Entry(_("整改台账"), "supervision:item_list", lambda request, access: may_read_ledger(access)),
        Entry(_("逾期清单"), "supervision:overdue", lambda request, access: may_read_ledger(access)),
        Entry(_("交办批次"), "supervision:batch_list", lambda request, access: may_read_ledger(access)),
        Entry(_("重点工作"), "supervision:task_list", lambda request, access: may_read_ledger(access)),
        Entry(_("重点项目"), "supervision:project_list", lambda request, access: may_read_ledger(access)),
        # the county gathers data problems (checks, comparisons, findings) and monitoring leads into items
        Entry(_("归集问题数据"), "supervision:gather_problems", lambda request, access: may_manage_ledger(access)),
        Entry(_("单位"), "supervision:unit_list",
              lambda request, access: may_read_ledger(access)),
        # 考评: the scores and ranking, 目标责任书, the scheme, the county's manual scores
        Entry(_("绩效考评"), "supervision:appraisal", lambda request, access: may_read_appraisals(access)),
        Entry(_("目标责任书"), "supervision:letter_list", lambda request, access: may_read_appraisals(access)),
        Entry(_("考评办法"), "supervision:scheme_page", lambda request, access: may_read_appraisals(access)),
        Entry(_("人工评分"), "supervision:score_page", lambda request, access: may_appraise(access)),
    )),
    Group(_("统计分析"), (
        Entry(_("决策看板"), "dashboard:overview_home", lambda request, access: may_view_unit_figures(access)),
        Entry(_("简报"), "dashboard:bulletin", lambda request, access: may_view_unit_figures(access),
              kwargs=_own_unit()),
    )),
    Group(_("系统管理"), (
        Entry(_("后台管理"), "admin:index", lambda request, access: admin.site.has_permission(request)),
        Entry(_("接口令牌"), "accounts:token_list", lambda request, access: may_manage_tokens(access)),
        Entry(_("修改密码"), "accounts:password_change", anyone),
        Entry(_("两步验证"), "accounts:otp_enrol", anyone),
    )),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


def menu_for(request) -> list[tuple[str, list[Link]]]:
    """[(group label, links)] of the groups with something this user may open; the entry whose URL is the
    longest prefix of the page's path is the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    access = access_for(user)
    groups = []
    for group in MENU:
        links = []
        for entry in group.entries:
            if not entry.allowed(request, access):
                continue
            kwargs = entry.kwargs(request) if entry.kwargs else {}
            if kwargs is None:
                continue
            links.append(Link(str(entry.label), reverse(entry.url_name, kwargs=kwargs)))
        if links:
            groups.append((str(group.label), links))
    path = request.path
    best = max((link.url for _label, links in groups for link in links if path.startswith(link.url)),
               key=len, default=None)
    return [(label, [Link(link.label, link.url, current=link.url == best) for link in links])
            for label, links in groups]
