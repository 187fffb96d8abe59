"""The to-do page's sources (待办): what waits for a user, kind by kind, each read from the app that owns it.

A `Kind` is a label and one or more `Source`s. A source is a selector of the owning app (a queryset
already limited to what the user may see, in the order the items should be done, and `.none()` for a
user whose role has no such work: the kind is then not shown) and a function that turns a page of its
rows into `Item`s (links). The rules who does what stay in the selectors and the named checks of
`orgunits.permissions`; nothing here decides by role.

A module that brings new work — alerts to verify (monitoring), visits due this quarter, phone edits to
choose and loans overdue (assistance), survey assignments (assessment), ledger items near their deadline
(supervision) — writes its selector and adds one `Kind` to `KINDS`; the page, its counts and its paging
take it as it is.

Deadlines are the dates the records carry: a 公示's end (`PublicityBatch.end`, from the policy pack's
`publicity_days`) for the 公示 and their objections; a lead's 入户核实 date (`Lead.verify_due`, from the
pack's `[monitoring.limits]` in working days); a 考核评估 finding's last day to dispute (`Assessment.dispute_days`
working days after it was sent, counted in Python, so those rows are chosen by the selector). No policy pack sets a time limit for a procedure step, so
steps, problems and claims are listed longest-waiting first with no due date.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from jingzhun.assessment.selectors import findings as assessment_findings
from jingzhun.assessment.selectors import spot_checks as spot_selectors
from jingzhun.assessment.selectors import fieldwork as fieldwork_selectors
from jingzhun.assistance.selectors import loans as loans_selectors
from jingzhun.assistance.selectors import visits as visits_selectors
from jingzhun.checks import selectors as checks
from jingzhun.checks.services import problem_kinds
from jingzhun.compare import selectors as compare
from jingzhun.exchange import selectors as exchange
from jingzhun.indicators import selectors as indicators
from jingzhun.monitoring import selectors as monitoring
from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry import selectors as registry
from jingzhun.registry.models import Household, Member
from jingzhun.supervision.selectors import todo as ledger_todo
from jingzhun.workflows import selectors as workflows
from jingzhun.workflows.definitions import PUBLIC_TYPES

#: Items of each kind shown on the to-do page; the rest are behind "全部 N 条".
TOP = 10
#: Items per page when one kind is shown in full (?kind=…).
PAGE_SIZE = 50


@dataclass(frozen=True)
class Item:
    """One thing to do: a link, what it is, and by when (None: no deadline)."""

    title: str
    url: str
    detail: str = ""
    due: datetime.date | None = None
    #: Since when it waits (a date or a time), for "longest waiting first" and the page's 等待 column.
    since: datetime.datetime | datetime.date | None = None
    overdue: bool = False
    #: What the overdue mark says (default 已逾期).
    late_label: str = ""


@dataclass
class Context:
    user: Any
    access: Access
    today: datetime.date
    back: str  # the to-do page's URL, for pages that return where they came from
    _rules: dict | None = None

    @property
    def rules(self) -> dict:
        """The check rules and the kinds of findings by code, read once per page (problems and claims both
        name them)."""
        if self._rules is None:
            self._rules = problem_kinds()
        return self._rules


@dataclass(frozen=True)
class Source:
    #: The owning app's selector: user → scoped, ordered queryset.
    rows: Callable[[Any], QuerySet]
    #: A page of rows → their items (one extra query at most, for names the rows do not hold).
    items: Callable[[list, Context], list[Item]]
    #: The lookup of the due date, to count overdue rows in the database ("" = no deadline).
    due: str = ""


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    sources: tuple[Source, ...]
    #: The existing list that shows exactly these items, if there is one (else the kind's own pages here).
    more: Callable[[Context], str] | None = None
    #: A line under the kind's heading (what is not there yet).
    note: str = ""


@dataclass
class Section:
    """One kind on the page: its counts and the items shown (the first TOP, or one page of them)."""

    kind: Kind
    count: int
    overdue: int
    items: Sequence[Item] = ()
    more_url: str = ""
    page: Page | None = None


# --- how rows read as items ------------------------------------------------------------------------

def _late(due: datetime.date | None, ctx: Context) -> bool:
    return due is not None and due < ctx.today


def _step_items(rows, ctx: Context) -> list[Item]:
    items = []
    for p in rows:
        step = p.current_step
        action = (_("发布%(step)s") % {"step": step.label}) if step.type in PUBLIC_TYPES else str(step.label)
        items.append(Item(title=f"{p.get_kind_display()} · {p.head_name}",
                          url=reverse("workflows:procedure_detail", kwargs={"procedure_id": p.pk}),
                          detail=f"{action} · {p.village.short_name}", since=p.since,
                          # 识别纳入 has a 办结时限 (the pack's decide_days from the lead)
                          due=p.due, overdue=_late(p.due, ctx), late_label=_("已超办结时限") if p.due else ""))
    return items


def _publicity_items(rows, ctx: Context) -> list[Item]:
    items = []
    for b in rows:
        ended = b.end < ctx.today
        state = _("已期满，待确认公示期满") if ended else _("%(end)s 期满") % {"end": b.end}
        items.append(Item(title=b.title, url=reverse("workflows:batch_detail", kwargs={"batch_id": b.pk}),
                          detail=_("公示期 %(start)s 至 %(end)s · %(state)s") % {"start": b.start, "end": b.end,
                                                                               "state": state},
                          due=b.end, since=b.created_at, overdue=ended, late_label=_("已期满")))
    return items


def _objection_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("公示异议：%(name)s") % {"name": o.procedure.head_name},
                 url=reverse("workflows:batch_detail", kwargs={"batch_id": o.batch_id}) + "#objections",
                 detail=f"{o.batch.title} · {o.content[:60]}", due=o.batch.end, since=o.recorded_at,
                 overdue=_late(o.batch.end, ctx))
            for o in rows]


def _heads(problems) -> dict[str, str]:
    """Household heads' names of the problems shown (the problems are in reach, so are their households)."""
    codes = {p.household for p in problems}
    return dict(Household.objects.filter(code__in=codes).values_list("code", "head_name")) if codes else {}


