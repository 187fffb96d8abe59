"""样本户 review pages: an assessment's cases by state (the supervisor's and headquarters' queues), one
case's answers, verdict, paradata and state history, and the review buttons of the reader's duty.

No ID number is shown on these pages (a case carries the household's code and head's name only), so the
read-only evaluators see nothing of the registry's personal numbers here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.listing import Column, Listing
from jingzhun.orgunits.permissions import get_in_reach

from ..models import Assessment, Case, Staff
from ..selectors import assessment_get, cases_for, duty_of
from ..selectors import fieldwork as selectors
from ..services import fieldwork as services

#: The review actions (POST `action`) by duty: what each may press, in the states it may press them.
ACTIONS = {
    "approve": (Staff.Duty.SUPERVISOR, services.SUPERVISOR_REVIEWS),
    "reject": (Staff.Duty.SUPERVISOR, services.SUPERVISOR_REVIEWS),
    "hq_approve": (Staff.Duty.HEADQUARTERS, services.HQ_REVIEWS),
    "hq_reject": (Staff.Duty.HEADQUARTERS, services.HQ_REVIEWS),
}
ALL = "all"


def _columns():
    return [Column(_("序号"), "order"), Column(_("村"), "village"), Column(_("户主姓名")), Column(_("抽样框"), "frame"),
            Column(_("调查组"), "team", ("team__name",)), Column(_("状态"), "state"), Column(_("调查员")),
            Column(_("用时（分钟）"), "duration", ("duration_seconds",), num=True), Column(_("判定"))]


def available_actions(duty: str, case: Case, assessment: Assessment) -> list[str]:
    """The review buttons the reader sees: exactly the actions the service would allow them."""
    if assessment.state != Assessment.State.FIELDWORK:
        return []
    return [name for name, (who, states) in ACTIONS.items() if who == duty and case.state in states]


@login_required
@require_GET
def case_list(request, assessment_id: int):
    """样本户: the assessment's cases in reach, counts per state, filtered by state; the reader's review
    queue (督导员: 已完成 and 评估组退回; 评估组: 督导已审核) is what the page opens on."""
    assessment = assessment_get(request.user, assessment_id)
    duty = duty_of(request.user, assessment)
    cases = cases_for(request.user, assessment)
    queue = selectors.queue_states(duty)
    wanted = request.GET.get("state", "")
    if wanted and wanted != ALL and wanted not in Case.State.values:
        wanted = ""
    if wanted == ALL:
        states: tuple[str, ...] = ()
    elif wanted:
        states = (wanted,)
    else:
        states = queue  # the reader's queue, or every case for a reader with none
    shown = cases.filter(state__in=states) if states else cases
    listing = Listing(request.GET, shown.select_related("team", "interviewer"), _columns(), default_sort="order",
                      tiebreak=("id",), title=_("样本户"), unit=assessment.title)
    listing.page.object_list = list(listing.page.object_list)  # the rows the template shows, with their names
    names = selectors.village_names(c.village for c in listing.page.object_list)
    for c in listing.page.object_list:
        c.village_name = names.get(c.village, c.village)
    base = reverse("assessment:cases", kwargs={"assessment_id": assessment.pk})
    tabs = [{"value": value, "label": label, "count": n, "url": base + "?" + urlencode({"state": value}),
             "active": states == (value,), "queue": value in queue}
            for value, label, n in selectors.state_counts(cases)]
    return render(request, "assessment/case_list.html", {
        "assessment": assessment, "listing": listing, "page": listing.page, "tabs": tabs, "duty": duty,
        "duty_label": Staff.Duty(duty).label if duty else "", "queue": queue,
        "queue_url": base, "all_url": base + "?" + urlencode({"state": ALL}), "showing_queue": bool(queue) and not wanted,
        "showing_all": wanted == ALL or (not wanted and not queue), "total": cases.count()})


@login_required
@require_GET
def case_detail(request, assessment_id: int, case_id: int):
    """One case: the answers under the questionnaire's labels, the verdict and its reasons, paradata, the
    state history with reasons, and the review buttons of the reader's duty."""
    assessment = assessment_get(request.user, assessment_id)
    case = get_in_reach(cases_for(request.user, assessment).select_related("team", "interviewer"), pk=case_id)
    duty = duty_of(request.user, assessment)
    case.village_name = selectors.village_names([case.village]).get(case.village, case.village)
    return render(request, "assessment/case_detail.html", {
        "assessment": assessment, "case": case, "sections": selectors.answer_rows(case),
        "events": selectors.case_events(case), "reasons": selectors.reason_texts(case), "actions": available_actions(duty, case, assessment),
        "duty_label": Staff.Duty(duty).label if duty else "",
        "minutes": round(case.duration_seconds / 60) if case.duration_seconds is not None else None})


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request, assessment_id: int, case_id: int):
    """A review button (POST `action`: approve, reject, hq_approve, hq_reject; `reason` to reject). A GET,
    or a refusal for the state, goes back to the case with the message."""
    assessment = assessment_get(request.user, assessment_id)
    case = get_in_reach(cases_for(request.user, assessment), pk=case_id)
    back = redirect("assessment:case_detail", assessment_id=assessment.pk, case_id=case.pk)
    if request.method != "POST":
        return back
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    calls = {
        "approve": lambda: services.case_approve(case_id=case.pk, acting_user=request.user),
        "reject": lambda: services.case_reject(case_id=case.pk, acting_user=request.user, reason=reason),
        "hq_approve": lambda: services.case_hq_approve(case_id=case.pk, acting_user=request.user),
        "hq_reject": lambda: services.case_hq_reject(case_id=case.pk, acting_user=request.user, reason=reason),
    }
    if action not in calls:
        messages.error(request, _("未知的操作。"))
        return back
    try:
        done = calls[action]()  # a wrong duty is refused there (Refused: 403, audited)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    messages.success(request, _("“%(head)s”的问卷已改为“%(state)s”。") % {"head": done.head_name,
                                                                    "state": done.get_state_display()})
    return back
