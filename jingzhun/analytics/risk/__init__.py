"""Risk ranking for 防止返贫监测: which households not yet monitored are likeliest to return to poverty.

Features in SQL over registry snapshots (`features`), the registry's past from its history tables
(`history`), a LightGBM model with per-household reasons (`model`), and the steps the CLI and the
monitoring pages call (`ranking`). docs/risk-model.md is the model card.
"""

from .features import FEATURE_NAMES, FEATURES, WATCHED, compute_features, compute_labels
from .history import ledger_events, registry_as_of
from .model import (
           RiskModel,
           auc,
           income_rule_scores,
           load,
           precision_at,
           reasons,
           save,
           score,
           train,
)
from .ranking import (
           history_training_set,
           rank_registry,
           screening_list,
           train_on_history,
)

__all__ = ["FEATURES", "FEATURE_NAMES", "WATCHED", "RiskModel", "auc", "compute_features", "compute_labels",
           "history_training_set", "income_rule_scores", "ledger_events", "load", "precision_at", "rank_registry",
           "reasons", "registry_as_of", "save", "score", "screening_list", "train", "train_on_history"]
