"""小额信贷 rules Q39–Q43: their golden fixtures, the policy pack's limits as their thresholds, and a check run
over loans entered through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.analytics import get_engine
from jingzhun.checks.catalog import load_catalog
from jingzhun.checks.models import Problem
from jingzhun.checks.runner import run_rules
from jingzhun.checks.services import check_run_execute
from jingzhun.policy import PolicyPackError, policy_pack_for

from .golden_checks import GOLDEN_DIR, load
from .test_loan_services import make_loan

CATALOG = load_catalog()
LOAN_RULES = ("Q39", "Q40", "Q41", "Q42", "Q43")
D = datetime.date


def _found(code: str) -> set[tuple[str, str | None]]:
    snapshot, as_of, _expected = load(GOLDEN_DIR / f"{code}.toml")
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        found = run_rules(engine, [CATALOG[code]])
    return set(zip(found.column("household").to_pylist(), found.column("person").to_pylist()))


@pytest.mark.parametrize("code", LOAN_RULES)
def test_loan_rule_reports_exactly_its_golden_fixtures_expected_rows(code):
    _snapshot, _as_of, expected = load(GOLDEN_DIR / f"{code}.toml")
    assert expected and _found(code) == expected


def test_the_national_pack_states_the_loan_limits():
    rules = policy_pack_for("140826", 2025).loans
    assert (rules.max_amount, rules.max_term_months, rules.min_age, rules.max_age, rules.overdue_grace_days,
            rules.npl_days) == (Decimal("50000"), 36, 18, 65, 0, 90)
    assert rules.source and rules.example


def test_a_countys_own_limits_move_the_rules(settings, tmp_path):
    """The thresholds are the pack's: a county allowing 60,000 yuan, 60 months and 15 grace days."""
    (tmp_path / "140826.toml").write_text('[loans]\nmax_amount = 60000\nmax_term_months = 60\n'
                                          'overdue_grace_days = 15\n', encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    q39 = {household for household, _ in _found("Q39")}
    assert q39 == {"1408261002330002"}  # only the 80,000 loan is above 60,000
    assert _found("Q40") == set()
    # 15 grace days: the loans 1 and 10 days late are no longer overdue; 90, 29 (partly paid) and 29 (paid late) are
    assert {household for household, _ in _found("Q42")} == {"1408261002330002", "1408261002330003",
                                                              "1408261002330004"}


@pytest.mark.parametrize("text,words", [
    ("[loans]\nmin_age = 70\n", "min_age"),
    ("[loans]\noverdue_grace_days = 90\n", "overdue_grace_days"),
    ("[loans]\nmax_amount = \"五万\"\n", "loans.max_amount"),
    ("[loans]\nmax_rate = 4\n", "不认识的设置项"),
])
def test_a_bad_loans_table_is_refused_with_a_chinese_message(settings, tmp_path, text, words):
    (tmp_path / "140826.toml").write_text(text, encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    with pytest.raises(PolicyPackError, match=words):
        policy_pack_for("140826", 2025)


@pytest.fixture
def committed_world(transactional_db):
    """The world committed: a check run reads the registry through its own connection."""
    from .people import World

    return World()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_check_run_over_the_registry_flags_overdue_and_non_performing_households(committed_world):
    world = committed_world
    make_loan(world)  # first installment due 2026-01-10
    make_loan(world, contract_no="N", by=world.county_admin, household=world.neighbour, amount=Decimal("60000"))
    run, findings = check_run_execute(org="140826", as_of=D(2026, 2, 1), rule_codes=list(LOAN_RULES))
    got = {(r["rule"], r["household"]) for r in findings.to_pylist()}
    assert got == {("Q42", world.home.code), ("Q42", world.neighbour.code), ("Q39", world.neighbour.code)}
    check_run_execute(org="140826", as_of=D(2026, 5, 1), rule_codes=list(LOAN_RULES))
    open_now = set(Problem.objects.filter(status=Problem.Status.OPEN).values_list("rule", "household"))
    assert open_now == {("Q43", world.home.code), ("Q43", world.neighbour.code), ("Q39", world.neighbour.code)}
