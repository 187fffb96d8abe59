"""项目库 pages: the list and its filters, a project's page (buttons exactly when allowed, masked IDs), entry,
actions, refusals shown in Chinese, and scope."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Project, ProjectSpending
from jingzhun.orgunits.access import mask_id_number

from .people import CHENGNEI, HENGDONG, XIAGAOCHI
from .project_helpers import make_project

pytestmark = pytest.mark.django_db


def _detail(client, project):
    return client.get(reverse("assistance:project_detail", args=[project.pk])).content.decode()


def _codes(page: str) -> set[str]:
    return set(re.findall(r'/assistance/projects/\d+/">([^<]+)</a>', page))


@pytest.fixture
def projects(world):
    return {"home": make_project(world, code="A-1", villages=(XIAGAOCHI,), state="underway"),
            "neighbour": make_project(world, code="A-2", villages=(CHENGNEI,), year=2024),
            "hengdong": make_project(world, code="A-3", villages=(HENGDONG,), state="cancelled")}


def test_each_role_lists_the_projects_touching_its_villages(world, projects, client):
    expected = {"village_clerk": {"A-1"}, "work_team": {"A-1"}, "cadre": {"A-1"}, "township_officer": {"A-1", "A-2"},
                "county_admin": {"A-1", "A-2", "A-3"}, "outsider": set()}
    for person, codes in expected.items():
        client.force_login(getattr(world, person))
        assert _codes(client.get(reverse("assistance:project_list")).content.decode()) == codes, person


@pytest.mark.parametrize("query, codes", [({"year": "2024"}, {"A-2"}), ({"state": "cancelled"}, {"A-3"}),
                                          ({"category": "industry", "village": CHENGNEI}, {"A-2"}),
                                          ({"state": "accepted"}, set())])
def test_list_filters(world, projects, client, query, codes):
    client.force_login(world.county_admin)
    assert _codes(client.get(reverse("assistance:project_list"), query).content.decode()) == codes


def test_the_list_prints_and_exports_with_an_audit_row(world, projects, client):
    client.force_login(world.county_admin)
    printed = client.get(reverse("assistance:project_list"), {"print": "1"})
    assert "A-3" in printed.content.decode()
    export = client.get(reverse("assistance:project_list"), {"format": "xlsx", "year": "2025"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == ["A-1", "A-3"]
    home = next(r for r in rows if r[0] == "A-1")
    assert home[11] == 1 and home[12] == 1000000  # one beneficiary; 800,000 + 200,000 planned
    assert AuditEvent.objects.filter(action="export", detail__what="projects").exists()
    assert AuditEvent.objects.filter(action="download", detail__what="project_list_print").exists()


def test_advance_buttons_are_shown_exactly_when_allowed(world, client):
    listed = make_project(world, code="B-1")
    accepted = make_project(world, code="B-2", state="accepted")
    client.force_login(world.county_admin)
    page = _detail(client, listed)
    assert 'value="publicised"' in page and 'value="cancelled"' in page and 'value="underway"' not in page
    assert 'id="project-edit"' in page and 'id="fund-form"' in page and 'id="spending-form"' not in page
    page = _detail(client, accepted)
    assert 'id="advance"' not in page and 'id="project-edit"' not in page
    for person in ("village_clerk", "township_officer", "cadre", "work_team", "analyst"):
        client.force_login(getattr(world, person))
        page = _detail(client, listed)
        assert 'id="advance"' not in page and 'id="fund-form"' not in page and 'id="project-edit"' not in page, person


def test_beneficiary_ids_are_masked_for_roles_that_do_not_keep_records(world, client):
    project = make_project(world, villages=(XIAGAOCHI,))
    full = world.home.head_id_number
    client.force_login(world.village_clerk)
    assert full in _detail(client, project)
    for person in ("cadre", "work_team", "analyst", "evaluator"):
        client.force_login(getattr(world, person))
        page = _detail(client, project)
        assert full not in page and mask_id_number(full) in page, person


def test_a_township_clerk_sees_only_the_beneficiaries_in_reach_and_the_count_of_all(world, client):
    project = make_project(world)  # 下高池村 and 城内村, one beneficiary in each
    client.force_login(world.village_clerk)
    page = _detail(client, project)
    assert world.home.head_name in page and world.neighbour.head_name not in page
    assert 'id="beneficiary-count">2' in page


def test_out_of_reach_is_not_found(world, client):
    project = make_project(world)
    client.force_login(world.outsider)
    assert client.get(reverse("assistance:project_detail", args=[project.pk])).status_code == 404
    assert client.post(reverse("assistance:project_advance", args=[project.pk]),
                       {"to_state": "publicised"}).status_code == 404


def test_county_admin_enters_a_project(world, client):
    client.force_login(world.county_admin)
    response = client.post(reverse("assistance:project_new"), {
        "code": "C-1", "name": "城内村养殖场", "category": "industry", "year": "2025", "villages": [CHENGNEI],
        "responsible_unit": "绛县农业农村局", "beneficiaries": world.neighbour.code, "planned_start": "2025-04-01"})
    project = Project.objects.get(code="C-1")
    assert response.status_code == 302 and response["Location"] == reverse("assistance:project_detail",
                                                                          args=[project.pk])
    assert list(project.beneficiaries.all()) == [world.neighbour]


def test_a_refused_entry_says_why_in_chinese_and_writes_nothing(world, client):
    client.force_login(world.county_admin)
    response = client.post(reverse("assistance:project_new"), {
        "code": "C-1", "name": "城内村养殖场", "category": "industry", "year": "2025", "villages": [CHENGNEI],
        "responsible_unit": "绛县农业农村局", "beneficiaries": world.home.code})
    assert response.status_code == 200 and "受益户须在项目的实施村" in response.content.decode()
    assert not Project.objects.exists()


def test_a_sysadmin_picks_the_county_first(world, client):
    client.force_login(world.sysadmin)
    assert 'id="county-pick"' in client.get(reverse("assistance:project_new")).content.decode()
    page = client.get(reverse("assistance:project_new"), {"county": "140826"}).content.decode()
    assert 'id="project-form"' in page and "下高池村" in page


def test_skipping_a_state_from_the_page_is_refused_with_a_message(world, client):
    project = make_project(world)
    client.force_login(world.county_admin)
    response = client.post(reverse("assistance:project_advance", args=[project.pk]), {"to_state": "completed"})
    assert "不能改为“竣工”" in response.content.decode()
    assert Project.objects.get(pk=project.pk).state == "listed"
    response = client.post(reverse("assistance:project_advance", args=[project.pk]), {"to_state": "publicised"})
    assert response.status_code == 302 and Project.objects.get(pk=project.pk).state == "publicised"


def test_spending_over_the_plan_is_refused_on_the_page(world, client):
    project = make_project(world, state="underway", funds={"central": Decimal("1000")})
    client.force_login(world.county_admin)
    url = reverse("assistance:project_spending", args=[project.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"source": "central", "paid_on": today, "amount": "1000.01"})
    assert "最多还能支出 1,000.00 元" in response.content.decode() and not ProjectSpending.objects.exists()
    assert client.post(url, {"source": "central", "paid_on": today, "amount": "1000"}).status_code == 302
    client.post(reverse("assistance:project_progress", args=[project.pk]), {"percent": "60"})
    assert 'id="progress">60%' in _detail(client, project)


def test_the_menu_offers_the_project_pages(world, client):
    client.force_login(world.work_team)
    page = client.get(reverse("desk:todo")).content.decode()
    menu = page[page.index('id="sidenav"'):]
    assert reverse("assistance:project_list") in menu and reverse("assistance:fund_execution") in menu
    assert 'id="project-new"' not in client.get(reverse("assistance:project_list")).content.decode()
    client.force_login(world.county_admin)
    assert 'id="project-new"' in client.get(reverse("assistance:project_list")).content.decode()


def test_the_household_page_lists_the_projects_it_benefits_from_in_reach(world, client):
    project = make_project(world, villages=(XIAGAOCHI,), state="publicised")
    make_project(world, code="A-9", name="别处的项目", villages=(CHENGNEI,))
    client.force_login(world.cadre)
    page = client.get(reverse("registry:household_detail", args=[world.home.code])).content.decode()
    section = page[page.index('id="projects"'):]
    assert reverse("assistance:project_detail", args=[project.pk]) in section and "别处的项目" not in section
    client.force_login(world.village_clerk)
    page = client.get(reverse("registry:household_detail", args=[world.neighbour.code]))
    assert page.status_code == 404  # the neighbour's page (and its projects) is out of the clerk's reach
