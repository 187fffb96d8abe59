"""Every rule against its golden fixture: exactly the expected rows fire, the near misses do not."""

from __future__ import annotations

import pytest

from jingzhun.analytics import get_engine
from jingzhun.checks.catalog import load_catalog
from jingzhun.checks.runner import run_rules

from .golden_checks import golden_files, load

CATALOG = load_catalog()


def test_every_rule_has_a_golden_fixture_and_every_fixture_a_rule():
    assert {p.stem for p in golden_files()} == set(CATALOG)


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_rule_matches_its_golden_fixture(path):
    snapshot, as_of, expected = load(path)
    assert expected, f"{path.name} expects nothing to fire: a fixture must show the rule firing"
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        found = run_rules(engine, [CATALOG[path.stem]])
    got = set(zip(found.column("household").to_pylist(), found.column("person").to_pylist()))
    assert got == expected
    assert all(found.column("message").to_pylist())


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_messages_name_numbers_only_through_their_detail(path):
    """A message never carries an ID or phone number itself; each placeholder has its detail (issue 12 item 2)."""
    import json
    import re

    from jingzhun.checks.messages import PLACEHOLDER

    snapshot, as_of, _expected = load(path)
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        found = run_rules(engine, [CATALOG[path.stem]])
    for message, detail in zip(found.column("message").to_pylist(), found.column("detail").to_pylist()):
        detail = json.loads(detail) if detail else {}
        for _kind, key in PLACEHOLDER.findall(message):
            assert key in detail, (message, detail)
        if detail or path.stem in ("Q01", "Q02", "Q03", "Q04", "Q05", "Q21", "Q35"):
            assert detail and not re.search(r"[0-9]{6}", PLACEHOLDER.sub("", message)), message
