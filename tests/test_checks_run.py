"""Check runs over the real database: snapshot through ADBC, rules on DuckDB, the ledger kept."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.checks.models import CheckRun, Problem, ProblemCount
from jingzhun.checks.services import check_run_execute, problem_claim_exception, problem_review_exception
from jingzhun.exchange.importer import registry_import
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry.models import Member

from .exchange_files import synth_folder

AS_OF = datetime.date(2020, 12, 31)


@pytest.fixture
def registry(transactional_db, tmp_path):
    divisions_load(prefix="1408")
    assert registry_import(paths=[synth_folder(tmp_path / "in", households=60, seed=21)]).ok


def _spoil_id(member: Member) -> str:
    spoiled = member.id_number[:17] + ("x" if member.id_number[17] != "x" else "y")
    Member.objects.filter(pk=member.pk).update(id_number=spoiled)
    return spoiled


@pytest.mark.django_db(transaction=True)
def test_clean_registry_yields_no_problem(registry):
    run, findings = check_run_execute(org="140826", as_of=AS_OF)
    assert findings.num_rows == 0, findings.slice(0, 5).to_pylist()
    assert run.status == CheckRun.Status.DONE and run.found == 0 and run.snapshot_seconds is not None


@pytest.mark.django_db(transaction=True)
def test_problems_open_close_reopen_and_exceptions_stay(registry):
    member = Member.objects.filter(relation="之子").first()
    original = member.id_number
    spoiled = _spoil_id(member)
    run, _ = check_run_execute(org="140826", as_of=AS_OF, rule_codes=["Q01"])
    problem = Problem.objects.get(rule="Q01")
    assert (problem.household, problem.person, problem.status) == (member.household_id, spoiled, "open")
    assert problem.village == member.household_id[:12] and run.opened == 1
    assert ProblemCount.objects.get(run=run, rule="Q01").count == 1

    Member.objects.filter(pk=member.pk).update(id_number=original)  # fixed in the registry
    run, _ = check_run_execute(org="140826", as_of=AS_OF, rule_codes=["Q01"])
    problem.refresh_from_db()
    assert problem.status == "fixed" and problem.closed_at is not None and run.closed == 1

    Member.objects.filter(pk=member.pk).update(id_number=spoiled)  # broken again: reopened
    check_run_execute(org="140826", as_of=AS_OF, rule_codes=["Q01"])
    problem.refresh_from_db()
    assert problem.status == "open" and problem.closed_at is None


@pytest.mark.django_db(transaction=True)
def test_approved_exception_is_not_reopened(registry, django_user_model):
    from jingzhun.accounts.models import Role
    from jingzhun.accounts.services import user_create
    from jingzhun.orgunits.models import OrgUnit

    member = Member.objects.filter(relation="之子").first()
    _spoil_id(member)
    check_run_execute(org="140826", as_of=AS_OF, rule_codes=["Q01"])
    problem = Problem.objects.get(rule="Q01")
    clerk = user_create(username="clerk", password="x" * 12, role=Role.VILLAGE_CLERK, check_password=False,
                        org_unit=OrgUnit.objects.get(code=problem.village))
    officer = user_create(username="officer", password="x" * 12, role=Role.TOWNSHIP_OFFICER, check_password=False,
                          org_unit=OrgUnit.objects.get(code=problem.village[:9]))
    problem_claim_exception(problem_id=problem.pk, acting_user=clerk, reason="户口簿即如此，公安已出具证明")
    problem_review_exception(problem_id=problem.pk, acting_user=officer, approve=True)
    check_run_execute(org="140826", as_of=AS_OF, rule_codes=["Q01"])
    problem.refresh_from_db()
    assert problem.status == "exception"
    assert [h.history_user for h in problem.history.order_by("history_id")][-2:] == [clerk, officer]
