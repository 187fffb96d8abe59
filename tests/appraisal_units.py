"""The appraised units the 考评 input tests use: 绛县's township 140826100 and 县民政局 (the department user
its staff), a second township of 绛县, and a township of 平陆县 (the outsider's county)."""

from __future__ import annotations

from dataclasses import dataclass

from jingzhun.orgunits.models import OrgUnit
from jingzhun.supervision.models import Agency, Scheme
from jingzhun.supervision.services.agencies import agency_for_org
from jingzhun.supervision.services.schemes import sha256_of

from .people import HENGDONG, ZHANGGUO, World

SCHEME = """\
name = "绛县 2026 年度脱贫攻坚绩效考评办法"

[[group]]
kind = "township"
name = "乡镇"
total = 30

[[group.item]]
code = "ZF"
name = "工作作风"
points = 10
source = "manual"

[[group.item]]
code = "QZ"
name = "群众评议"
points = 15
source = "manual"

[[group.item]]
code = "HH"
name = "未脱贫户数"
points = 5
source = "indicator"
indicator = "HH_POOR"
rule = "linear"
floor = 10
target = 0
"""


@dataclass
class Units:
    township: Agency
    other_township: Agency
    dept: Agency
    outside: Agency


def units_make(world: World) -> Units:
    dept = Agency.objects.create(county_id="140826", kind="department", name="县民政局")
    dept.staff.add(world.department)
    return Units(township=agency_for_org(OrgUnit.objects.get(code="140826100")),
                 other_township=agency_for_org(OrgUnit.objects.get(code=HENGDONG[:9])),
                 dept=dept, outside=agency_for_org(OrgUnit.objects.get(code=ZHANGGUO[:9])))


def scheme_make(world: World, county: str = "140826", year: int = 2026, text: str = SCHEME) -> Scheme:
    return Scheme.objects.create(county_id=county, year=year, text=text, sha256=sha256_of(text),
                                 created_by=world.county_admin)
