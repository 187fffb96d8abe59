"""The registry as it stood at a past moment, from its own history tables (django-simple-history).

Every import and edit writes a history row per household and member (who, when, what). The registry at
the start of day D is, for each household code (each member id), its latest history row dated before D,
unless that row records a deletion. Read by SQL with the snapshot's readers (ADBC on PostgreSQL,
Python's SQLite on the embedded database) and cast to the snapshot `SCHEMA`, like a live snapshot —
so the risk model's features are computed on a past year exactly as on today's registry.

The 动态调整台账 (workflows' ledger, table workflows_ledgerevent) is read the same way: the events
recorded before the day, whatever date they take effect.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pyarrow as pa
from django.conf import settings

from ..snapshot import Snapshot, _reader, _SQLiteReader, conform
from .features import EVENTS_SCHEMA

_AS_OF = {
    "households": """
        SELECT code, village_id, head_name, head_id_number, standard, attribute, status, identified_year,
               exit_year, main_cause, other_cause_1, other_cause_2, income_year,
               CAST(wage_income AS {real}) AS wage_income, CAST(business_income AS {real}) AS business_income,
               CAST(property_income AS {real}) AS property_income,
               CAST(transfer_income AS {real}) AS transfer_income,
               CAST(business_expense AS {real}) AS business_expense,
               CAST(declared_per_capita_income AS {real}) AS declared_per_capita_income,
               CAST(housing_area AS {real}) AS housing_area, housing_grade, safe_water, electricity, relocated,
               phone, category, monitoring_class, monitoring_since, risk_type, other_risk_1, other_risk_2,
               risk_eliminated, risk_eliminated_on, CAST(income_12m AS {real}) AS income_12m, income_12m_verified_on,
               CAST(compliant_out_of_pocket_12m AS {real}) AS compliant_out_of_pocket_12m, vehicle_count,
               CAST(dearest_vehicle_value AS {real}) AS dearest_vehicle_value, town_houses_bought,
               registered_businesses
        FROM (SELECT h.*, row_number() OVER (PARTITION BY code ORDER BY history_date DESC, history_id DESC) AS rn
              FROM registry_historicalhousehold h
              WHERE code >= {lo} AND code < {hi} AND history_date < {day}) latest
        WHERE rn = 1 AND history_type <> '-'""",
    "members": """
        SELECT id, household_id, name, id_number, relation, sex, ethnicity, education, schooling, health, labour,
               migrant_work, migrant_months, medical_insurance, serious_illness_insurance, pension_insurance,
               dibao, tekun, active_soldier, status
        FROM (SELECT m.*, row_number() OVER (PARTITION BY id ORDER BY history_date DESC, history_id DESC) AS rn
              FROM registry_historicalmember m
              WHERE household_id >= {lo} AND household_id < {hi} AND history_date < {day}) latest
        WHERE rn = 1 AND history_type <> '-'""",
    "villages": """
        SELECT village_id, registered_population, registered_households, is_poor_village, exit_year,
               CAST(collective_income AS {real}) AS collective_income, paved_road, bus_service, broadband,
               clinic_up_to_standard, cultural_venue
        FROM (SELECT v.*, row_number() OVER (PARTITION BY village_id ORDER BY history_date DESC, history_id DESC)
                         AS rn
              FROM registry_historicalvillageprofile v
              WHERE village_id >= {lo} AND village_id < {hi} AND history_date < {day}) latest
        WHERE rn = 1 AND history_type <> '-'""",
}


def _start_of(reader, day: datetime.date) -> str:
    """The start of `day` in the site's time zone (settings.TIME_ZONE: 1 January begins at midnight in
    the county, not in Greenwich) as an SQL literal in UTC. Django keeps SQLite's datetimes as naive UTC
    text and PostgreSQL's as timestamptz, given here with an explicit offset, whatever the session's zone."""
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    utc = local.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(reader, _SQLiteReader):
        return f"'{utc}'"
    return f"TIMESTAMPTZ '{utc}+00'"


def registry_as_of(org: str, day: datetime.date, *, alias: str = "default") -> Snapshot:
    """The registry under `org` as it stood at the start of `day` (in the site's time zone), from the
    history tables."""
    if org and not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    reader = _reader(alias)
    snapshot = Snapshot(org=org)
    # Digits and an ISO date only, so they can stand in the SQL text.
    lo, hi = f"'{org}'", f"'{org}:'" if org else "'~'"
    when = _start_of(reader, day)
    try:
        for name, sql in _AS_OF.items():
            table = reader.fetch(sql.format(real=reader.real, lo=lo, hi=hi, day=when))
            snapshot.tables[name] = conform(name, table)
    finally:
        reader.close()
    return snapshot


_EVENTS = """
    SELECT household, type, CAST(effective AS {date}) AS effective
    FROM workflows_ledgerevent
    WHERE household >= {lo} AND household < {hi} AND created_at < {day}"""


def ledger_events(org: str, day: datetime.date, *, alias: str = "default") -> pa.Table:
    """The ledger's events of households under `org` recorded before the start of `day` (`EVENTS_SCHEMA`).

    An event recorded later is left out even when it takes effect earlier: on `day` nobody knew it.
    """
    if org and not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    reader = _reader(alias)
    lo, hi = f"'{org}'", f"'{org}:'" if org else "'~'"
    try:
        table = reader.fetch(_EVENTS.format(date="TEXT" if isinstance(reader, _SQLiteReader) else "DATE", lo=lo,
                                            hi=hi, day=_start_of(reader, day)))
    finally:
        reader.close()
    columns = []
    for field in EVENTS_SCHEMA:
        values = table.column(field.name) if table.num_rows else pa.nulls(0, field.type)
        columns.append(values.cast(field.type))
    return pa.table(columns, schema=EVENTS_SCHEMA)
