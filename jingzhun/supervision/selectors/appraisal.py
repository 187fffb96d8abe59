"""Reads of 考评's inputs — 目标责任书 and manual scores — and the appraised units, limited to what the user may see.

The appraised units are the townships and county departments (APPRAISED_KINDS). Those who read a whole
county (the county admin, analysts and evaluators bound at a county or above, the system administrator)
read every unit of the counties in reach; a township officer reads their township's unit only; a
department's staff their department only; village clerks and helpers read none (`may_read_appraisals`
refuses them before any of this is asked).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.orgunits.permissions import HELPER_ROLES, get_in_reach
from jingzhun.orgunits.roles import Role

from ..models import Agency, Letter, ManualScore
from ..vocab import AgencyKind
from . import COUNTY_LENGTH, _access, _reads_whole_county, own_agencies

#: The units a county appraises and hands a 目标责任书: townships and departments.
APPRAISED_KINDS = (AgencyKind.TOWNSHIP, AgencyKind.DEPARTMENT)


def appraised_agencies_for(user) -> QuerySet[Agency]:
    """Appraised units in reach (see the module docstring), active or not."""
    access = _access(user)
    if not access.active or access.role in HELPER_ROLES or access.role == Role.VILLAGE_CLERK:
        return Agency.objects.none()
    units = Agency.objects.filter(kind__in=APPRAISED_KINDS)
    if _reads_whole_county(access):
        return units.filter(subtree_q("county_id", access.prefix))
    if access.role in (Role.DEPARTMENT, Role.TOWNSHIP_OFFICER):
        return units.filter(pk__in=own_agencies(access).values("pk"))
    return Agency.objects.none()


def appraised_agency_get(user, agency_id: int) -> Agency:
    """One appraised unit in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(appraised_agencies_for(user).select_related("county"), pk=agency_id)


def appraisal_counties(user) -> list[OrgUnit]:
    """The counties whose 考评 the user reads: those of the appraised units in reach, and the user's own
    county (for a county admin before any unit is registered)."""
    access = _access(user)
    codes = set(appraised_agencies_for(access).values_list("county_id", flat=True).distinct())
    if access.active and len(access.prefix) >= COUNTY_LENGTH and (
            _reads_whole_county(access) or codes):
        codes.add(access.prefix[:COUNTY_LENGTH])
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


def letters_for(user) -> QuerySet[Letter]:
    """目标责任书 of the appraised units in reach."""
    return Letter.objects.filter(agency__in=appraised_agencies_for(user).values("pk"))


def letter_get(user, letter_id: int) -> Letter:
    """One 目标责任书 in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(letters_for(user).select_related("agency"), pk=letter_id)


@dataclass(frozen=True)
class LetterRow:
    """One unit of a year's list: its letter (None: not yet registered)."""

    agency: Agency
    letter: Letter | None

    @property
    def signed(self) -> bool:
        """签订: the signed document is on file."""
        return self.letter is not None and bool(self.letter.document)

    @property
    def targets(self) -> int:
        return len(self.letter.targets) if self.letter is not None else 0


def letters_for_year(user, *, county: str, year: int) -> list[LetterRow]:
    """Who has signed the year's 目标责任书 and who has not: every active appraised unit of the county in
    reach (and any inactive one that has a letter that year), townships first."""
    letters = {letter.agency_id: letter for letter in letters_for(user).filter(county_id=county, year=year)}
    units = appraised_agencies_for(user).filter(county_id=county)
    units = [a for a in units.order_by("kind", "name", "pk") if a.active or a.pk in letters]
    order = {kind: n for n, kind in enumerate(APPRAISED_KINDS)}
    units.sort(key=lambda a: (order.get(a.kind, 9), a.name))
    return [LetterRow(agency=a, letter=letters.get(a.pk)) for a in units]


def manual_scores_for(user) -> QuerySet[ManualScore]:
    """Manual scores of the appraised units in reach."""
    return ManualScore.objects.filter(agency__in=appraised_agencies_for(user).values("pk"))


def manual_scores_for_year(user, *, county: str, year: int) -> dict[tuple[int, str], ManualScore]:
    """The county's manual scores of a year in reach, by (unit id, item code)."""
    scores = manual_scores_for(user).filter(county_id=county, year=year).select_related("scored_by")
    return {(s.agency_id, s.item): s for s in scores}


def manual_score_history(user, *, county: str, year: int, limit: int = 50):
    """The latest changes of the year's manual scores in reach (the history keeps every earlier value)."""
    units = appraised_agencies_for(user).filter(county_id=county).values("pk")
    return (ManualScore.history.filter(county_id=county, year=year, agency_id__in=units)
            .select_related("scored_by", "agency").order_by("-history_date", "-history_id")[:limit])
