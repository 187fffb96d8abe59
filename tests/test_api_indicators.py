"""/api/v1/indicators/: the stored indicator values of a unit in reach at a date, its children, the catalogue."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.indicators.models import IndicatorRefresh, UnitIndicators

from .api_helpers import api_client
from .people import CHENGNEI, XIAGAOCHI

VALUES = "/api/v1/indicators/"
CATALOG = "/api/v1/indicators/catalog/"


def _refresh(as_of: datetime.date, figures: dict[str, dict]) -> IndicatorRefresh:
    """A finished refresh storing `figures` ({org: values}), as indicators_refresh leaves one."""
    refresh = IndicatorRefresh.objects.create(status=IndicatorRefresh.Status.DONE, as_of=as_of,
                                              finished_at=timezone.now(), units=len(figures))
    UnitIndicators.objects.bulk_create(UnitIndicators(refresh=refresh, org=org, values=values)
                                       for org, values in figures.items())
    return refresh


def _figures(pop_poor: int) -> dict[str, dict]:
    county = {"HH_REG": 3, "POP_REG": 6, "POP_POOR": pop_poor, "RURAL_POP": 2000, "INCIDENCE": round(100 * pop_poor / 2000, 2),
              "MED_INS_RATE": 100.0, "HELPER_COVERAGE": 100.0, "CAUSES": {"缺技术": 3}}
    return {"140826": county, "140826100": {"HH_REG": 2, "POP_POOR": 0, "RURAL_POP": 1500, "INCIDENCE": 0.0},
            "140826101": {"HH_REG": 1, "POP_POOR": pop_poor, "RURAL_POP": 500, "INCIDENCE": round(100 * pop_poor / 500, 2)},
            XIAGAOCHI: {"HH_REG": 1}, CHENGNEI: {"HH_REG": 1}, "140829": {"HH_REG": 1}}


def _by_key(unit: dict) -> dict[str, dict]:
    return {i["key"]: i for i in unit["indicators"]}


def test_a_county_admin_reads_the_latest_values_of_the_county_with_name_unit_and_ratio_parts(world):
    _refresh(datetime.date(2024, 6, 1), _figures(4))
    latest = _refresh(datetime.date(2024, 7, 1), _figures(2))
    response = api_client(world.county_admin).get(VALUES, {"unit": "140826"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refresh"]["id"] == latest.pk and body["refresh"]["as_of"] == "2024-07-01"
    assert body["refresh"]["finished_at"] and body["children"] == []
    unit = body["unit"]
    assert unit["code"] == "140826" and unit["name"] == "绛县" and unit["has_data"]
    figures = _by_key(unit)
    assert list(figures) == list(indicator_catalog())  # every indicator, in the catalogue's order
    assert figures["HH_REG"] == {"key": "HH_REG", "name": "建档立卡户数", "unit": "户", "value": 3, "numerator": None,
                                 "denominator": None}
    # 贫困发生率 = 剩余贫困人口 ÷ 乡村户籍人口: both parts are stored indicators
    assert figures["INCIDENCE"] == {"key": "INCIDENCE", "name": "贫困发生率", "unit": "%", "value": 0.1,
                                    "numerator": 2, "denominator": 2000}
    # 基本医疗保险参保率: its numerator is no indicator of its own, its denominator (建档立卡人口) is
    assert figures["MED_INS_RATE"]["numerator"] is None and figures["MED_INS_RATE"]["denominator"] == 6
    assert figures["ROAD_RATE"]["value"] is None  # not stored in this refresh
    assert unit["breakdowns"] == {"CAUSES": {"缺技术": 3}}


def test_an_earlier_date_reads_the_last_refresh_on_or_before_it_as_the_dashboard_does(world):
    earlier = _refresh(datetime.date(2024, 6, 1), _figures(4))
    _refresh(datetime.date(2024, 7, 1), _figures(2))
    client = api_client(world.county_admin)
    body = client.get(VALUES, {"unit": "140826", "date": "2024-06-15"}).json()
    assert body["refresh"]["id"] == earlier.pk and _by_key(body["unit"])["POP_POOR"]["value"] == 4
    before = client.get(VALUES, {"unit": "140826", "date": "2024-05-01"}).json()
    assert before["refresh"] is None and not before["unit"]["has_data"]
    assert _by_key(before["unit"])["HH_REG"]["value"] is None


def test_the_values_are_those_of_the_dashboards_json(world, client):
    _refresh(datetime.date(2024, 7, 1), _figures(2))
    client.force_login(world.county_admin)
    page = client.get(reverse("dashboard:overview_json", args=["140826"])).json()
    body = api_client(world.county_admin).get(VALUES, {"unit": "140826", "children": "1"}).json()
    assert {i["key"]: i["value"] for i in body["unit"]["indicators"] if i["key"] in page["values"]} == \
        {k: v for k, v in page["values"].items() if k in indicator_catalog()}
    assert {c["code"]: {i["key"]: i["value"] for i in c["indicators"] if i["value"] is not None}
            for c in body["children"]} == {code: {k: v for k, v in values.items() if k in indicator_catalog()}
                                          for code, values in page["children"].items()}


def test_children_give_each_child_units_values_and_keys_narrow_the_indicators(world):
    _refresh(datetime.date(2024, 7, 1), _figures(2))
    body = api_client(world.county_admin).get(VALUES, {"unit": "140826", "children": "1",
                                                       "keys": "hh_reg,INCIDENCE"}).json()
    assert [i["key"] for i in body["unit"]["indicators"]] == ["HH_REG", "INCIDENCE"]
    children = {c["code"]: c for c in body["children"]}
    assert {"140826100", "140826101"} <= set(children)
    assert _by_key(children["140826101"])["INCIDENCE"] == {"key": "INCIDENCE", "name": "贫困发生率", "unit": "%",
                                                         "value": 0.4, "numerator": 2, "denominator": 500}
    assert all(c["code"].startswith("140826") and len(c["code"]) == 9 for c in body["children"])


def test_without_a_unit_the_callers_own_unit_and_for_a_site_admin_the_provinces(world):
    _refresh(datetime.date(2024, 7, 1), _figures(2))
    own = api_client(world.township_officer).get(VALUES).json()
    assert own["unit"]["code"] == "140826100" and _by_key(own["unit"])["HH_REG"]["value"] == 2
    site = api_client(world.sysadmin).get(VALUES, {"keys": "HH_REG"}).json()
    assert site["unit"] is None and [c["code"] for c in site["children"]] == ["14"]


def test_a_unit_out_of_reach_is_404_and_a_cadre_is_refused(world):
    _refresh(datetime.date(2024, 7, 1), _figures(2))
    assert api_client(world.village_clerk).get(VALUES, {"unit": "140826"}).status_code == 404
    assert api_client(world.outsider).get(VALUES, {"unit": "140826"}).status_code == 404
    assert api_client(world.county_admin).get(VALUES, {"unit": "999999"}).status_code == 404
    refused = api_client(world.cadre).get(VALUES, {"unit": "140826"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert api_client(world.cadre).get(VALUES, {"unit": "140829"}).status_code == 403  # refused before the lookup
    # read-only roles that see the dashboard read the figures (no personal data in them)
    assert api_client(world.analyst).get(VALUES, {"unit": "140826"}).status_code == 200
    assert api_client(world.evaluator).get(VALUES, {"unit": "140826"}).status_code == 200


def test_bad_parameters_are_400_naming_the_field(world):
    client = api_client(world.county_admin)
    for params, field in (({"date": "2024-02-30"}, "date"), ({"keys": "HH_REG,NOPE"}, "keys"),
                          ({"children": "maybe"}, "children"), ({"unit": "1" * 40}, "unit")):
        response = client.get(VALUES, params)
        assert response.status_code == 400, params
        body = response.json()
        assert body["code"] == "invalid" and field in body["fields"], body
    assert "NOPE" in client.get(VALUES, {"keys": "NOPE"}).json()["fields"]["keys"][0]


def test_the_catalogue_lists_every_indicator_with_its_definition_for_everyone_signed_in(world):
    for user in (world.county_admin, world.cadre, world.analyst):
        response = api_client(user).get(CATALOG)
        assert response.status_code == 200
    rows = {r["key"]: r for r in response.json()}
    assert set(rows) == set(indicator_catalog())
    assert rows["INCIDENCE"] == {"key": "INCIDENCE", "name": "贫困发生率", "unit": "%",
                                 "definition": "剩余贫困人口 ÷ 乡村户籍人口 × 100", "source": "village",
                                 "numerator": "POP_POOR", "denominator": "RURAL_POP"}
    assert rows["FUND_RATE"]["source"] == "county" and rows["FUND_RATE"]["numerator"] == "FUND_SPENT"
    assert api_client().get(CATALOG).status_code == 401


def test_a_user_bound_to_no_unit_without_a_site_wide_role_reads_no_figures(world):
    from jingzhun.accounts.models import User

    _refresh(datetime.date(2024, 7, 1), _figures(2))
    User.objects.filter(pk=world.analyst.pk).update(org_unit=None)  # a unit taken away (the form forbids none)
    nobody = User.objects.get(pk=world.analyst.pk)
    assert api_client(nobody).get(VALUES).status_code in (401, 403)
    assert api_client(nobody).get(VALUES, {"unit": "14"}).status_code in (401, 403, 404)
