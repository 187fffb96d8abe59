"""The decision dashboard (决策看板): figures from the committed registry, scope, links and the export."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.urls import reverse

from jingzhun.dashboard.selectors import overview_get
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.indicators.models import IndicatorRefresh
from jingzhun.indicators.services import indicators_refresh
from jingzhun.registry.models import Household, VillageProfile

from .people import CHENGNEI, HENGDONG, XIAGAOCHI
from .test_browser import browser, login, page  # noqa: F401

# The figures are computed from an ADBC snapshot of the committed database, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _profiles():
    """Village profiles for the world's three villages, then a refresh: the dashboard reads stored values."""
    for village, population, road in ((XIAGAOCHI, 1000, True), (CHENGNEI, 500, False), (HENGDONG, 500, True)):
        VillageProfile.objects.create(village_id=village, registered_population=population, registered_households=300,
                                      is_poor_village=True, paved_road=road)
    return indicators_refresh(reason="test")


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
    assert figures["140826100"]["cells"][hh_reg]["value"] == "2" and figures["140826101"]["cells"][hh_reg]["value"] == "1"
    exited = response.context["headers"].index(indicator_catalog()["HH_EXITED"])
    assert figures["140826100"]["cells"][exited] == {
        "value": "2", "url": reverse("registry:household_list") + "?status=已脱贫&township=140826100"}
    assert figures["140826100"]["cells"][hh_reg]["url"] is None
    assert figures["140826100"]["url"] == reverse("dashboard:overview", args=["140826100"])
    cards = {c["id"]: c for c in response.context["cards"]}
    # 3 households in 绛县: home and neighbour 已脱贫 (2 people each), other_township 未脱贫 (2 people)
    assert cards["exited"]["value"] == "2" and cards["exited"]["extra"] == "4"
    assert cards["pop-poor"]["value"] == "2"
    assert cards["incidence"]["value"] == "0.10%"  # 2 ÷ 2000 × 100
    assert cards["med-ins"]["value"] == "100.00%"
    list_url = reverse("registry:household_list")
    poor, returned = cards["pop-poor"]["links"]
    assert cards["pop-poor"]["url"] == f"{list_url}?status=剩余贫困"  # 未脱贫 and 返贫, the people's households
    assert (poor["value"], poor["url"]) == ("1", f"{list_url}?status=未脱贫")  # the admin's own county: no filter
    assert (returned["value"], returned["url"]) == ("0", f"{list_url}?status=返贫")
    html = response.content.decode()
    assert "古绛镇" in html and "横水镇" in html and 'id="chart-children"' in html
    # HH_REG of the county: the world's 3 绛县 households (home, neighbour, other_township)
    data = overview_get(world.county_admin, "140826")
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
    # the 剩余贫困人口 figure lists the township's 未脱贫 and 返贫 households: none here
    assert cards["pop-poor"]["url"] == f"{list_url}?status=剩余贫困&township=140826100"
    remaining = client.get(cards["pop-poor"]["url"]).content.decode()
    assert world.home.code not in remaining and world.other_township.code not in remaining


def test_percentages_have_two_decimals(world, client):
    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    infrastructure = response.context["charts"]["infrastructure"]
    assert "66.67" in infrastructure  # 2 of 3 villages have a paved road
    assert re.search(r">\d+\.\d\d%<", response.content.decode())


def test_village_clerk_cannot_open_the_county_but_opens_their_village(world, client):
    indicators_refresh()
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


def test_a_reused_page_body_is_never_shared_across_scopes(world, client):
    _profiles()
    url = reverse("dashboard:overview", args=["140826100"])
    first = _client(client, world.county_admin).get(url).content.decode()
    assert "?status=已脱贫&amp;township=140826100" in first
    client.logout()
    # for the township's own officer the list needs no 乡镇 filter: the same figure links without one
    second = _client(client, world.township_officer).get(url).content.decode()
    assert "?status=已脱贫&amp;township=140826100\"" not in second and 'href="/households/?status=已脱贫"' in second
    client.logout()
    again = _client(client, world.county_admin).get(url).content.decode()
    assert "?status=已脱贫&amp;township=140826100" in again


