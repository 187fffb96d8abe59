"""Record linkage of an external dataset against registry members: exact on ID numbers, then Splink.

Both sides arrive as Arrow tables (never model objects):

    registry: unique_id (member id), name, id_number, sex, village
    external: unique_id (record id), name, id_number, sex, birth_date (date, may be null), village

1. Features are derived once in SQL on an analytics engine (`jingzhun.analytics`, DuckDB): the GB 11643
   validity of the ID and its birth date (the engine's `id_view`, the same SQL the rules use; the
   record's own 出生日期 wins over the ID's digits 7–14), the name's pinyin (a per-character table made with
   pypinyin over the few thousand distinct characters, then a vectorised lookup), the given name's
   characters sorted (catches 建国/国建), and the birth date with day and month swapped.
2. Exact: a valid ID equal on both sides, as one join.
3. The external records left over go to Splink (its DuckDB backend by default, Spark with engine="spark";
   the backends live in `jingzhun.analytics.splink`):
   blocking on pinyin of the full name, on surname + birth date, on surname + swapped birth date and on
   surname + sorted given name; comparisons on name, birth date, sex, village and ID (one or two
   mistyped digits), with term-frequency adjustment on the name. Each pair keeps its match weight and
   the level each field reached (see LEVELS), which is the "why" shown to reviewers.

The model (a Splink settings dict with m and u probabilities) is trained per dataset kind by
`train_model` and stored by the caller; `default_model` holds the starting values.
"""

from __future__ import annotations

import copy
import datetime
import logging
import math
import time
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.analytics import Engine, get_engine, splink_backend

logger = logging.getLogger(__name__)

#: What each comparison level means, by comparison and gamma value (the "why" of a pair).
LEVELS: dict[str, dict[int, str]] = {
    "name": {5: _("完全一致"), 4: _("同音"), 3: _("名字两字颠倒"), 2: _("相差一字"), 1: _("拼音相近"), 0: _("不同")},
    "dob": {4: _("完全一致"), 3: _("日、月颠倒"), 2: _("相差一位数字"), 1: _("同年"), 0: _("不同")},
    "sex": {1: _("一致"), 0: _("不同")},
    "village": {3: _("同村"), 2: _("同乡镇"), 1: _("同县"), 0: _("不同")},
    "id": {2: _("完全一致"), 1: _("相差一两位"), 0: _("不同")},
}
FIELD_LABELS = {"name": _("姓名"), "dob": _("出生日期"), "sex": _("性别"), "village": _("村"), "id": _("身份证号")}
NULL_LABEL = _("缺失")


def _level(sql, m, u, label, **extra) -> dict:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _null(column: str) -> dict:
    return {"sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL", "label_for_charts": "null",
            "is_null_level": True}


