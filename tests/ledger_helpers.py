"""A small ledger for the ledger tests: 绛县's units (县民政局 with the department user, 下高池村, 南樊镇's
township unit, another township's village) and 平陆县's 县民政局, and items made through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.orgunits.models import OrgUnit
from jingzhun.supervision.models import Agency, Item
from jingzhun.supervision.services import items as services
from jingzhun.supervision.services.agencies import agency_for_org

from .hostile_files import png_bytes
from .people import HENGDONG, XIAGAOCHI, World


@dataclass
class Ledger:
    dept: Agency
    village: Agency
    township: Agency
    other_village: Agency
    outsider_dept: Agency


def ledger_build(world: World) -> Ledger:
    dept = Agency.objects.create(county_id="140826", kind="department", name="县民政局")
    dept.staff.add(world.department)
    return Ledger(dept=dept, village=agency_for_org(OrgUnit.objects.get(code=XIAGAOCHI)),
                  township=agency_for_org(OrgUnit.objects.get(code="140826100")),
                  other_village=agency_for_org(OrgUnit.objects.get(code=HENGDONG)),
                  outsider_dept=Agency.objects.create(county_id="140829", kind="department", name="县民政局"))


def new_item(world: World, agency: Agency | None = None, *, title: str = "危房改造未完成", days: int = 30,
             kind: str = "problem", aspect: str = "住房安全", number: int = 1, assign: bool = True) -> Item:
    """An item of the agency's county, assigned to it with a deadline `days` from today (unless not)."""
    admin = world.outsider if agency is not None and agency.county_id == "140829" else world.county_admin
    county = agency.county_id if agency is not None else "140826"
    item = services.item_create(acting_user=admin, county=county, title=title, source="inspection", kind=kind,
                                aspect=aspect, number=number, agency_id=agency.pk if agency else None,
                                deadline=timezone.localdate() + datetime.timedelta(days=days))
    if assign and agency is not None:
        item = services.item_assign(acting_user=admin, item_id=item.pk, responsible="张三")
    return item


def png_upload(name: str = "整改照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def exe_upload(name: str = "整改照片.png") -> SimpleUploadedFile:
    """A Windows program renamed to look like a photo."""
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="image/png")
