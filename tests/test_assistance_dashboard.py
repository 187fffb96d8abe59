"""帮扶 on the decision dashboard and in the bulletin: the card, the coverage-per-type chart, the bulletin's
paragraph in the seeds' form — figures from a refresh of a small registry counted by hand — and the page at
1366×768 and on a phone.

transactional: the figures come from a snapshot read through its own connection.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.assistance.models import Loan, Measure, Project, ProjectFund, ProjectSpending, Visit
from jingzhun.indicators.bulletin import bulletin_assistance_paragraph
from jingzhun.indicators.services import indicators_refresh

from .people import XIAGAOCHI
from .test_browser import browser, login, page  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _assistance(world):
    """In 绛县 (base: home, neighbour, other_township = 3): home has an industry measure and a public post for its
    head, a loan overdue and a visit today; a project of the year with 衔接资金 200,000 planned, 100,000 spent."""
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    head = world.home.members.get(relation="户主")
    Measure.objects.create(household=world.home, year=today.year, type="industry", name="养牛", start=year_start)
    Measure.objects.create(household=world.home, member=head, year=today.year, type="public_post", name="保洁员",
                           start=year_start)
    Loan.objects.create(household=world.home, borrower=head, bank="农商银行", contract_no="XD-1",
                        amount=Decimal("30000"), term_months=36, annual_rate=Decimal("3.45"), disbursed_on=year_start,
                        due_on=year_start.replace(year=today.year + 3), balance=Decimal("30000"), status="overdue")
    Visit.objects.create(household=world.home, visitor=world.cadre, visited_on=today, recorded_at=timezone.now())
    project = Project.objects.create(county_id="140826", code="P1", name="光伏", category="industry", year=today.year,
                                     responsible_unit="乡村振兴局", state="underway")
    ProjectFund.objects.create(project=project, source="central", amount=Decimal("200000"))
    ProjectSpending.objects.create(project=project, source="central", amount=Decimal("100000"), paid_on=year_start,
                                   recorded_by=world.county_admin)
    return indicators_refresh(reason="test")


def _overview(client, user, code):
    client.force_login(user)
    response = client.get(reverse("dashboard:overview", args=[code]))
    assert response.status_code == 200
    return response


def test_the_county_card_and_chart_show_the_hand_counted_figures(world, client):
    _assistance(world)
    response = _overview(client, world.county_admin, "140826")
    card = {c["id"]: c for c in response.context["cards"]}["assistance"]
    assert card["value"] == "33.33%"  # 1 of 3
    assert card["notes"] == ["无措施 2 户", "本季度走访 1 户，户均 1 次", "小额信贷 1 户，逾期 1 笔", "公益岗位 1 人",
                             "衔接资金执行率 50.00%"]
    chart = json.loads(response.context["charts"]["measures"])["option"]
    coverage = dict(zip(chart["yAxis"]["data"], chart["series"][0]["data"]))
    assert coverage["产业帮扶"] == 33.33 and coverage["公益岗位"] == 33.33 and coverage["就业帮扶"] == 0.0
    assert len(coverage) == 13  # every measure type, nobody's at 0
    html = response.content.decode()
    assert 'id="card-assistance"' in html and 'id="chart-measures"' in html and "衔接资金执行率 50.00%" in html


def test_a_village_card_has_no_fund_figure_and_a_unit_without_help_has_no_card(world, client):
    _assistance(world)
    card = {c["id"]: c for c in _overview(client, world.village_clerk, XIAGAOCHI).context["cards"]}["assistance"]
    assert card["value"] == "100.00%" and not any("衔接资金" in note for note in card["notes"])
    # 平陆县 (the outsider's county) has a household but nothing refreshed before this test's refresh? It has one
    # 已脱贫 household without help: the card shows 0 %, and its chart every type at 0
    outsider = _overview(client, world.outsider, "140829")
    assert {c["id"]: c for c in outsider.context["cards"]}["assistance"]["value"] == "0.00%"


def test_without_assistance_figures_there_is_no_card_and_no_chart():
    # a refresh made before the assistance indicators existed (or a unit with no household that gets help)
    from jingzhun.dashboard.views import _assistance_card, _measures_chart

    assert _assistance_card({"HH_REG": 3}) is None and _measures_chart({"HH_REG": 3}) is None
    assert bulletin_assistance_paragraph(area="全县", values={"HH_REG": 3}) is None


def test_the_bulletin_says_it_in_the_seeds_form(world, client):
    _assistance(world)
    client.force_login(world.county_admin)
    paragraphs = client.get(reverse("dashboard:bulletin", args=["140826"])).context["paragraphs"]
    text = next(p for p in paragraphs if "小额信贷" in p)
    assert text == ("全县脱贫户和监测户 3 户，本年度落实帮扶措施 1 户，措施覆盖率 33.33%，尚无措施 2 户；本季度帮扶责任人"
                    "走访 1 户 1 次，户均 1.00 次。累计发放小额信贷 3 万元，覆盖脱贫户 1 户，其中本年度发放 3 万元，"
                    "覆盖 1 户；贷款余额 3 万元，逾期 1 笔 3 万元（其中不良 0 笔）。就业帮扶培训 0 人，实现就业 0 人；"
                    "公益岗位 1 人；本年度项目 1 个，衔接资金计划 20 万元、已支出 10 万元，衔接资金执行率 50%。")
    village = client.get(reverse("dashboard:bulletin", args=[XIAGAOCHI]))
    assert not any("衔接资金" in p for p in village.context["paragraphs"])


def test_large_figures_are_in_wan_as_the_seeds_write_them():
    values = {"ASST_BASE_HH": 120_000, "ASST_MEASURED_HH": 118_000, "ASST_COVERAGE": 98.33, "ASST_NO_MEASURE_HH": 2000,
              "VISITED_Q_HH": 90_000, "VISITS_Q": 101_000, "VISITS_PER_HH_Q": 0.84, "LOAN_HH": 61_000,
              "LOAN_AMOUNT": 2_980_000_000, "LOAN_AMOUNT_YEAR": 1_190_000_000, "LOAN_HH_YEAR": 23_000,
              "LOAN_BALANCE": 1_500_000_000, "LOAN_OVERDUE_N": 35, "LOAN_OVERDUE_BALANCE": 900_000, "LOAN_NPL_N": 2,
              "EMPLOY_TRAINED": 13_262, "EMPLOY_EMPLOYED": 7_739, "PUBLIC_POST_PERSONS": 8_800, "FUND_PLANNED": 0}
    text = bulletin_assistance_paragraph(area="全市", values=values)
    assert "累计发放小额信贷 29.8 亿元，覆盖脱贫户 6.1 万户，其中本年度发放 11.9 亿元，覆盖 2.3 万户" in text
    assert "就业帮扶培训 1.33 万人，实现就业 7739 人；公益岗位 8800 人。" in text


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_card_and_chart_fit_a_desktop_and_a_phone(world, live_server, page, width, height):  # noqa: F811
    _assistance(world)
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/dashboard/140826/")
    page.wait_for_selector("#chart-measures canvas")
    assert "衔接资金执行率" in page.inner_text("#card-assistance")
    box = page.evaluate("""() => { const r = document.getElementById("chart-measures").getBoundingClientRect();
                                   return [r.left, r.right, r.width, r.height]; }""")
    assert box[0] >= 0 and box[1] <= width and box[2] > 250 and box[3] >= 360
    # the card and the chart stay inside the window (the child-units table below scrolls on its own)
    wide = page.evaluate("""() => [...document.querySelectorAll('#card-assistance, #card-assistance *, #chart-measures')]
                                  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length""")
    assert wide == 0
    card = page.evaluate("""() => { const r = document.getElementById("card-assistance").getBoundingClientRect();
                                    return [r.left, r.right]; }""")
    assert card[0] >= 0 and card[1] <= width
    from .test_browser import _artifact

    page.screenshot(path=_artifact(f"assistance-dashboard-{width}.png"), full_page=True)
