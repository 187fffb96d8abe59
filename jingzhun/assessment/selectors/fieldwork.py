"""Reads of fieldwork: the phone page's cases and questionnaire, the review queues, a case's answers and history.

Who works what is the Staff duty in each assessment: an enumerator the assigned and rejected cases of their
own team, the supervisor the completed ones (and those headquarters sent back), headquarters the ones the
supervisor approved. Each selector returns `.none()` for a user with no such duty in any assessment in
fieldwork (the to-do page then shows no such kind).
"""

from __future__ import annotations

import re

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import OrgUnit

from .. import questionnaire
from ..models import Assessment, Case, CaseEvent, Staff
from . import _access, cases_for

#: The cases on an enumerator's phone: not yet done, or sent back by the supervisor.
TO_COLLECT = (Case.State.ASSIGNED, Case.State.REJECTED)
#: Each duty's review queue.
QUEUES = {Staff.Duty.SUPERVISOR: (Case.State.COMPLETED, Case.State.HQ_REJECTED),
          Staff.Duty.HEADQUARTERS: (Case.State.SUPERVISOR_APPROVED,)}


def _duties(user, duty: str) -> QuerySet[Staff]:
    access = _access(user)
    if access.user_id is None or not access.active:
        return Staff.objects.none()
    return Staff.objects.filter(user_id=access.user_id, duty=duty, assessment__state=Assessment.State.FIELDWORK)


def _last_rejection() -> Subquery:
    """The reason of a case's latest return (to the team or to the supervisor)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), to_state__in=(Case.State.REJECTED, Case.State.HQ_REJECTED))
    return Subquery(events.order_by("-at", "-id").values("reason")[:1])


def cases_to_collect(user) -> QuerySet[Case]:
    """The enumerator's team's cases to interview (assigned, or rejected with the reason as `rejection`),
    in every assessment in fieldwork they work in; rejected ones first, then in the drawn order."""
    teams = _duties(user, Staff.Duty.ENUMERATOR).exclude(team=None)
    if not teams.exists():
        return Case.objects.none()
    return (cases_for(user).filter(team__in=teams.values("team_id"), state__in=TO_COLLECT)
            .annotate(rejection=_last_rejection()).select_related("assessment", "team")
            .order_by("-state", "assessment_id", "order"))  # "rejected" > "assigned": the returned ones first


def _queue(user, duty: str) -> QuerySet[Case]:
    duties = _duties(user, duty)
    if not duties.exists():
        return Case.objects.none()
    return (cases_for(user).filter(assessment__in=duties.values("assessment_id"), state__in=QUEUES[duty])
            .annotate(rejection=_last_rejection()).select_related("assessment", "team")
            .order_by("assessment_id", "order"))


def cases_to_review(user) -> QuerySet[Case]:
    """The supervisor's queue: completed cases, and those headquarters sent back."""
    return _queue(user, Staff.Duty.SUPERVISOR)


def cases_to_approve(user) -> QuerySet[Case]:
    """Headquarters' queue: the cases the supervisor approved."""
    return _queue(user, Staff.Duty.HEADQUARTERS)


def queue_states(duty: str) -> tuple[str, ...]:
    """The states a duty reviews (empty for an enumerator or no duty)."""
    return tuple(QUEUES.get(duty, ()))


def state_counts(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    """(state, label, number of cases) for every state, in the states' order."""
    counts = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
    return [(value, str(label), counts.get(value, 0)) for value, label in Case.State.choices]


def questionnaire_json() -> list[dict]:
    """The questionnaire's sections for the phone page (questionnaire.sections as plain data). Titles, labels
    and choices are shown in the page's language (the data file's Chinese is the msgid); a choice is sent
    back as its stored value, `choices` being [value, label] pairs."""
    return [{"key": s.key, "title": _(s.title),
             "items": [{"key": i.key, "label": _(i.label), "kind": i.kind, "required": i.required,
                        "choices": [[c, _(c)] for c in i.choices], "frames": list(i.frames)} for i in s.items]}
            for s in questionnaire.sections()]


def village_names(codes) -> dict[str, str]:
    """Village code → its short name (a code the division tree no longer has keeps its code)."""
    codes = set(codes)
    return {u.code: u.short_name for u in OrgUnit.objects.filter(code__in=codes)} if codes else {}


def field_cases(user) -> list[dict]:
    """The phone page's cases: what an enumerator needs at the door, and why a case came back."""
    rows = []
    cases = list(cases_to_collect(user))
    names = village_names(c.village for c in cases)
    for case in cases:
        rows.append({"id": case.pk, "assessment": case.assessment.title, "team": case.team.name if case.team else "",
                     "village": names.get(case.village, case.village), "head_name": case.head_name, "address": case.address,
                     "frame": case.frame, "frame_label": case.get_frame_display(), "state": case.state,
                     "state_label": case.get_state_display(),
                     "rejection": case.rejection if case.state == Case.State.REJECTED else "",
                     "answers": case.answers if case.state == Case.State.REJECTED else {}})
    return rows


def answer_rows(case: Case) -> list[dict]:
    """A case's answers as the questionnaire's sections and labels, in the page's language (questions not
    asked of its frame left out; a question asked but not answered shown empty)."""
    sections = []
    for section in questionnaire.sections():
        rows = []
        for item in section.items:
            if not item.asked(case.frame):
                continue
            value = case.answers.get(item.key)
            rows.append({"key": item.key, "label": _(item.label), "value": _shown(item, value)})
        sections.append({"title": _(section.title), "rows": rows})
    return sections


def _shown(item: questionnaire.Item, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if item.kind == "bool":
        return _("是") if value else _("否")
    if isinstance(value, list):
        return _("、").join(_(v) for v in value)
    return _(value) if item.kind == "choice" else str(value)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def reason_texts(case: Case) -> list[str]:
    """The verdict's reasons in the page's language. The stored texts are in the language they were judged
    in; each is said again from its kind (the label of the guarantee failed, the approval item answered
    不认可 — in the order the verdict lists them — and the income against the line, read from the text)."""
    labels = questionnaire.items()
    disapproved = iter([k for k in questionnaire.APPROVAL_ITEMS if case.answers.get(k) == questionnaire.DISAPPROVE])
    texts = []
    for reason in case.reasons or []:
        kind, text = reason.get("kind"), reason.get("text", "")
        if kind in questionnaire.GUARANTEES:
            text = _("未达到：%(label)s") % {"label": _(labels[kind].label)}
        elif kind == "approval":
            key = next(disapproved, None)
            if key is not None:
                text = _("不认可：%(label)s") % {"label": _(labels[key].label)}
        elif kind == "income":
            numbers = _NUMBER.findall(text)
            if len(numbers) == 2:
                text = _("人均纯收入 %(income)s 元，低于标准 %(line)s 元") % {"income": numbers[0], "line": numbers[1]}
        texts.append(text)
    return texts


def case_events(case: Case) -> list[CaseEvent]:
    """A case's state history, oldest first, each with its states' labels (`from_label`, `to_label`)."""
    labels = dict(Case.State.choices)
    events = list(case.events.select_related("actor").order_by("at", "id"))
    for event in events:
        event.from_label, event.to_label = labels.get(event.from_state, ""), labels.get(event.to_state, event.to_state)
    return events