def default_model(*, prior: float = 1e-6) -> dict:
    """The starting model: m probabilities describe how other departments' files corrupt a person (a
    homophone or look-alike character, swapped or dropped given-name characters, a day/month swap, a
    mistyped ID digit, a move); u probabilities are replaced by `train_model` from the data."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.name_py = r.name_py"},
            {"blocking_rule": "l.surname = r.surname AND l.dob = r.dob"},
            {"blocking_rule": "l.surname = r.surname AND l.dob_swap = r.dob"},
            {"blocking_rule": "l.surname = r.surname AND l.given_sorted = r.given_sorted AND l.dob_year = r.dob_year"},
        ],
        "comparisons": [
            {"output_column_name": "name", "comparison_levels": [
                _null("name"),
                _level("name_l = name_r", 0.55, 1e-4, "exact", tf_adjustment_column="name", tf_adjustment_weight=1.0),
                _level("name_py_l = name_py_r", 0.14, 2e-4, "homophone"),
                _level("surname_l = surname_r AND given_sorted_l = given_sorted_r", 0.06, 1e-5, "given swapped"),
                _level("levenshtein(name_l, name_r) <= 1", 0.16, 5e-3, "one character"),
                _level("levenshtein(name_py_l, name_py_r) <= 2", 0.04, 5e-3, "pinyin close"),
                _level("ELSE", 0.05, 0.99, "else"),
            ]},
            {"output_column_name": "dob", "comparison_levels": [
                _null("dob"),
                _level("dob_l = dob_r", 0.80, 5e-5, "exact"),
                _level("dob_swap_l = dob_r", 0.08, 2e-5, "day/month swapped"),
                _level("levenshtein(dob_l, dob_r) <= 1", 0.06, 2e-3, "one digit"),
                _level("dob_year_l = dob_year_r", 0.02, 0.02, "same year"),
                _level("ELSE", 0.04, 0.98, "else"),
            ]},
            {"output_column_name": "sex", "comparison_levels": [
                _null("sex"),
                _level("sex_l = sex_r", 0.98, 0.5, "exact"),
                _level("ELSE", 0.02, 0.5, "else"),
            ]},
            {"output_column_name": "village", "comparison_levels": [
                _null("village"),
                _level("village_l = village_r", 0.80, 0.01, "same village"),
                _level("township_l = township_r", 0.10, 0.05, "same township"),
                _level("county_l = county_r", 0.06, 0.5, "same county"),
                _level("ELSE", 0.04, 0.44, "else"),
            ]},
            {"output_column_name": "id", "comparison_levels": [
                _null("id"),
                _level("id_l = id_r", 0.55, 1e-7, "exact", fix_m_probability=True),
                _level("levenshtein(id_l, id_r) <= 2", 0.40, 1e-5, "one or two digits", fix_m_probability=True),
                _level("ELSE", 0.05, 0.99999, "else", fix_m_probability=True),
            ]},
        ],
    }


# ---------------------------------------------------------------------------------------------------
# Features


def _char_pinyin(engine: Engine, *tables: str) -> None:
    """charpy(ch, py): pypinyin over the distinct characters of the names (a few thousand, not millions)."""
    from pypinyin import Style, lazy_pinyin

    union = " UNION ".join(f"SELECT DISTINCT unnest(string_split(name, '')) AS ch FROM {t}" for t in tables)
    chars = engine.query(f"SELECT DISTINCT ch FROM ({union}) WHERE ch IS NOT NULL").column("ch").to_pylist()
    pinyin = ["".join(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")) or ch for ch in chars]
    engine.register("charpy_arrow", pa.table({"ch": pa.array(chars, pa.string()),
                                              "py": pa.array(pinyin, pa.string())}))
    engine.materialize("charpy", "SELECT * FROM charpy_arrow")
    engine.unregister("charpy_arrow")


def _features(engine: Engine, source: str, target: str, *, has_birth_date: bool) -> None:
    """Table `target`: the matching features of `source`; the ID's validity and birth date are the
    engine's GB 11643 columns (`Engine.id_view`)."""
    own_dob = "strftime(birth_date, '%Y%m%d')" if has_birth_date else "NULL"
    engine.view(f"{target}_base", f"""
        SELECT unique_id, nullif(regexp_replace(trim(name), '[\\s·.]', '', 'g'), '') AS name,
               nullif(upper(trim(id_number)), '') AS id_number, nullif(sex, '') AS sex,
               nullif(village, '') AS village, {own_dob} AS own_dob
        FROM {source}""")
    engine.id_view(f"{target}_ids", f"{target}_base")
    engine.materialize(target, f"""
        WITH dated AS (
            SELECT *, coalesce(own_dob, strftime(id_birth, '%Y%m%d')) AS dob FROM {target}_ids
        ), pinyin_map AS (SELECT map_from_entries(list(struct_pack(k := ch, v := py))) AS m FROM charpy)
        SELECT unique_id, name, id_number AS id, id_valid, sex, village,
               substr(village, 1, 9) AS township, substr(village, 1, 6) AS county,
               substr(name, 1, 1) AS surname,
               array_to_string(list_sort(string_split(substr(name, 2), '')), '') AS given_sorted,
               array_to_string(list_transform(string_split(name, ''), lambda c: coalesce(m[c], c)), '') AS name_py,
               dob, substr(dob, 1, 4) AS dob_year,
               CASE WHEN substr(dob, 7, 2) <= '12' AND substr(dob, 7, 2) <> substr(dob, 5, 2)
                    THEN substr(dob, 1, 4) || substr(dob, 7, 2) || substr(dob, 5, 2) END AS dob_swap
        FROM dated, pinyin_map""")


