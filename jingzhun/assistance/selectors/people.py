"""Reads about the people who help, limited to what the user may see.

帮扶单位 and 帮扶责任人 are records of a county: whoever reaches the county sees them, and so does whoever
works inside it (a township officer pairs its households with the county's cadres). An assistance cadre
sees only their own record. 驻村工作队 belong to their village and follow the org-unit reach.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.registry.models import AssistanceCadre, Household
from jingzhun.registry.vocab import HouseholdCategory, PovertyStatus

from ..models import CadreAssignment, HelpUnit, ResponsibilityLetter, WorkTeam, WorkTeamMember
from ..vocab import TeamRole


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def county_q(access: Access, field: str) -> Q:
    """Rows of a county (`field` holds its code) in reach, or of the county the user works in."""
    if not access.active:
        return Q(pk__in=[])
    q = subtree_q(field, access.prefix)
    if len(access.prefix) > 6:
        q |= Q(**{field: access.prefix[:6]})
    return q


def reaches_county(who, county: str) -> bool:
    access = _access(who)
    return access.active and (county.startswith(access.prefix) or access.prefix.startswith(county))


def help_units_for(who) -> QuerySet[HelpUnit]:
    return HelpUnit.objects.filter(county_q(_access(who), "county_id")).select_related("county")


def cadres_for(who) -> QuerySet[AssistanceCadre]:
    """Cadres of the counties in reach; an assistance cadre only themselves."""
    access = _access(who)
    qs = AssistanceCadre.objects.filter(county_q(access, "county_id"))
    if access.cadre_only:
        qs = qs.filter(user_id=access.user_id)
    return qs.select_related("county")


def teams_for(who) -> QuerySet[WorkTeam]:
    """Work teams of the villages in reach."""
    return WorkTeam.objects.filter(_access(who).org_q("village_id")).select_related("village", "help_unit")


#: How a team's members are listed: 第一书记, 队长, 队员.
ROLE_ORDER = {TeamRole.FIRST_SECRETARY: 0, TeamRole.LEADER: 1, TeamRole.MEMBER: 2}


def member_order(member: WorkTeamMember) -> tuple:
    """Sort key of a team's members: those in post first, then by role (ROLE_ORDER), then by arrival."""
    return (member.end is not None, ROLE_ORDER.get(member.role, 9), member.start, member.pk)


def members_of(team: WorkTeam) -> QuerySet[WorkTeamMember]:
    """A team's members (the page sorts them with `member_order`)."""
    return team.members.select_related("help_unit")


def cadre_households(who, cadre: AssistanceCadre) -> QuerySet[Household]:
    """The households a cadre serves now, of those the user reaches."""
    return _access(who).filter_households(Household.objects.filter(cadre=cadre)).select_related("village")


def assignments_of_cadre(who, cadre: AssistanceCadre) -> QuerySet[CadreAssignment]:
    """A cadre's pairings over time, of the households the user reaches, newest first."""
    access = _access(who)
    return (CadreAssignment.objects.filter(access.household_q("household__"), cadre=cadre)
            .select_related("household", "created_by").order_by("-start", "-id"))


def assignments_of_household(household: Household) -> QuerySet[CadreAssignment]:
    """A household's pairings over time, newest first (the caller has the household in reach)."""
    return household.cadre_assignments.select_related("cadre", "created_by").order_by("-start", "-id")


def cadres_with_counts(who, county: str, year: int) -> QuerySet[AssistanceCadre]:
    """The county's cadres (as the user may see them) with `households` (theirs in the user's reach) and
    `letter` (1 when this year's 帮扶责任书 is uploaded)."""
    access = _access(who)
    in_reach = access.household_q("households__")
    return (cadres_for(access).filter(county_id=county)
            .annotate(households_n=Count("households", filter=in_reach, distinct=True),
                      letter_n=Count("letters", filter=Q(letters__year=year), distinct=True)))


def _active_in(year: int) -> Q:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(start__lte=last) & (Q(end__isnull=True) | Q(end__gte=first))


def helpers_summary(access: Access, unit_code: str, year: int) -> dict[str, int]:
    """The people who help in a unit in a year, as the seeds count them: teams and members in post during
    the year, first secretaries among them, cadres serving households of the unit, their letters of the
    year, and 脱贫户 and 监测户 (not 清退) with and without a cadre. Scoped by `access`; the caller checks the unit is in
    reach. Counted in the database, a few queries."""
    teams = WorkTeam.objects.filter(access.org_q("village_id"), subtree_q("village_id", unit_code))
    active_teams = teams.filter(_active_in(year))
    members = WorkTeamMember.objects.filter(team__in=teams).filter(_active_in(year))
    # Households that are to have a cadre: the 脱贫户 and 监测户 still on the registry (not 一般农户, not 清退).
    households = access.filter_households(Household.objects.filter(subtree_q("code", unit_code))
                                          .exclude(category=HouseholdCategory.ORDINARY)
                                          .exclude(status=PovertyStatus.REMOVED))
    pairing = households.aggregate(with_cadre=Count("code", filter=Q(cadre__isnull=False)),
                                   without_cadre=Count("code", filter=Q(cadre__isnull=True)))
    cadre_ids = households.filter(cadre__isnull=False).values("cadre_id")
    return {
        "teams": active_teams.count(),
        "members": members.count(),
        "first_secretaries": members.filter(role=TeamRole.FIRST_SECRETARY).count(),
        "cadres": AssistanceCadre.objects.filter(pk__in=cadre_ids).count(),
        "letters": ResponsibilityLetter.objects.filter(cadre_id__in=cadre_ids, year=year).count(),
        "households_with_cadre": pairing["with_cadre"],
        "households_without_cadre": pairing["without_cadre"],
    }
