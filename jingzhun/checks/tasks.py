"""Check runs started from the web: queue a run, execute it as a background task."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for

from .models import CheckRun
from .services import catalog, check_run_execute

logger = logging.getLogger(__name__)

#: Who may start a run: a run rewrites the ledger of a whole county (or more), so not a village or township.
START_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})


def may_start_runs(user) -> bool:
    access = access_for(user)
    return access.active and access.role in START_ROLES


@transaction.atomic
def check_run_start(*, acting_user) -> CheckRun:
    """Queue a run of every rule over the user's unit as of today (executed after this transaction commits)."""
    if not may_start_runs(acting_user):
        raise PermissionDenied("only county admins and sysadmins start check runs")
    run = CheckRun.objects.create(org=access_for(acting_user).prefix, as_of=timezone.localdate(),
                                  rules=list(catalog()), triggered_by=acting_user)
    transaction.on_commit(lambda: run_checks.enqueue(run.pk))
    return run


@task()
def run_checks(run_id: int) -> str:
    """The background half of a web-started run: check the registry and bring the ledger up to date."""
    run = CheckRun.objects.select_related("triggered_by").get(pk=run_id)
    try:
        run, _findings = check_run_execute(run=run, org=run.org, as_of=run.as_of, rule_codes=run.rules,
                                           triggered_by=run.triggered_by)
    except Exception:  # the ledger is untouched (one transaction); the page shows 失败
        logger.exception("check run %s failed", run_id)
        CheckRun.objects.filter(pk=run_id).update(status=CheckRun.Status.FAILED, finished_at=timezone.now())
        return CheckRun.Status.FAILED
    return run.status
