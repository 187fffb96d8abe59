"""Every alert rule against its golden fixtures: exactly the expected people fire, the near misses do not,
with thresholds from the real packs (a county file overriding the province where the fixture has one)."""

from __future__ import annotations

import json

import pytest

from jingzhun.alerts.rules import (
    flatten_thresholds,
    load_rules,
    parse_figures,
    run_rules,
)
from jingzhun.alerts.services import alert_policy
from jingzhun.policy.loader import PolicyPackError

from .golden_alerts import golden_files, load

RULES = {r.code: r for r in load_rules()}


def test_every_rule_has_a_golden_fixture_and_every_fixture_a_rule():
    assert {p.stem.split("-")[0] for p in golden_files()} == set(RULES)


def _judge(case: dict, tmp_path, settings):
    if case["county_pack"]:
        (tmp_path / f"{case['county']}.toml").write_text(case["county_pack"], encoding="utf-8")
        settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    else:
        settings.JINGZHUN_POLICY_DIRS = []
    alerts, titles = alert_policy(case["county"] or case["province"], case["data_date"].year)
    return alerts, titles


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_rule_matches_its_golden_fixture(path, tmp_path, settings):
    case = load(path)
    rule = RULES[path.stem.split("-")[0]]
    assert case["kind"] == rule.kind
    assert case["expected"], f"{path.name} expects nothing to fire: a fixture must show the rule firing"
    assert case["persons"] - case["expected"], f"{path.name} has no near miss"
    alerts, _titles = _judge(case, tmp_path, settings)
    hits = run_rules(rule.kind, case["records"], flatten_thresholds(alerts, case["data_date"]), rules=[rule])
    keys = case["records"].column("person_key").to_pylist()
    got = {keys[i] for i in hits.column("record_id").to_pylist()}
    assert got == case["expected"]
    assert len(got) == hits.num_rows, "one hit per person"
    assert all(parse_figures(f) for f in hits.column("figures").to_pylist())


def test_county_pack_overrides_the_province_threshold(tmp_path, settings):
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    (tmp_path / "140826.toml").write_text('[alerts.medical]\nform = "income_share"\nshare_monitored = 0.4\n',
                                          encoding="utf-8")
    county, titles = alert_policy("140826", 2026)
    other, _ = alert_policy("140829", 2026)
    assert county["medical"]["form"] == "income_share" and county["medical"]["share_monitored"] == 0.4
    assert county["medical"]["share_others"] == 1.0  # untouched keys come from below
    assert other["medical"]["form"] == "absolute"  # another county of the province keeps the pack's form
    assert "县级政策（140826）" in titles


def test_a_pack_with_an_unknown_medical_form_is_refused(tmp_path, settings):
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    (tmp_path / "140826.toml").write_text('[alerts.medical]\nform = "ratio"\n', encoding="utf-8")
    with pytest.raises(PolicyPackError, match="alerts.medical.form"):
        alert_policy("140826", 2026)


def test_every_alert_figure_carries_its_source_and_example_flag():
    alerts, _ = alert_policy("140826", 2026)
    for name, table in alerts.items():
        if isinstance(table, dict):
            assert table.get("source") and "example" in table, name
    assert alerts["rural_income"]["source"] and "example" in alerts["rural_income"]


def test_figures_are_json_objects_with_known_keys(tmp_path, settings):
    from jingzhun.alerts.rules import FIGURE_LABELS

    for path in golden_files():
        case = load(path)
        rule = RULES[path.stem.split("-")[0]]
        alerts, _ = _judge(case, tmp_path, settings)
        hits = run_rules(rule.kind, case["records"], flatten_thresholds(alerts, case["data_date"]), rules=[rule])
        for text in hits.column("figures").to_pylist():
            assert set(json.loads(text)) <= set(FIGURE_LABELS), path.name


@pytest.mark.parametrize("stem, other_rules", [("YJ01-county", ("YJ02", "YJ03")), ("YJ02", ("YJ01",)),
                                               ("YJ03", ("YJ01",))])
def test_only_the_rules_of_the_packs_form_fire(stem, other_rules, tmp_path, settings):
    """The form is chosen per pack: the other form's rules stay silent on the same rows."""
    from .golden_alerts import GOLDEN_DIR

    case = load(GOLDEN_DIR / f"{stem}.toml")
    alerts, _ = _judge(case, tmp_path, settings)
    hits = run_rules("medical", case["records"], flatten_thresholds(alerts, case["data_date"]),
                     rules=[RULES[c] for c in other_rules])
    assert hits.num_rows == 0


def test_the_translation_catalogue_lists_every_rule_name():
    from jingzhun.alerts.strings_i18n import RULE_NAMES

    assert set(RULE_NAMES) == {r.name for r in RULES.values()}