def _rule_name(rules: dict, code: str) -> str:
    return f"{code} {rules[code].name_shown}" if code in rules else code


def _problem_items(rows, ctx: Context) -> list[Item]:
    if not rows:
        return []
    rules, heads = ctx.rules, _heads(rows)
    return [Item(title=_rule_name(rules, p.rule),
                 url=reverse("checks:problem_exception", kwargs={"problem_id": p.pk}) + "?" + urlencode({"next": ctx.back}),
                 detail=f"{p.household} {heads.get(p.household, '')}".strip(), since=p.first_seen)
            for p in rows]


def _claim_items(rows, ctx: Context) -> list[Item]:
    if not rows:
        return []
    rules, heads = ctx.rules, _heads(rows)
    list_url = reverse("checks:problem_list")
    return [Item(title=_rule_name(rules, p.rule),
                 url=list_url + "?" + urlencode({"status": p.status, "q": p.household}),
                 detail=_("%(household)s %(head)s · 申报理由：%(reason)s")
                 % {"household": p.household, "head": heads.get(p.household, ""), "reason": p.exception_reason[:60]},
                 since=p.first_seen)
            for p in rows]


def _pair_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("%(kind)s比对（%(date)s）") % {"kind": r.get_kind_display(),
                                                     "date": timezone.localtime(r.created_at).date()},
                 url=reverse("compare:review", kwargs={"compare_run_id": r.pk}),
                 detail=ngettext("%(n)s 对待人工核对", "%(n)s 对待人工核对", r.pending) % {"n": r.pending},
                 since=r.created_at)
            for r in rows]


