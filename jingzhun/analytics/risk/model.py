"""The risk model: gradient-boosted trees (LightGBM) over the features, its metrics, reasons and artifact.

LightGBM rather than scikit-learn's HistGradientBoosting: its `predict(X, pred_contrib=True)` gives each
feature's contribution to each household's score (TreeSHAP, exact for trees) without a separate explainer
package, and it trains a province's households in minutes on two threads. It takes missing values (no
history a year back ⇒ no income change) as missing, not as zero.

The artifact of an org is two files under a directory (the CLI uses $JINGZHUN_HOME/risk): `<org>.lgb`, the
booster as LightGBM's text format, and `<org>.json`, the training metadata (when, on what data, seed,
metrics, the features in order). Nothing is pickled.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .features import FEATURE_NAMES, FEATURES, MASKED_WORDS

#: the model's settings; fixed so that a seed reproduces the model bit for bit
PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 100,
    "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "deterministic": True, "force_row_wise": True, "verbosity": -1,
}
ROUNDS = 200
#: the share of households at the top of the ranking whose precision is reported
TOP_SHARE = 0.05


def _lightgbm():
    # OpenMP threads that spin while waiting made two-thread training 7× slower than one thread on a
    # busy two-core machine (26.8 s against 3.8 s, load average 9); waiting passively, two threads took
    # 2.5 s. libgomp reads this once, when LightGBM loads it; a value set by the operator wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import lightgbm
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ImportError("风险排序需要 LightGBM：pip install 'lightgbm>=4.7,<5'") from exc
    return lightgbm


def feature_matrix(features: pa.Table) -> np.ndarray:
    """The features as a float matrix in `FEATURE_NAMES` order (NULL → NaN, LightGBM's missing)."""
    columns = [features.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False) for name in FEATURE_NAMES]
    return np.column_stack(columns) if columns else np.empty((features.num_rows, 0))


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the Mann–Whitney U of the positives' scores over the negatives' (SciPy),
    ties counted half."""
    from scipy.stats import mannwhitneyu

    positives, negatives = scores[labels == 1], scores[labels == 0]
    if not len(positives) or not len(negatives):
        return math.nan
    return float(mannwhitneyu(positives, negatives, alternative="two-sided").statistic
                 / (len(positives) * len(negatives)))


def precision_at(labels: np.ndarray, scores: np.ndarray, share: float = TOP_SHARE) -> float:
    """The share of positives among the top `share` of households by score (ties broken by position)."""
    k = max(1, round(len(scores) * share))
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean())


def income_rule_scores(features: pa.Table) -> np.ndarray:
    """The baseline: the income rule alone — the lower the per-capita income, the higher on the list
    (a household with no income figure goes last)."""
    income = features.column("per_capita_income").cast(pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isnan(income), -np.inf, -income)


@dataclass
class RiskModel:
    """A trained booster and its metadata."""

    booster: object
    metadata: dict = field(default_factory=dict)

    def predict(self, features: pa.Table) -> np.ndarray:
        return self.booster.predict(feature_matrix(features), num_threads=self.metadata.get("threads", 0))

    def contributions(self, features: pa.Table) -> np.ndarray:
        """Each feature's contribution (log-odds) to each household's score; the last column is the bias."""
        return self.booster.predict(feature_matrix(features), pred_contrib=True,
                                    num_threads=self.metadata.get("threads", 0))


def split_by_village(features: pa.Table, *, seed: int, held_out: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Masks (train, test) that keep each village whole on one side (a village's disaster or its clerk's
    way of recording must not be learnt from its own neighbours)."""
    villages, index = np.unique(features.column("village_id").to_numpy(zero_copy_only=False), return_inverse=True)
    rng = np.random.default_rng(seed)
    test_village = rng.random(len(villages)) < held_out
    test = test_village[index]
    return ~test, test


def train(features: pa.Table, labels: np.ndarray, *, seed: int, threads: int = 2,
          held_out: float = 0.2, metadata: dict | None = None) -> RiskModel:
    """Train on `features` (one row per household) and `labels` (0/1, same order), holding out a fifth of
    the villages for the metrics; the model kept is then refitted on every household.

    The metadata records the metrics on the held-out villages, for the model and for the income rule.
    """
    lgb = _lightgbm()
    labels = np.asarray(labels, dtype=np.int8)
    if features.num_rows != len(labels):
        raise ValueError("特征与标签的户数不一致")
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise ValueError("训练数据中没有返贫户（或全部返贫），无法训练风险模型")
    params = dict(PARAMS, seed=seed, num_threads=threads)
    X = feature_matrix(features)
    started = datetime.datetime.now(datetime.UTC)
    fit, test = split_by_village(features, seed=seed, held_out=held_out)
    metrics = {}
    if labels[test].sum() and labels[fit].sum() and (1 - labels[test]).sum():
        held = lgb.train(params, lgb.Dataset(X[fit], labels[fit], feature_name=list(FEATURE_NAMES)),
                         num_boost_round=ROUNDS)
        scores = held.predict(X[test], num_threads=threads)
        baseline = income_rule_scores(features.filter(pa.array(test)))
        metrics = {
            "held_out_households": int(test.sum()), "held_out_positives": int(labels[test].sum()),
            "auc": auc(labels[test], scores), f"precision_top_{int(TOP_SHARE * 100)}pct": precision_at(labels[test], scores),
            "baseline_auc": auc(labels[test], baseline),
            f"baseline_precision_top_{int(TOP_SHARE * 100)}pct": precision_at(labels[test], baseline),
            "base_rate": float(labels[test].mean()),
        }
    booster = lgb.train(params, lgb.Dataset(X, labels, feature_name=list(FEATURE_NAMES)), num_boost_round=ROUNDS)
    meta = {
        "trained_at": started.isoformat(timespec="seconds"), "seed": seed, "threads": threads,
        "households": int(features.num_rows), "positives": int(labels.sum()), "rounds": ROUNDS,
        "params": PARAMS, "features": list(FEATURE_NAMES), "metrics": metrics,
        "lightgbm": lgb.__version__,
    }
    meta.update(metadata or {})
    return RiskModel(booster=booster, metadata=meta)