def test_before_any_refresh_the_page_says_so_and_shows_no_figures(world, client):
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    assert response.status_code == 200 and response.context["refresh"] is None
    assert "指标尚未生成" in response.content.decode()
    assert {c["id"]: c["value"] for c in response.context["cards"]}["pop-poor"] == "—"


def test_an_earlier_date_shows_that_days_refresh_and_the_trend_has_both(world, client):
    first = _profiles()
    IndicatorRefresh.objects.filter(pk=first.pk).update(as_of=datetime.date(2026, 1, 5))
    Household.objects.filter(code=world.other_township.code).update(status="已脱贫", exit_year=2026)
    indicators_refresh()
    _client(client, world.county_admin)
    latest = client.get(reverse("dashboard:overview", args=["140826"]))
    assert {c["id"]: c["value"] for c in latest.context["cards"]}["pop-poor"] == "0"
    earlier = client.get(reverse("dashboard:overview", args=["140826"]) + "?at=2026-01-31")
    assert earlier.context["refresh"].pk == first.pk
    assert {c["id"]: c["value"] for c in earlier.context["cards"]}["pop-poor"] == "2"
    assert earlier.context["rows"][0]["url"].endswith("?at=2026-01-31")  # drilling down stays on that day
    trend = json.loads(latest.context["charts"]["trend"])["option"]
    assert trend["xAxis"]["data"][0] == "01-05" and trend["series"][0]["data"] == [2, 0]
    before_any = client.get(reverse("dashboard:overview", args=["140826"]) + "?at=2025-12-31")
    assert before_any.context["refresh"] is None and "所选日期之前没有保存的指标" in before_any.content.decode()
    bad = client.get(reverse("dashboard:overview", args=["140826"]) + "?at=31.12.2025")
    assert bad.status_code == 200 and "日期格式应为" in bad.content.decode()
    assert bad.context["refresh"].pk != first.pk  # a malformed date falls back to the latest


def test_open_problem_card_counts_open_problems_of_the_unit_and_links_to_them(world, client):
    from jingzhun.checks.models import CheckRun, Problem

    _profiles()
    run = CheckRun.objects.create(org="140826", as_of=datetime.date.today(), rules=["Q01"])
    for household, status in ((world.home, "open"), (world.neighbour, "open"), (world.other_township, "fixed"),
                              (world.other_county, "open")):
        Problem.objects.create(rule="Q01", household=household.code, village=household.village_id, message="m",
                               status=status, first_run=run, last_run=run, first_seen=run.created_at,
                               last_seen=run.created_at)
    response = _client(client, world.township_officer).get(reverse("dashboard:overview", args=["140826100"]))
    card = {c["id"]: c for c in response.context["cards"]}["problems"]
    assert card["value"] == "2"
    assert card["url"] == reverse("checks:problem_list") + "?status=open"
    listed = client.get(card["url"]).content.decode()
    assert world.home.code in listed and world.neighbour.code in listed and world.other_county.code not in listed


def test_json_api_gives_the_stored_values_within_scope(world, client):
    refresh = _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview_json", args=["140826"]))
    body = response.json()
    assert body["refresh"]["id"] == refresh.pk and body["values"]["HH_REG"] == 3
    assert body["children"]["140826100"]["HH_REG"] == 2 and body["values"]["INCOME"]
    client.logout()
    assert _client(client, world.outsider).get(reverse("dashboard:overview_json", args=["140826"])).status_code == 404


def _bulletin_text(response) -> str:
    return " ".join(response.context["paragraphs"])