def _unit_names(codes) -> dict[str, str]:
    codes = {c for c in codes if c}
    return dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _check_run_items(rows, ctx: Context) -> list[Item]:
    names = _unit_names(r.org for r in rows)
    return [Item(title=_("核查失败：%(unit)s") % {"unit": names.get(r.org, r.org) or _("全国")},
                 url=reverse("checks:run_detail", kwargs={"run_id": r.pk}), detail=r.error[:80], since=r.finished_at)
            for r in rows]


def _compare_run_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("部门比对失败：%(kind)s") % {"kind": r.get_kind_display()},
                 url=reverse("compare:run", kwargs={"compare_run_id": r.pk}), detail=r.error[:80], since=r.finished_at)
            for r in rows]


def _import_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("导入失败：%(files)s") % {"files": "、".join(j.files)[:60]},
                 url=reverse("exchange:import_job", kwargs={"job_id": j.pk}), detail=j.error[:80], since=j.finished_at)
            for j in rows]


def _refresh_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("指标更新失败（基准日 %(date)s）") % {"date": r.as_of},
                 url=reverse("dashboard:overview_home"), detail=r.error[:80], since=r.finished_at)
            for r in rows]


def _household_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=h.head_name, url=reverse("registry:household_detail", kwargs={"code": h.code}),
                 detail=f"{h.code} · {h.get_status_display()} · {h.village.short_name}")
            for h in rows]


def _evaluation_items(rows, ctx: Context) -> list[Item]:
    items = []
    for unit in rows:
        county = unit.level == Level.COUNTY
        items.append(Item(title=unit.name,
                          url=reverse("workflows:county_exit" if county else "workflows:village_exit",
                                      kwargs={"unit": unit.code}),
                          detail=_("贫困县退出评估（三率一度）") if county else _("贫困村退出评估")))
    return items


def _lead_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=f"{lead.get_risk_type_display()} · {lead.name or lead.household_id or ''}",
                 url=reverse("monitoring:lead_detail", kwargs={"lead_id": lead.pk}),
                 detail=f"{lead.get_channel_display()} · {lead.village.short_name}", due=lead.verify_due,
                 since=lead.created_at, overdue=_late(lead.verify_due, ctx))
            for lead in rows]


def _quarter_end(day: datetime.date) -> datetime.date:
    month = 3 * ((day.month - 1) // 3) + 3
    return datetime.date(day.year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def _visit_items(rows, ctx: Context) -> list[Item]:
    field = reverse("assistance:field")
    return [Item(title=h.head_name, url=f"{field}#household-{h.code}",
                 detail=f"{h.code} · {h.get_category_display()} · {h.village.short_name}", due=_quarter_end(ctx.today))
            for h in rows]


def _conflict_items(rows, ctx: Context) -> list[Item]:
    def labels(c) -> str:
        model = Member if c.member_id else Household
        return "、".join(str(model._meta.get_field(name).verbose_name) for name in c.phone_values)

    return [Item(title=f"{c.household.head_name} · {labels(c)}", url=reverse("assistance:conflict_list"),
                 detail=_("%(who)s 在手机上的修改与系统中的值不同") % {"who": c.author.get_full_name() or c.author.username},
                 since=c.received_at)
            for c in rows]


def _loan_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=f"{loan.get_status_display()} · {loan.household.head_name} · {loan.bank}",
                 url=reverse("assistance:loan_detail", kwargs={"loan_id": loan.pk}),
                 detail=_("贷款余额 %(balance)s 元") % {"balance": loan.balance}, since=loan.disbursed_on)
            for loan in rows]


def _finding_items(rows, ctx: Context) -> list[Item]:
    """考核评估 findings the county may still dispute, due on the last day of their dispute period."""
    items, calendars = [], {}
    for case in rows:
        last = assessment_findings.dispute_last_day(case, calendars=calendars)
        kinds = "、".join(ctx.rules[code].name_shown for code in assessment_findings.finding_codes(case))
        items.append(Item(title=f"{case.head_name} · {kinds}",
                          url=reverse("assessment:findings", kwargs={"assessment_id": case.assessment_id})
                          + f"#case-{case.pk}",
                          detail=_("%(assessment)s · 申诉截止 %(day)s") % {"assessment": case.assessment.title, "day": last},
                          due=last, since=case.notified_at, overdue=_late(last, ctx)))
    return items


