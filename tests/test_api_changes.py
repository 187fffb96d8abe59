"""/api/v1/changes/: the 动态调整台账's events in reach, with the page's unit, period and type filters."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jingzhun.workflows.models import LedgerEvent

from .api_helpers import all_pages, api_client
from .people import HENGDONG

CHANGES = "/api/v1/changes/"


@pytest.fixture
def events(world):
    """Per household an exit this year and a return last year (out of the default period)."""
    today = timezone.localdate()
    last_year = datetime.date(today.year - 1, 6, 1)
    made = {}
    for household in world.households:
        common = {"household": household.code, "village": household.village_id, "head_name": household.head_name,
                  "persons": 2, "source": "import"}
        made[household.code] = (LedgerEvent.objects.create(type="exit", effective=today, detail="脱贫年度 2025", **common),
                                LedgerEvent.objects.create(type="return", effective=last_year, **common))
    return made


def test_the_default_is_this_years_events_of_ones_own_unit(world, events):
    rows = all_pages(api_client(world.township_officer), CHANGES)
    assert {r["household"] for r in rows} == {world.home.code, world.neighbour.code}
    assert {r["type"] for r in rows} == {"exit"}
    row = rows[0]
    assert row["type_label"] == "脱贫" and row["source"] == "import" and row["source_label"] == "数据导入"
    assert row["procedure"] is None and row["persons"] == 2 and row["detail"] == "脱贫年度 2025"


def test_a_cadre_sees_the_events_of_their_own_households(world, events):
    assert {r["household"] for r in all_pages(api_client(world.cadre), CHANGES)} == {world.home.code}


def test_an_analyst_reads_the_city_and_another_county_sees_its_own(world, events):
    assert len(all_pages(api_client(world.analyst), CHANGES)) == 4
    assert {r["household"] for r in all_pages(api_client(world.outsider), CHANGES)} == {world.other_county.code}


def test_the_unit_period_and_type_filters(world, events):
    client = api_client(world.county_admin)
    assert {r["household"] for r in all_pages(client, CHANGES, org=HENGDONG)} == {world.other_township.code}
    last_year = timezone.localdate().year - 1
    year = all_pages(client, CHANGES, start=f"{last_year}-01-01", end=f"{last_year}-12-31")
    assert len(year) == 3 and {r["type"] for r in year} == {"return"}
    both = all_pages(client, CHANGES, start=f"{last_year}-01-01")
    assert len(both) == 6
    assert {r["type"] for r in all_pages(client, CHANGES, start=f"{last_year}-01-01", type="return")} == {"return"}


def test_bad_filters_are_400_naming_the_field(world, events):
    client = api_client(world.township_officer)
    for params, field in (({"org": HENGDONG}, "org"), ({"org": "140829"}, "org"), ({"org": "1"}, "org"),
                          ({"start": "2025-13-01"}, "start"), ({"start": "2025-06-01", "end": "2025-01-01"}, "start"),
                          ({"type": "birth"}, "type")):
        response = client.get(CHANGES, params)
        assert response.status_code == 400 and field in response.json()["fields"], (params, response.content)


def test_the_cursor_pages_are_newest_first_and_complete(world, events):
    client = api_client(world.sysadmin)
    params = {"start": f"{timezone.localdate().year - 1}-01-01"}
    one_by_one = all_pages(client, CHANGES, page_size=1, **params)
    ids = [r["id"] for r in one_by_one]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == LedgerEvent.objects.count()
    assert ids == [r["id"] for r in all_pages(client, CHANGES, **params)]


def test_no_token_is_401(world, events):
    assert api_client().get(CHANGES).status_code == 401
