"""The dashboard's chart options (dashboard/charts.py) and how the overview uses them (issue 13 defect 9):
names that cannot overlap, pie labels that cannot be cut off, no chart of a one-day trend."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jingzhun.dashboard import charts
from jingzhun.indicators.services import indicators_refresh
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import VillageProfile

from .test_browser import browser, login, page  # noqa: F401

#: 古绛镇's 32 villages and communities, as the division list names them (the longest have 8 characters).
NAMES = [f"{'龙王庙社区居委会'[: 3 + i % 6]}{i}" for i in range(32)]


def test_many_villages_are_horizontal_bars_with_every_name_shown_and_cut_not_overlapping():
    chart = charts.horizontal_bars(title="下级单位贫困发生率（%）", names=NAMES[:24], values=list(range(24)),
                                   percent=True)
    option = chart["option"]
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["data"] == NAMES[:24]
    assert option["yAxis"]["inverse"]  # the first (highest) on top
    assert option["xAxis"]["type"] == "value"
    label = option["yAxis"]["axisLabel"]
    assert label["interval"] == 0 and label["overflow"] == "truncate" and label["width"] == charts.LABEL_WIDTH
    # the chart grows with its bars: each name has a row of BAR_PIXELS, more than a 12 px label needs
    assert chart["height"] == charts.CHROME_PIXELS + 24 * charts.BAR_PIXELS and charts.BAR_PIXELS >= 2 * 12
    assert option["dataZoom"] == [] and chart["percent"]


def test_beyond_max_bars_the_bars_scroll_at_the_same_row_height():
    chart = charts.horizontal_bars(title="t", names=NAMES, values=list(range(32)), percent=False)
    assert chart["height"] == charts.CHROME_PIXELS + charts.MAX_BARS * charts.BAR_PIXELS
    slider = chart["option"]["dataZoom"][0]
    assert slider["yAxisIndex"] == 0 and slider["end"] == pytest.approx(100 * charts.MAX_BARS / 32, abs=0.01)


def test_few_bars_keep_the_minimum_height():
    assert charts.horizontal_bars(title="t", names=["古绛镇", "横水镇"], values=[1, 2], percent=True)["height"] \
        == charts.MIN_HEIGHT


def test_pie_labels_stay_inside_the_ring_and_the_names_go_to_a_legend_below():
    names = ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后",
             "自身发展动力不足", "其他"]
    option = charts.pie(title="主要致贫原因（户）", names=names, values=list(range(1, 13)))["option"]
    series = option["series"][0]
    assert series["label"]["position"] == "inside" and not series["labelLine"]["show"]
    assert series["minShowLabelAngle"] >= 15  # a thin slice has no label to collide with its neighbours'
    inner, outer = (float(r.rstrip("%")) for r in series["radius"])
    centre_y = float(series["center"][1].rstrip("%"))
    # the ring stays clear of the title above and of the legend (about 30 px of 360) below
    assert outer <= 60 and centre_y - outer / 2 >= 15 and centre_y + outer / 2 <= 85 and inner < outer
    assert option["legend"]["type"] == "scroll" and option["legend"]["bottom"] is not None
    assert option["legend"]["data"] == names


def test_a_trend_of_one_day_is_a_figure_not_a_chart():
    series = [{"name": "剩余贫困人口", "code": "POP_POOR", "values": [12]},
              {"name": "贫困发生率（%）", "code": "INCIDENCE", "values": [0.6]}]
    assert charts.trend(title="t", days=["01-05"], series=series) is None
    assert charts.trend_figure(days=["01-05"], series=series) == [
        {"name": "剩余贫困人口", "code": "POP_POOR", "value": 12}, {"name": "贫困发生率（%）", "code": "INCIDENCE", "value": 0.6}]
    assert charts.trend(title="t", days=[], series=series) is None and charts.trend_figure(days=[], series=series) == []
    two = [dict(s, values=[s["values"][0], s["values"][0]]) for s in series]
    assert charts.trend(title="t", days=["01-05", "01-06"], series=two)["option"]["series"][0]["data"] == [12, 12]


def test_one_year_of_exits_is_a_bar():
    option = charts.year_bars(title="各年度脱贫户数", names=["2018"], values=[3], series="户")["option"]
    assert option["series"][0]["type"] == "bar"


def _township_with_every_village():
    """A profile for each of 古绛镇's villages (so each has a 贫困发生率), then a refresh."""
    villages = OrgUnit.objects.filter(parent_id="140826100").order_by("code")
    VillageProfile.objects.bulk_create([VillageProfile(village_id=v.code, registered_population=400 + i,
                                                       registered_households=100, is_poor_village=False)
                                        for i, v in enumerate(villages)])
    indicators_refresh(reason="test")
    return list(villages)


