"""The pages of 识别纳入 and 风险消除 (the procedures; the leads are test_monitoring_views): forms by role, the 公示 notice's contents, overdue flags, 绿色通道."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.registry.models import Household
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import IncomeVerification, LedgerEvent, Procedure
from jingzhun.workflows.notice import notice_pdf

from .people import PASSWORD
from .test_monitoring_procedures import consent_form, open_entry, ordinary
from .test_notice_pdf import _page_text
from .workflow_helpers import past

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_clerk_opens_monitoring_entry_through_the_form_with_the_consent_form(world, client):
    household = ordinary()
    _login(client, world.village_clerk)
    url = reverse("workflows:monitoring_entry_new", args=[household.code])
    page = client.get(url).content.decode()
    assert "承诺授权查询书" in page and "脱贫不稳定户" not in page  # a 一般农户 is not proposed as 脱贫不稳定户
    response = client.post(url, {"monitoring_class": "边缘易致贫户", "risk_types": ["因病"], "income_12m": "9000",
                                 "compliant_out_of_pocket_12m": "3000", "evidence": consent_form()})
    procedure = Procedure.objects.get(kind=Kind.MONITORING_ENTRY)
    assert response.status_code == 302 and procedure.step == "comparison"
    page = client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    assert "入户核实情况" in page and "办结时限" in page and 'id="overdue"' not in page


def test_without_the_consent_form_the_form_says_so_and_writes_nothing(world, client):
    household = ordinary()
    _login(client, world.village_clerk)
    response = client.post(reverse("workflows:monitoring_entry_new", args=[household.code]),
                           {"monitoring_class": "边缘易致贫户", "risk_types": ["因病"], "income_12m": "9000",
                            "compliant_out_of_pocket_12m": "0"})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not Procedure.objects.exists()


def test_the_township_officer_is_refused_the_opening_forms(world, client):
    household = ordinary()
    _login(client, world.township_officer)
    for name in ("workflows:monitoring_entry_new", "workflows:risk_elimination_new"):
        assert client.get(reverse(name, args=[household.code])).status_code == 403


def test_an_already_monitored_household_is_answered_why_instead_of_a_form(world, client):
    household = ordinary()
    Household.objects.filter(pk=household.pk).update(category="监测户", monitoring_class="边缘易致贫户",
                                                     monitoring_since=past(100), risk_type="因灾")
    _login(client, world.village_clerk)
    page = client.get(reverse("workflows:monitoring_entry_new", args=[household.code])).content.decode()
    assert 'id="refusal"' in page and "风险尚未消除" in page


def test_overdue_is_flagged_on_the_list_and_the_procedure_page(world, client):
    procedure = open_entry(world, ordinary(), lead_day=past(20))
    _login(client, world.county_admin)
    listing = client.get(reverse("workflows:procedure_list")).content.decode()
    assert "已超办结时限" in listing
    page = client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    assert 'id="overdue"' in page
    todo = client.get(reverse("desk:todo")).content.decode()
    assert "已超办结时限" in todo


def test_the_county_enables_the_green_channel_from_the_page(world, client):
    household = ordinary()
    procedure = open_entry(world, household, cls="突发严重困难户", risks=("因灾",))
    _login(client, world.village_clerk)
    assert 'action="%s"' % reverse("workflows:procedure_green_channel", args=[procedure.pk]) not in \
        client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    _login(client, world.county_admin)
    page = client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    assert "启用绿色通道" in page
    client.post(reverse("workflows:procedure_green_channel", args=[procedure.pk]), {"reason": "暴雨冲毁房屋，先行纳入救助"})
    page = client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    assert 'id="green-channel"' in page and "暴雨冲毁房屋" in page
    assert LedgerEvent.objects.get(procedure=procedure).type == "monitored"


def test_the_clerk_records_an_income_verification_and_others_only_read(world, client):
    household = ordinary()
    url = reverse("workflows:income_verifications", args=[household.code])
    _login(client, world.township_officer)
    assert client.post(url, {"verified_on": timezone.localdate().isoformat(), "income_12m": "1",
                             "compliant_out_of_pocket_12m": "0"}).status_code == 403
    _login(client, world.village_clerk)
    response = client.post(url, {"verified_on": timezone.localdate().isoformat(), "income_12m": "12000",
                                 "compliant_out_of_pocket_12m": "500"})
    assert response.status_code == 302 and IncomeVerification.objects.get().persons == 2
    bad = client.post(url, {"verified_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
                            "income_12m": "12000", "compliant_out_of_pocket_12m": "0"})
    assert "核实日期不能晚于今天" in bad.content.decode() and IncomeVerification.objects.count() == 1


def test_the_risk_elimination_page_shows_each_criterion_and_offers_no_button_when_one_fails(world, client):
    household = ordinary()
    Household.objects.filter(pk=household.pk).update(category="监测户", monitoring_class="边缘易致贫户",
                                                     monitoring_since=past(300), risk_type="因灾")
    _login(client, world.village_clerk)
    page = client.get(reverse("workflows:risk_elimination_new", args=[household.code])).content.decode()
    for label in ("收入稳定超过监测线", "大额刚性支出已化解", "义务教育有保障", "基本医疗有保障", "住房安全有保障",
                  "饮水安全有保障", "没有收入核实记录"):
        assert label in page
    assert 'id="not-met"' in page and "发起风险消除" not in page.split('id="not-met"')[0].split("<form")[-1]


# --- the 公示 notice: no ID number, phone, bank account, health status, nor a risk type revealing illness ----

def test_the_monitoring_notice_shows_no_personal_data_nor_illness_as_page_and_pdf(world, client):
    household = ordinary()  # its head 患有大病, a phone on record
    procedure = open_entry(world, household, risks=("因病", "因残", "因务工就业不稳"))
    services.procedure_act(acting_user=world.county_admin, procedure_id=procedure.pk, step="comparison",
                           approve=True, data={"comparison": "无比中"})
    services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step="village_review",
                           approve=True)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.MONITORING_ENTRY,
                                 step="village_publicity", procedure_ids=[procedure.pk], start=timezone.localdate())
    assert (batch.end - batch.start).days + 1 >= 5
    pdf_text = _page_text(notice_pdf(batch)).replace(" ", "")
    _login(client, world.village_clerk)
    page = client.get(reverse("workflows:batch_print", args=[batch.pk])).content.decode()
    detail = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    members = list(household.members.all())
    for text in (pdf_text, page, detail):
        assert household.head_name in text and "边缘易致贫户" in text and "因务工就业不稳" in text
        for secret in ("因病", "因残", "患有大病", "残疾", household.phone, *(m.id_number for m in members),
                       *(m.id_number[-6:] for m in members)):
            assert secret not in text, secret


def test_the_household_page_links_a_monitored_households_income_verifications(world, client):
    household = ordinary()
    url = reverse("workflows:income_verifications", args=[household.code])
    _login(client, world.village_clerk)
    assert url not in client.get(reverse("registry:household_detail", args=[household.code])).content.decode()
    Household.objects.filter(pk=household.pk).update(category="监测户", monitoring_class="边缘易致贫户",
                                                     monitoring_since=past(30), risk_type="因灾")
    page = client.get(reverse("registry:household_detail", args=[household.code])).content.decode()
    assert url in page and reverse("workflows:risk_elimination_new", args=[household.code]) in page


def test_the_risk_elimination_procedure_page_shows_its_evaluation(world, client):
    from .test_monitoring_procedures import monitored
    from jingzhun.workflows.monitoring_procedures import risk_elimination_open

    household = monitored(world)
    procedure = risk_elimination_open(acting_user=world.village_clerk, household_code=household.code)
    _login(client, world.township_officer)
    page = client.get(reverse("workflows:procedure_detail", args=[procedure.pk])).content.decode()
    assert "风险消除评估（按政策包逐项）" in page and "收入稳定超过监测线" in page and "退出指标评估" not in page
