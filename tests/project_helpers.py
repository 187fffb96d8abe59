"""Projects for the 项目库 tests, made through the services as the site itself would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from jingzhun.assistance.services import projects as services

from .people import CHENGNEI, XIAGAOCHI


def make_project(world, *, code: str = "2025-001", name: str = "下高池村光伏电站", villages=(XIAGAOCHI, CHENGNEI),
                 beneficiaries=None, year: int = 2025, funds: dict | None = None, state: str = "listed",
                 county: str = "140826", by=None):
    """A project of `county` (by its county admin), with funds, moved on to `state` one step at a time."""
    by = by or world.county_admin
    if beneficiaries is None:
        beneficiaries = [h.code for h in (world.home, world.neighbour) if h.village_id in villages]
    project = services.project_create(
        acting_user=by, county_code=county, code=code, name=name, category="industry", year=year,
        villages=villages, planned_start=datetime.date(2025, 3, 1), planned_end=datetime.date(2025, 10, 31),
        responsible_unit="绛县乡村振兴局", contact_phone="0359-6522100", output_target="建成 200 千瓦光伏电站",
        benefit_target="年收益 20 万元", mechanism="收益的 60% 用于公益岗位和小型公益事业", beneficiaries=beneficiaries)
    services.project_fund_set(acting_user=by, project_id=project.pk,
                              amounts=funds if funds is not None else {"central": Decimal("800000"),
                                                                       "county": Decimal("200000")})
    path = ["publicised", "underway", "completed", "accepted"]
    if state == "cancelled":
        services.project_advance(acting_user=by, project_id=project.pk, to_state="cancelled", note="选址调整")
    elif state != "listed":
        for step in path[: path.index(state) + 1]:
            services.project_advance(acting_user=by, project_id=project.pk, to_state=step)
    project.refresh_from_db()
    return project
