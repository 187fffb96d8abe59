"""Records for the tests of the people who help: a signed letter as a real PDF, a help unit, a team with
members in 下高池村, a second cadre, and a 驻村工作队 account of another village."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.assistance.models import HelpUnit, WorkTeam, WorkTeamMember
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import AssistanceCadre

from .people import CHENGNEI, PASSWORD, XIAGAOCHI

START = datetime.date(2025, 3, 1)


def pdf_bytes(pages: int = 1) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for n in range(pages):
        page.drawString(72, 720, f"letter page {n + 1}")
        page.showPage()
    page.save()
    return out.getvalue()


def pdf_upload(name: str = "责任书.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


def help_unit(county: str = "140826", name: str = "绛县农业农村局") -> HelpUnit:
    return HelpUnit.objects.create(county_id=county, name=name, level="县直")


def team(village: str = XIAGAOCHI, unit: HelpUnit | None = None, *, phone: str = "13611112222") -> WorkTeam:
    """A team in post with a 第一书记 (phone given) and a 队员."""
    unit = unit or help_unit(village[:6], f"{village}派出单位")
    stationed = WorkTeam.objects.create(village_id=village, help_unit=unit, start=START)
    WorkTeamMember.objects.create(team=stationed, name="周书记", role="secretary", phone=phone, help_unit=unit,
                                  start=START)
    WorkTeamMember.objects.create(team=stationed, name="吴队员", role="member", phone="13611113333", help_unit=unit,
                                  start=START)
    return stationed


def second_cadre(county: str = "140826", name: str = "孙帮扶", phone: str = "13922223333") -> AssistanceCadre:
    return AssistanceCadre.objects.create(county_id=county, name=name, work_unit="绛县教育局", phone=phone)


def work_team_user(village: str = CHENGNEI, name: str = "other_team"):
    return user_create(username=name, password=PASSWORD, role=Role.WORK_TEAM,
                       org_unit=OrgUnit.objects.get(code=village), full_name=name, check_password=False)
