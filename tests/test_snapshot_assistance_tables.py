"""The assistance tables in the registry snapshot: typed alike on SQLite and PostgreSQL, limited to the
org code asked for (run with JINGZHUN_DATABASE_URL=postgres://… for the second)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from jingzhun.analytics import registry_snapshot
from jingzhun.assistance.models import (Loan, LoanInstallment, Measure, Project, ProjectFund, ProjectSpending,
                                        Visit)

from .people import CHENGNEI, XIAGAOCHI, World

TABLES = ("measures", "loans", "loan_installments", "visits", "projects", "project_villages",
          "project_beneficiaries", "project_funds", "project_spending")


@pytest.mark.django_db(transaction=True)
def test_assistance_tables_read_typed_and_scoped():
    world = World()
    home, neighbour = world.home, world.neighbour
    head = home.members.get(relation="户主")
    Measure.objects.create(household=home, member=head, year=2025, type="employment", name="护工培训",
                           amount=Decimal("1200.50"), start=datetime.date(2025, 3, 1),
                           details={"training": "护工", "months": 6})
    Measure.objects.create(household=neighbour, year=2025, type="industry", name="养牛", start=datetime.date(2025, 1, 1))
    loan = Loan.objects.create(household=home, borrower=head, bank="绛县农商银行", contract_no="XD-1",
                               amount=Decimal("50000"), term_months=36, annual_rate=Decimal("4.35"),
                               disbursed_on=datetime.date(2024, 5, 1), due_on=datetime.date(2027, 5, 1),
                               balance=Decimal("30000"))
    LoanInstallment.objects.create(loan=loan, due_on=datetime.date(2025, 5, 1), principal=Decimal("20000"),
                                   paid_on=datetime.date(2025, 4, 30), paid_amount=Decimal("20000"))
    Visit.objects.create(household=home, visitor=world.cadre, visited_on=datetime.date(2025, 6, 2),
                         recorded_at=datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.timezone.utc))
    project = Project.objects.create(county_id="140826", code="2025-001", name="光伏电站", category="industry",
                                     year=2025, responsible_unit="绛县乡村振兴局", state="underway",
                                     percent_complete=40)
    project.villages.set([XIAGAOCHI, CHENGNEI])
    project.beneficiaries.set([home, neighbour])
    ProjectFund.objects.create(project=project, source="central", amount=Decimal("1000000"))
    ProjectSpending.objects.create(project=project, source="central", paid_on=datetime.date(2025, 7, 1),
                                   amount=Decimal("400000.25"), recorded_by=world.county_admin)

    whole = registry_snapshot("140826").tables
    assert {name: whole[name].num_rows for name in TABLES} == {
        "measures": 2, "loans": 1, "loan_installments": 1, "visits": 1, "projects": 1, "project_villages": 2,
        "project_beneficiaries": 2, "project_funds": 1, "project_spending": 1}
    measure = [row for row in whole["measures"].to_pylist() if row["type"] == "employment"][0]
    assert measure["amount"] == Decimal("1200.50") and measure["start"] == datetime.date(2025, 3, 1)
    assert measure["end"] is None and measure["continues_after_exit"] is True
    assert json.loads(measure["details"]) == {"training": "护工", "months": 6}
    row = whole["loans"].to_pylist()[0]
    assert (row["borrower_id_number"], row["amount"], row["status"]) == (head.id_number, Decimal("50000.00"), "normal")
    assert whole["loan_installments"].to_pylist()[0]["household_id"] == home.code
    assert whole["project_spending"].to_pylist()[0]["amount"] == Decimal("400000.25")
    assert whole["visits"].to_pylist()[0]["visited_on"] == datetime.date(2025, 6, 2)

    village = registry_snapshot(XIAGAOCHI).tables
    assert (village["measures"].num_rows, village["loans"].num_rows, village["visits"].num_rows) == (1, 1, 1)
    other = registry_snapshot("140829").tables
    assert all(other[name].num_rows == 0 for name in TABLES)