def _dispute_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=_("申诉：%(name)s") % {"name": d.case.head_name},
                 url=reverse("assessment:findings", kwargs={"assessment_id": d.case.assessment_id}) + f"#case-{d.case_id}",
                 detail=f"{d.case.assessment.title} · {d.reason[:60]}", since=d.filed_at)
            for d in rows]


def _spot_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=f"{i.household.head_name} · {i.household_id}",
                 url=reverse("assessment:spot_verify", kwargs={"item_id": i.pk}),
                 detail=_("%(date)s 随机抽查 · 第 %(order)d 户") % {
                     "date": timezone.localtime(i.spot_check.drawn_at).strftime("%Y-%m-%d"), "order": i.order},
                 since=i.spot_check.drawn_at)
            for i in rows]


def _survey_items(rows, ctx: Context) -> list[Item]:
    """An enumerator's cases: to the phone page, where each case is a card (#case-<id>)."""
    field = reverse("assessment:field")
    items = []
    for c in rows:
        detail = f"{c.assessment.title} · {c.village}"
        if c.state == c.State.REJECTED and c.rejection:
            detail += " · " + _("督导退回：%(reason)s") % {"reason": c.rejection[:60]}
        items.append(Item(title=f"{c.head_name} · {c.get_state_display()}", url=f"{field}#case-{c.pk}", detail=detail))
    return items


def _case_review_items(rows, ctx: Context) -> list[Item]:
    return [Item(title=f"{c.head_name} · {c.get_state_display()}",
                 url=reverse("assessment:case_detail", kwargs={"assessment_id": c.assessment_id, "case_id": c.pk}),
                 detail=f"{c.assessment.title} · {c.team.name if c.team else ''}".rstrip(" ·")
                 + (" · " + _("评估组退回：%(reason)s") % {"reason": c.rejection[:60]}
                    if c.state == c.State.HQ_REJECTED and c.rejection else ""))
            for c in rows]


def _ledger_items(rows, ctx: Context) -> list[Item]:
    """督查督办 ledger items: due on their deadline, with the days left (or overdue) and their unit."""
    items = []
    for i in rows:
        days = (i.deadline - ctx.today).days if i.deadline else None
        left = "" if days is None else (_("逾期 %(n)d 天") % {"n": -days} if days < 0 else _("剩 %(n)d 天") % {"n": days})
        items.append(Item(title=f"{i.number}. {i.title[:40]}" if i.number else i.title[:40],
                          url=reverse("supervision:item_detail", kwargs={"item_id": i.pk}),
                          detail=" · ".join(x for x in (i.agency.name if i.agency_id else "", left) if x),
                          due=i.deadline, since=i.reported_at or i.assigned_at, overdue=_late(i.deadline, ctx)))
    return items


def _problem_list(status: str):
    return lambda ctx: reverse("checks:problem_list") + "?" + urlencode({"status": status})


