"""The household list's 乡镇 / 村 filter (defect 1 of issue 13): a unit above one's own works, a unit out of
reach is refused with a Chinese message on a page, and so is the export of such a filter."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from .people import XIAGAOCHI

pytestmark = pytest.mark.django_db


def _link(body: str, text: str) -> str:
    match = re.search(r'href="([^"]+)">' + re.escape(text), body)
    assert match, text
    return unescape(match.group(1))


def test_the_village_clerks_link_to_their_own_list_lists_their_households(world, client):
    """Defect 1: /households/?township=…&village=… gave "筛选条件有误" and 0 households."""
    client.force_login(world.village_clerk)
    division = client.get(reverse("registry:division", kwargs={"code": XIAGAOCHI})).content.decode()
    url = _link(division, "查看本级贫困户名单")
    assert "township=140826100" in url
    response = client.get(url)
    body = response.content.decode()
    assert "筛选条件有误" not in body
    assert [h.code for h in response.context["page"].object_list] == [world.home.code]
    assert "乡镇：古绛镇" in body and "村：下高池村" in body  # shown as active filters
    export = client.get(reverse("exchange:household_export") + url[url.index("?"):])
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    b"".join(export.streaming_content)


@pytest.mark.parametrize("query", [{"township": "140826101"}, {"township": "140829102"},
                                   {"township": "140826100", "village": "140826100201"}])
def test_a_filter_out_of_reach_says_so_in_chinese(world, client, query):
    client.force_login(world.village_clerk)
    body = client.get(reverse("registry:household_list"), query).content.decode()
    assert "筛选条件有误" in body and "不在您的范围内" in body
    response = client.get(reverse("exchange:household_export"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # a page of the site, not plain text
    page = response.content.decode()
    assert "<html" in page and "筛选条件有误，无法导出" in page and "不在您的范围内" in page
    assert "返回列表" in page
    problems = client.get(reverse("checks:problem_export"), query)
    assert problems.status_code == 400 and problems["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", ["sysadmin", "analyst", "township_officer"])
def test_a_township_in_reach_filters_for_every_level(world, client, who):
    """The division page links a township's list for any user; above the township it was refused too."""
    client.force_login(getattr(world, who))
    response = client.get(reverse("registry:household_list"), {"township": "140826100"})
    assert "筛选条件有误" not in response.content.decode()
    assert {h.code for h in response.context["page"].object_list} == {world.home.code, world.neighbour.code}


def test_the_dashboards_link_to_a_townships_list_works_for_the_sysadmin(world, client):
    from jingzhun.indicators.services import indicators_refresh

    indicators_refresh()
    client.force_login(world.sysadmin)
    body = client.get(reverse("dashboard:overview", args=["140826100"])).content.decode()
    response = client.get(_link(body, "查看本级贫困户名单"))
    assert "筛选条件有误" not in response.content.decode()
    assert {h.code for h in response.context["page"].object_list} == {world.home.code, world.neighbour.code}
