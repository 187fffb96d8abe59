"""Columnar snapshots of the registry: Arrow tables with one fixed schema, whatever the database.

The registry leaves PostgreSQL through ADBC (`fetch_arrow_table`) and the embedded SQLite database
through Python's own SQLite in batches turned into Arrow columns — never through the ORM; each column
is then cast to the canonical type below, so engines and rules see the same data on both. A snapshot
reads what is committed, in one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connections

from . import mirror

MONEY = pa.decimal128(12, 2)

#: name → [(column, Arrow type)] — the contract between the registry and every rule and indicator.
SCHEMA: dict[str, list[tuple[str, pa.DataType]]] = {
    "households": [
        ("code", pa.string()), ("village_id", pa.string()), ("head_name", pa.string()),
        ("head_id_number", pa.string()), ("standard", pa.string()), ("attribute", pa.string()),
        ("status", pa.string()), ("identified_year", pa.int32()), ("exit_year", pa.int32()),
        ("main_cause", pa.string()), ("other_cause_1", pa.string()), ("other_cause_2", pa.string()),
        ("income_year", pa.int32()), ("wage_income", MONEY), ("business_income", MONEY),
        ("property_income", MONEY), ("transfer_income", MONEY), ("business_expense", MONEY),
        ("declared_per_capita_income", MONEY), ("housing_area", MONEY), ("housing_grade", pa.string()),
        ("safe_water", pa.bool_()), ("electricity", pa.bool_()), ("relocated", pa.bool_()),
        ("phone", pa.string()), ("cadre_name", pa.string()), ("cadre_work_unit", pa.string()),
        ("cadre_phone", pa.string()),
        # 户类别 and the monitoring fields (template v2): empty/NULL for households that are not monitored.
        ("category", pa.string()), ("monitoring_class", pa.string()), ("monitoring_since", pa.date32()),
        ("risk_type", pa.string()), ("other_risk_1", pa.string()), ("other_risk_2", pa.string()),
        ("risk_eliminated", pa.bool_()), ("risk_eliminated_on", pa.date32()), ("income_12m", MONEY),
        ("income_12m_verified_on", pa.date32()), ("compliant_out_of_pocket_12m", MONEY),
        ("vehicle_count", pa.int32()), ("dearest_vehicle_value", MONEY), ("town_houses_bought", pa.int32()),
        ("registered_businesses", pa.int32()),
    ],
    "members": [
        ("id", pa.int64()), ("household_id", pa.string()), ("name", pa.string()), ("id_number", pa.string()),
        ("relation", pa.string()), ("sex", pa.string()), ("ethnicity", pa.string()), ("education", pa.string()),
        ("schooling", pa.string()), ("health", pa.string()), ("labour", pa.string()),
        ("migrant_work", pa.string()), ("migrant_months", pa.int32()), ("medical_insurance", pa.bool_()),
        ("serious_illness_insurance", pa.bool_()), ("pension_insurance", pa.bool_()), ("dibao", pa.bool_()),
        ("tekun", pa.bool_()), ("active_soldier", pa.bool_()), ("status", pa.string()),
    ],
    "villages": [
        ("village_id", pa.string()), ("registered_population", pa.int64()), ("registered_households", pa.int64()),
        ("is_poor_village", pa.bool_()), ("exit_year", pa.int32()), ("collective_income", MONEY),
        ("paved_road", pa.bool_()), ("bus_service", pa.bool_()), ("broadband", pa.bool_()),
        ("clinic_up_to_standard", pa.bool_()), ("cultural_venue", pa.bool_()),
    ],
    # 帮扶 (jingzhun.assistance): measures, 小额信贷 and repayments, visits, and the project library with its
    # funds — under a county or village by the household's 户编号 (projects: by their county).
    "measures": [
        ("id", pa.int64()), ("household_id", pa.string()), ("member_id", pa.int64()), ("year", pa.int32()),
        ("type", pa.string()), ("amount", MONEY), ("start", pa.date32()), ("end", pa.date32()),
        ("continues_after_exit", pa.bool_()), ("details", pa.string()),
    ],
    "loans": [
        ("id", pa.int64()), ("household_id", pa.string()), ("borrower_id", pa.int64()),
        ("borrower_id_number", pa.string()), ("bank", pa.string()), ("amount", MONEY),
        ("term_months", pa.int32()), ("disbursed_on", pa.date32()), ("due_on", pa.date32()), ("balance", MONEY),
        ("status", pa.string()),
    ],
    "loan_installments": [
        ("loan_id", pa.int64()), ("household_id", pa.string()), ("due_on", pa.date32()), ("principal", MONEY),
        ("interest", MONEY), ("paid_on", pa.date32()), ("paid_amount", MONEY),
    ],
    "visits": [
        ("id", pa.int64()), ("household_id", pa.string()), ("visitor_id", pa.int64()), ("visited_on", pa.date32()),
    ],
    "projects": [
        ("id", pa.int64()), ("county_id", pa.string()), ("code", pa.string()), ("year", pa.int32()),
        ("category", pa.string()), ("state", pa.string()), ("percent_complete", pa.int32()),
    ],
    "project_villages": [("project_id", pa.int64()), ("village_id", pa.string())],
    "project_beneficiaries": [("project_id", pa.int64()), ("household_id", pa.string())],
    "project_funds": [("project_id", pa.int64()), ("county_id", pa.string()), ("source", pa.string()),
                      ("amount", MONEY)],
    "project_spending": [("project_id", pa.int64()), ("county_id", pa.string()), ("source", pa.string()),
                         ("paid_on", pa.date32()), ("amount", MONEY)],
    # 随机抽查 (jingzhun.assessment): one row per household drawn into a spot check, under a county or village
    # by its 户编号: the day drawn, the day verified (NULL until then) and the discrepancies found. Days are
    # those of the stored time in the database's session zone (UTC on SQLite).
    "spot_items": [("spot_check_id", pa.int64()), ("household_id", pa.string()), ("unit", pa.string()),
                   ("drawn_on", pa.date32()), ("verified_on", pa.date32()), ("discrepancies", pa.int32())],
}

# Money leaves SQLite as REAL/INTEGER by storage class; casting in SQL gives one type per column.
_SELECT = {
    "households": """
        SELECT h.code, h.village_id, h.head_name, h.head_id_number, h.standard, h.attribute, h.status,
               h.identified_year, h.exit_year, h.main_cause, h.other_cause_1, h.other_cause_2, h.income_year,
               CAST(h.wage_income AS {real}) AS wage_income, CAST(h.business_income AS {real}) AS business_income,
               CAST(h.property_income AS {real}) AS property_income,
               CAST(h.transfer_income AS {real}) AS transfer_income,
               CAST(h.business_expense AS {real}) AS business_expense,
               CAST(h.declared_per_capita_income AS {real}) AS declared_per_capita_income,
               CAST(h.housing_area AS {real}) AS housing_area, h.housing_grade, h.safe_water, h.electricity,
               h.relocated, h.phone, c.name AS cadre_name, c.work_unit AS cadre_work_unit, c.phone AS cadre_phone,
               h.category, h.monitoring_class, h.monitoring_since, h.risk_type, h.other_risk_1, h.other_risk_2,
               h.risk_eliminated, h.risk_eliminated_on, CAST(h.income_12m AS {real}) AS income_12m,
               h.income_12m_verified_on, CAST(h.compliant_out_of_pocket_12m AS {real}) AS compliant_out_of_pocket_12m,
               h.vehicle_count, CAST(h.dearest_vehicle_value AS {real}) AS dearest_vehicle_value,
               h.town_houses_bought, h.registered_businesses
        FROM registry_household h LEFT JOIN registry_assistancecadre c ON c.id = h.cadre_id
        WHERE h.code >= {lo} AND h.code < {hi}{order}""",
    "members": """
        SELECT id, household_id, name, id_number, relation, sex, ethnicity, education, schooling, health, labour,
               migrant_work, migrant_months, medical_insurance, serious_illness_insurance, pension_insurance,
               dibao, tekun, active_soldier, status
        FROM registry_member WHERE household_id >= {lo} AND household_id < {hi}{order}""",
    "villages": """
        SELECT village_id, registered_population, registered_households, is_poor_village, exit_year,
               CAST(collective_income AS {real}) AS collective_income, paved_road, bus_service, broadband,
               clinic_up_to_standard, cultural_venue
        FROM registry_villageprofile WHERE village_id >= {lo} AND village_id < {hi}{order}""",
    "measures": """
        SELECT id, household_id, member_id, year, type, CAST(amount AS {real}) AS amount, start, "end",
               continues_after_exit, CAST(details AS TEXT) AS details
        FROM assistance_measure WHERE household_id >= {lo} AND household_id < {hi}{order}""",
    "loans": """
        SELECT l.id, l.household_id, l.borrower_id, m.id_number AS borrower_id_number, l.bank,
               CAST(l.amount AS {real}) AS amount, l.term_months, l.disbursed_on, l.due_on,
               CAST(l.balance AS {real}) AS balance, l.status
        FROM assistance_loan l JOIN registry_member m ON m.id = l.borrower_id
        WHERE l.household_id >= {lo} AND l.household_id < {hi}{order}""",
    "loan_installments": """
        SELECT i.loan_id, l.household_id, i.due_on, CAST(i.principal AS {real}) AS principal,
               CAST(i.interest AS {real}) AS interest, i.paid_on, CAST(i.paid_amount AS {real}) AS paid_amount
        FROM assistance_loaninstallment i JOIN assistance_loan l ON l.id = i.loan_id
        WHERE l.household_id >= {lo} AND l.household_id < {hi}{order}""",
    "visits": """
        SELECT id, household_id, visitor_id, visited_on
        FROM assistance_visit WHERE household_id >= {lo} AND household_id < {hi}{order}""",
    "projects": """
        SELECT id, county_id, code, year, category, state, percent_complete
        FROM assistance_project WHERE county_id >= {lo} AND county_id < {hi}{order}""",
    "project_villages": """
        SELECT pv.project_id, pv.orgunit_id AS village_id
        FROM assistance_project_villages pv JOIN assistance_project p ON p.id = pv.project_id
        WHERE p.county_id >= {lo} AND p.county_id < {hi}{order}""",
    "project_beneficiaries": """
        SELECT pb.project_id, pb.household_id
        FROM assistance_project_beneficiaries pb JOIN assistance_project p ON p.id = pb.project_id
        WHERE p.county_id >= {lo} AND p.county_id < {hi}{order}""",
    "project_funds": """
        SELECT f.project_id, p.county_id, f.source, CAST(f.amount AS {real}) AS amount
        FROM assistance_projectfund f JOIN assistance_project p ON p.id = f.project_id
        WHERE p.county_id >= {lo} AND p.county_id < {hi}{order}""",
    "project_spending": """
        SELECT s.project_id, p.county_id, s.source, s.paid_on, CAST(s.amount AS {real}) AS amount
        FROM assistance_projectspending s JOIN assistance_project p ON p.id = s.project_id
        WHERE p.county_id >= {lo} AND p.county_id < {hi}{order}""",
    "spot_items": """
        SELECT i.spot_check_id, i.household_id, s.unit, date(s.drawn_at) AS drawn_on,
               date(i.verified_at) AS verified_on, i.discrepancies
        FROM assessment_spotcheckitem i JOIN assessment_spotcheck s ON s.id = i.spot_check_id
        WHERE i.household_id >= {lo} AND i.household_id < {hi}{order}""",
}

# SQLite: rows in the order of their code (the mirror splices partitions in that order). An index gives it.
_ORDER = {
    "households": "h.code",
    "members": "household_id, id_number",  # the order of the unique (household, 身份证号) index
    "villages": "village_id",
    "measures": "household_id, id",
    "loans": "l.household_id, l.id",
    "loan_installments": "l.household_id, i.id",
    "visits": "household_id, id",
    "projects": "county_id, id",
    "project_villages": "p.county_id, pv.id",
    "project_beneficiaries": "p.county_id, pb.id",
    "project_funds": "p.county_id, f.id",
    "project_spending": "p.county_id, s.id",
    "spot_items": "i.household_id, i.id",
}


#: the key of a Parquet snapshot file's schema metadata that holds the snapshot's org code
_ORG_KEY = b"jingzhun.org"


def parquet_path(directory: str, name: str) -> str:
    """Where a Parquet snapshot keeps table `name`: <directory>/<name>.parquet (a path or a URI)."""
    return f"{str(directory).rstrip('/')}/{name}.parquet"


@dataclass
class Snapshot:
    """The registry under one org code, as Arrow tables of `SCHEMA`."""

    org: str
    tables: dict[str, pa.Table] = field(default_factory=dict)

    def to_parquet(self, directory: str) -> None:
        """Write every table of `SCHEMA` as <directory>/<table>.parquet (missing ones empty), the org code in
        each file's metadata: what a cluster reads (`SparkEngine.load_parquet`). `directory` is a local path
        or a URI pyarrow writes to (s3://, hdfs:// with its libraries)."""
        filesystem, root = pafs.FileSystem.from_uri(_uri(directory))
        filesystem.create_dir(root, recursive=True)
        for name in SCHEMA:
            table = conform(name, self.tables.get(name, pa.table({})))
            table = table.replace_schema_metadata({_ORG_KEY: self.org.encode()})
            pq.write_table(table, parquet_path(root, name), filesystem=filesystem)

    @classmethod
    def from_parquet(cls, directory: str) -> Snapshot:
        """A snapshot written by `to_parquet`, its tables cast to `SCHEMA`."""
        filesystem, root = pafs.FileSystem.from_uri(_uri(directory))
        tables, org = {}, ""
        for name in SCHEMA:
            path = parquet_path(root, name)
            if filesystem.get_file_info(path).type == pafs.FileType.NotFound:
                raise FileNotFoundError(f"not a Parquet snapshot: {path} is missing")
            table = pq.read_table(path, filesystem=filesystem)
            org = (table.schema.metadata or {}).get(_ORG_KEY, org.encode()).decode()
            tables[name] = conform(name, table)
        return cls(org=org, tables=tables)


def _uri(directory) -> str:
    text = str(directory)
    return text if "://" in text else str(Path(text).resolve())


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast a table to the canonical schema of `name` (missing columns become nulls)."""
    arrays = []
    for column, type_ in SCHEMA[name]:
        if column in table.column_names:
            values = table.column(column)
            if pa.types.is_decimal(type_) and not pa.types.is_decimal(values.type):
                values = pc.round(values.cast(pa.float64()), 2)  # REAL money back to cents
            arrays.append(values.cast(type_, safe=False) if pa.types.is_decimal(type_) else values.cast(type_))
        else:
            arrays.append(pa.nulls(table.num_rows, type_))
    return pa.table(arrays, schema=pa.schema(SCHEMA[name]))


_BATCH = 100_000


class _SQLiteReader:
    """The embedded database read with Python's own SQLite, in one read transaction.

    ADBC's driver brings its own SQLite build, which was seen here not to see commits still in the
    write-ahead log written by Python's SQLite, and to leave I/O errors behind when the log was
    truncated for it; the same library as the writers gives a consistent, committed view. Rows come
    in batches and become Arrow columns (pa.array over each column), not model objects.
    """

    real = "REAL"
    ordered = True  # the mirror splices partitions in code order

    def __init__(self, path: str):
        self.path = path
        self.connection = sqlite3.connect(path, timeout=20, isolation_level=None)
        self.connection.execute("BEGIN")  # one snapshot for all three tables

    def fetch(self, sql: str) -> pa.Table:
        cursor = self.connection.execute(sql)
        names = [d[0] for d in cursor.description]
        batches = []
        while rows := cursor.fetchmany(_BATCH):
            columns = list(zip(*rows))
            batches.append(pa.table({name: pa.array(column) for name, column in zip(names, columns)}))
        if not batches:
            return pa.table({name: pa.array([], pa.null()) for name in names})
        return pa.concat_tables(batches, promote_options="permissive")

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()


class _ADBCReader:
    """PostgreSQL through ADBC: Arrow straight from the wire (COPY binary under the hood)."""

    real = "DOUBLE PRECISION"
    ordered = False  # a sort would cost PostgreSQL time for nothing: it has no mirror

    def __init__(self, settings: dict):
        import adbc_driver_postgresql.dbapi

        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        uri = f"postgresql://{auth}{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"
        self.connection = adbc_driver_postgresql.dbapi.connect(uri)
        self.cursor = self.connection.cursor()
        self.cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")  # one snapshot for all three tables

    def fetch(self, sql: str) -> pa.Table:
        self.cursor.execute(sql)
        return self.cursor.fetch_arrow_table()

    def close(self) -> None:
        self.cursor.close()
        self.connection.close()


def _reader(alias: str):
    vendor = connections[alias].vendor
    settings = connections[alias].settings_dict
    if vendor == "sqlite":
        return _SQLiteReader(str(settings["NAME"]))
    if vendor == "postgresql":
        return _ADBCReader(settings)
    raise NotImplementedError(f"no snapshot reader for the {vendor} backend")


def _sql(name: str, reader, prefix: str) -> str:
    # Digits only (checked by the caller), so the bounds can stand in the SQL text; ":" follows "9".
    lo, hi = f"'{prefix}'", f"'{prefix}:'" if prefix else "'~'"
    order = f" ORDER BY {_ORDER[name]}" if reader.ordered else ""
    return _SELECT[name].format(real=reader.real, lo=lo, hi=hi, order=order)


def registry_snapshot(org: str = "", *, alias: str = "default", fresh: bool = False) -> Snapshot:
    """The committed registry under `org` ("" = all of it), in one read transaction.

    From the embedded SQLite database through the mirror (`jingzhun.analytics.mirror`): unchanged
    partitions from its files, the rest read afresh; `fresh` reads everything from the database (the
    reference the mirror is checked against). PostgreSQL is always read through ADBC.
    """
    if org and not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    reader = _reader(alias)
    snapshot = Snapshot(org=org)
    try:
        where = None
        if isinstance(reader, _SQLiteReader) and not fresh and len(org) <= 12:
            where = mirror.folder(settings.MIRROR_ROOT, reader.connection, reader.path)
        if where is not None:
            snapshot.tables = mirror.mirrored_tables(
                reader.connection, where, org=org, schemas={name: pa.schema(SCHEMA[name]) for name in _SELECT},
                read=lambda name, prefix: conform(name, reader.fetch(_sql(name, reader, prefix))))
        else:
            for name in _SELECT:
                snapshot.tables[name] = conform(name, reader.fetch(_sql(name, reader, org)))
    finally:
        reader.close()
    return snapshot


def mirror_verify(org: str = "", *, alias: str = "default") -> list[str]:
    """The tables under `org` whose snapshot through the mirror differs from a fresh read (none: sound)."""
    mirrored = registry_snapshot(org, alias=alias)
    fresh = registry_snapshot(org, alias=alias, fresh=True)
    return [name for name, table in fresh.tables.items() if not mirrored.tables[name].equals(table)]