def _write_value(feature, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "不详"
    if feature.unit == "yuan":
        return f"{value:,.0f} 元"
    if feature.unit == "share":
        return f"{value * 100:+.0f}%" if feature.name.endswith("_change") else f"{value * 100:.0f}%"
    if feature.unit == "count":
        return f"{value:.0f} 人"
    if feature.unit == "age":
        return f"{value:.0f} 岁"
    if feature.unit == "years":
        return f"{value:.0f} 年"
    if feature.unit == "times":
        return f"{value:.0f} 次"
    if feature.unit == "months":
        return f"{value:.1f} 个月"
    return "是" if value else "否"


def reasons(features: pa.Table, contributions: np.ndarray, *, count: int = 3,
            mask_personal: bool = False) -> list[list[str]]:
    """For each household, the `count` features that raised its score the most, each with the household's
    own value ("大病患者：1 人", "人均纯收入：1,306 元"); only features that raised it are named.

    With `mask_personal`, a health, disability or assistance feature is written as MASKED_WORDS alone
    (for viewers who may not see health status); the order stays the model's.
    """
    values = feature_matrix(features)
    by_feature = contributions[:, :len(FEATURES)]
    order = np.argsort(-by_feature, axis=1, kind="stable")[:, :count]
    result = []
    for row, picks in enumerate(order):
        words = []
        for j in picks:
            if by_feature[row, j] <= 0:
                break
            if mask_personal and FEATURES[j].personal:
                if MASKED_WORDS not in words:
                    words.append(MASKED_WORDS)
                continue
            words.append(f"{FEATURES[j].words}：{_write_value(FEATURES[j], values[row, j])}")
        result.append(words)
    return result


def score(model: RiskModel, features: pa.Table, *, top: int | None = None,
          mask_personal: bool = False) -> pa.Table:
    """The households of `features` ranked by the model: code, village_id, score (the predicted chance of
    returning to poverty next year), rank, reasons (the three main ones, in Chinese; health, disability
    and assistance masked with `mask_personal`)."""
    scores = model.predict(features)
    order = np.argsort(-scores, kind="stable")
    if top is not None:
        order = order[:top]
    picked = features.take(pa.array(order, pa.int64()))
    contributions = model.contributions(picked)
    return pa.table({
        "code": picked.column("code"), "village_id": picked.column("village_id"),
        "score": pa.array(scores[order], pa.float64()),
        "rank": pa.array(np.arange(1, len(order) + 1), pa.int64()),
        "reasons": pa.array(reasons(picked, contributions, mask_personal=mask_personal), pa.list_(pa.string())),
    })


def save(model: RiskModel, directory: Path, org: str) -> tuple[Path, Path]:
    """Write `<org>.lgb` and `<org>.json` under `directory` (each written whole, then moved into place)."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path, meta_path = directory / f"{org}.lgb", directory / f"{org}.json"
    for path, text in ((model_path, model.booster.model_to_string()),
                       (meta_path, json.dumps(model.metadata, ensure_ascii=False, indent=2))):
        partial = path.with_suffix(path.suffix + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return model_path, meta_path


def load(directory: Path, org: str) -> RiskModel | None:
    """The model stored for the nearest org unit at or above `org` (village → … → province), or None."""
    lgb = _lightgbm()
    for length in (len(org), 9, 6, 4, 2):
        if length > len(org):
            continue
        code = org[:length]
        model_path, meta_path = directory / f"{code}.lgb", directory / f"{code}.json"
        if model_path.exists() and meta_path.exists():
            return RiskModel(booster=lgb.Booster(model_str=model_path.read_text(encoding="utf-8")),
                             metadata=json.loads(meta_path.read_text(encoding="utf-8")))
    return None


def village_order(ranking: pa.Table, village_id: str) -> pa.Table:
    """One village's rows of a ranking, in the ranking's order, re-ranked from 1 (the 排查 list)."""
    rows = ranking.filter(pc.equal(ranking.column("village_id"), village_id))
    return rows.set_column(rows.schema.get_field_index("rank"), "rank",
                           pa.array(np.arange(1, rows.num_rows + 1), pa.int64()))