def test_bulletin_numbers_equal_the_dashboard_and_it_downloads_as_word(world, client):
    from docx import Document

    first = _profiles()
    IndicatorRefresh.objects.filter(pk=first.pk).update(as_of=datetime.date(2026, 1, 5))
    Household.objects.filter(code=world.other_township.code).update(status="已脱贫", exit_year=2026)
    latest = indicators_refresh()
    _client(client, world.county_admin)
    values = overview_get(world.county_admin, "140826").unit.values
    shown = client.get(reverse("dashboard:bulletin", args=["140826"]))
    text = _bulletin_text(shown)
    assert f"建档立卡贫困户 {values['HH_REG']} 户 {values['POP_REG']} 人" in text
    assert f"剩余贫困人口 {values['POP_POOR']} 人" in text and "贫困发生率降至 0%" in text
    assert f"截至 {latest.as_of.year} 年" in text and "相比" not in text
    choices = [c[0] for c in shown.context["form"].fields["since"].choices]
    assert choices == ["", first.pk]
    compared = client.get(reverse("dashboard:bulletin", args=["140826"]) + f"?since={first.pk}")
    change = compared.context["paragraphs"][-1]
    # other_township (2 people, 未脱贫) left poverty between the two refreshes
    assert change.startswith("与 2026 年 1 月 5 日相比，剩余贫困人口减少 2 人，贫困发生率下降 0.1 个百分点，已脱贫户增加 1 户")
    download = client.get(reverse("dashboard:bulletin_download", args=["140826"]) + f"?since={first.pk}")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    texts = [p.text for p in document.paragraphs if p.text]  # the 公文 layout has blank lines between parts
    assert texts[0] == "绛县脱贫攻坚工作简报"
    assert texts[1:] == compared.context["paragraphs"]
    # with a 红头 asked for on the page, the download carries it (the page's query is the link's)
    red = client.get(reverse("dashboard:bulletin", args=["140826"]) + f"?since={first.pk}&issuer=绛县乡村振兴局")
    assert 'id="red-head">绛县乡村振兴局<' in red.content.decode()
    link = re.search(r'href="([^"]*bulletin\.docx[^"]*)"', red.content.decode()).group(1).replace("&amp;", "&")
    headed = Document(io.BytesIO(b"".join(client.get(link).streaming_content)))
    assert [p.text for p in headed.paragraphs if p.text][:2] == ["绛县乡村振兴局", "绛县脱贫攻坚工作简报"]
    assert round(headed.sections[0].page_width.mm) == 210 and round(headed.sections[0].top_margin.mm) == 37
    forged = client.get(reverse("dashboard:bulletin", args=["140826"]) + "?since=999999")
    assert forged.status_code == 200 and "所选的对比日期不存在" in forged.content.decode()
    assert "相比" not in _bulletin_text(forged)
    client.logout()
    _client(client, world.outsider)
    assert client.get(reverse("dashboard:bulletin", args=["140826"])).status_code == 404
    assert client.get(reverse("dashboard:bulletin_download", args=["140826"])).status_code == 404


def test_bulletin_without_figures_says_so_and_the_download_goes_back(world, client):
    _client(client, world.county_admin)
    assert "无法生成简报" in client.get(reverse("dashboard:bulletin", args=["140826"])).content.decode()
    response = client.get(reverse("dashboard:bulletin_download", args=["140826"]), follow=True)
    assert response.redirect_chain and "无法生成简报" in response.content.decode()


def test_refresh_button_is_for_county_admins_and_post_only(world, client):
    _client(client, world.county_admin)
    assert client.get(reverse("dashboard:refresh_start", args=["140826"])).status_code == 405
    response = client.post(reverse("dashboard:refresh_start", args=["140826"]), follow=True)
    assert response.status_code == 200
    refresh = IndicatorRefresh.objects.get()
    assert refresh.status == IndicatorRefresh.Status.DONE and refresh.triggered_by == world.county_admin
    client.logout()
    _client(client, world.village_clerk)
    assert client.post(reverse("dashboard:refresh_start", args=[XIAGAOCHI])).status_code == 403
    assert client.post(reverse("dashboard:refresh_start", args=["140826"])).status_code == 404
    assert IndicatorRefresh.objects.count() == 1


