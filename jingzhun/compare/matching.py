"""Record linkage of an external dataset against registry members: exact on ID numbers, then Splink.

Both sides arrive as Arrow tables (never model objects):

    registry: unique_id (member id), name, id_number, sex, village
    external: unique_id (record id), name, id_number, sex, birth_date (date, may be null), village

1. Features are derived once in DuckDB SQL: the GB 11643 validity of the ID, the birth date (the
   record's own 出生日期, else the ID's digits 7–14), the name's pinyin (a per-character table made with
   pypinyin over the few thousand distinct characters, then a vectorised lookup), the given name's
   characters sorted (catches 建国/国建), and the birth date with day and month swapped.
2. Exact: a valid ID equal on both sides, as one DuckDB join.
3. The external records left over go to Splink (DuckDB by default, Spark with engine="spark"):
   blocking on pinyin of the full name, on surname + birth date, on surname + swapped birth date and on
   surname + sorted given name; comparisons on name, birth date, sex, village and ID (one or two
   mistyped digits), with term-frequency adjustment on the name. Each pair keeps its match weight and
   the level each field reached (see LEVELS), which is the "why" shown to reviewers.

The model (a Splink settings dict with m and u probabilities) is trained per dataset kind by
`train_model` and stored by the caller; `default_model` holds the starting values.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: GB 11643 in SQL: 17 digits and a check character, a real birth date inside, the checksum right.
VALID_ID_SQL = (
    "(regexp_full_match({x}, '[0-9]{{17}}[0-9X]') AND try_strptime(substr({x}, 7, 8), '%Y%m%d') IS NOT NULL "
    "AND substr('10X98765432', ((" + " + ".join(f"{w} * CAST(substr({{x}}, {i + 1}, 1) AS INTEGER)"
                                                for i, w in enumerate(_WEIGHTS))
    + ") % 11) + 1, 1) = substr({x}, 18, 1))")

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


def _char_pinyin(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """charpy(ch, py): pypinyin over the distinct characters of the names (a few thousand, not millions)."""
    from pypinyin import Style, lazy_pinyin

    union = " UNION ".join(f"SELECT DISTINCT unnest(string_split(name, '')) AS ch FROM {t}" for t in tables)
    chars = [r[0] for r in con.execute(f"SELECT DISTINCT ch FROM ({union}) WHERE ch IS NOT NULL").fetchall()]
    pinyin = ["".join(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")) or ch for ch in chars]
    con.register("charpy_arrow", pa.table({"ch": pa.array(chars, pa.string()), "py": pa.array(pinyin, pa.string())}))
    con.execute("CREATE OR REPLACE TABLE charpy AS SELECT * FROM charpy_arrow").fetchall()
    con.unregister("charpy_arrow")


def _features(con: duckdb.DuckDBPyConnection, source: str, target: str, *, has_birth_date: bool) -> None:
    valid = VALID_ID_SQL.format(x="idn")
    own_dob = "strftime(birth_date, '%Y%m%d')" if has_birth_date else "NULL"
    con.execute(f"""
        CREATE OR REPLACE TABLE {target} AS
        WITH base AS (
            SELECT unique_id, nullif(regexp_replace(trim(name), '[\\s·.]', '', 'g'), '') AS name,
                   nullif(upper(trim(id_number)), '') AS idn, nullif(sex, '') AS sex,
                   nullif(village, '') AS village, {own_dob} AS own_dob
            FROM {source}
        ), typed AS (
            SELECT *, coalesce({valid}, false) AS id_valid FROM base
        ), dated AS (
            SELECT *, coalesce(own_dob, CASE WHEN try_strptime(substr(idn, 7, 8), '%Y%m%d') IS NOT NULL
                                             AND length(idn) = 18 THEN substr(idn, 7, 8) END) AS dob
            FROM typed
        ), pinyin_map AS (SELECT map_from_entries(list(struct_pack(k := ch, v := py))) AS m FROM charpy)
        SELECT unique_id, name, idn AS id, id_valid, sex, village,
               substr(village, 1, 9) AS township, substr(village, 1, 6) AS county,
               substr(name, 1, 1) AS surname,
               array_to_string(list_sort(string_split(substr(name, 2), '')), '') AS given_sorted,
               array_to_string(list_transform(string_split(name, ''), lambda c: coalesce(m[c], c)), '') AS name_py,
               dob, substr(dob, 1, 4) AS dob_year,
               CASE WHEN substr(dob, 7, 2) <= '12' AND substr(dob, 7, 2) <> substr(dob, 5, 2)
                    THEN substr(dob, 1, 4) || substr(dob, 7, 2) || substr(dob, 5, 2) END AS dob_swap
        FROM dated, pinyin_map
    """).fetchall()


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
    """One linkage job over two Arrow tables, in one private DuckDB database."""

    def __init__(self, registry: pa.Table, external: pa.Table, *, threads: int | None = None,
                 memory_limit: str | None = None):
        self.seconds: dict[str, float] = {}
        self._splink_apis: list = []
        started = time.perf_counter()
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}").fetchall()
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit]).fetchall()
        self.con.execute("SET preserve_insertion_order = false").fetchall()
        self.con.register("registry_in", registry)
        self.con.register("external_in", external)
        _char_pinyin(self.con, "registry_in", "external_in")
        _features(self.con, "registry_in", "reg", has_birth_date=False)
        _features(self.con, "external_in", "ext", has_birth_date="birth_date" in external.column_names)
        self.con.unregister("registry_in")
        self.con.unregister("external_in")
        self.seconds["features"] = time.perf_counter() - started

    def close(self) -> None:
        for db_api in self._splink_apis:  # Splink's private DuckDB databases (a Spark session is the caller's)
            if isinstance(getattr(db_api, "_con", None), duckdb.DuckDBPyConnection):
                db_api._con.close()
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def exact(self) -> pa.Table:
        """Pairs whose valid ID numbers are equal: one hash join."""
        started = time.perf_counter()
        self.con.execute("""
            CREATE OR REPLACE TABLE exact_pairs AS
            SELECT e.unique_id AS record_id, r.unique_id AS member_id
            FROM ext e JOIN reg r ON e.id = r.id WHERE e.id_valid""").fetchall()
        self.seconds["exact"] = time.perf_counter() - started
        return self.con.sql("SELECT * FROM exact_pairs").to_arrow_table()

    def leftovers(self) -> None:
        """ext_rest: the external records no exact pair explains."""
        self.con.execute("""CREATE OR REPLACE TABLE ext_rest AS
            SELECT * FROM ext WHERE unique_id NOT IN (SELECT record_id FROM exact_pairs)""").fetchall()

    def _splink_tables(self, engine: str, spark=None):
        """Splink's database API for the engine, with the two feature tables registered in it."""
        if engine not in SPLINK_BACKENDS:
            raise ValueError(f"unknown engine {engine!r} (available: {', '.join(SPLINK_BACKENDS)})")
        cols = ", ".join(SPLINK_COLUMNS)
        left = self.con.sql(f"SELECT {cols} FROM reg").to_arrow_table()
        right = self.con.sql(f"SELECT {cols} FROM ext_rest").to_arrow_table()
        threads = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        db_api, to_backend = SPLINK_BACKENDS[engine](threads=threads, spark=spark)
        self._splink_apis.append(db_api)
        return db_api, db_api.register(to_backend(left), dataset_display_name="registry"), \
            db_api.register(to_backend(right), dataset_display_name="external")

    def linker(self, model: dict, *, engine: str = "duckdb", spark=None):
        from splink import Linker

        db_api, left, right = self._splink_tables(engine, spark)
        return Linker([left, right], copy.deepcopy(model), log_level=logging.WARNING)

    def train(self, model: dict, *, max_pairs: float = 2e6, seed: int = 1) -> dict:
        """u probabilities from random pairs of these two tables (m stays as given); returns the new model."""
        started = time.perf_counter()
        self.leftovers()
        linker = self.linker(model)
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        trained = linker.misc.save_model_to_json()
        exact = self.con.execute("SELECT count(*) FROM exact_pairs").fetchall()[0][0]
        n_reg = self.con.execute("SELECT count(*) FROM reg").fetchall()[0][0]
        # λ: the share of external records that are registry members, taken from those with valid IDs
        valid = self.con.execute("SELECT count(*) FROM ext WHERE id_valid").fetchall()[0][0]
        share = (exact / valid) if valid else 0.3
        trained["probability_two_random_records_match"] = max(min(share, 0.99), 0.01) / max(n_reg, 1)
        self.seconds["train"] = time.perf_counter() - started
        return trained

    def fuzzy(self, model: dict, *, min_weight: float, engine: str = "duckdb", spark=None) -> pa.Table:
        """Splink's pairs above `min_weight` for the records exact matching left over, best per record."""
        started = time.perf_counter()
        self.leftovers()
        if self.con.execute("SELECT count(*) FROM ext_rest").fetchall()[0][0] == 0:
            return PAIR_SCHEMA.empty_table()
        linker = self.linker(model, engine=engine, spark=spark)
        predictions = linker.inference.predict(threshold_match_weight=min_weight, warning_mode="never")
        table = predictions.as_pyarrow_table()
        # Splink orders each pair by its own rule (source dataset names): put the registry on the left
        from_registry = pc.equal(table["source_dataset_l"], "registry")
        self.con.register("predictions", pa.table({
            "unique_id_l": pc.if_else(from_registry, table["unique_id_l"], table["unique_id_r"]),
            "unique_id_r": pc.if_else(from_registry, table["unique_id_r"], table["unique_id_l"]),
            "match_weight": table["match_weight"], "match_probability": table["match_probability"]}))
        # Splink reports each field's weight, not its level: the levels are recomputed here from the
        # model's own SQL conditions (written for DuckDB), over the pairs only, whatever engine scored them.
        left = ", ".join(f"{c} AS {c}_l" for c in SPLINK_COLUMNS)
        right = ", ".join(f"{c} AS {c}_r" for c in SPLINK_COLUMNS)
        result = self.con.sql(f"""
            SELECT p.unique_id_r::BIGINT AS record_id, p.unique_id_l::BIGINT AS member_id, 'fuzzy' AS method,
                   match_weight::DOUBLE AS match_weight, match_probability::DOUBLE AS match_probability,
                   {", ".join(gamma_sql(model))}
            FROM predictions p
            JOIN (SELECT {left} FROM reg) l ON l.unique_id_l = p.unique_id_l
            JOIN (SELECT {right} FROM ext_rest) r ON r.unique_id_r = p.unique_id_r
            QUALIFY match_weight = max(match_weight) OVER (PARTITION BY p.unique_id_r)
        """).to_arrow_table()
        self.con.unregister("predictions")
        self.seconds["fuzzy"] = time.perf_counter() - started
        return result


