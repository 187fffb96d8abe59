"""The to-do page (待办), the left-hand menu and the breadcrumbs, as every role of tests/people.py."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhun.desk import todo
from jingzhun.desk.menu import menu_for

from .desk_world import desk_build, expected
from .people import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(world):
    return desk_build(world)


def _signed_in(client, user):
    client.logout()
    client.force_login(user)
    return client


def _titles(user) -> dict[str, list[str]]:
    return {s.kind.code: [i.title for i in s.items] for s in todo.board(user)}


def _matches(got: dict[str, list[str]], want: dict[str, list[str]]) -> bool:
    """Same kinds; in each, the titles in order, each starting with the one expected (dates follow some)."""
    return got.keys() == want.keys() and all(
        len(got[k]) == len(want[k]) and all(g.startswith(w) for g, w in zip(got[k], want[k])) for k in want)


def _section_html(body: str, kind: str) -> str:
    match = re.search(rf'<section class="card todo" id="kind-{kind}">(.*?)</section>', body, re.S)
    assert match, f"no section {kind}"
    return match.group(1)


def _links(body: str, container: str) -> list[str]:
    """The hrefs inside the first <nav class="{container}"…>…</nav>."""
    match = re.search(rf'<nav class="{container}"[^>]*>(.*?)</nav>', body, re.S)
    return re.findall(r'href="([^"]+)"', match.group(1)) if match else []


# --- the to-do page ---------------------------------------------------------------------------------

def test_each_role_lists_its_own_work_and_nothing_out_of_reach(world, desk):
    want = expected(world, desk)
    wrong = {}
    for user in world.users:
        got = _titles(user)
        if not _matches(got, want[user.username]):
            wrong[user.username] = got
    assert not wrong, wrong


def test_every_item_is_a_link_its_user_may_open(world, desk, client):
    opened = 0
    for user in world.users:
        _signed_in(client, user)
        for section in todo.board(user):
            for item in section.items:
                response = client.get(item.url, follow=True)
                assert response.status_code == 200, (user.username, item.url, response.status_code)
                opened += 1
    assert opened >= 25


def test_overdue_items_come_first_and_are_marked(world, desk, client):
    body = _signed_in(client, world.village_clerk).get(reverse("desk:todo")).content.decode()
    order = re.findall(r'<section class="card todo" id="kind-(\w+)">', body)
    # the kinds with something overdue first (an ended 公示 and its objection), then the rest in order
    assert order == ["publicity", "objections", "steps", "leads", "problems", "runs"]
    items = re.findall(r"<li( class=\"overdue\")?>(.*?)</li>", _section_html(body, "publicity"), re.S)
    assert [bool(marked) for marked, _text in items] == [True, False]
    assert "已期满" in items[0][1] and "ended公示" in items[0][1] and "soon公示" in items[1][1]
    assert "已逾期" in _section_html(body, "objections")
    assert "共 8 项，其中 2 项已逾期" in body


def test_counts_on_top_are_per_kind(world, desk, client):
    body = _signed_in(client, world.township_officer).get(reverse("desk:todo")).content.decode()
    chips = dict(re.findall(r'data-kind="(\w+)"[^>]*>\s*<b>(\d+)</b>', body))
    assert chips == {"publicity": "1", "steps": "1", "objections": "0", "problems": "2", "claims": "1", "runs": "0",
                     "leads_route": "1", "conflicts": "0", "loans": "0", "spot_items": "0",
                     "ledger_sign": "0", "ledger_due": "0"}
    counts = re.search(r'id="todo-counts">(.*?)</div>', body, re.S).group(1)
    assert "1 项已逾期" in counts  # the township's ended 公示


def test_first_items_of_a_kind_then_the_full_list(world, desk, client, monkeypatch):
    from .desk_world import _problem

    for n in range(11):
        _problem(world, desk, f"more-{n}", household=world.home, rule=f"Q{30 + n}", seen_days=0)
    client = _signed_in(client, world.village_clerk)
    section = _section_html(client.get(reverse("desk:todo")).content.decode(), "problems")
    assert section.count("<li") == todo.TOP and "全部 12 条" in section
    more = re.search(r'<p class="more"><a href="([^"]+)"', section).group(1).replace("&amp;", "&")
    assert more == reverse("checks:problem_list") + "?status=open"
    listed = client.get(more).content.decode()
    assert all(f"Q{30 + n}" in listed for n in range(11)) and "Q04" in listed

    # a kind with no list of its own pages here: ?kind=steps, page by page
    monkeypatch.setattr(todo, "TOP", 1)
    monkeypatch.setattr(todo, "PAGE_SIZE", 1)
    section = _section_html(client.get(reverse("desk:todo")).content.decode(), "steps")
    assert section.count("<li") == 1 and "?kind=steps" in section
    first = client.get(reverse("desk:todo") + "?kind=steps").content.decode()
    second = client.get(reverse("desk:todo") + "?kind=steps&page=2").content.decode()
    assert f"户退出 · {world.home.head_name}" in first and "孙有田" not in first
    assert "孙有田" in second and 'id="kind-problems"' not in second
    assert 'data-kind="problems"' in second  # the counts stay on top


def test_an_unknown_kind_shows_the_whole_page(world, desk, client):
    response = _signed_in(client, world.village_clerk).get(reverse("desk:todo") + "?kind=nonsense&page=x")
    assert response.status_code == 200 and 'id="kind-steps"' in response.content.decode()


def test_a_role_with_nothing_waiting_is_told_so(world, client):
    body = _signed_in(client, world.analyst).get(reverse("desk:todo")).content.decode()
    assert "目前没有等您办理的事项" in body


def test_the_cadre_sees_their_households_without_a_due_date(world, desk, client):
    body = _signed_in(client, world.cadre).get(reverse("desk:todo")).content.decode()
    section = _section_html(body, "households")
    assert world.home.head_name in section and world.neighbour.head_name not in section
    assert "期限" not in section
    visits = _section_html(body, "visits")  # and the ones to visit this quarter, due at its end
    assert world.home.head_name in visits and "期限" in visits and "/assistance/field/#household-" in visits


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_the_page_makes_a_bounded_number_of_queries(world, desk, client, django_assert_max_num_queries):
    from .desk_world import _batch, _problem, _procedure

    url = reverse("desk:todo")
    for user in (world.village_clerk, world.township_officer, world.county_admin, world.sysadmin):
        _signed_in(client, user)
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
    client = _signed_in(client, world.village_clerk)

    def more(start, n):  # problems, steps and 公示 of the clerk's
        for i in range(start, start + n):
            _problem(world, desk, f"more-{i}", household=world.home, rule=f"Q{30 + i}")
            _procedure(world, desk, f"more-{i}", kind="entry", step="group_review", village=world.home.village_id,
                       head=f"新户{i}")
            _batch(world, desk, f"more-{i}", unit=world.home.village_id, step="village_publicity", end=0)

    few = _queries(client, url)
    more(0, todo.TOP)  # more than a page shows: a counting query more for each of these three kinds
    many = _queries(client, url)
    assert many == few + 3
    more(todo.TOP, 20)  # and then no more, however many
    assert _queries(client, url) == many


# --- landing, menu, breadcrumbs ----------------------------------------------------------------------

def test_sign_in_and_the_home_page_land_on_the_todo_page(world, client):
    response = client.post("/accounts/login/", {"username": "village_clerk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk:todo")
    assert client.get("/").url == reverse("desk:todo")
    # 区划总览 stays where the menu says: the user's own unit
    assert client.get(reverse("registry:division_root")).url == reverse("registry:division", args=[world.home.village_id])
    assert 'class="brand" href="/todo/"' in client.get(reverse("desk:todo")).content.decode()


def test_every_menu_entry_opens_for_its_role(world, desk, client):
    refused = []
    for user in world.users:
        body = _signed_in(client, user).get(reverse("desk:todo")).content.decode()
        links = _links(body, "sidenav")
        assert reverse("desk:todo") in links and reverse("accounts:password_change") in links
        for url in links:
            response = client.get(url, follow=True)
            if response.status_code != 200:
                refused.append((user.username, url, response.status_code))
    assert not refused, refused


def test_the_menu_shows_only_what_the_role_may_use(world, client):
    def labels(user):
        body = _signed_in(client, user).get(reverse("desk:todo")).content.decode()
        nav = re.search(r'<nav class="sidenav"[^>]*>(.*?)</nav>', body, re.S).group(1)
        return re.findall(r"<h2>(.*?)</h2>", nav), re.findall(r"<a [^>]*>(.*?)</a>", nav)

    groups, items = labels(world.cadre)
    assert "决策看板" not in items and "简报" not in items and "统计分析" not in groups  # both answer 403 to a cadre
    assert "监测帮扶" in groups and "村级排查登记" in items  # a cadre records leads for their households
    assert "帮扶" in groups and "走访（手机）" in items and "我的帮扶对象" in items  # and visits them
    groups, items = labels(world.county_admin)
    assert groups == ["建档立卡", "核查整改", "办理程序", "监测帮扶", "帮扶", "考核评估", "督查督办", "统计分析", "系统管理"]
    assert "督查督办" not in labels(world.cadre)[0]  # helpers answer for no ledger item
    assert "村级排查登记" not in labels(world.evaluator)[1] and "监测线索" in labels(world.evaluator)[1]
    assert "导入数据" in items and "贫困县退出评估" in items and "后台管理" not in items
    assert "导入数据" not in labels(world.evaluator)[1]
    assert "后台管理" in labels(world.sysadmin)[1]


def test_the_current_page_is_highlighted(world, client, rf):
    request = rf.get(reverse("registry:household_detail", args=[world.home.code]))
    request.user = world.village_clerk
    current = [link.label for _group, links in menu_for(request) for link in links if link.current]
    assert current == ["贫困户"]
    request = rf.get(reverse("workflows:batch_detail", args=[1]))
    request.user = world.village_clerk
    assert [link.label for _group, links in menu_for(request) for link in links if link.current] == ["公示公告"]


def _crumb_pages(world, user) -> list[str]:
    pages = [reverse("registry:division_root")]
    code = sorted(world.visible_to(user))[0]
    pages.append(reverse("registry:household_detail", args=[code]))
    if user.org_unit_id and user.username != "cadre":
        pages.append(reverse("dashboard:overview", args=[user.org_unit_id]))
    return pages


def test_every_breadcrumb_link_opens_for_every_role(world, client):
    opened, broken = 0, []
    for user in world.users:
        _signed_in(client, user)
        for page in _crumb_pages(world, user):
            response = client.get(page, follow=True)
            assert response.status_code == 200, (user.username, page)
            for url in _links(response.content.decode(), "crumbs"):
                opened += 1
                status = client.get(url.replace("&amp;", "&")).status_code
                if status != 200:
                    broken.append((user.username, page, url, status))
    assert not broken, broken
    assert opened >= 10


def test_units_out_of_reach_stay_in_the_breadcrumb_as_plain_text(world, client):
    body = _signed_in(client, world.village_clerk).get(
        reverse("registry:household_detail", args=[world.home.code])).content.decode()
    crumbs = re.search(r'<nav class="crumbs">(.*?)</nav>', body, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', crumbs) == [reverse("registry:division", args=[world.home.village_id])]
    for name in ("山西省", "运城市", "绛县", "古绛镇"):
        assert f"<span>{name}</span>" in crumbs


def test_a_loan_in_trouble_and_a_phone_edit_to_choose_wait_for_the_record_keepers(world, desk):
    """Assistance work on the to-do page: a 逾期 loan and an open 修改冲突 of the home household reach the
    village clerk (and the township above), never the neighbouring village's clerk-less reach or the cadre."""
    import datetime
    import uuid
    from decimal import Decimal

    from django.utils import timezone

    from jingzhun.assistance.models import EditConflict, Loan

    head = world.home.members.get(relation="户主")
    Loan.objects.create(household=world.home, borrower=head, bank="绛县农商银行", contract_no="TODO-1",
                        amount=Decimal("20000"), term_months=24, annual_rate=Decimal("3.45"),
                        disbursed_on=datetime.date(2025, 1, 10), due_on=datetime.date(2027, 1, 10),
                        balance=Decimal("20000"), status=Loan.Status.OVERDUE)
    EditConflict.objects.create(client_id=uuid.uuid4(), household=world.home, base={"safe_water": True},
                                phone_values={"safe_water": False}, server_values={"safe_water": True},
                                author=world.cadre, recorded_at=timezone.now())
    for user in (world.village_clerk, world.township_officer):
        got = _titles(user)
        assert got["loans"] == [f"逾期 · {world.home.head_name} · 绛县农商银行"], user.username
        assert got["conflicts"] == [f"{world.home.head_name} · 饮水安全"], user.username
    assert "loans" not in _titles(world.cadre) and "conflicts" not in _titles(world.cadre)
    assert _titles(world.outsider)["loans"] == [] and _titles(world.outsider)["conflicts"] == []


def test_a_spot_checks_households_wait_for_the_checker_until_verified(world, desk, client):
    """随机抽查 on the to-do page: the households a checker drew and has not verified, linked to the short
    form; nobody else's, and gone once verified."""
    from jingzhun.assessment.services.spot_checks import spot_check_draw, spot_check_verify

    spot = spot_check_draw(unit=world.home.village_id, n=1, seed=3, acting_user=world.township_officer)
    item = spot.items.get()
    assert _titles(world.township_officer)["spot_items"] == [f"{world.home.head_name} · {world.home.code}"]
    assert _titles(world.county_admin)["spot_items"] == [] and "spot_items" not in _titles(world.village_clerk)
    body = _signed_in(client, world.township_officer).get(reverse("desk:todo")).content.decode()
    assert reverse("assessment:spot_verify", args=[item.pk]) in _section_html(body, "spot_items")
    spot_check_verify(item_id=item.pk, acting_user=world.township_officer, found={"safe_water": "yes"})
    assert _titles(world.township_officer)["spot_items"] == []
