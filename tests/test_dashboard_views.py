"""The decision dashboard (决策看板): figures from the committed registry, scope, links and the export."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse

from jingzhun.dashboard.selectors import overview_get
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.registry.models import Household, VillageProfile

from .people import CHENGNEI, HENGDONG, XIAGAOCHI
from .test_browser import _login, browser, page  # noqa: F401

# The figures are computed from an ADBC snapshot of the committed database, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _profiles():
    for village, population, road in ((XIAGAOCHI, 1000, True), (CHENGNEI, 500, False), (HENGDONG, 500, True)):
        VillageProfile.objects.create(village_id=village, registered_population=population, registered_households=300,
                                      is_poor_village=True, paved_road=road)


def _client(client, user):
    client.force_login(user)
    return client


def test_county_admin_sees_the_county_figures_and_children(world, client):
    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r["unit"].short_name for r in rows} >= {"古绛镇", "横水镇"}
    figures = {r["unit"].code: r for r in rows}
    hh_reg = response.context["headers"].index(indicator_catalog()["HH_REG"])
    assert figures["140826100"]["cells"][hh_reg] == "2" and figures["140826101"]["cells"][hh_reg] == "1"
    assert figures["140826100"]["url"] == reverse("dashboard:overview", args=["140826100"])
    cards = {c["id"]: c for c in response.context["cards"]}
    # 3 households in 绛县: home and neighbour 已脱贫 (2 people each), other_township 未脱贫 (2 people)
    assert cards["exited"]["value"] == "2" and cards["exited"]["extra"] == "4"
    assert cards["pop-poor"]["value"] == "2"
    assert cards["incidence"]["value"] == "0.10%"  # 2 ÷ 2000 × 100
    assert cards["med-ins"]["value"] == "100.00%"
    list_url = reverse("registry:household_list")
    poor, returned = cards["pop-poor"]["links"]
    assert (poor["value"], poor["url"]) == ("1", f"{list_url}?status=未脱贫")  # the admin's own county: no filter
    assert (returned["value"], returned["url"]) == ("0", f"{list_url}?status=返贫")
    html = response.content.decode()
    assert "古绛镇" in html and "横水镇" in html and 'id="chart-children"' in html
    # HH_REG of the county: the world's 3 绛县 households (home, neighbour, other_township)
    data = overview_get(world.county_admin, "140826", as_of=datetime.date.today())
    assert data.unit.values["HH_REG"] == 3


def test_township_page_links_filter_by_township_and_villages_by_village(world, client):
    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826100"]))
    assert response.status_code == 200
    list_url = reverse("registry:household_list")
    cards = {c["id"]: c for c in response.context["cards"]}
    assert cards["exited"]["url"] == f"{list_url}?status=已脱贫&township=140826100"
    assert cards["pop-poor"]["links"][0]["url"] == f"{list_url}?status=未脱贫&township=140826100"
    rows = {r["unit"].code: r for r in response.context["rows"]}
    assert rows[XIAGAOCHI]["url"] == f"{list_url}?township=140826100&village={XIAGAOCHI}"
    # and the filtered list indeed holds exactly the township's 已脱贫 households
    listed = client.get(cards["exited"]["url"]).content.decode()
    assert world.home.code in listed and world.neighbour.code in listed and world.other_township.code not in listed


def test_percentages_have_two_decimals(world, client):
    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    infrastructure = response.context["charts"]["infrastructure"]
    assert "66.67" in infrastructure  # 2 of 3 villages have a paved road
    assert re.search(r">\d+\.\d\d%<", response.content.decode())


def test_village_clerk_cannot_open_the_county_but_opens_their_village(world, client):
    _client(client, world.village_clerk)
    assert client.get(reverse("dashboard:overview", args=["140826"])).status_code == 404
    response = client.get(reverse("dashboard:overview", args=[XIAGAOCHI]))
    assert response.status_code == 200
    assert response.context["rows"] == []
    cards = {c["id"]: c for c in response.context["cards"]}
    assert cards["exited"]["value"] == "1"
    assert cards["exited"]["url"] == reverse("registry:household_list") + "?status=已脱贫"


def test_outsider_gets_404_on_another_county(world, client):
    _client(client, world.outsider)
    assert client.get(reverse("dashboard:overview", args=["140826"])).status_code == 404
    assert client.get(reverse("dashboard:overview_export", args=["140826"])).status_code == 404


def test_cadre_is_refused_unit_figures(world, client):
    _client(client, world.cadre)
    assert client.get(reverse("dashboard:overview", args=["140826"])).status_code == 403
    assert client.get(reverse("dashboard:overview_export", args=["140826"])).status_code == 403
    assert client.get(reverse("dashboard:overview_home")).status_code == 403


def test_home_redirects_to_own_unit_and_sysadmin_gets_provinces(world, client):
    response = _client(client, world.township_officer).get(reverse("dashboard:overview_home"))
    assert response.status_code == 302 and response.url == reverse("dashboard:overview", args=["140826100"])
    client.logout()
    response = _client(client, world.sysadmin).get(reverse("dashboard:overview_home"))
    assert response.status_code == 200 and reverse("dashboard:overview", args=["14"]) in response.content.decode()


def test_export_has_child_rows_and_chinese_headers(world, client):
    import openpyxl

    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview_export", args=["140826"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    catalog = indicator_catalog()
    assert len(header) == 2 + len(catalog)
    assert "建档立卡户数（户）" in header and "贫困发生率（%）" in header
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_code["140826100"]["建档立卡户数（户）"] == 2
    assert by_code["140826101"]["建档立卡户数（户）"] == 1


@pytest.mark.browser
@pytest.mark.slow
def test_county_admin_drills_down_to_a_township_list_and_clerk_is_refused(world, live_server, page):  # noqa: F811
    _profiles()
    Household.objects.filter(code=world.neighbour.code).update(status="未脱贫", exit_year=None)
    _login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/dashboard/140826/")
    page.wait_for_selector("#chart-children canvas")
    page.click("#children >> text=古绛镇")
    page.wait_for_url(re.compile(r"/dashboard/140826100/$"))
    assert "1 户" in page.inner_text("#card-pop-poor")
    page.click("#card-pop-poor a[data-status='未脱贫']")
    page.wait_for_url(re.compile(r"/households/\?"))
    table = page.inner_text("#households")
    assert world.neighbour.code in table
    assert world.home.code not in table and world.other_township.code not in table

    page.click("text=退出")
    _login(page, live_server, "village_clerk")
    response = page.goto(f"{live_server.url}/dashboard/140826/")
    assert response.status == 404