SPLINK_COLUMNS = ("unique_id", "name", "id", "sex", "village", "township", "county", "surname", "given_sorted",
                  "name_py", "dob", "dob_year", "dob_swap")


# ---------------------------------------------------------------------------------------------------
# Matching


@dataclass
class MatchResult:
    """Every candidate pair: exact ones (weight None) and Splink's above the review threshold."""

    pairs: pa.Table  # record_id, member_id, method, match_weight, match_probability, gamma_<field>...
    exact: int
    fuzzy_candidates: int
    seconds: dict[str, float] = field(default_factory=dict)


PAIR_SCHEMA = pa.schema([("record_id", pa.int64()), ("member_id", pa.int64()), ("method", pa.string()),
                         ("match_weight", pa.float64()), ("match_probability", pa.float64()),
                         *[(f"gamma_{c}", pa.int32()) for c in LEVELS]])


class Matcher:
    """One linkage job over two Arrow tables, on an analytics engine.

    `engine` is the caller's (it stays open); without one the matcher opens a private DuckDB engine and
    closes it with itself. The features are computed with the ID validity as of `as_of` (default today).
    """

    def __init__(self, registry: pa.Table, external: pa.Table, *, engine: Engine | None = None,
                 threads: int | None = None, memory_limit: str | None = None, as_of: datetime.date | None = None):
        self.seconds: dict[str, float] = {}
        self._splink: list = []
        started = time.perf_counter()
        self._own_engine = engine is None
        self.memory_limit = memory_limit
        self.engine = engine if engine is not None else get_engine(
            "duckdb", threads=threads, memory_limit=memory_limit, preserve_insertion_order=False)
        self.engine.set_as_of(as_of or timezone.localdate())
        self.engine.register("registry_in", registry)
        self.engine.register("external_in", external)
        _char_pinyin(self.engine, "registry_in", "external_in")
        _features(self.engine, "registry_in", "reg", has_birth_date=False)
        _features(self.engine, "external_in", "ext", has_birth_date="birth_date" in external.column_names)
        self.engine.unregister("registry_in")
        self.engine.unregister("external_in")
        self.seconds["features"] = time.perf_counter() - started

    def close(self) -> None:
        for backend in self._splink:
            backend.close()
        if self._own_engine:
            self.engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _count(self, table: str, where: str = "true") -> int:
        return int(self.engine.scalar(f"SELECT count(*) FROM {table} WHERE {where}"))

    def exact(self) -> pa.Table:
        """Pairs whose valid ID numbers are equal: one hash join."""
        started = time.perf_counter()
        self.engine.materialize("exact_pairs", """
            SELECT e.unique_id AS record_id, r.unique_id AS member_id
            FROM ext e JOIN reg r ON e.id = r.id WHERE e.id_valid""")
        self.seconds["exact"] = time.perf_counter() - started
        return self.engine.query("SELECT * FROM exact_pairs")

    def leftovers(self) -> None:
        """ext_rest: the external records no exact pair explains."""
        self.engine.materialize("ext_rest", "SELECT * FROM ext WHERE unique_id NOT IN (SELECT record_id FROM exact_pairs)")

    def _splink_tables(self, backend: str, spark=None):
        """Splink's backend by name, with the two feature tables registered in it."""
        cols = ", ".join(SPLINK_COLUMNS)
        left = self.engine.query(f"SELECT {cols} FROM reg")
        right = self.engine.query(f"SELECT {cols} FROM ext_rest")
        opened = splink_backend(backend, threads=self.engine.threads or 1, spark=spark, memory_limit=self.memory_limit)
        self._splink.append(opened)
        return opened.register(left, "registry"), opened.register(right, "external")

    def linker(self, model: dict, *, backend: str = "duckdb", spark=None):
        """A Splink linker over reg and ext_rest on the Splink backend named `backend`."""
        from splink import Linker

        left, right = self._splink_tables(backend, spark)
        return Linker([left, right], copy.deepcopy(model), log_level=logging.WARNING)

    def train(self, model: dict, *, max_pairs: float = 2e6, seed: int = 1) -> dict:
        """u probabilities from random pairs of these two tables (m stays as given); returns the new model."""
        started = time.perf_counter()
        self.leftovers()
        linker = self.linker(model)
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        trained = linker.misc.save_model_to_json()
        exact, n_reg = self._count("exact_pairs"), self._count("reg")
        # λ: the share of external records that are registry members, taken from those with valid IDs
        valid = self._count("ext", "id_valid")
        share = (exact / valid) if valid else 0.3
        trained["probability_two_random_records_match"] = max(min(share, 0.99), 0.01) / max(n_reg, 1)
        self.seconds["train"] = time.perf_counter() - started
        return trained

    def fuzzy(self, model: dict, *, min_weight: float, backend: str = "duckdb", spark=None) -> pa.Table:
        """Splink's pairs above `min_weight` for the records exact matching left over, best per record
        (`backend`: the Splink backend that scores them, "duckdb" or "spark")."""
        started = time.perf_counter()
        self.leftovers()
        if self._count("ext_rest") == 0:
            return PAIR_SCHEMA.empty_table()
        linker = self.linker(model, backend=backend, spark=spark)
        predictions = linker.inference.predict(threshold_match_weight=min_weight, warning_mode="never")
        table = predictions.as_pyarrow_table()
        # Splink orders each pair by its own rule (source dataset names): put the registry on the left
        from_registry = pc.equal(table["source_dataset_l"], "registry")
        self.engine.register("predictions", pa.table({
            "unique_id_l": pc.if_else(from_registry, table["unique_id_l"], table["unique_id_r"]),
            "unique_id_r": pc.if_else(from_registry, table["unique_id_r"], table["unique_id_l"]),
            "match_weight": table["match_weight"], "match_probability": table["match_probability"]}))
        # Splink reports each field's weight, not its level: the levels are recomputed here from the
        # model's own SQL conditions (written for DuckDB), over the pairs only, whatever engine scored them.
        left = ", ".join(f"{c} AS {c}_l" for c in SPLINK_COLUMNS)
        right = ", ".join(f"{c} AS {c}_r" for c in SPLINK_COLUMNS)
        result = self.engine.query(f"""
            SELECT p.unique_id_r::BIGINT AS record_id, p.unique_id_l::BIGINT AS member_id, 'fuzzy' AS method,
                   match_weight::DOUBLE AS match_weight, match_probability::DOUBLE AS match_probability,
                   {", ".join(gamma_sql(model))}
            FROM predictions p
            JOIN (SELECT {left} FROM reg) l ON l.unique_id_l = p.unique_id_l
            JOIN (SELECT {right} FROM ext_rest) r ON r.unique_id_r = p.unique_id_r
            QUALIFY match_weight = max(match_weight) OVER (PARTITION BY p.unique_id_r)
        """)
        self.engine.unregister("predictions")
        self.seconds["fuzzy"] = time.perf_counter() - started
        return result


