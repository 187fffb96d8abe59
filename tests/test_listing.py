"""List pages (issue 13): page numbers and sizes, sorting on declared columns only, removable filters, print.

The helper (`jingzhun.listing.Listing`) is tested on the household table; then every list page of the
site is opened with the helper's parameters forged, and the household list's filters and print view
are followed as the people who use them would.
"""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from jingzhun import listing as listing_module
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing
from jingzhun.registry.models import Household

from .people import XIAGAOCHI, make_household

pytestmark = pytest.mark.django_db

COLUMNS = [Column("户编号", "code"), Column("户主", "head", ("head_name",)), Column("身份证号")]


def _listing(query: str, **kwargs) -> Listing:
    return Listing(QueryDict(query), Household.objects.all(), COLUMNS, default_sort="code", tiebreak=("code",),
                   **kwargs)


@pytest.fixture
def many(world):
    """65 more households in 下高池村 (69 in all), heads named so that name order differs from code order."""
    for serial in range(2, 67):
        make_household(XIAGAOCHI, serial, f"户{99 - serial:02d}")
    return world


def test_pages_are_numbered_and_the_size_is_a_fixed_choice(many):
    first = _listing("per=20")
    assert first.page.paginator.num_pages == 4 and len(first.page.object_list) == 20
    assert [n for n, _url in first.page_links] == [1, 2, 3, 4]
    assert first.next_url == "?per=20&page=2" and first.previous_url == ""
    assert [(n, current) for n, _url, current in first.size_links] == [(20, True), (50, False), (100, False),
                                                                        (200, False)]
    forged = _listing("per=100000")
    assert forged.per_page == 50 and "每页条数只能是" in forged.notices[0]
    assert "per=" not in forged.next_url  # the links of the page do not repeat a refused size


def test_a_page_past_the_end_shows_the_last_page_and_says_so(many):
    listing = _listing("per=20&page=99")
    assert listing.page.number == 4 and len(listing.page.object_list) == 9
    assert listing.notices == ["没有第 99 页，已显示第 4 页。"]
    assert _listing("page=x").page.number == 1


def test_sorting_only_on_declared_columns(many):
    by_head = [h.head_name for h in _listing("sort=head").page.object_list]
    assert by_head == sorted(by_head) and by_head[2] == "户33"  # after 刘… and 张…, by code point
    desc = [h.code for h in _listing("sort=-code").page.object_list]
    assert desc == sorted(desc, reverse=True)
    headers = _listing("sort=head").headers
    assert (headers[1].sorted, headers[1].url) == ("asc", "?sort=-head")  # a second click sorts descending
    assert headers[2].url == ""  # the ID number does not sort
    for forged in ("head_id_number", "-village__name", "--code", "password", "code;drop"):
        listing = _listing(f"sort={forged}")
        codes = [h.code for h in listing.page.object_list]
        assert codes == sorted(codes), forged  # the default order, the forged key never reaches the ORM
        assert listing.notices and "不能按" in listing.notices[0]


def test_print_holds_every_matching_row_up_to_the_cap(many, monkeypatch):
    assert len(_listing("print=1&per=20").page.object_list) == 69
    monkeypatch.setattr(listing_module, "PRINT_MAX", 30)
    capped = _listing("print=1")
    assert len(capped.page.object_list) == 30
    assert capped.notices == ["共 69 条，只打印前 30 条；请缩小筛选范围后分次打印。"]


def test_filter_chips_remove_one_filter_and_its_dependants():
    listing = _listing("township=140826100&village=140826100233&status=未脱贫&sort=head&page=3")
    listing.add_chip("乡镇", "古绛镇", "township", also=("village",))
    listing.add_chip("状态", "未脱贫", "status")
    township, status = listing.chips
    assert township.remove_url == "?status=%E6%9C%AA%E8%84%B1%E8%B4%AB&sort=head"
    assert status.remove_url == "?township=140826100&village=140826100233&sort=head"
    assert listing.clear_url == "?sort=head"
    assert listing.filter_query == "township=140826100&village=140826100233&status=%E6%9C%AA%E8%84%B1%E8%B4%AB"


# --- every list page ---------------------------------------------------------------------------

LIST_PAGES = ["registry:household_list", "checks:problem_list", "checks:run_list", "workflows:procedure_list",
              "workflows:batch_list", "workflows:ledger_events", "compare:home"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_page_pages_sorts_and_prints_and_refuses_forged_parameters_without_a_500(world, client, name):
    client.force_login(world.county_admin)
    url = reverse(name)
    body = client.get(url).content.decode()
    assert 'class="pager' in body and "每页条数" in body and 'id="print-list"' in body
    for query in ({"sort": "password"}, {"sort": "-" * 500}, {"per": "-1"}, {"page": "999999"},
                  {"page": "0"}, {"per": "200", "sort": "x", "page": "abc"}):
        response = client.get(url, query)
        assert response.status_code == 200, (name, query)
        assert 'class="messages notices"' in response.content.decode(), (name, query)
    printed = client.get(url, {"print": "1"})
    assert printed.status_code == 200
    text = printed.content.decode()
    assert 'class="print-head"' in text and "单位：绛县" in text and 'data-print' in text
    assert 'class="pager' not in text  # the sheet holds every row: no pages


def test_sortable_headers_link_to_their_order(world, client):
    client.force_login(world.county_admin)
    body = client.get(reverse("registry:household_list"), {"sort": "-income", "status": "已脱贫"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert 'href="?status=%E5%B7%B2%E8%84%B1%E8%B4%AB&amp;sort=income"' in body


def test_the_printed_household_list_is_a_wall_sheet_masked_for_the_role_and_audited(world, client):
    client.force_login(world.evaluator)
    response = client.get(reverse("registry:household_list"), {"township": "140826100", "print": "1"})
    body = response.content.decode()
    assert "<h1>贫困户名单</h1>" in body and "单位：古绛镇" in body and "打印日期" in body
    assert "乡镇：古绛镇" in body  # the filter it was printed with
    assert world.home.head_id_number not in body and world.home.head_id_number[-4:] in body
    assert {world.home.code, world.neighbour.code} <= set(re.findall(r"\d{16}", body))
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == world.evaluator and event.detail["what"] == "household_list_print"
    assert event.detail["count"] == 2
