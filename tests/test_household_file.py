"""一户一档, the page: every section of one household, linked evidence, masking per role, 404 out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import mask_id_number, mask_phone

from .household_file_data import DISEASE, fill
from .people import PASSWORD

pytestmark = pytest.mark.django_db

SECTIONS = ("record", "procedures", "leads", "measures", "visits", "loans", "projects", "cadre", "evidence")


def _get(client, user, code):
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("assistance:household_file", args=[code]))


def test_the_file_has_every_section_with_the_households_records(world, client):
    filled = fill(world)
    page = _get(client, world.village_clerk, world.home.code).content.decode()
    for section in SECTIONS:
        assert f'id="{section}"' in page
    for text in ("返贫", "因病返贫申请", "农户自主申报", "养牛产业奖补", "村保洁员", "雨露计划补助", "养牛三头，长势良好",
                 "绛县农商银行", "11725.00", "下高池村肉牛养殖基地", "周前任", "工作调动", "李帮扶", "24000.00"):
        assert text in page, text
    # measures by year, newest first, with the type's details spelled out
    assert page.index("养牛产业奖补") < page.index("雨露计划补助")
    assert "产业项目：肉牛养殖" in page


def test_evidence_is_listed_by_kind_with_audited_download_links_where_they_exist(world, client):
    filled = fill(world)
    page = _get(client, world.village_clerk, world.home.code).content.decode()
    evidence = page[page.index('id="evidence"'):]
    for url in (reverse("workflows:evidence", args=[filled.record.pk]),
                reverse("workflows:notice_photo", args=[filled.photo.pk]),
                reverse("monitoring:lead_evidence", args=[filled.lead_evidence.pk]),
                reverse("assistance:measure_evidence", args=[filled.measure_evidence.pk]),
                reverse("assistance:visit_photo", args=[filled.visit_photo.pk]),
                reverse("assistance:letter_download", args=[filled.letter.pk])):
        assert f'href="{url}"' in evidence, url
    for name in ("奖补发放表.pdf", "入户照片.jpg", "帮扶责任书.pdf"):
        assert name in evidence
    # the linked download is the audited one
    response = client.get(reverse("workflows:evidence", args=[filled.record.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="evidence").exists()


@pytest.mark.parametrize("who", ["evaluator", "cadre", "work_team", "analyst"])
def test_read_only_roles_see_masked_numbers_and_no_lead_narrative(world, client, who):
    fill(world)
    page = _get(client, getattr(world, who), world.home.code).content.decode()
    for member in world.home.members.all():
        assert member.id_number not in page and mask_id_number(member.id_number) in page
    assert "13912345678" not in page and mask_phone("13912345678") in page
    assert "住院自付三万元" not in page  # a lead's 困难描述 is for those who verify it


def test_record_keepers_see_full_numbers(world, client):
    fill(world)
    page = _get(client, world.village_clerk, world.home.code).content.decode()
    head = world.home.members.order_by("pk").first()
    assert head.id_number in page and "13912345678" in page and "住院自付三万元" in page
    assert DISEASE in page  # the file (unlike the wall card) keeps the measure's details


def test_a_cadre_sees_no_notice_photo_links(world, client):
    """Notices list other households, so a cadre reaches none: the file does not offer their photos."""
    filled = fill(world)
    page = _get(client, world.cadre, world.home.code).content.decode()
    assert reverse("workflows:notice_photo", args=[filled.photo.pk]) not in page
    assert reverse("workflows:evidence", args=[filled.record.pk]) in page


@pytest.mark.parametrize("who,household", [("cadre", "neighbour"), ("village_clerk", "neighbour"),
                                           ("work_team", "other_township"), ("outsider", "home"),
                                           ("township_officer", "other_township")])
def test_a_household_out_of_reach_is_404(world, client, who, household):
    fill(world)
    for name in ("household_file", "household_file_pdf", "household_card_pdf"):
        assert client.login(username=who, password=PASSWORD)
        response = client.get(reverse(f"assistance:{name}", args=[getattr(world, household).code]))
        assert response.status_code == 404, name


def test_an_empty_household_shows_empty_sections(world, client):
    page = _get(client, world.township_officer, world.neighbour.code).content.decode()
    for text in ("无办理程序。", "无帮扶措施。", "无走访记录。", "无小额信贷。", "无受益项目。", "尚未确定帮扶责任人。"):
        assert text in page


def test_the_household_page_offers_the_file_pdf_and_card(world, client):
    assert client.login(username="evaluator", password=PASSWORD)
    page = client.get(reverse("registry:household_detail", args=[world.home.code])).content.decode()
    for name in ("household_file", "household_file_pdf", "household_card_pdf"):
        assert reverse(f"assistance:{name}", args=[world.home.code]) in page


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get(reverse("assistance:household_file", args=[world.home.code]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_village_clerks_menu_offers_the_village_cards(world, client):
    url = reverse("assistance:village_cards_pdf", args=[world.home.village_id])
    assert client.login(username="village_clerk", password=PASSWORD)
    assert url in client.get(reverse("desk:todo")).content.decode()
    assert client.login(username="township_officer", password=PASSWORD)  # above a village: no own village
    assert "/cards.pdf" not in client.get(reverse("desk:todo")).content.decode()