def exact_id_pairs(registry: pa.Table, external: pa.Table, *, threads: int | None = None,
                   as_of: datetime.date | None = None) -> pa.Table:
    """Only the exact step, straight from the input tables (no name features): (record_id, member_id) of
    valid external IDs equal to a registry ID — for an ID-only comparison at province scale."""
    with get_engine("duckdb", threads=threads, preserve_insertion_order=False) as engine:
        engine.set_as_of(as_of or timezone.localdate())
        engine.register("registry_in", registry.select(["unique_id", "id_number"]))
        engine.register("external_in", external.select(["unique_id", "id_number"]))
        engine.view("external_ids", "SELECT unique_id, upper(trim(id_number)) AS id_number FROM external_in")
        engine.id_view("external_checked", "external_ids")
        return engine.query("""
            SELECT e.unique_id AS record_id, r.unique_id AS member_id
            FROM (SELECT unique_id, id_number FROM external_checked WHERE id_valid) e
            JOIN (SELECT unique_id, upper(trim(id_number)) AS id_number FROM registry_in) r
              ON e.id_number = r.id_number""")


def gamma_sql(model: dict) -> list[str]:
    """`CASE … END AS gamma_<comparison>` for each comparison: -1 null, then the levels counted down to 0."""
    out = []
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        real = [lv for lv in levels if not lv.get("is_null_level")]
        cases = [f"WHEN {lv['sql_condition']} THEN -1" for lv in levels if lv.get("is_null_level")]
        cases += [f"WHEN {lv['sql_condition']} THEN {len(real) - 1 - i}" for i, lv in enumerate(real)
                  if lv["sql_condition"].strip().upper() != "ELSE"]
        out.append(f"CASE {' '.join(cases)} ELSE 0 END::INTEGER AS gamma_{comparison['output_column_name']}")
    return out