#: Every kind of work, in the page's order (kinds with overdue items move to the top).
KINDS: tuple[Kind, ...] = (
    Kind("steps", gettext_lazy("待办理的程序步骤"), (Source(workflows.todo_steps, _step_items, due="due"),)),
    Kind("publicity", gettext_lazy("公示即将期满或已期满"),
         (Source(workflows.todo_publicity, _publicity_items, due="end"),)),
    Kind("objections", gettext_lazy("待处理的公示异议"),
         (Source(workflows.todo_objections, _objection_items, due="batch__end"),)),
    Kind("leads", gettext_lazy("线索待核实"), (Source(monitoring.leads_to_verify, _lead_items, due="verify_due"),),
         more=lambda ctx: reverse("monitoring:lead_list") + "?" + urlencode({"status": "pending"})),
    Kind("leads_route", gettext_lazy("线索待下发"), (Source(monitoring.leads_to_route, _lead_items, due="verify_due"),),
         more=lambda ctx: reverse("monitoring:lead_list") + "?" + urlencode({"status": "pending"})),
    Kind("problems", gettext_lazy("待整改的问题数据"), (Source(checks.todo_problems, _problem_items),),
         more=_problem_list("open")),
    Kind("claims", gettext_lazy("待审核的情况属实申报"), (Source(checks.todo_claims, _claim_items),),
         more=_problem_list("exception_pending")),
    Kind("pairs", gettext_lazy("待人工核对的比对结果"), (Source(compare.todo_pairs, _pair_items),)),
    Kind("runs", gettext_lazy("失败的后台任务（近 30 天）"), (
        Source(checks.todo_failed_runs, _check_run_items), Source(compare.todo_failed_runs, _compare_run_items),
        Source(exchange.todo_failed_imports, _import_items), Source(indicators.todo_failed_refreshes, _refresh_items))),
    Kind("visits", gettext_lazy("本季度待走访"), (Source(visits_selectors.todo_visits_due, _visit_items),),
         more=lambda ctx: reverse("assistance:field")),
    Kind("conflicts", gettext_lazy("待处理的修改冲突"), (Source(visits_selectors.todo_conflicts, _conflict_items),),
         more=lambda ctx: reverse("assistance:conflict_list")),
    Kind("loans", gettext_lazy("逾期和不良的小额信贷"), (Source(loans_selectors.todo_overdue_loans, _loan_items),),
         more=lambda ctx: reverse("assistance:loan_list")),
    Kind("spot_items", gettext_lazy("待核对的随机抽查户"), (Source(spot_selectors.unverified_items_for, _spot_items),),
         more=lambda ctx: reverse("assessment:spot_list")),
    # 考核评估 fieldwork: each duty's cases (Staff in the assessment), Survey Solutions' states
    Kind("survey", gettext_lazy("待入户调查的样本户"), (Source(fieldwork_selectors.cases_to_collect, _survey_items),),
         more=lambda ctx: reverse("assessment:field")),
    Kind("survey_review", gettext_lazy("待督导审核的问卷"),
         (Source(fieldwork_selectors.cases_to_review, _case_review_items),)),
    Kind("survey_approve", gettext_lazy("待评估组审核的问卷"),
         (Source(fieldwork_selectors.cases_to_approve, _case_review_items),)),
    Kind("households", gettext_lazy("我的帮扶户"), (Source(registry.todo_households, _household_items),),
         more=lambda ctx: reverse("registry:household_list")),
    # 考核评估 findings: the county admin's to dispute (before the period ends), headquarters' disputes to decide
    Kind("findings_dispute", gettext_lazy("可申诉的评估问题"),
         (Source(assessment_findings.todo_findings_to_dispute, _finding_items),)),
    Kind("disputes", gettext_lazy("待裁定的申诉"), (Source(assessment_findings.todo_disputes_to_decide, _dispute_items),)),
    # the exit evaluation pages of the units in reach (their 三率一度 come from the assessments' estimates; the
    # fieldwork of an assessment is in the survey kinds above)
    Kind("evaluations", gettext_lazy("退出评估"), (Source(workflows.todo_evaluations, _evaluation_items),)),
    # 督查督办 (supervision): the 责任单位's items to sign for and those near or past their deadline; the
    # county's reported items waiting for 复核
    Kind("ledger_sign", gettext_lazy("待签收的台账事项"), (Source(ledger_todo.todo_ledger_sign, _ledger_items, due="deadline"),),
         more=lambda ctx: reverse("supervision:item_list") + "?" + urlencode({"state": "assigned"})),
    Kind("ledger_due", gettext_lazy("临期和逾期的台账事项"), (Source(ledger_todo.todo_ledger_due, _ledger_items, due="deadline"),),
         more=lambda ctx: reverse("supervision:overdue")),
    Kind("ledger_review", gettext_lazy("待复核的台账事项"), (Source(ledger_todo.todo_ledger_review, _ledger_items),),
         more=lambda ctx: reverse("supervision:item_list") + "?" + urlencode({"state": "reported"})),
)


