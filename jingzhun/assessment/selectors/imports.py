"""Who may import an assessment's survey results (and download its prefilled template)."""

from __future__ import annotations

from ..models import Assessment, Staff
from . import duty_of

#: The duties that load a results spreadsheet: headquarters (评估组) and the supervisors (督导员), who
#: receive the files of the evaluators' own tablets.
IMPORT_DUTIES = frozenset({Staff.Duty.HEADQUARTERS, Staff.Duty.SUPERVISOR})


def may_import_results(user, assessment: Assessment) -> bool:
    """Whether `user` has a duty in `assessment` that imports results (the named role check, may_survey,
    comes first)."""
    return duty_of(user, assessment) in IMPORT_DUTIES
