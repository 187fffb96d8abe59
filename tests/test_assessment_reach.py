"""Who reads which assessment and which of its cases (assessment.selectors): the county and those above
read their county's; an evaluator with a duty reads it wherever they are bound; an enumerator sees only
their own team's cases; townships, villages and helpers read none."""

from __future__ import annotations

import pytest
from django.http import Http404

from jingzhun.accounts.services import user_create
from jingzhun.assessment.models import Case, Staff, Team
from jingzhun.assessment.selectors import assessment_get, assessments_for, case_get, cases_for, duty_of
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.roles import Role

from .people import PASSWORD
from .scope_world import records_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    return world, records_build(world)


def _counties(user):
    return set(assessments_for(user).values_list("county", flat=True))


def test_the_county_and_those_above_read_their_counties_assessments(built):
    world, _records = built
    assert _counties(world.county_admin) == {"140826"}
    assert _counties(world.outsider) == {"140829"}
    assert _counties(world.analyst) == {"140826", "140829"}
    assert _counties(world.sysadmin) == {"140826", "140829"}
    assert _counties(world.evaluator) == {"140826"}


@pytest.mark.parametrize("person", ["village_clerk", "township_officer", "cadre", "work_team"])
def test_townships_villages_and_helpers_read_no_assessment(built, person):
    world, records = built
    user = getattr(world, person)
    assert not assessments_for(user).exists() and not cases_for(user).exists()
    with pytest.raises(Http404):
        assessment_get(user, records.assessment["140826"].pk)


def test_an_evaluator_from_elsewhere_reads_the_assessment_they_work_in_and_no_other(built):
    world, records = built
    outside = user_create(username="hq_elsewhere", password=PASSWORD, role=Role.EVALUATOR,
                          org_unit=OrgUnit.objects.get(code="140829102"), full_name="外县评估员", check_password=False)
    assert not assessments_for(outside).exists()
    Staff.objects.create(assessment=records.assessment["140826"], user=outside, duty=Staff.Duty.HEADQUARTERS,
                         home_county="140829")
    assert _counties(outside) == {"140826"}  # by duty, though bound to a township of another county
    assert duty_of(outside, records.assessment["140826"]) == Staff.Duty.HEADQUARTERS
    assert set(cases_for(outside, records.assessment["140826"])) == set(records.assessment["140826"].cases.all())


def test_an_enumerator_sees_only_their_own_teams_cases(built):
    world, records = built
    assessment = records.assessment["140826"]
    other_team = Team.objects.create(assessment=assessment, name="第2组")
    moved = records.case[world.neighbour.code]
    Case.objects.filter(pk=moved.pk).update(team=other_team)
    seen = set(cases_for(world.evaluator).values_list("pk", flat=True))
    assert records.case[world.home.code].pk in seen and moved.pk not in seen
    with pytest.raises(Http404):
        case_get(world.evaluator, moved.pk)
    assert duty_of(world.evaluator, assessment) == Staff.Duty.ENUMERATOR
