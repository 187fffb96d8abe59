"""项目公示 and 竣工公告 as PDF: drawn by the workflows' notice machinery, with the project's facts, the count of
beneficiaries (never their names or ID numbers) and where to object; downloads are audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.project_notices import notices_of, project_notice_pdf

from .project_helpers import make_project
from .test_notice_pdf import _page_text

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    return _page_text(pdf).replace(" ", "")


def test_the_publicity_notice_lists_the_project_and_where_to_object(world):
    project = make_project(world, state="publicised")
    text = _text(project_notice_pdf(project, "publicity"))
    for shown in ("项目公示", "下高池村光伏电站", "下高池村", "城内村", "中央衔接资金", "800,000.00元", "县级衔接资金",
                  "1,000,000.00元", "绛县乡村振兴局", "0359-6522100", "受益户数2户", "收益的60%用于公益岗位",
                  "2025年03月01日至2025年10月31日"):
        assert shown in text, shown


def test_a_notice_shows_no_beneficiary_name_or_id_number(world):
    project = make_project(world, state="completed")
    for kind in ("publicity", "completion"):
        text = _text(project_notice_pdf(project, kind))
        for household in (world.home, world.neighbour):
            assert household.head_name not in text and household.head_id_number not in text
            assert household.code not in text


def test_the_completion_notice_tells_the_money_spent(world):
    from jingzhun.assistance.services import projects as services

    project = make_project(world, state="underway", funds={"central": Decimal("1000")})
    services.spending_record(acting_user=world.county_admin, project_id=project.pk, source="central",
                             paid_on=project.planned_start, amount="750.5")
    services.project_advance(acting_user=world.county_admin, project_id=project.pk, to_state="completed")
    text = _text(project_notice_pdf(project, "completion"))
    assert "竣工公告" in text and "已支出资金750.50元" in text


def test_notices_exist_from_their_state_on(world):
    assert notices_of(make_project(world, code="N-1")) == []
    assert [k for k, _ in notices_of(make_project(world, code="N-2", state="underway"))] == ["publicity"]
    assert [k for k, _ in notices_of(make_project(world, code="N-3", state="accepted"))] == ["publicity", "completion"]


def test_markup_in_a_name_is_drawn_literally(world):
    name = '<img src="/etc/passwd"/>光伏<b>'
    project = make_project(world, name=name, state="publicised")
    pdf = project_notice_pdf(project, "publicity")
    assert b"/Subtype /Image" not in pdf and name.replace(" ", "") in _text(pdf)


def test_the_download_is_audited_and_a_notice_not_yet_due_is_not_found(world, client):
    project = make_project(world, state="publicised")
    client.force_login(world.cadre)
    response = client.get(reverse("assistance:project_notice", args=[project.pk, "publicity"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="download", actor=world.cadre,
                                     detail__what="project_notice_publicity").exists()
    assert client.get(reverse("assistance:project_notice", args=[project.pk, "completion"])).status_code == 404
    assert client.get(reverse("assistance:project_notice", args=[project.pk, "other"])).status_code == 404
