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
    for name in ("category", "monitoring_class", "risk_type", "other_risk_1", "other_risk_2"):
        data[name] = getattr(household, name)
    data["risk_eliminated"] = "true" if household.risk_eliminated else "false"
    for name in ("monitoring_since", "risk_eliminated_on", "income_12m", "income_12m_verified_on",
                 "compliant_out_of_pocket_12m", "vehicle_count", "dearest_vehicle_value", "town_houses_bought",
                 "registered_businesses"):
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


def test_a_clerk_records_a_household_as_monitored_with_its_risks(world, client):
    client.force_login(world.village_clerk)
    response = _edit(client, world.home, category="监测户", monitoring_class="脱贫不稳定户",
                     monitoring_since="2024-04-02", risk_type="因灾", other_risk_1="缺劳动力", income_12m="7600",
                     vehicle_count="1", dearest_vehicle_value="30000")
    assert response.status_code == 302, response.content.decode()[:2000]
    home = Household.objects.get(pk=world.home.pk)
    assert (home.category, home.monitoring_class, home.monitoring_since, home.risk_type, home.other_risk_1) == (
        "监测户", "脱贫不稳定户", datetime.date(2024, 4, 2), "因灾", "缺劳动力")
    assert (home.income_12m, home.vehicle_count, home.dearest_vehicle_value) == (Decimal("7600"), 1, Decimal("30000"))
    latest = home.history.first()
    assert latest.history_user == world.village_clerk and latest.category == "监测户"


@pytest.mark.parametrize("changes,words", [
    ({"category": "监测户"}, "户类别为监测户时必须选择监测对象类别"),
    ({"monitoring_class": "边缘易致贫户"}, "只有监测户填写此项"),
    ({"category": "监测户", "monitoring_class": "脱贫不稳定户", "risk_eliminated": "true"}, "风险已消除时必须填写风险消除日期"),
    ({"category": "一般农户"}, "脱贫状态：一般农户不是建档立卡户"),  # a field the form does not edit: above the form
    ({"monitoring_since": "2024-13-01"}, "日期"),
])
def test_wrong_monitoring_input_is_refused_in_chinese_and_nothing_changes(world, client, changes, words):
    client.force_login(world.village_clerk)
    before = Household.objects.values().get(pk=world.home.pk)
    history = world.home.history.count()
    response = _edit(client, world.home, **changes)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Household.objects.values().get(pk=world.home.pk) == before
    assert world.home.history.count() == history


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
