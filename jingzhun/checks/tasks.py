"""The background task of check runs started from the web (queued by services.check_run_start)."""

from __future__ import annotations

from jingzhun.runs.tasks import run_task

from .models import CheckRun
from .services import check_run_execute


@run_task(CheckRun)
def run_checks(run: CheckRun) -> str:
    """Check the registry and bring the ledger up to date (one transaction: a failure leaves it untouched)."""
    run, _findings = check_run_execute(run=run, org=run.org, as_of=run.as_of, rule_codes=run.rules,
                                       triggered_by=run.triggered_by)
    return run.status
