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


def _person(username: str, role: str, code: str):
    from jingzhun.accounts.services import user_create
    from jingzhun.orgunits.models import OrgUnit

    return user_create(username=username, password="x" * 12, role=role, org_unit=OrgUnit.objects.get(code=code),
                       check_password=False)


@pytest.mark.django_db(transaction=True)
def test_a_village_clerks_run_closes_the_fix_in_the_village_and_touches_no_other_village(registry, client):
    """Issue 13 defect 15: a village clerk confirms a fix with a run of their own village."""
    from django.urls import reverse

    from jingzhun.accounts.models import Role
    from jingzhun.checks.services import findings_compute, select_rules

    sons = list(Member.objects.filter(relation="之子").order_by("household_id"))
    a = sons[0]
    b = next(m for m in sons if m.household_id[:12] != a.household_id[:12])
    village_a, village_b = a.household_id[:12], b.household_id[:12]
    originals = {a.pk: a.id_number, b.pk: b.id_number}
    _spoil_id(a), _spoil_id(b)  # Q01 in both villages
    # Q05: another member of village A carries the ID number of a member of village B (the same person twice)
    twin_b = Member.objects.filter(household__code__startswith=village_b, relation="户主").first()
    twin_a = Member.objects.filter(household__code__startswith=village_a, relation="户主").exclude(
        household_id=a.household_id).first()
    Member.objects.filter(pk=twin_a.pk).update(id_number=twin_b.id_number)
    county_run, _ = check_run_execute(org="140826", as_of=datetime.date.today())
    q01 = {p.village: p for p in Problem.objects.filter(rule="Q01")}
    q05 = {p.village: p for p in Problem.objects.filter(rule="Q05")}
    assert set(q01) == {village_a, village_b} and set(q05) == {village_a, village_b}
    before_b = {p.pk: (p.status, p.last_run_id, p.message) for p in Problem.objects.filter(village=village_b)}

    # a village run finds exactly what the county run finds in that village (Q05 included: the county is read)
    rules = select_rules(None)
    county_findings, _s, _r = findings_compute(org="140826", as_of=datetime.date.today(), rules=rules)
    village_findings, _s, _r = findings_compute(org=village_a, as_of=datetime.date.today(), rules=rules)
    in_a = [r for r in county_findings.to_pylist() if r["org"] == village_a]
    assert village_findings.to_pylist() == in_a and in_a

    for pk, id_number in originals.items():  # both fixed in the registry
        Member.objects.filter(pk=pk).update(id_number=id_number)
    clerk = _person("clerk_a", Role.VILLAGE_CLERK, village_a)
    client.force_login(clerk)
    listed = client.get(reverse("checks:run_list")).content.decode()
    assert "立即核查" in listed and "核查范围" in listed
    response = client.post(reverse("checks:run_start"))
    run = CheckRun.objects.get(triggered_by=clerk)
    assert response.status_code == 302 and run.org == village_a and run.status == CheckRun.Status.DONE
    q01[village_a].refresh_from_db()
    assert q01[village_a].status == Problem.Status.FIXED and run.closed == 1
    q05[village_a].refresh_from_db()  # the duplicate with village B still holds: still open, seen by this run
    assert q05[village_a].status == Problem.Status.OPEN and q05[village_a].last_run_id == run.pk
    # village B: its Q01 was fixed in the registry too, but only a run over B (or the county) may close it
    after_b = {p.pk: (p.status, p.last_run_id, p.message) for p in Problem.objects.filter(village=village_b)}
    assert after_b == before_b and q01[village_b].pk in after_b
    assert set(ProblemCount.objects.filter(run=run).values_list("village", flat=True)) == {village_a}
    assert not Problem.objects.filter(first_run=run).exclude(village=village_a).exists()

    # the township officer's run covers the township: B's fix is confirmed when B lies in it
    officer = _person("officer_b", Role.TOWNSHIP_OFFICER, village_b[:9])
    client.force_login(officer)
    client.post(reverse("checks:run_start"))
    township_run = CheckRun.objects.get(triggered_by=officer)
    assert township_run.org == village_b[:9] and township_run.status == CheckRun.Status.DONE
    q01[village_b].refresh_from_db()
    assert q01[village_b].status == Problem.Status.FIXED
    assert not Problem.objects.filter(last_run=township_run).exclude(village__startswith=village_b[:9]).exists()