# --- the page --------------------------------------------------------------------------------------

def _order(item: Item) -> tuple:
    """Overdue first (an earlier due date), then the rest by due date, then the longest waiting."""
    since = item.since
    if isinstance(since, datetime.datetime):
        moment = since.timestamp()
    elif isinstance(since, datetime.date):
        moment = datetime.datetime.combine(since, datetime.time()).timestamp()
    else:
        moment = math.inf
    return (item.due is None, item.due or datetime.date.max, moment)


@dataclass
class _Merged:
    """A kind's sources as one sequence of items in `_order`, sliceable (for Paginator)."""

    parts: list[tuple[Source, QuerySet]]
    total: int
    ctx: Context
    cache: dict = field(default_factory=dict)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Item]:
        if len(self.parts) == 1:
            source, rows = self.parts[0]
            return source.items(list(rows[window]), self.ctx)
        # Each source's first `stop` rows hold the merged sequence's first `stop` items.
        merged = []
        for source, rows in self.parts:
            merged += source.items(list(rows[: window.stop]), self.ctx)
        merged.sort(key=_order)
        return merged[window]


def _counts(source: Source, rows: QuerySet, today: datetime.date) -> tuple[int, int]:
    if not source.due:
        return rows.count(), 0
    got = rows.aggregate(n=Count("pk"), late=Count("pk", filter=Q(**{f"{source.due}__lt": today})))
    return got["n"], got["late"]


def _first(source: Source, rows: QuerySet, top: int, ctx: Context) -> tuple[list[Item], int, int]:
    """A source's first `top` items and its counts: one query when it has no more than `top` rows (the
    usual case: the rows fetched are all there is), a second, counting one, when it has more."""
    fetched = list(rows[: top + 1])
    items = source.items(fetched[:top], ctx)
    if len(fetched) <= top:
        return items, len(items), sum(item.overdue for item in items)
    return items, *_counts(source, rows, ctx.today)


def board(user, *, kind: str = "", page: str | None = None, top: int | None = None) -> list[Section]:
    """The sections of the user's to-do page: every kind that applies to them with its counts, and its
    first `top` (TOP) items — or, for `kind`, one page of all its items."""
    top = TOP if top is None else top
    ctx = Context(user=user, access=access_for(user), today=timezone.localdate(), back=reverse("desk:todo"))
    sections = []
    for k in KINDS:
        parts = [(source, source.rows(user)) for source in k.sources]
        parts = [(source, rows) for source, rows in parts if not rows.query.is_empty()]
        if not parts:
            continue
        if kind == k.code:
            counts = [_counts(source, rows, ctx.today) for source, rows in parts]
            section = Section(kind=k, count=sum(n for n, _late in counts), overdue=sum(late for _n, late in counts))
            section.page = Paginator(_Merged(parts, section.count, ctx), PAGE_SIZE).get_page(page)
            section.items = section.page.object_list
        else:
            # each source's first `top` items hold the kind's first `top` (`_order`, as the selectors sort)
            firsts = [_first(source, rows, top, ctx) for source, rows in parts]
            section = Section(kind=k, count=sum(n for _i, n, _late in firsts),
                              overdue=sum(late for _i, _n, late in firsts))
            if not kind:
                section.items = sorted((item for items, _n, _late in firsts for item in items), key=_order)[:top]
        if section.count > top:
            section.more_url = k.more(ctx) if k.more else reverse("desk:todo") + "?" + urlencode({"kind": k.code})
        sections.append(section)
    sections.sort(key=lambda s: s.overdue == 0)
    return sections
