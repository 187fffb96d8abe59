"""衔接资金执行 on a hand-computed example: planned, spent and rate per county and source, projects by state.

绛县 (140826), 2025:
  P1 下高池村/城内村: 中央 800,000, 县级 200,000, 其他 100,000; 实施; paid 中央 300,000 + 100,000, 县级 50,000,
     其他 60,000.
  P2 横东村: 中央 200,000, 省级 100,000; paid 省级 40,000, then 终止 (its unpaid plan went back).
  P3 (2024): 中央 999 — another year, not counted.
平陆县 (140829), 2025: P4 张郭村: 中央 500,000, 入库, nothing paid.

By hand, 绛县: 中央 800,000 / 400,000 = 50.0%; 省级 40,000 / 40,000 = 100.0%; 县级 200,000 / 50,000 = 25.0%;
其他 100,000 / 60,000 = 60.0% (listed, not in the subtotal, which is 衔接资金's, as the dashboard's rate);
subtotal 1,040,000 / 490,000 = 47.1%. 平陆县: 中央 500,000 / 0 = 0.0%. All: 1,540,000 / 490,000 = 31.8%.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.assistance.selectors.projects import fund_execution
from jingzhun.assistance.services import projects as services

from .people import HENGDONG, ZHANGGUO
from .project_helpers import make_project

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2025, 6, 1)


@pytest.fixture
def example(world):
    admin = world.county_admin

    def pay(project, source, amount):
        services.spending_record(acting_user=admin, project_id=project.pk, source=source, paid_on=DAY, amount=amount)

    p1 = make_project(world, code="P1", state="underway",
                      funds={"central": D("800000"), "county": D("200000"), "other": D("100000")})
    pay(p1, "other", "60000")
    pay(p1, "central", "300000")
    pay(p1, "central", "100000")
    pay(p1, "county", "50000")
    p2 = make_project(world, code="P2", villages=(HENGDONG,), state="underway",
                      funds={"central": D("200000"), "province": D("100000")})
    pay(p2, "province", "40000")
    services.project_advance(acting_user=admin, project_id=p2.pk, to_state="cancelled", note="选址调整")
    make_project(world, code="P3", year=2024, funds={"central": D("999")})
    make_project(world, code="P4", county="140829", villages=(ZHANGGUO,), by=world.outsider,
                 funds={"central": D("500000")})
    return world


def _table(figures) -> set[tuple]:
    return {(r["county"], r["source"], r["planned"], r["spent"], r["rate"]) for r in figures["rows"]}


def test_per_county_and_source_as_computed_by_hand(example):
    figures = fund_execution(example.sysadmin, "", 2025)
    assert _table(figures) == {
        ("140826", "central", D("800000"), D("400000"), D("50.0")),
        ("140826", "province", D("40000"), D("40000"), D("100.0")),
        ("140826", "county", D("200000"), D("50000"), D("25.0")),
        ("140826", "other", D("100000"), D("60000"), D("60.0")),
        ("140829", "central", D("500000"), D("0"), D("0.0")),
    }
    assert [r["source"] for r in figures["rows"]] == ["central", "province", "county", "other", "central"]
    subtotal = {c["county"]: (c["planned"], c["spent"], c["rate"]) for c in figures["counties"]}
    assert subtotal == {"140826": (D("1040000"), D("490000"), D("47.1")), "140829": (D("500000"), D("0"), D("0.0"))}
    assert figures["total"] == {"planned": D("1540000"), "spent": D("490000"), "rate": D("31.8")}


def test_projects_by_state(example):
    states = {s["county"]: (s["counts"], s["total"]) for s in fund_execution(example.sysadmin, "", 2025)["states"]}
    # order of ProjectState: 入库, 公示, 实施, 竣工, 验收, 终止
    assert states == {"140826": ([0, 0, 1, 0, 0, 1], 2), "140829": ([1, 0, 0, 0, 0, 0], 1)}


def test_a_village_clerk_and_a_cadre_count_only_the_projects_of_their_village(example):
    for person in (example.village_clerk, example.cadre, example.work_team):
        figures = fund_execution(person, "140826" if person == example.cadre else person.org_unit_id, 2025)
        assert _table(figures) == {("140826", "central", D("800000"), D("400000"), D("50.0")),
                                   ("140826", "county", D("200000"), D("50000"), D("25.0")),
                                   ("140826", "other", D("100000"), D("60000"), D("60.0"))}, person.username


def test_a_township_unit_counts_the_projects_touching_its_villages(example):
    figures = fund_execution(example.county_admin, "140826101", 2025)  # 横水镇: P2 only
    assert _table(figures) == {("140826", "province", D("40000"), D("40000"), D("100.0"))}


def test_the_page_shows_the_totals_and_exports_them(example, client):
    client.force_login(example.county_admin)
    page = client.get(reverse("assistance:fund_execution"), {"year": "2025"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="total-planned">1040000.00' in text and 'id="total-rate">47.1' in text
    assert "平陆县" not in text
    export = client.get(reverse("assistance:fund_execution"), {"year": "2025", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ("140826", "绛县", "中央衔接资金", 800000, 400000, 50) in rows
    assert ("140826", "绛县", "合计", 1040000, 490000, 47.1) in rows


def test_a_unit_out_of_reach_is_not_found_and_a_bad_year_is_explained(example, client):
    client.force_login(example.village_clerk)
    assert client.get(reverse("assistance:fund_execution"), {"year": "2025", "unit": "140826"}).status_code == 404
    bad = client.get(reverse("assistance:fund_execution"), {"year": "abc"})
    assert bad.status_code == 400 and "年度" in bad.content.decode()
