"""Problem-ledger pages (问题数据整改): the list, its charts and export, exceptions, and check runs.

Every read goes through `services.problems_for` (problems) or the user's `Access` (runs), so a page
never shows a problem or run out of the user's reach; writes go through the services.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import FileResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun import cells
from jingzhun.listing import (CONTROL_VARS, COUNT_CAP, PRINT_VAR, Column, Listing, choice_labels, error_page,
                              form_problems)
from jingzhun.orgunits.access import access_for, mask_id_number
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_claim_exception,
    may_manage_ledger,
    may_review_exception,
    may_start_check_run,
    require,
)
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry.search import looks_like_id_number, search_guard
from jingzhun.orgunits.selectors import filter_units, unit_label
from jingzhun.runs.reaper import reap_soon

from . import services
from .forms import ExceptionClaimForm, ExceptionReviewForm, ProblemFilterForm
from .messages import MessageRenderer
from .selectors import problems_annotated, problems_filtered
from .models import CheckRun, Problem, ProblemCount

EXCEL_MAX_ROWS = 1_048_576  # header included
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Length of the codes one level below a prefix of this length (the child units of a user's unit).
_CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}


def _status_series() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Chart series in charts.js's colour order (red, green, orange): open, fixed, exception."""
    return ((_("待整改"), (Problem.Status.OPEN,)), (_("已整改"), (Problem.Status.FIXED,)),
            (_("情况属实"), (Problem.Status.EXCEPTION_PENDING, Problem.Status.EXCEPTION)))


# --- reads ----------------------------------------------------------------------------------------


def _problem_get(user, problem_id: int) -> Problem:
    """One problem in reach, or 404 (out of reach looks exactly like absent)."""
    return get_in_reach(problems_annotated(services.problems_for(user)), pk=problem_id)


def _short_name(name: str | None) -> str:
    return OrgUnit(name=name).short_name if name else ""


def _filtered(user, *, rule: str = "", status: str = "", unit: str = "", text: str = "") -> QuerySet[Problem]:
    return problems_filtered(user, rule=rule, status=status, unit=unit, text=text).order_by(
        "village", "household", "rule", "person", "id")


def _filter_form(request, rules: dict) -> ProblemFilterForm:
    return ProblemFilterForm(request.GET or None, rules=rules, units=filter_units(
        request.user, request.GET.get("township", ""), request.GET.get("village", "")))


#: Seconds a scope's summary and charts are reused at most; any change of a problem's status or a new
#: problem (each writes a history row) makes a new one at once.
OVERVIEW_SECONDS = 300


def _overview_cached(user) -> dict:
    """`_overview`, computed once per scope, language and state of the ledger: a province's problems are
    not grouped on every page. The ledger's state is its latest history row (one index lookup; its date
    too, in case pruned history lets an id come back)."""
    access = access_for(user)
    latest = Problem.history.order_by("-history_id").values_list("history_id", "history_date").first()
    state = f"{latest[0]}@{latest[1].timestamp()}" if latest else "none"
    key = ":".join(["problem-overview", access.prefix if access.active else "-",
                    str(user.pk) if access.cadre_only else "", translation.get_language() or "", state])
    overview = cache.get(key)
    if overview is None:
        overview = _overview(user)
        cache.set(key, overview, OVERVIEW_SECONDS)
    return overview


def _overview(user) -> dict:
    """The summary line and both charts over every problem in reach: one grouped query each."""
    problems = services.problems_for(user)
    series = _status_series()
    by_rule: dict[str, dict[str, int]] = {}
    for row in problems.values("rule", "status").annotate(n=Count("id")).order_by("rule"):
        by_rule.setdefault(row["rule"], {})[row["status"]] = row["n"]
    totals = {status: sum(counts.get(status, 0) for counts in by_rule.values()) for status in Problem.Status.values}
    rule_chart = {
        # Codes only: charts.js leaves 90 px for axis labels; the names are in the rule filter and the table.
        "names": list(by_rule),
        "series": [{"name": label, "data": [sum(counts.get(s, 0) for s in statuses) for counts in by_rule.values()]}
                   for label, statuses in series],
    }

    access = access_for(user)
    child_length = _CHILD_LENGTH.get(len(access.prefix))
    unit_chart = None
    if child_length:
        children = OrgUnit.objects.filter(parent_id=access.prefix) if access.prefix else \
            OrgUnit.objects.filter(level=Level.PROVINCE)
        by_unit: dict[str, dict[str, int]] = {c.code: {} for c in children.order_by("code")}
        names = {c.code: c.short_name for c in children}
        rows = (problems.annotate(unit=Substr("village", 1, child_length)).values("unit", "status")
                .annotate(n=Count("id")).order_by())
        for row in rows:
            if row["unit"] in by_unit:
                by_unit[row["unit"]][row["status"]] = row["n"]
        unit_chart = {
            "names": [names[code] for code in by_unit],
            "series": [{"name": label, "data": [sum(counts.get(s, 0) for s in statuses) for counts in by_unit.values()]}
                       for label, statuses in series],
        }
    return {
        "total": sum(totals.values()), "fixed": totals[Problem.Status.FIXED], "open": totals[Problem.Status.OPEN],
        "exception": totals[Problem.Status.EXCEPTION] + totals[Problem.Status.EXCEPTION_PENDING],
        "rule_chart": rule_chart, "unit_chart": unit_chart,
    }


