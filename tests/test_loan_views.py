"""小额信贷 pages: the household page's section, entry with the schedule, repayment, settlement, the list."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Loan

from .test_loan_services import make_loan

pytestmark = pytest.mark.django_db
D = datetime.date


def _entry(world, **overrides) -> dict:
    return {"borrower": world.home.members.get(relation="户主").pk, "bank": "绛县农商银行", "contract_no": "WEB-1",
            "amount": "30000", "term_months": "36", "annual_rate": "4.35", "subsidy_percent": "100", "purpose": "养羊",
            "disbursed_on": "2025-04-01", "schedule": "equal_principal", "period_months": "12", "installments": "",
            **overrides}


def test_household_page_shows_loans_balance_next_due_and_the_overdue_flag(world, client):
    loan = make_loan(world)  # first installment fell due 2026-01-10, long before today: overdue
    make_loan(world, contract_no="JX2025-002", amount=Decimal("5000"), disbursed_on=D(2025, 12, 1), term_months=12,
              schedule="bullet")
    client.force_login(world.village_clerk)
    page = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
    assert 'id="loans"' in page and f'id="loan-{loan.pk}"' in page
    assert "35000.00" in page  # balance of both loans
    assert 'id="loans-overdue"' in page and "2026-01-10 10000.00" in page  # the next due and what is owed
    assert reverse("assistance:loan_new", kwargs={"code": world.home.code}) in page


def test_cadre_and_work_team_read_the_section_without_entry_buttons(world, client):
    make_loan(world)
    for user in (world.cadre, world.work_team):
        client.force_login(user)
        page = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
        assert 'id="loans"' in page and "JX2025-001" in page
        assert reverse("assistance:loan_new", kwargs={"code": world.home.code}) not in page
        detail = client.get(reverse("assistance:loan_detail", kwargs={"loan_id": Loan.objects.get().pk}))
        assert detail.status_code == 200 and "登记还款</button>" not in detail.content.decode()


def test_household_without_loans_says_so(world, client):
    client.force_login(world.village_clerk)
    page = client.get(reverse("registry:household_detail", kwargs={"code": world.home.code})).content.decode()
    assert "暂无小额信贷" in page


def test_clerk_enters_a_loan_with_a_yearly_schedule(world, client):
    client.force_login(world.village_clerk)
    response = client.post(reverse("assistance:loan_new", kwargs={"code": world.home.code}), _entry(world))
    loan = Loan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assistance:loan_detail",
                                                                           kwargs={"loan_id": loan.pk})
    assert list(loan.installments.values_list("due_on", flat=True)) == [D(2026, 4, 1), D(2027, 4, 1), D(2028, 4, 1)]
    page = client.get(response["Location"]).content.decode()
    assert "2027-04-01" in page and "登记还款" in page and 'id="settle"' in page


def test_clerk_enters_the_contracts_own_schedule(world, client):
    client.force_login(world.village_clerk)
    client.post(reverse("assistance:loan_new", kwargs={"code": world.home.code}), _entry(
        world, schedule="given", term_months="12", installments="2025-10-01 10000 120\n2026-04-01，20000，60"))
    assert list(Loan.objects.get().installments.values_list("due_on", "principal", "interest")) == [
        (D(2025, 10, 1), Decimal("10000.00"), Decimal("120.00")), (D(2026, 4, 1), Decimal("20000.00"), Decimal("60.00"))]


def test_bad_entry_is_shown_on_the_form_and_writes_nothing(world, client):
    client.force_login(world.village_clerk)
    url = reverse("assistance:loan_new", kwargs={"code": world.home.code})
    response = client.post(url, _entry(world, schedule="given", installments="明年 10000"))
    assert response.status_code == 400 and "第 1 行应为" in response.content.decode()
    response = client.post(url, _entry(world, schedule="given", term_months="12", installments="2026-04-01 100 0"))
    assert response.status_code == 400 and "与贷款金额" in response.content.decode()
    response = client.post(url, _entry(world, term_months="18"))
    assert response.status_code == 400 and "整数倍" in response.content.decode()
    assert not Loan.objects.exists()


def test_readers_are_refused_and_other_villages_are_not_found(world, client):
    url = reverse("assistance:loan_new", kwargs={"code": world.home.code})
    client.force_login(world.cadre)
    assert client.get(url).status_code == 403
    assert client.post(url, _entry(world)).status_code == 403
    client.force_login(world.village_clerk)
    assert client.get(reverse("assistance:loan_new", kwargs={"code": world.neighbour.code})).status_code == 404
    other = make_loan(world, by=world.county_admin, household=world.neighbour)
    assert client.get(reverse("assistance:loan_detail", kwargs={"loan_id": other.pk})).status_code == 404
    assert Loan.objects.count() == 1


def test_repayment_and_settlement_from_the_loan_page(world, client):
    loan = make_loan(world)
    first = loan.installments.order_by("due_on").first()
    client.force_login(world.village_clerk)
    pay = reverse("assistance:installment_pay", kwargs={"loan_id": loan.pk, "installment_id": first.pk})
    assert client.get(pay).status_code == 405
    response = client.post(pay, {"paid_on": "2026-01-12", "amount": "10000"}, follow=True)
    assert "已登记还款" in response.content.decode()
    loan.refresh_from_db()
    assert loan.balance == Decimal("20000.00") and loan.status == "normal"
    response = client.post(pay, {"paid_on": "2026-01-12", "amount": "1"}, follow=True)
    assert "这一期已还清" in response.content.decode()
    client.post(reverse("assistance:loan_settle", kwargs={"loan_id": loan.pk}), {"settled_on": "2026-02-01"})
    loan.refresh_from_db()
    assert loan.status == "settled" and loan.balance == 0
    page = client.get(reverse("assistance:loan_detail", kwargs={"loan_id": loan.pk})).content.decode()
    assert "结清：2026-02-01" in page and 'id="settle"' not in page


def test_edit_page_changes_the_bank(world, client):
    loan = make_loan(world)
    client.force_login(world.village_clerk)
    url = reverse("assistance:loan_edit", kwargs={"loan_id": loan.pk})
    assert client.get(url).status_code == 200
    data = _entry(world, bank="中国农业银行", contract_no=loan.contract_no, amount="30000", disbursed_on="2025-01-10",
                  schedule="", purpose="养牛")
    assert client.post(url, data).status_code == 302
    loan.refresh_from_db()
    assert loan.bank == "中国农业银行" and loan.installments.count() == 3


def test_list_filters_by_status_bank_and_year_and_exports_with_an_audit_row(world, client):
    make_loan(world)  # 2025, overdue today
    make_loan(world, contract_no="B", bank="中国邮政储蓄银行", disbursed_on=D(2024, 6, 1), by=world.county_admin,
              household=world.neighbour)
    client.force_login(world.county_admin)
    url = reverse("assistance:loan_list")
    page = client.get(url).content.decode()
    assert "JX2025-001" in page and ">B<" in page
    assert ">B<" not in client.get(url, {"year": "2025"}).content.decode()
    assert "JX2025-001" not in client.get(url, {"bank": "邮政"}).content.decode()
    assert "JX2025-001" not in client.get(url, {"status": "normal"}).content.decode()
    by_village = client.get(url, {"unit": world.neighbour.village_id}).content.decode()
    assert ">B<" in by_village and "JX2025-001" not in by_village
    assert "区划代码应为" in client.get(url, {"unit": "14x"}).content.decode()
    response = client.get(url, {"format": "xlsx", "year": "2024"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                             else response.content))
    values = [row for row in book.active.iter_rows(values_only=True)]
    assert len(values) >= 2 and any("中国邮政储蓄银行" in row for row in values)
    assert not any("JX2025-001" in row for row in values)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="loans").exists()


def test_village_clerk_lists_only_the_village(world, client):
    make_loan(world)
    make_loan(world, contract_no="B", by=world.county_admin, household=world.neighbour)
    client.force_login(world.village_clerk)
    page = client.get(reverse("assistance:loan_list")).content.decode()
    assert "JX2025-001" in page and world.neighbour.code not in page


def test_menu_offers_the_loan_list(world, client):
    client.force_login(world.cadre)
    page = client.get(reverse("desk:todo")).content.decode()
    assert reverse("assistance:loan_list") in page
