"""Benchmark and report: the risk ranking (issue 14, "Risk ranking") on the synthetic panel.

Reproduces the figures of docs/risk-model.md with one command:

    python bench/risk.py                       # 1M members (≈ 316,000 households), seed 2024
    python bench/risk.py --members 200000 --seed 7

Steps, each timed: generate the panel (jingzhun/synth/risk_panel.py: year t registry, t−1 incomes, t+1
outcome); compute the features in DuckDB (analytics.risk.compute_features, the path the CLI takes);
train (analytics.risk.train: one fit on four fifths of the villages, scored on the held-out fifth, then the
kept fit on all); then score a second, independent panel (next seed, same size) with the kept model.
**Baseline** in the same run: ordering by the income rule alone (lowest per-capita income first), scored
on the same held-out households. **Target** (issue 14): training for a province (10M members) within
minutes on 2 cores; this script measures the size asked for and says that 10M was not measured unless
it was asked for.

The machine is shared: the load average before and after the run is printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-risk-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from jingzhun.analytics import Snapshot, get_engine  # noqa: E402
from jingzhun.analytics.risk import auc, compute_features, compute_labels, income_rule_scores, train  # noqa: E402
from jingzhun.analytics.risk.model import precision_at  # noqa: E402
from jingzhun.synth.risk_panel import generate_panel  # noqa: E402

MEMBERS_PER_HOUSEHOLD = 3.16  # what the panel generator makes, near enough to size the run


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def panel_features(households: int, seed: int, threads: int):
    started = time.perf_counter()
    panel = generate_panel(households=households, seed=seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    with get_engine("duckdb", threads=threads) as engine:
        features = compute_features(engine, Snapshot(org="", tables=panel.now),
                                    as_of=datetime.date(panel.year, 12, 31), before=panel.before["households"],
                                    events=panel.events)
        labels = compute_labels(engine, features, panel.after["households"]).column("label").to_numpy()
    return panel, features, labels, generated, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    households = int(args.members / MEMBERS_PER_HOUSEHOLD)
    load_before = os.getloadavg()

    panel, features, labels, generated, featured = panel_features(households, args.seed, args.threads)
    started = time.perf_counter()
    model = train(features, labels, seed=args.seed, threads=args.threads)
    trained = time.perf_counter() - started

    trained_on = {"members": panel.members, "households": panel.now["households"].num_rows,
                  "watched_households": features.num_rows, "returned_next_year": int(labels.sum())}
    del panel, features, labels  # one panel in memory at a time
    _other, other_features, other_labels, _g, _f = panel_features(households, args.seed + 1, args.threads)
    started = time.perf_counter()
    scores = model.predict(other_features)
    scored = time.perf_counter() - started
    baseline = income_rule_scores(other_features)
    load_after = os.getloadavg()

    held = model.metadata["metrics"]
    figures = {
        **trained_on,
        "seconds": {"generate": round(generated, 1), "features": round(featured, 1),
                    "train_held_out_fit_and_kept_fit": round(trained, 1), "score_other_panel": round(scored, 1)},
        "held_out_villages": held,
        "independent_panel": {
            "seed": args.seed + 1, "households": other_features.num_rows, "positives": int(other_labels.sum()),
            "auc": auc(other_labels, scores), "precision_top_5pct": precision_at(other_labels, scores),
            "baseline_auc": auc(other_labels, baseline),
            "baseline_precision_top_5pct": precision_at(other_labels, baseline),
            "base_rate": float(other_labels.mean()),
        },
        "threads": args.threads, "peak_rss_mb": round(peak_mb()),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "ten_million_members": "measured" if trained_on["members"] >= 10_000_000 else "not measured in this run",
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