def _runs_for(user) -> QuerySet[CheckRun]:
    """Runs over the user's unit or a unit under it (a sysadmin: all)."""
    return CheckRun.objects.filter(access_for(user).org_q("org"))


def _run_get(user, run_id: int) -> CheckRun:
    return get_in_reach(_runs_for(user).select_related("triggered_by"), pk=run_id)


def _next_url(request, fallback: str) -> str:
    """Where to go back to after an action: the page the person came from, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- problems -------------------------------------------------------------------------------------


def _problem_columns(can_write: bool) -> list[Column]:
    columns = [Column(_("规则"), "rule"), Column(_("问题名称")), Column(_("户编号"), "household"),
               Column(_("户主"), "head", ("head_name",)), Column(_("涉及成员"), "member", ("member_name",)),
               Column(_("村"), "village"), Column(_("说明")), Column(_("状态"), "status"),
               Column(_("首次发现"), "first", ("first_seen",)), Column(_("最近发现"), "last", ("last_seen",))]
    return columns + [Column(_("操作"))] if can_write else columns


@login_required
@require_GET
def problem_list(request):
    rules = services.problem_kinds()
    form = _filter_form(request, rules)
    problems = Problem.objects.none()
    filtered = bool(form.data.keys() - CONTROL_VARS)
    if not filtered or form.is_valid():
        data = form.cleaned_data if filtered else {}
        if refused := search_guard(request, data.get("q", ""), what="problems"):
            return refused
        problems = _filtered(request.user, rule=data.get("rule", ""), status=data.get("status", ""),
                             unit=form.unit if filtered else "", text=data.get("q", ""))
    access = access_for(request.user)
    can_write = may_claim_exception(access) and not request.GET.get(PRINT_VAR)
    listing = Listing(request.GET, problems, _problem_columns(can_write), default_sort="village",
                      tiebreak=("household", "rule", "person", "id"), count_cap=COUNT_CAP, title=_("问题数据清单"),
                      unit=unit_label(request.user, form.unit if filtered else ""))
    listing.chips_from_form(form, depends={"township": ["village"]})
    page = listing.page
    shown = MessageRenderer.for_user(request.user)
    shown.prepare((p.message, p.detail) for p in page.object_list)
    status_shown = choice_labels(Problem, "status")["status"]
    for problem in page.object_list:
        problem.rule_name = rules[problem.rule].name_shown if problem.rule in rules else ""
        problem.status_shown = status_shown.get(problem.status, problem.status)
        problem.person_shown = access.mask_id(problem.person)
        problem.message_shown = shown.render(problem.message, problem.detail)
        problem.village_short = _short_name(problem.village_name)
    if listing.printing:  # a printed list carries ID numbers (masked as on the page): audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(page.object_list),
              what="problem_list_print", filter=listing.filter_query)
    overview = _overview_cached(request.user)
    return render(request, "checks/problem_list.html", {
        "form": form, "listing": listing, "page": page, "overview": overview,
        "rule_chart_json": json.dumps(overview["rule_chart"], ensure_ascii=False),
        "unit_chart_json": json.dumps(overview["unit_chart"], ensure_ascii=False) if overview["unit_chart"] else "",
        "can_write": can_write, "can_review": may_review_exception(access),
        # 归集 (supervision): the county gathers the filtered problems into one ledger item
        "can_gather": may_manage_ledger(access) and not listing.printing,
    })


@login_required
@require_GET
def problem_export(request):
    rules = services.problem_kinds()
    form = _filter_form(request, rules)
    back = reverse("checks:problem_list") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if request.GET and not form.is_valid():
        return error_page(request, title=_("筛选条件有误，无法导出"), problems=form_problems(form), back=back)
    data = form.cleaned_data if request.GET else {}
    unit = form.unit if request.GET else ""
    filters = {"rule": data.get("rule", ""), "status": data.get("status", ""), "unit": unit, "text": data.get("q", "")}
    if refused := search_guard(request, filters["text"], what="problem export"):
        return refused
    problems = _filtered(request.user, **filters)
    if looks_like_id_number(filters["text"]):  # the audit row keeps no full ID number either
        filters["text"] = mask_id_number(filters["text"].strip().upper())
    if problems.count() + 1 > EXCEL_MAX_ROWS:
        return error_page(request, title=_("无法导出"), problems=[_("问题数据超过 Excel 工作表上限，请按乡镇或村分别导出。")],
                          back=back)
    access = access_for(request.user)
    scope = unit or access.prefix or _("全国")
    name = f"{_('问题数据')}-{scope}-{timezone.localdate():%Y%m%d}.xlsx"
    out = tempfile.TemporaryFile(prefix="jingzhun-problems-", suffix=".xlsx")
    try:
        count = _write_problems_xlsx(out, problems, rules=rules, id_shown=access.mask_id,
                                     message_shown=MessageRenderer.for_user(request.user))
        # These files carry ID numbers: every download leaves an audit row.
        audit(request, AuditEvent.Action.EXPORT, name, count=count, what="problems",
              filter={k: v for k, v in filters.items() if v}, problems=count, masked=not access.sees_full_ids,
              format="xlsx", source="web")
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def _write_problems_xlsx(out, problems: QuerySet[Problem], *, rules: dict, id_shown,
                         message_shown: MessageRenderer) -> int:
    """The problems as one worksheet with Chinese headers (codes as text, dates as dates), returning its rows."""
    import xlsxwriter

    status_label = dict(Problem.Status.choices)
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("规则"), cells.TEXT), (_("规则名称"), cells.TEXT), (_("问题类别"), cells.TEXT), (_("户编号"), cells.TEXT),
        (_("户主"), cells.TEXT), (_("涉及成员"), cells.TEXT), (_("身份证号"), cells.TEXT), (_("村代码"), cells.TEXT),
        (_("村"), cells.TEXT), (_("问题说明"), cells.TEXT), (_("状态"), cells.TEXT), (_("情况说明"), cells.TEXT),
        (_("首次发现"), cells.DATETIME), (_("最近发现"), cells.DATETIME), (_("整改建议"), cells.TEXT))]
    fields = ("rule", "household", "head_name", "member_name", "person", "village", "village_name", "message", "detail",
              "status", "exception_reason", "first_seen", "last_seen")

    def rows():
        cursor = problems.values_list(*fields).iterator(chunk_size=5000)
        while chunk := list(islice(cursor, 5000)):
            message_shown.prepare((values[7], values[8]) for values in chunk)
            for (code, household, head, member, person, village, village_name, message, detail, status, reason,
                 first, last) in chunk:
                rule = rules.get(code)
                yield (code, rule.name_shown if rule else "", rule.category_shown if rule else "", household, head or "",
                       member or "", id_shown(person), village, _short_name(village_name),
                       message_shown.render(message, detail), str(status_label.get(status, status)), reason, first,
                       last, rule.fix_shown if rule else "")

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    try:
        return cells.SheetWriter(book).write(_("问题数据"), columns, rows())
    finally:
        book.close()


@login_required
@require_http_methods(["GET", "POST"])
def problem_exception(request, problem_id: int):
    problem = _problem_get(request.user, problem_id)
    require(may_claim_exception(request.user))
    form = ExceptionClaimForm(request.POST or None)
    back = _next_url(request, reverse("checks:problem_list"))
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_claim_exception(problem_id=problem.pk, acting_user=request.user,
                                             reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已申报情况属实（%(household)s），待乡镇审核。") % {"household": problem.household})
            return redirect(back)
    rule = services.problem_kinds().get(problem.rule)
    return render(request, "checks/problem_exception.html", {
        "form": form, "problem": problem, "rule": rule, "back": back,
        "person_shown": access_for(request.user).mask_id(problem.person),
        "message_shown": MessageRenderer.for_user(request.user).render(problem.message, problem.detail),
        "reviews": problem.reviews.select_related("by"),
        "village_short": _short_name(problem.village_name)})


@login_required
def problem_review(request, problem_id: int):
    # POST only, but a problem out of reach is 404 whatever the method (it looks exactly like absent).
    _problem_get(request.user, problem_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ExceptionReviewForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("请选择“通过”或“退回”。"), content_type="text/plain; charset=utf-8")
    approve = form.cleaned_data["decision"] == "approve"
    back = _next_url(request, reverse("checks:problem_list"))
    try:
        problem = services.problem_review_exception(problem_id=problem_id, acting_user=request.user, approve=approve)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if approve:
            messages.success(request, _("已审核通过：%(household)s 情况属实。") % {"household": problem.household})
        else:
            messages.info(request, _("已退回：%(household)s 仍需整改。") % {"household": problem.household})
    return redirect(back)


# --- check runs -----------------------------------------------------------------------------------


@login_required
@require_GET
def run_list(request):
    reap_soon()
    listing = Listing(request.GET, _runs_for(request.user).select_related("triggered_by"), _run_columns(),
                      default_sort="-created", tiebreak=("-pk",), title=_("核查批次"), unit=unit_label(request.user))
    runs = listing.page.object_list
    names = _unit_names(r.org for r in runs)
    for run in runs:
        run.org_name = names.get(run.org, run.org) if run.org else _("全国")
    prefix = access_for(request.user).prefix
    return render(request, "checks/run_list.html", {
        "listing": listing, "runs": runs, "can_start": may_start_check_run(request.user) and not listing.printing,
        "rule_count": len(services.catalog()),
        "scope_name": _unit_names([prefix]).get(prefix, prefix) if prefix else _("全国")})


def _run_columns() -> list[Column]:
    return [Column(_("发起时间"), "created", ("created_at",)), Column(_("核查范围"), "org"),
            Column(_("核查基准日"), "as_of"), Column(_("状态"), "status"), Column(_("发起人")),
            Column(_("本次发现"), "found", num=True), Column(_("新增问题"), "opened", num=True),
            Column(_("自动销号"), "closed", num=True), Column(_("快照耗时（秒）"), "snapshot", ("snapshot_seconds",), num=True),
            Column(_("规则耗时（秒）"), "rules", ("rule_seconds",), num=True),
            Column(_("完成时间"), "finished", ("finished_at",))]


@login_required
@require_POST
def run_start(request):
    run = services.check_run_start(acting_user=request.user)
    return redirect("checks:run_detail", run_id=run.pk)


@login_required
@require_GET
def run_detail(request, run_id: int):
    reap_soon()
    run = _run_get(request.user, run_id)
    rules = services.problem_kinds()
    run.org_name = _unit_names([run.org]).get(run.org, run.org) if run.org else _("全国")
    counts = _run_counts(request.user, run, rules) if run.status == CheckRun.Status.DONE else []
    template = "checks/_run_status.html" if request.headers.get("HX-Request") else "checks/run_detail.html"
    return render(request, template, {
        "run": run, "counts": counts,
        "rule_names": [f"{code} {rules[code].name_shown}" if code in rules else code for code in run.rules]})


def _run_counts(user, run: CheckRun, rules: dict) -> list[dict]:
    """The ledger after a run, by rule: 待整改, 已整改, 情况属实 (over the villages in the user's reach)."""
    by_rule: dict[str, dict[str, int]] = {}
    rows = (ProblemCount.objects.filter(access_for(user).org_q("village"), run=run)
            .values("rule", "status").annotate(n=Sum("count")).order_by())
    for row in rows:
        by_rule.setdefault(row["rule"], {})[row["status"]] = row["n"]
    return [{"code": code, "name": rules[code].name_shown if code in rules else "",
             "open": counts.get(Problem.Status.OPEN, 0), "fixed": counts.get(Problem.Status.FIXED, 0),
             "exception": counts.get(Problem.Status.EXCEPTION_PENDING, 0) + counts.get(Problem.Status.EXCEPTION, 0)}
            for code, counts in sorted(by_rule.items())]


def _unit_names(codes: Iterable[str]) -> dict[str, str]:
    return {u.code: u.name for u in OrgUnit.objects.filter(code__in={c for c in codes if c})}
