"""一户一档 as one PDF and the 明白卡 (A4, A5, a village's batch), read back with pypdf: the Chinese text,
the amounts, masking per role, no ID number or health detail on the card, page sizes, audit rows."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import mask_id_number

from .household_file_data import DISEASE, HEALTH_AMOUNT, INDUSTRY_AMOUNT, PUBLIC_POST_PAY, YEAR, fill
from .people import PASSWORD, XIAGAOCHI, make_household

pytestmark = pytest.mark.django_db

A4 = (595, 842)
A5 = (420, 595)


def _pdf(client, user, name, code, query="") -> PdfReader:
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse(f"assistance:{name}", args=[code]) + query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def _money(value) -> str:
    return f"{value:,.2f}"


# --- 一户一档 -------------------------------------------------------------------------------------------

def test_the_file_pdf_has_every_section_in_chinese_with_page_numbers(world, client):
    fill(world)
    reader = _pdf(client, world.village_clerk, "household_file_pdf", world.home.code)
    text = _text(reader)
    for heading in ("一户一档", "一、家庭基本情况", "二、办理程序", "三、监测线索", "四、帮扶措施", "五、走访记录",
                    "六、小额信贷", "七、受益项目", "八、帮扶责任人", "九、佐证材料"):
        assert heading in text, heading
    for value in ("王建国", "王小红", "养牛产业奖补", _money(INDUSTRY_AMOUNT), "村保洁员", _money(PUBLIC_POST_PAY),
                  "绛县农商银行", "50,000.00", "下高池村肉牛养殖基地", "周前任", "李帮扶", "返贫申请书.txt",
                  "公示张贴.jpg", "承诺授权书.jpg", "奖补发放表.pdf"):
        assert value in text, value
    assert all(_size(page) == A4 for page in reader.pages)
    pages = len(reader.pages)
    assert f"第 1 页 共 {pages} 页" in reader.pages[0].extract_text()
    assert f"第 {pages} 页 共 {pages} 页" in reader.pages[-1].extract_text()


@pytest.mark.parametrize("who", ["evaluator", "cadre", "work_team", "analyst"])
def test_the_file_pdf_masks_ids_and_phones_for_read_only_roles(world, client, who):
    fill(world)
    text = _text(_pdf(client, getattr(world, who), "household_file_pdf", world.home.code))
    for member in world.home.members.all():
        assert member.id_number not in text and mask_id_number(member.id_number) in text
    assert "13912345678" not in text and "139****5678" in text
    assert "住院自付三万元" not in text


def test_the_file_pdf_shows_full_ids_to_record_keepers(world, client):
    fill(world)
    text = _text(_pdf(client, world.township_officer, "household_file_pdf", world.home.code))
    assert world.home.head_id_number in text and "13912345678" in text


def test_the_file_pdf_download_is_audited(world, client):
    _pdf(client, world.evaluator, "household_file_pdf", world.home.code)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, detail__what="household_file_pdf")
    assert event.actor == world.evaluator and world.home.code in event.target


# --- 明白卡 -----------------------------------------------------------------------------------------------

def test_the_card_shows_household_cadre_measures_income_and_help_units(world, client):
    fill(world)
    reader = _pdf(client, world.village_clerk, "household_card_pdf", world.home.code, f"?year={YEAR}")
    assert len(reader.pages) == 1 and _size(reader.pages[0]) == A4
    text = _text(reader)
    for value in ("帮扶明白卡", f"{YEAR} 年度", "王建国", "下高池村", "2 人", "李帮扶", "13912345678",
                  "养牛产业奖补", _money(INDUSTRY_AMOUNT), "村保洁员", _money(PUBLIC_POST_PAY), "健康帮扶",
                  _money(HEALTH_AMOUNT), _money(INDUSTRY_AMOUNT + PUBLIC_POST_PAY + HEALTH_AMOUNT),
                  "绛县农商银行", "工资性收入", "12,000.00", "年人均纯收入", "8,000.00", "12,000.00",
                  "绛县农业农村局", "运城市水务局", "12317"):
        assert value in text, value
    assert "雨露计划补助" not in text  # last year's measure is not on this year's card


def test_the_card_has_no_id_number_and_no_health_detail(world, client):
    fill(world)
    text = _text(_pdf(client, world.village_clerk, "household_card_pdf", world.home.code))
    for member in world.home.members.all():
        assert member.id_number not in text and mask_id_number(member.id_number) not in text
    assert DISEASE not in text and "慢病管理" not in text and "身份证" not in text and "健康状况" not in text
    # the 健康帮扶 line names neither the measure nor the member it is for
    cells = [row.strip() for row in text.splitlines()]
    at = cells.index("健康帮扶")
    assert cells[at + 1:at + 4] == ["—", "—", _money(HEALTH_AMOUNT)]


def test_the_card_chooses_the_year(world, client):
    fill(world)
    text = _text(_pdf(client, world.village_clerk, "household_card_pdf", world.home.code, f"?year={YEAR - 1}"))
    assert "雨露计划补助" in text and "3,000.00" in text and "养牛产业奖补" not in text


def test_the_card_prints_on_a5(world, client):
    fill(world)
    reader = _pdf(client, world.village_clerk, "household_card_pdf", world.home.code, "?size=a5")
    assert len(reader.pages) == 1 and _size(reader.pages[0]) == A5
    assert "帮扶明白卡" in _text(reader) and "李帮扶" in _text(reader)


@pytest.mark.parametrize("query,message", [("?year=abcd", "年度"), ("?year=1899", "年度"), ("?size=a3", "A4 或 A5")])
def test_a_bad_year_or_size_is_refused_in_chinese(world, client, query, message):
    assert client.login(username="village_clerk", password=PASSWORD)
    response = client.get(reverse("assistance:household_card_pdf", args=[world.home.code]) + query)
    assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


@pytest.mark.parametrize("who,shown", [("cadre", "13912345678"), ("village_clerk", "13912345678"),
                                       ("evaluator", "139****5678"), ("work_team", "139****5678")])
def test_the_cadres_phone_is_in_full_for_keepers_and_the_cadre_themself(world, client, who, shown):
    text = _text(_pdf(client, getattr(world, who), "household_card_pdf", world.home.code))
    assert shown in text
    if "*" in shown:
        assert "13912345678" not in text


def test_a_village_batch_has_one_card_per_household_in_reach(world, client):
    fill(world)
    second = make_household(XIAGAOCHI, 7, "孙二牛", cadre=world.cadre_record)
    reader = _pdf(client, world.village_clerk, "village_cards_pdf", XIAGAOCHI, "?size=a5")
    assert len(reader.pages) == 2 and all(_size(p) == A5 for p in reader.pages)
    assert "王建国" in reader.pages[0].extract_text() and "孙二牛" in reader.pages[1].extract_text()
    event = AuditEvent.objects.get(detail__what="village_cards_pdf")
    assert event.detail["count"] == 2 and XIAGAOCHI in event.target
    assert second.code  # made in the village


def test_a_cadres_village_batch_holds_only_their_households(world, client):
    make_household(XIAGAOCHI, 8, "吴不归")  # another cadre's (none): not the cadre's
    reader = _pdf(client, world.cadre, "village_cards_pdf", XIAGAOCHI)
    text = _text(reader)
    assert len(reader.pages) == 1 and "王建国" in text and "吴不归" not in text


@pytest.mark.parametrize("who,code", [("village_clerk", "140826100201"), ("outsider", XIAGAOCHI),
                                      ("work_team", "140826101201")])
def test_a_village_out_of_reach_is_404(world, client, who, code):
    assert client.login(username=who, password=PASSWORD)
    assert client.get(reverse("assistance:village_cards_pdf", args=[code])).status_code == 404


def test_a_unit_that_is_not_a_village_is_404(world, client):
    assert client.login(username="county_admin", password=PASSWORD)
    assert client.get(reverse("assistance:village_cards_pdf", args=["140826100"])).status_code == 404


def test_a_long_card_still_fits_one_page(world, client):
    """Forty measures in a year: the card shrinks to its page, so a village batch stays one card a page."""
    import datetime

    from jingzhun.assistance.models import Measure

    for n in range(40):
        Measure.objects.create(household=world.home, year=YEAR, type="consumption", name=f"消费帮扶第{n + 1}批",
                               amount=100 + n, start=datetime.date(YEAR, 1, 1))
    for size in ("a4", "a5"):
        reader = _pdf(client, world.village_clerk, "household_card_pdf", world.home.code, f"?size={size}")
        assert len(reader.pages) == 1
        assert "消费帮扶第40批" in _text(reader)


def test_a_village_batch_makes_as_many_queries_for_seven_households_as_for_one(world, client):
    """The batch prefetches measures, loans, members and verifications: no query per household."""
    assert client.login(username="village_clerk", password=PASSWORD)
    url = reverse("assistance:village_cards_pdf", args=[XIAGAOCHI])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for serial in range(10, 16):
        make_household(XIAGAOCHI, serial, f"新户{serial}", cadre=world.cadre_record)
    with CaptureQueriesContext(connection) as seven:
        client.get(url)
    assert len(seven) == len(one)


def test_markup_in_data_is_printed_literally(world, client):
    """Every data text goes through pdfdoc.paragraph (escaped): ReportLab markup in a name is not obeyed."""
    import datetime

    from jingzhun.assistance.models import Measure

    hostile = '<img src="/etc/passwd"/>养殖<b>奖补'
    Measure.objects.create(household=world.home, year=YEAR, type="industry", name=hostile, amount=1,
                           start=datetime.date(YEAR, 1, 1))
    for name in ("household_file_pdf", "household_card_pdf"):
        assert "养殖<b>奖补" in _text(_pdf(client, world.village_clerk, name, world.home.code)).replace("\n", "")
