"""Reads of 考评 results: the published appraisals and who may see the live scores.

Published appraisals (Appraisal) are read by those may_read_appraisals allows: whoever reads a county
whole reads its appraisals (county admin, analysts, evaluators, the system administrator); a township
officer and a department's staff read their own county's published appraisals — the ranking they are in.
The live scores (computed on request from the records, with the data behind each item) are the county's
working figures: only those who read the county whole see them, and only the county may publish.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import get_in_reach, may_read_appraisals

from ..models import Appraisal
from . import COUNTY_LENGTH, _access, _reads_whole_county


def appraisals_for(user) -> QuerySet[Appraisal]:
    """Published appraisals in reach (see the module docstring)."""
    access = _access(user)
    if not may_read_appraisals(access):
        return Appraisal.objects.none()
    if _reads_whole_county(access):
        return Appraisal.objects.filter(subtree_q("county_id", access.prefix))
    return Appraisal.objects.filter(county_id=access.prefix[:COUNTY_LENGTH])


def appraisal_get(user, appraisal_id: int) -> Appraisal:
    """One published appraisal in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(appraisals_for(user).select_related("county", "published_by"), pk=appraisal_id)


def may_see_live_scores(user, county: str) -> bool:
    """Whether the user sees county `county`'s live scores: a reader of appraisals who reads it whole."""
    access = _access(user)
    return (may_read_appraisals(access) and _reads_whole_county(access) and len(county) == COUNTY_LENGTH
            and access.reaches_code(county))
