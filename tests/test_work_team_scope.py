"""What a 驻村工作队 account reaches (the village it is bound to, read-only) and what an assistance cadre
reaches (only the households assigned to them), on the registry's household pages and on the pages of
the people who help."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.assistance.models import WorkTeam
from jingzhun.registry.models import Household

from .helper_people import START, second_cadre, team
from .people import CHENGNEI, XIAGAOCHI

pytestmark = pytest.mark.django_db


def _status(client, name, **kwargs) -> int:
    return client.get(reverse(name, kwargs=kwargs)).status_code


def test_a_work_team_lists_the_households_of_its_village_only(world, client):
    client.force_login(world.work_team)
    page = client.get(reverse("registry:household_list")).content.decode()
    assert world.home.code in page
    for other in (world.neighbour, world.other_township, world.other_county):
        assert other.code not in page


def test_a_work_team_opens_households_of_its_village_and_no_other(world, client):
    client.force_login(world.work_team)
    assert _status(client, "registry:household_detail", code=world.home.code) == 200
    for other in (world.neighbour, world.other_township, world.other_county):
        assert _status(client, "registry:household_detail", code=other.code) == 404


def test_a_work_team_reads_its_villages_teams_and_not_the_neighbours(world, client):
    own, neighbour = team(XIAGAOCHI), team(CHENGNEI)
    client.force_login(world.work_team)
    assert _status(client, "assistance:team_list", code=XIAGAOCHI) == 200
    assert _status(client, "assistance:team_detail", team_id=own.pk) == 200
    assert _status(client, "assistance:team_list", code=CHENGNEI) == 404
    assert _status(client, "assistance:team_detail", team_id=neighbour.pk) == 404
    page = client.get(reverse("assistance:team_list", kwargs={"code": XIAGAOCHI})).content.decode()
    assert 'id="station"' not in page


def test_a_work_team_may_not_change_its_team_or_pair_cadres(world, client):
    own = team(XIAGAOCHI)
    client.force_login(world.work_team)
    response = client.post(reverse("assistance:team_detail", kwargs={"team_id": own.pk}),
                           {"action": "end_team", "end": START.isoformat()})
    assert response.status_code == 403 and WorkTeam.objects.get(pk=own.pk).end is None
    response = client.post(reverse("assistance:cadre_assign", kwargs={"code": world.home.code}),
                           {"cadre": second_cadre().pk, "reason": "调整"})
    assert response.status_code == 403
    assert Household.objects.get(pk=world.home.pk).cadre == world.cadre_record


def test_a_work_team_sees_a_cadres_households_in_its_village_only(world, client):
    Household.objects.filter(pk=world.neighbour.pk).update(cadre=world.cadre_record)
    client.force_login(world.work_team)
    response = client.get(reverse("assistance:cadre_detail", kwargs={"cadre_id": world.cadre_record.pk}))
    assert [h.code for h in response.context["households"]] == [world.home.code]
    assert world.neighbour.code not in response.content.decode()
    assert world.cadre_record.phone not in response.content.decode()  # masked: not a record keeper


def test_a_cadre_reaches_only_their_own_record_and_households(world, client):
    other = second_cadre()
    Household.objects.filter(pk=world.neighbour.pk).update(cadre=other)
    client.force_login(world.cadre)
    response = client.get(reverse("assistance:cadre_detail", kwargs={"cadre_id": world.cadre_record.pk}))
    assert [h.code for h in response.context["households"]] == [world.home.code]
    assert _status(client, "assistance:cadre_detail", cadre_id=other.pk) == 404
    assert _status(client, "registry:household_detail", code=world.neighbour.code) == 404
    assert _status(client, "assistance:cadre_assign", code=world.neighbour.code) == 404


def test_a_cadre_sees_teams_but_not_the_units_figures(world, client):
    team(XIAGAOCHI)
    client.force_login(world.cadre)
    response = client.get(reverse("assistance:team_list", kwargs={"code": XIAGAOCHI}))
    assert response.status_code == 200 and response.context["summary"] is None
    assert "周书记" in response.content.decode()
    assert _status(client, "assistance:cadre_list", county="140826") == 403


def test_the_household_section_shows_a_cadre_their_household_with_the_phone_masked(world, client):
    client.force_login(world.cadre)
    page = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
    assert 'id="cadre"' in page and "139****5678" in page and world.cadre_record.phone not in page
