"""What every write of the workflows shares: the error a person reads, the site language of stored text,
role and scope checks, row locks, step records.

services.py (procedures), publicity.py (公示 batches), completion.py (the registry changes) and
member_change.py import these; none of them imports another's private helpers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_act, may_write, reach_code, require

from . import clock
from .definitions import Step, step_of
from .models import Procedure, StepRecord

logger = logging.getLogger(__name__)


def site_language():
    """Text that is stored (reasons, notes, criteria, titles) is written in the site's language; what a
    person is told (WorkflowError) stays in theirs."""
    return translation.override(settings.LANGUAGE_CODE)


class WorkflowError(Exception):
    """A step that cannot be taken now; the message says why, in words for the person acting."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def attempt(request, call, success, *, form=None, field=None, errors=None):
    """Take a step for a view: `call()` runs the service; a WorkflowError goes to `form` (at `field`, or
    at the top) when there is one, else to the page's messages. On success `success` — a text, or a
    function of the call's result — becomes the success message. Returns (ok, result).

    One place for what every workflow view does after validating its form, so the views differ only in
    the call, the words and where they go next. `errors` is the service's error class (WorkflowError by
    default; any with a `message`, as the monitoring app's LeadError)."""
    try:
        result = call()
    except (errors or WorkflowError) as exc:
        if form is not None:
            form.add_error(field, exc.message)
        else:
            messages.error(request, exc.message)
        return False, None
    messages.success(request, success(result) if callable(success) else success)
    return True, result


def policy_failure(exc: Exception) -> WorkflowError:
    """A policy pack that cannot be read: the details (file names, lines) go to the log for the system
    administrator, the person is told what it means for them (pages never show file names)."""
    logger.error("policy pack error: %s", exc)
    return WorkflowError(_("政策包设置有误，暂不能办理这一步。请联系系统管理员检查政策包。"))


def who(record: StepRecord | None) -> str:
    if record is None:
        return _("他人")
    when = timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M")
    return _("%(who)s 于 %(when)s") % {"who": record.actor, "when": when}


def require_role(user, step: Step, code: str) -> None:
    """Scope first (out of reach looks absent), then a write role, then the step's own role (Refused
    saying who acts)."""
    access = access_for(user)
    reach_code(access, code)
    require(may_write(access))
    require(may_act(access, step), _("“%(step)s”应由%(role)s办理，您的角色是%(mine)s，不能办理这一步。")
            % {"step": step.label, "role": Role(step.role).label,
               "mine": Role(access.role).label if access.role in Role.values else access.role})


def locked(model, user, pk: int, *, unit: str):
    """The row `pk` of `model`, locked for this transaction, if its `unit` (an org code) is in reach.

    select_for_update: two officers may act on the same procedure or 公示 batch at once; the second waits
    here and then sees the first one's step already taken.
    """
    try:
        row = model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist:
        raise Http404(f"no such {model._meta.model_name}") from None
    reach_code(user, getattr(row, unit))
    return row


def locked_procedure(user, procedure_id: int) -> Procedure:
    return locked(Procedure, user, procedure_id, unit="village_id")


def stale(procedure: Procedure, expected_step: str) -> WorkflowError:
    """The message for someone acting on a step that was already taken (or a procedure already closed)."""
    last = procedure.records.select_related("actor").order_by("-at", "-id").first()
    if procedure.state != Procedure.State.OPEN:
        return WorkflowError(_("该程序已由%(who)s%(state)s，不能再办理。")
                             % {"who": who(last), "state": procedure.get_state_display()})
    try:
        taken = step_of(procedure.kind, expected_step).label
    except KeyError:  # a forged or outdated form: name the step as it is now
        return WorkflowError(_("当前步骤是“%(now)s”，请刷新页面后办理。") % {"now": procedure.current_step.label})
    return WorkflowError(_("“%(step)s”已由%(who)s办理，当前步骤是“%(now)s”。请刷新页面查看最新进度。")
                         % {"step": taken, "who": who(last), "now": procedure.current_step.label})


def record(procedure: Procedure, step: str, decision: str, actor, *, note: str = "", data: dict | None = None,
           evidence=None) -> StepRecord:
    row = StepRecord(procedure=procedure, step=step, decision=decision, note=note, data=data or {}, actor=actor)
    if evidence is not None:
        row.evidence_name = evidence.name[:255]
        row.evidence.save(evidence.name, evidence, save=False)
    row.save()
    return row


def close(procedure: Procedure, state: str, *, reason: str = "") -> None:
    procedure.state = state
    procedure.step = ""
    procedure.batch = None
    procedure.reason = reason
    procedure.closed_at = clock.now()
    procedure.save(update_fields=["state", "step", "batch", "reason", "closed_at"])