@pytest.mark.browser
@pytest.mark.slow
def test_county_admin_drills_down_to_a_township_list_and_clerk_is_refused(world, live_server, page):  # noqa: F811
    Household.objects.filter(code=world.neighbour.code).update(status="未脱贫", exit_year=None)
    _profiles()
    page.emulate_media(reduced_motion="reduce")  # the charts draw at once instead of growing
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/dashboard/140826/")
    page.wait_for_selector("#chart-children canvas")
    # click the middle of 古绛镇's bar in the township chart (where ECharts drew it)
    x, y = page.evaluate("""() => {
        const el = document.getElementById("chart-children");
        const option = JSON.parse(el.dataset.dashboardChart).option;  // horizontal bars: names on the y axis
        const i = option.yAxis.data.indexOf("古绛镇");
        const value = option.series[0].data[i];
        const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [value / 2, i]);
        const box = el.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/dashboard/140826100/$"))
    assert "2" in page.inner_text("#card-pop-poor b")  # the neighbour's two 正常 members
    page.click("#card-pop-poor b a")  # the 剩余贫困人口 figure itself
    page.wait_for_url(re.compile(r"/households/\?"))
    table = page.inner_text("#households")
    assert world.neighbour.code in table
    assert world.home.code not in table and world.other_township.code not in table
    page.go_back()
    page.click("#card-pop-poor a[data-status='未脱贫']")  # and the 未脱贫 households among them
    page.wait_for_url(re.compile(r"/households/\?status=%E6%9C%AA"))
    assert world.neighbour.code in page.inner_text("#households")

    page.click("text=退出")
    login(page, live_server, "village_clerk")
    response = page.goto(f"{live_server.url}/dashboard/140826/")
    assert response.status == 404



def test_dashboard_and_bulletin_pages_switch_to_english(world, client):
    _profiles()
    _client(client, world.county_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    overview_page = client.get(reverse("dashboard:overview", args=["140826"])).content.decode()
    assert all(words in overview_page for words in ("Decision dashboard", "Remaining poor population", "Make bulletin"))
    bulletin = client.get(reverse("dashboard:bulletin", args=["140826"])).content.decode()
    assert "Download as Word" in bulletin
    # the bulletin itself stays Chinese: it is the county's document, in the register of its papers
    assert "贫困发生率降至" in bulletin


def test_remaining_poor_filter_lists_poor_and_returned_households(world, client):
    from jingzhun.registry.selectors import household_list

    Household.objects.filter(code=world.home.code).update(status="返贫", exit_year=None)
    codes = set(household_list(world.county_admin, status="剩余贫困").values_list("code", flat=True))
    assert codes == {world.home.code, world.other_township.code}
    listed = _client(client, world.county_admin).get(reverse("registry:household_list") + "?status=剩余贫困")
    assert listed.status_code == 200 and world.home.code in listed.content.decode()
    assert world.neighbour.code not in listed.content.decode()


def test_division_page_and_dashboard_give_the_same_registered_figures_under_the_same_labels(world, client):
    """Issue 13 defect 8: 区划总览 counted 清退 households as 建档立卡户 while the dashboard did not."""
    Household.objects.filter(code=world.neighbour.code).update(status="清退", exit_year=None)
    _profiles()
    catalog = indicator_catalog()
    hh_label, pop_label = catalog["HH_REG"].name, catalog["POP_REG"].name
    _client(client, world.county_admin)
    for code in ("140826100", "140826"):
        division = client.get(reverse("registry:division", args=[code]))
        dashboard = client.get(reverse("dashboard:overview", args=[code]))
        values = overview_get(world.county_admin, code).unit.values
        total = division.context["total"]
        assert (total.households, total.people) == (values["HH_REG"], values["POP_REG"])
        html = division.content.decode()
        assert f'<div id="total-hh-reg"><b>{values["HH_REG"]}</b><span>{hh_label}</span>' in html
        assert f'<div id="total-pop-reg"><b>{values["POP_REG"]}</b><span>{pop_label}</span>' in html
        card = {c["id"]: c for c in dashboard.context["cards"]}["registered"]
        assert (card["value"], card["extra"]) == (str(values["HH_REG"]), str(values["POP_REG"]))
        assert card["label"] == f"{hh_label} / {pop_label}" and card["label"] in dashboard.content.decode()
        # the larger figure is there too, named for what it is
        assert total.recorded == total.households + total.removed
        assert f'<b>{total.recorded}</b><span>含清退的登记户数</span>' in html
    # 古绛镇: home (已脱贫, 2 people) counts; neighbour (清退, 2 people) is only 含清退的登记户数
    township = client.get(reverse("registry:division", args=["140826100"])).context["total"]
    assert (township.households, township.people, township.removed, township.recorded) == (1, 2, 1, 2)
    # the child units agree as well: the county's table of townships on both pages
    county_rows = {c.unit.code: c for c in client.get(reverse("registry:division", args=["140826"])).context["children"]}
    children = {c.unit.code: c.values for c in overview_get(world.county_admin, "140826").children}
    for code, row in county_rows.items():
        if children.get(code):
            assert (row.households, row.people) == (children[code]["HH_REG"], children[code]["POP_REG"]), code


def test_monitoring_objects_have_their_card_links_and_risk_chart(world, client):
    """A 监测户 (脱贫不稳定户, 因病) in 下高池村: the card counts it with its people, links the list of 监测户 by
    class, and the risk-type chart shows it; a county without monitoring objects shows neither."""
    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    assert "monitoring" not in {c["id"] for c in response.context["cards"]}
    assert "risks" not in response.context["charts"]
    Household.objects.filter(pk=world.home.pk).update(category="监测户", monitoring_class="脱贫不稳定户",
                                                     monitoring_since=datetime.date(2024, 5, 1), risk_type="因病")
    indicators_refresh(reason="test")
    response = client.get(reverse("dashboard:overview", args=["140826"]))
    cards = {c["id"]: c for c in response.context["cards"]}
    list_url = reverse("registry:household_list")
    assert cards["monitoring"]["value"] == "1" and cards["monitoring"]["extra"] == "2"
    assert cards["monitoring"]["url"] == f"{list_url}?category=监测户"
    unstable = cards["monitoring"]["links"][0]
    assert unstable["value"] == "1" and unstable["url"] == f"{list_url}?category=监测户&monitoring_class=脱贫不稳定户"
    assert cards["eliminated"]["value"] == "0.00%"
    assert "因病" in response.context["charts"]["risks"]
    listed = client.get(unstable["url"])
    assert listed.status_code == 200 and world.home.head_name in listed.content.decode()


def test_the_leads_card_counts_waiting_and_overdue_leads_of_the_unit_and_links_the_queue(world, client):
    """Leads under the unit: waiting for 入户核实 (of them overdue) and 纳入 — live counts, like open problems."""
    from jingzhun.monitoring.models import Lead
    from jingzhun.monitoring.services import lead_create, lead_verify

    _profiles()
    response = _client(client, world.county_admin).get(reverse("dashboard:overview", args=["140826"]))
    assert "leads" not in {c["id"] for c in response.context["cards"]}
    late = lead_create(channel="village_check", village=XIAGAOCHI, risk_type="illness", household=world.home,
                       description="住院", acting_user=world.village_clerk)
    Lead.objects.filter(pk=late.pk).update(verify_due=datetime.date(2020, 1, 2))
    included = lead_create(channel="village_check", village=XIAGAOCHI, risk_type="disaster", household=world.home,
                           description="房屋受损", acting_user=world.village_clerk)
    lead_verify(lead_id=included.pk, result="include", acting_user=world.village_clerk)
    from django.core.cache import cache

    cache.clear()  # the page body is reused for a minute (BODY_SECONDS)
    cards = {c["id"]: c for c in client.get(reverse("dashboard:overview", args=["140826"])).context["cards"]}
    assert cards["leads"]["value"] == "1"
    overdue, verified = cards["leads"]["links"]
    assert overdue["value"] == "1" and overdue["url"].endswith("?status=pending&overdue=1&unit=140826")
    assert verified["value"] == "1"
    listed = client.get(overdue["url"])
    assert listed.status_code == 200 and [lead.pk for lead in listed.context["page"]] == [late.pk]
    other = {c["id"]: c for c in client.get(reverse("dashboard:overview", args=["140826101"])).context["cards"]}
    assert "leads" not in other  # 横水镇 has none
