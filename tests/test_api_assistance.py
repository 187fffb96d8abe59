"""/api/v1/assistance/: 帮扶措施 and 走访记录 in reach, with the pages' filters and masking."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.assistance.models import Measure, Visit

from .api_helpers import all_pages, api_client
from .people import XIAGAOCHI, ZHANGGUO

pytestmark = pytest.mark.django_db

MEASURES = "/api/v1/assistance/measures/"
VISITS = "/api/v1/assistance/visits/"


@pytest.fixture
def measures(world):
    year = timezone.localdate().year
    made = {}
    for household in world.households:
        daughter = household.members.order_by("pk")[1]
        made[household.code] = Measure.objects.create(
            household=household, member=daughter, year=year, type="public_post", name="保洁员", amount=6000,
            start=datetime.date(year, 1, 1), details={"post": "村道保洁", "months": 12})
    made["old"] = Measure.objects.create(household=world.home, year=year - 2, type="housing", name="危房改造",
                                         amount=Decimal("35000.50"), start=datetime.date(year - 2, 3, 1),
                                         end=datetime.date(year - 2, 9, 1), continues_after_exit=False)
    return made


def _ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def test_measures_are_those_of_the_households_in_reach(world, measures):
    home = {measures[world.home.code].pk, measures["old"].pk}
    assert _ids(all_pages(api_client(world.village_clerk), MEASURES)) == home
    assert _ids(all_pages(api_client(world.cadre), MEASURES)) == home
    assert _ids(all_pages(api_client(world.work_team), MEASURES)) == home
    assert _ids(all_pages(api_client(world.outsider), MEASURES)) == {measures[world.other_county.code].pk}
    assert len(all_pages(api_client(world.county_admin), MEASURES)) == 4


def test_measures_filter_by_year_type_unit_and_continuing(world, measures):
    client = api_client(world.county_admin)
    year = timezone.localdate().year
    assert _ids(all_pages(client, MEASURES, year=year - 2)) == {measures["old"].pk}
    assert _ids(all_pages(client, MEASURES, type="housing")) == {measures["old"].pk}
    assert _ids(all_pages(client, MEASURES, continuing="0")) == {measures["old"].pk}
    assert _ids(all_pages(client, MEASURES, unit=world.neighbour.village_id)) == {measures[world.neighbour.code].pk}
    assert all_pages(client, MEASURES, unit=ZHANGGUO) == []
    for params in ({"type": "lottery"}, {"year": "abc"}, {"continuing": "2"}, {"unit": "14-08"}):
        response = client.get(MEASURES, params)
        assert response.status_code == 400 and set(params) <= set(response.json()["fields"]), params


def test_a_measure_row_names_the_member_and_shows_no_id_number(world, measures):
    rows = {r["id"]: r for r in all_pages(api_client(world.analyst), MEASURES)}
    row = rows[measures[world.home.code].pk]
    daughter = measures[world.home.code].member
    assert row["member_name"] == daughter.name and row["type_name"] == "公益岗位" and row["amount"] == "6000.00"
    assert rows[measures["old"].pk]["member"] is None and rows[measures["old"].pk]["end"]
    assert daughter.id_number not in str(rows) and world.home.head_id_number not in str(rows)


def test_the_measure_list_takes_no_writes(world, measures):
    response = api_client(world.county_admin).post(MEASURES, {"name": "x"}, format="json")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


# --- 走访记录 --------------------------------------------------------------------------------------------

@pytest.fixture
def visits(world):
    made = {}
    for household in world.households:
        made[household.code] = Visit.objects.create(
            household=household, visitor=world.cadre if household == world.home else world.village_clerk,
            visited_on=timezone.localdate(), met=household.head_name, needs="看病贵", situation="腿伤",
            latitude=Decimal("35.491234"), longitude=Decimal("111.571234"), recorded_at=timezone.now())
    return made


def test_a_cadre_sees_the_visits_of_their_own_households_only(world, visits):
    assert _ids(all_pages(api_client(world.cadre), VISITS)) == {visits[world.home.code].pk}
    assert _ids(all_pages(api_client(world.village_clerk), VISITS)) == {visits[world.home.code].pk}
    assert _ids(all_pages(api_client(world.township_officer), VISITS)) == {visits[world.home.code].pk,
                                                                            visits[world.neighbour.code].pk}
    assert _ids(all_pages(api_client(world.outsider), VISITS)) == {visits[world.other_county.code].pk}


def test_visits_of_one_unit_and_a_unit_out_of_reach_is_404(world, visits):
    client = api_client(world.county_admin)
    assert _ids(all_pages(client, VISITS, unit=world.neighbour.village_id)) == {visits[world.neighbour.code].pk}
    assert client.get(VISITS, {"unit": ZHANGGUO}).status_code == 404
    assert api_client(world.village_clerk).get(VISITS, {"unit": "140826101"}).status_code == 404
    assert client.get(VISITS, {"unit": "x"}).status_code == 400


def test_only_record_keepers_see_where_a_visit_was(world, visits):
    clerk = all_pages(api_client(world.village_clerk), VISITS, unit=XIAGAOCHI)[0]
    assert clerk["latitude"] == "35.491234" and clerk["visitor"] == "cadre"
    for user in (world.cadre, world.analyst, world.work_team):
        row = all_pages(api_client(user), VISITS)[0]
        assert row["latitude"] is None and row["longitude"] is None, user.username
        assert world.home.head_id_number not in str(row)
