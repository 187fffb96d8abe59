"""The household page, edit form and list with 户类别 and the monitoring fields (issue 14, item 5)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun.registry.models import Household

from .test_household_edit_view import _household_post_data

pytestmark = pytest.mark.django_db


def _monitor(household: Household, **fields) -> Household:
    values = dict(category="监测户", monitoring_class="脱贫不稳定户", monitoring_since=datetime.date(2023, 5, 10),
                  risk_type="因病", other_risk_1="因学", income_12m=Decimal("9800"),
                  compliant_out_of_pocket_12m=Decimal("26500"), vehicle_count=0)
    values.update(fields)
    Household.objects.filter(pk=household.pk).update(**values)
    household.refresh_from_db()
    return household


def _edit(client, household, **changes):
    data = _household_post_data(household)
    for name in ("risk_type", "other_risk_1", "other_risk_2"):
        data[name] = getattr(household, name)
    for name in ("income_12m", "income_12m_verified_on", "compliant_out_of_pocket_12m", "vehicle_count",
                 "dearest_vehicle_value", "town_houses_bought", "registered_businesses"):
        value = getattr(household, name)
        data[name] = "" if value is None else value
    data.update(changes)
    return client.post(reverse("registry:household_edit", kwargs={"code": household.code}), data)


def test_the_household_page_shows_category_class_and_monitoring_fields(world, client):
    _monitor(world.home)
    client.force_login(world.evaluator)  # a read-only role: the ID stays masked as before
    body = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
    assert "监测户（脱贫不稳定户）" in body
    assert "2023-05-10" in body and "因病" in body and "因学" in body
    assert "26500.00" in body and "9800.00" in body
    assert world.home.head_id_number not in body


def test_an_ordinary_household_page_shows_dashes_for_its_empty_jiandang_fields(world, client):
    Household.objects.filter(pk=world.neighbour.pk).update(
        category="一般农户", standard="", attribute="", status="", identified_year=None, exit_year=None, main_cause="")
    client.force_login(world.county_admin)
    response = client.get(reverse("registry:household_detail", kwargs={"code": world.neighbour.code}))
    assert response.status_code == 200
    assert "一般农户" in response.content.decode()


def test_a_clerk_edits_a_monitored_households_risks_and_income_but_never_its_monitoring_state(world, client):
    """风险类型, income and assets are edited on the form; 户类别, 监测对象类别, 纳入时间 and 风险消除 change only
    through 识别纳入 and 风险消除 (posted anyway, they change nothing)."""
    home = _monitor(world.home)
    client.force_login(world.village_clerk)
    response = _edit(client, home, risk_type="因灾", other_risk_1="缺劳动力", income_12m="7600", vehicle_count="1",
                     dearest_vehicle_value="30000", category="一般农户", monitoring_class="边缘易致贫户",
                     monitoring_since="2020-01-01", risk_eliminated="true", risk_eliminated_on="2025-01-01")
    assert response.status_code == 302, response.content.decode()[:2000]
    home = Household.objects.get(pk=world.home.pk)
    assert (home.category, home.monitoring_class, home.monitoring_since, home.risk_eliminated,
            home.risk_eliminated_on) == ("监测户", "脱贫不稳定户", datetime.date(2023, 5, 10), False, None)
    assert (home.risk_type, home.other_risk_1) == ("因灾", "缺劳动力")
    assert (home.income_12m, home.vehicle_count, home.dearest_vehicle_value) == (Decimal("7600"), 1, Decimal("30000"))
    latest = home.history.first()
    assert latest.history_user == world.village_clerk and latest.risk_type == "因灾"
    form = client.get(reverse("registry:household_edit", kwargs={"code": home.code})).context["form"]
    assert not {"category", "monitoring_class", "monitoring_since", "risk_eliminated", "risk_eliminated_on"} \
        & set(form.fields)


@pytest.mark.parametrize("monitored,changes,words", [
    (True, {"risk_type": "", "other_risk_1": "因学"}, "填写其他风险类型时必须先选择主要风险类型"),
    (False, {"risk_type": "因病"}, "只有监测户填写此项"),
    (True, {"income_12m_verified_on": "2024-13-01"}, "日期"),
])
def test_wrong_monitoring_input_is_refused_in_chinese_and_nothing_changes(world, client, monitored, changes, words):
    household = _monitor(world.home) if monitored else world.home
    client.force_login(world.village_clerk)
    before = Household.objects.values().get(pk=household.pk)
    history = household.history.count()
    response = _edit(client, household, **changes)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Household.objects.values().get(pk=household.pk) == before
    assert household.history.count() == history


def test_a_post_without_the_new_fields_keeps_category_and_risk_as_stored(world, client):
    """A client written before template v2 posts none of them: 户类别 and 风险是否消除 stay as stored."""
    client.force_login(world.village_clerk)
    data = _household_post_data(world.home, head_name="王建华")
    response = client.post(reverse("registry:household_edit", kwargs={"code": world.home.code}), data)
    assert response.status_code == 302
    home = Household.objects.get(pk=world.home.pk)
    assert (home.head_name, home.category, home.risk_eliminated) == ("王建华", "脱贫户", False)


@pytest.mark.parametrize("query,expected", [
    ({"category": "监测户"}, {"home"}),
    ({"category": "脱贫户"}, {"neighbour", "other_township"}),
    ({"monitoring_class": "脱贫不稳定户"}, {"home"}),
    ({"monitoring_class": "边缘易致贫户"}, set()),
    ({"category": "一般农户"}, set()),
])
def test_the_list_filters_by_category_and_class(world, client, query, expected):
    _monitor(world.home)
    client.force_login(world.county_admin)
    response = client.get(reverse("registry:household_list"), query)
    assert response.status_code == 200
    codes = {h.code for h in response.context["page"].object_list}
    assert codes == {getattr(world, name).code for name in expected}
    if expected == {"home"}:
        assert "监测户（脱贫不稳定户）" in response.content.decode()


def test_the_export_follows_the_category_filter(world, client):
    _monitor(world.home)
    client.force_login(world.county_admin)
    response = client.get(reverse("exchange:household_export"), {"category": "监测户"})
    assert response.status_code == 200
    from io import BytesIO

    import openpyxl

    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(book["户表"].iter_rows(values_only=True))
    header = list(rows[0])
    assert [r[header.index("户编号")] for r in rows[1:]] == [world.home.code]
    assert rows[1][header.index("户类别")] == "监测户" and rows[1][header.index("主要风险类型")] == "因病"
