"""The risk model (jingzhun/analytics/risk/model.py) on the synthetic panel: better than the income rule,
reproducible, with reasons in Chinese, stored per org."""

from __future__ import annotations

import re

import numpy as np
import pytest

from jingzhun.analytics.risk import (
    FEATURES,
    auc,
    income_rule_scores,
    load,
    precision_at,
    reasons,
    save,
    score,
    train,
)
from jingzhun.analytics.risk.features import MASKED_WORDS
from jingzhun.analytics.risk.model import split_by_village

from .risk_data import panel_set

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained():
    _panel, features, labels = panel_set()
    return features, labels.column("label").to_numpy(), train(features, labels.column("label").to_numpy(), seed=3)


def test_auc_and_precision_at_the_top_are_the_usual_figures():
    labels = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    assert auc(labels, np.arange(10, 0, -1.0)) == pytest.approx(1 - 1 / 16)  # one of 16 pairs in the wrong order
    assert auc(labels, np.ones(10)) == 0.5
    assert precision_at(labels, np.arange(10, 0, -1.0), share=0.2) == 0.5
    assert np.isnan(auc(np.zeros(4, int), np.arange(4.0)))


def test_model_ranks_held_out_villages_better_than_the_income_rule(trained):
    """On 20,000 synthetic households the model's AUC on held-out villages was 0.020–0.060 above the income
    rule's over five panel seeds, and 0.020 on this fixture's panel; the assertion keeps half of the
    smallest as the margin."""
    _features, _labels, model = trained
    metrics = model.metadata["metrics"]
    assert metrics["held_out_positives"] > 100
    assert metrics["auc"] > metrics["baseline_auc"] + 0.01
    assert metrics["auc"] > 0.8 and metrics["precision_top_5pct"] > 3 * metrics["base_rate"]


def test_held_out_villages_are_whole_and_not_trained_on(trained):
    features, _labels, _model = trained
    fit, test = split_by_village(features, seed=3)
    villages = np.array(features.column("village_id").to_pylist())
    assert test.any() and fit.any() and not set(villages[fit]) & set(villages[test])


def test_the_same_seed_gives_the_same_model(trained):
    features, labels, model = trained
    again = train(features, labels, seed=3)
    assert np.array_equal(again.predict(features), model.predict(features))
    assert again.metadata["metrics"] == model.metadata["metrics"]


def test_reasons_are_chinese_words_of_features_that_raised_the_score(trained):
    features, _labels, model = trained
    ranking = score(model, features, top=50)
    assert ranking.num_rows == 50 and ranking.column("rank").to_pylist() == list(range(1, 51))
    scores = ranking.column("score").to_pylist()
    assert scores == sorted(scores, reverse=True)
    words = {f.words for f in FEATURES}
    for row in ranking.column("reasons").to_pylist():
        assert 1 <= len(row) <= 3
        for reason in row:
            name, _value = reason.split("：")
            assert name in words and re.search(r"[\u4e00-\u9fff]", reason)
    picked = features.slice(0, 200)
    contributions = model.contributions(picked)
    for row, named in zip(contributions, reasons(picked, contributions)):
        raised = sorted(np.flatnonzero(row[:-1] > 0), key=lambda j: -row[j])[:3]
        assert [r.split("：")[0] for r in named] == [FEATURES[j].words for j in raised]


def test_masked_reasons_say_no_health_disability_or_assistance(trained):
    features, _labels, model = trained
    plain = score(model, features, top=300).column("reasons").to_pylist()
    masked = score(model, features, top=300, mask_personal=True).column("reasons").to_pylist()
    personal = {f.words for f in FEATURES if f.personal}
    assert any(r.split("：")[0] in personal for row in plain for r in row)
    assert not any(r.split("：")[0] in personal for row in masked for r in row)
    assert any(MASKED_WORDS in row for row in masked)
    for shown, hidden in zip(plain, masked):  # the same reasons otherwise, in the model's order
        kept = [r for r in shown if r.split("：")[0] not in personal]
        assert [r for r in hidden if r != MASKED_WORDS] == kept


def test_the_income_rule_puts_the_poorest_first_and_unknown_incomes_last():
    import pyarrow as pa

    table = pa.table({"per_capita_income": pa.array([5000.0, None, 1200.0])})
    assert list(np.argsort(-income_rule_scores(table))) == [2, 0, 1]


def test_artifact_is_stored_per_org_and_found_from_a_village(tmp_path, trained):
    features, _labels, model = trained
    model_path, meta_path = save(model, tmp_path, "140826")
    assert model_path.exists() and meta_path.exists()
    loaded = load(tmp_path, "140826100233")
    assert np.allclose(loaded.predict(features.slice(0, 100)), model.predict(features.slice(0, 100)))
    assert {"trained_at", "seed", "metrics", "features", "households"} <= set(loaded.metadata)
    assert load(tmp_path, "140829102210") is None


def test_training_refuses_data_without_a_single_return():
    _panel, features, _labels = panel_set()
    with pytest.raises(ValueError, match="没有返贫户"):
        train(features, np.zeros(features.num_rows, int), seed=1)
