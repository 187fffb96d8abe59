"""Lists at province scale (issue 19): a capped count that says what it means, exact on request, the same
rows as before; the problem summary reused until the ledger changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhun.checks.models import Problem
from jingzhun.listing import CappedPaginator, Column, Listing
from jingzhun.registry import selectors
from jingzhun.registry.models import Household

from .people import PASSWORD, XIAGAOCHI, make_household
from .test_checks_views import _problem

pytestmark = pytest.mark.django_db

COLUMNS = [Column("户编号", "code"), Column("户主", "head", ("head_name",))]


@pytest.fixture
def many(world):
    """65 more households in 下高池村 (69 in all in the world's county)."""
    for serial in range(2, 67):
        make_household(XIAGAOCHI, serial, f"户{99 - serial:02d}")
    return world


def _listing(query: str, rows=None, **kwargs) -> Listing:
    rows = Household.objects.all() if rows is None else rows
    return Listing(QueryDict(query), rows, COLUMNS, default_sort="code", tiebreak=("code",), **kwargs)


def _codes(listing: Listing) -> list[str]:
    return [h.code for h in listing.page.object_list]


def test_a_count_under_the_cap_is_exact(many):
    listing = _listing("per=20", count_cap=100)
    assert listing.page.paginator.count == Household.objects.count() and not listing.capped
    assert listing.page.paginator.num_pages == -(-Household.objects.count() // 20)


def test_a_count_over_the_cap_says_more_and_pages_reach_the_cap(many):
    total = Household.objects.count()
    capped = _listing("per=20&page=2", count_cap=40)
    assert capped.capped and capped.page.paginator.num_pages == 2 and len(capped.page.object_list) == 20
    assert "超过 40 条时不逐条计数" in capped.count_note and "第 2 页" in capped.count_note
    # the rows are those of the uncounted list, in the same order
    assert _codes(capped) == _codes(_listing("per=20&page=2"))
    exact = _listing(capped.exact_count_url.lstrip("?"), count_cap=40)
    assert not exact.capped and exact.page.paginator.count == total and exact.page.number == 2
    assert "count=exact" in exact.next_url  # turning the page keeps the exact count asked for
    assert _listing("per=20&page=3", count_cap=40).page.number == 2  # past the cap: the cap's last page


def test_the_capped_count_reads_at_most_the_cap_plus_one_rows_without_the_annotations(many):
    rows = selectors.household_list(many.county_admin)
    paginator = CappedPaginator(rows, 20, cap=30)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 31
    sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 31" in sql and "registry_member" not in sql and "ORDER BY" not in sql


def _get(client, user, name: str, **params):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def test_the_household_list_says_more_than_the_cap_and_counts_exactly_on_request(many, client, monkeypatch):
    monkeypatch.setattr("jingzhun.registry.views.COUNT_CAP", 20)
    total = selectors.household_list(many.county_admin).count()
    body = _get(client, many.county_admin, "registry:household_list").content.decode()
    assert "共 20 户以上" in body and 'id="count-note"' in body and "count=exact" in body
    exact = _get(client, many.county_admin, "registry:household_list", count="exact")
    assert f"共 {total} 户" in exact.content.decode() and not exact.context["listing"].chips  # not a filter


def test_the_household_lists_filtered_rows_and_member_counts_are_unchanged(many, client):
    response = _get(client, many.county_admin, "registry:household_list", village=XIAGAOCHI, per=100)
    shown = {h.code: h.member_count for h in response.context["page"].object_list}
    expected = {h.code: h.members.filter(status="正常").count()
                for h in Household.objects.filter(village_id=XIAGAOCHI)}
    assert shown == expected and f"共 {len(expected)} 户" in response.content.decode()


def test_the_household_lists_queries_do_not_grow_with_its_rows(many, client, django_assert_max_num_queries):
    assert client.login(username=many.county_admin.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("registry:household_list"), {"per": 20})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("registry:household_list"), {"per": 100})


def test_the_problem_summary_is_reused_until_a_problem_changes(many, client):
    first = _problem(many.home)
    assert "累计筛选问题数据 1 条，已整改 0 条，待整改 1 条" in _get(
        client, many.county_admin, "checks:problem_list").content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("checks:problem_list"))
    assert not [q for q in again.captured_queries if "GROUP BY" in q["sql"]]  # the summary was reused
    first.status = Problem.Status.FIXED
    first.save()  # a status change writes a history row: the next page counts again
    _problem(many.neighbour)
    body = client.get(reverse("checks:problem_list")).content.decode()
    assert "累计筛选问题数据 2 条，已整改 1 条，待整改 1 条" in body