def exact_id_pairs(registry: pa.Table, external: pa.Table, *, threads: int | None = None) -> pa.Table:
    """Only the exact step, straight from the input tables (no name features): (record_id, member_id) of
    valid external IDs equal to a registry ID — for an ID-only comparison at province scale."""
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}").fetchall()
        con.register("registry_in", registry.select(["unique_id", "id_number"]))
        con.register("external_in", external.select(["unique_id", "id_number"]))
        valid = VALID_ID_SQL.format(x="e.idn")
        return con.sql(f"""
            SELECT e.unique_id AS record_id, r.unique_id AS member_id
            FROM (SELECT unique_id, upper(trim(id_number)) AS idn FROM external_in) e
            JOIN (SELECT unique_id, upper(trim(id_number)) AS idn FROM registry_in) r ON e.idn = r.idn
            WHERE {valid}""").to_arrow_table()
    finally:
        con.close()


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
    """Exact pairs on valid IDs, then Splink's pairs for the rest (see the module docstring)."""
    with Matcher(registry, external, threads=threads) as matcher:
        exact = matcher.exact()
        fuzzy = matcher.fuzzy(model, min_weight=min_weight, engine=engine, spark=spark)
        n = exact.num_rows
        exact_full = pa.table({
            "record_id": exact["record_id"].cast(pa.int64()), "member_id": exact["member_id"].cast(pa.int64()),
            "method": pa.array(["exact"] * n, pa.string()), "match_weight": pa.nulls(n, pa.float64()),
            "match_probability": pa.array([1.0] * n, pa.float64()),
            **{f"gamma_{c}": pa.nulls(n, pa.int32()) for c in LEVELS}})
        pairs = pa.concat_tables([exact_full.cast(PAIR_SCHEMA), fuzzy.cast(PAIR_SCHEMA)])
        return MatchResult(pairs=pairs, exact=n, fuzzy_candidates=fuzzy.num_rows, seconds=dict(matcher.seconds))


def _duckdb_backend(*, threads: int, spark=None):
    """Splink on a private in-process DuckDB database; Arrow tables go in as they are."""
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {threads}").fetchall()
    con.execute("SET preserve_insertion_order = false").fetchall()
    return DuckDBAPI(connection=con), lambda table: table


def _spark_backend(*, threads: int, spark=None):
    """Splink's Spark backend (PySpark is an optional extra, imported only here)."""
    try:
        from splink import SparkAPI
    except ImportError as exc:
        raise ImportError("--engine spark needs PySpark: pip install 'jingzhun[spark]'") from exc
    spark = spark if spark is not None else spark_session()
    return SparkAPI(spark_session=spark), spark.createDataFrame


#: engine name → (Splink database API, how an Arrow table enters it); the rest of the code is shared.
SPLINK_BACKENDS = {"duckdb": _duckdb_backend, "spark": _spark_backend}


def spark_session():
    """A local Spark session fit for Splink (a checkpoint directory is required for predict)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ImportError("--engine spark needs PySpark: pip install 'jingzhun[spark]'") from exc
    import tempfile

    spark = (SparkSession.builder.master("local[2]").appName("jingzhun-compare")
             .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="jingzhun-spark-"))
    return spark


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
