"""整改台账 (the ledger list): reach, filters, the deadline colour and days left, print and Excel."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision.models import Item

from .ledger_helpers import ledger_build, new_item

pytestmark = pytest.mark.django_db
URL = "/supervision/"


@pytest.fixture
def ledger(world):
    ledger = ledger_build(world)
    new_item(world, ledger.village, title="下高池村危房", days=30, number=1)
    new_item(world, ledger.township, title="南樊镇饮水", days=3, number=2, aspect="饮水安全")
    new_item(world, ledger.dept, title="民政低保错保", days=-4, number=3, aspect="精准识别")
    new_item(world, ledger.other_village, title="横东村道路", days=10, number=4)
    new_item(world, ledger.outsider_dept, title="平陆县问题", days=5)
    return ledger


def _titles(client, user, **params) -> list[str]:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return [r.item.title for r in response.context["rows"]]


def test_the_county_reads_its_whole_ledger_and_nothing_of_another(world, ledger, client):
    assert set(_titles(client, world.county_admin)) == {"南樊镇饮水", "下高池村危房", "横东村道路", "民政低保错保"}


def test_a_township_reads_its_own_and_its_villages_items(world, ledger, client):
    assert set(_titles(client, world.township_officer)) == {"南樊镇饮水", "下高池村危房"}


def test_a_village_reads_its_own_and_a_department_its_departments(world, ledger, client):
    assert _titles(client, world.village_clerk) == ["下高池村危房"]
    assert _titles(client, world.department) == ["民政低保错保"]


def test_helpers_are_refused(world, ledger, client):
    for user in (world.cadre, world.work_team):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_the_deadline_colour_and_days_left_show_on_each_row(world, ledger, client):
    client.force_login(world.county_admin)
    body = client.get(URL).content.decode()
    assert "逾期 4 天" in body and "剩 3 天" in body and "剩 30 天" in body
    assert 't-overdue">逾期' in body and 't-due_soon">临期' in body and 't-on_time">按期推进' in body


@pytest.mark.parametrize("timing,want", [("overdue", ["民政低保错保"]), ("due_soon", ["南樊镇饮水"]),
                                         ("on_time", ["横东村道路", "下高池村危房"])])
def test_the_timing_filter_follows_the_colour(world, ledger, client, timing, want):
    assert _titles(client, world.county_admin, timing=timing) == want


def test_filters_by_unit_aspect_and_search(world, ledger, client):
    assert _titles(client, world.county_admin, agency=ledger.dept.pk) == ["民政低保错保"]
    assert _titles(client, world.county_admin, aspect="饮水安全") == ["南樊镇饮水"]
    assert _titles(client, world.county_admin, q="危房") == ["下高池村危房"]
    assert _titles(client, world.county_admin, state="assigned", kind="problem", source="inspection")


def test_a_unit_out_of_reach_or_a_bad_filter_is_an_error_page_not_a_crash(world, ledger, client):
    client.force_login(world.county_admin)
    for params in ({"agency": ledger.outsider_dept.pk}, {"timing": "<script>"}, {"batch": "abc"}):
        response = client.get(URL, params)
        assert response.status_code == 400 and "筛选条件有误" in response.content.decode()


def test_closed_items_show_closed_on_time(world, ledger, client):
    Item.objects.filter(title="横东村道路").update(state="closed", closed_on=Item.objects.get(title="横东村道路").deadline)
    assert _titles(client, world.county_admin, timing="closed_on_time") == ["横东村道路"]
    assert _titles(client, world.county_admin, timing="closed_late") == []


def test_print_and_excel_hold_the_rows_and_are_audited(world, ledger, client):
    client.force_login(world.township_officer)
    printed = client.get(URL, {"print": "1"}).content.decode()
    assert "南樊镇饮水" in printed and "横东村道路" not in printed
    response = client.get(URL, {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                             else response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "南樊镇饮水" in cells and "横东村道路" not in cells
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=world.township_officer).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=world.township_officer).exists()


def test_the_menu_and_the_list_link_the_overdue_list_and_units(world, ledger, client):
    client.force_login(world.county_admin)
    body = client.get(URL).content.decode()
    for name in ("supervision:overdue", "supervision:unit_list", "supervision:item_new"):
        assert reverse(name) in body