def match_people(registry: pa.Table, external: pa.Table, *, model: dict, min_weight: float, engine: str = "duckdb",
                 spark=None, threads: int | None = None) -> MatchResult:
    """Exact pairs on valid IDs, then Splink's pairs for the rest (see the module docstring); `engine`
    names the Splink backend (a run's engine), the features are computed on a private DuckDB engine."""
    with Matcher(registry, external, threads=threads) as matcher:
        exact = matcher.exact()
        fuzzy = matcher.fuzzy(model, min_weight=min_weight, backend=engine, spark=spark)
        n = exact.num_rows
        exact_full = pa.table({
            "record_id": exact["record_id"].cast(pa.int64()), "member_id": exact["member_id"].cast(pa.int64()),
            "method": pa.array(["exact"] * n, pa.string()), "match_weight": pa.nulls(n, pa.float64()),
            "match_probability": pa.array([1.0] * n, pa.float64()),
            **{f"gamma_{c}": pa.nulls(n, pa.int32()) for c in LEVELS}})
        pairs = pa.concat_tables([exact_full.cast(PAIR_SCHEMA), fuzzy.cast(PAIR_SCHEMA)])
        return MatchResult(pairs=pairs, exact=n, fuzzy_candidates=fuzzy.num_rows, seconds=dict(matcher.seconds))


def agreements(row: dict) -> dict[str, int | None]:
    """{comparison: level} for one pair, language-neutral (None: a value was missing; exact pairs: the ID
    agreed). Shown to people through `agreement_labels`."""
    if row.get("method") == "exact":
        return {"id": 2}
    out = {}
    for column in LEVELS:
        gamma = row.get(f"gamma_{column}")
        out[column] = None if gamma is None or gamma < 0 else int(gamma)
    return out


def agreement_labels(codes: dict) -> dict[str, str]:
    """{field label: level label} in the active language (unknown keys are left out)."""
    out = {}
    for column, gamma in codes.items():
        if column in LEVELS:
            out[str(FIELD_LABELS[column])] = str(NULL_LABEL if gamma is None else LEVELS[column].get(gamma, gamma))
    return out


def weight_to_probability(weight: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -weight))