@pytest.mark.django_db(transaction=True)
def test_the_township_page_ranks_its_villages_as_horizontal_bars_and_shows_one_day_as_figures(world, client):
    villages = _township_with_every_village()
    client.force_login(world.county_admin)
    response = client.get(reverse("dashboard:overview", args=["140826100"]))
    children = json.loads(response.context["charts"]["children"])
    assert children["option"]["yAxis"]["type"] == "category"
    assert sorted(children["option"]["yAxis"]["data"]) == sorted(v.short_name for v in villages)
    assert children["option"]["yAxis"]["axisLabel"]["interval"] == 0
    assert children["height"] > charts.MIN_HEIGHT and children["urls"] is None  # villages open no dashboard
    causes = json.loads(response.context["charts"]["causes"])["option"]
    assert causes["series"][0]["label"]["position"] == "inside"
    # one refresh so far: no trend chart, the day's figures instead
    assert "trend" not in response.context["charts"]
    html = response.content.decode()
    assert 'data-dashboard-chart' not in html.split('id="chart-trend"')[1].split("</div>")[0]
    figure = {f["code"]: f["value"] for f in response.context["trend_figure"]}
    cards = {c["id"]: c for c in response.context["cards"]}
    assert figure == {"POP_POOR": cards["pop-poor"]["value"], "INCIDENCE": cards["incidence"]["value"]}
    assert "一天的指标，还画不出趋势" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_township_charts_at_1366_by_768_keep_names_apart_and_pie_labels_inside(world, live_server, page):  # noqa: F811
    _township_with_every_village()
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/dashboard/140826100/")
    page.wait_for_selector("#chart-children canvas")
    page.wait_for_selector("#chart-causes canvas")
    geometry = page.evaluate("""() => {
        const el = document.getElementById("chart-children");
        const chart = echarts.getInstanceByDom(el);
        const names = JSON.parse(el.dataset.dashboardChart).option.yAxis.data;
        const ys = names.map((n, i) => chart.convertToPixel({yAxisIndex: 0}, i));
        const gaps = ys.slice(1).map((y, i) => y - ys[i]);
        const grid = chart.getModel().getComponent("grid").coordinateSystem.getRect();
        const pie = document.getElementById("chart-causes");
        const layout = echarts.getInstanceByDom(pie).getModel().getSeriesByIndex(0).getData().getItemLayout(0);
        return {count: names.length, minGap: Math.min(...gaps), gridLeft: grid.x, height: el.clientHeight,
                width: el.clientWidth, pieR: layout.r, pieCy: layout.cy, pieHeight: pie.clientHeight};
    }""")
    assert geometry["count"] == 32
    assert geometry["minGap"] >= 16, geometry  # 12 px labels one under the other: never overlapping
    assert geometry["gridLeft"] >= 40, geometry  # room was made for the names (not cut at the edge)
    assert geometry["height"] > 360
    # the ring lies inside its box, above the legend
    assert geometry["pieCy"] - geometry["pieR"] > 24 and geometry["pieCy"] + geometry["pieR"] < geometry["pieHeight"] - 24
    assert "一天的指标" in page.inner_text("#chart-trend")
    page.screenshot(path=_artifact("township-dashboard-1366.png"), full_page=True)


def _artifact(name: str) -> str:
    from .test_browser import _artifact as artifact

    return artifact(name)
