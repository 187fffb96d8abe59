"""Golden fixtures of the data-quality rules: input rows and the expected findings side by side.

Each file tests/golden/checks/<CODE>.toml holds households (with their members) written as the
differences from a clean household — one that no rule fires on — plus `expect = true` on every
household (household rules) or member (member rule) the rule must report. Everything else in the file
is a near miss that must not be reported. A household's `loans = [...]` (小额信贷) are written as differences from
CLEAN_LOAN, each with its `installments = [...]` and `borrower` (the index of the member who borrowed, 0
by default). `not_registered = true` empties a household's 建档立卡 fields
(a 一般农户 or non-建档立卡 监测户); `unset = [...]` sets the named fields to NULL. Members get a valid ID number from `birth` and `sex` unless
the fixture writes `id_number` itself; a household's 户主身份证号 defaults to its head's ID.
"""

from __future__ import annotations

import datetime
import itertools
import tomllib
from pathlib import Path

import pyarrow as pa
from stdnum.cn import ric

from jingzhun.analytics import Snapshot, conform

GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "checks"

CLEAN_HOUSEHOLD = {
    "head_name": "王建国", "standard": "国家标准", "attribute": "一般贫困户", "status": "已脱贫",
    "identified_year": 2014, "exit_year": 2018, "main_cause": "缺技术", "other_cause_1": "", "other_cause_2": "",
    "income_year": 2020, "wage_income": 12000.0, "business_income": 3000.0, "property_income": 0.0,
    "transfer_income": 1500.0, "business_expense": 500.0, "declared_per_capita_income": None,
    "housing_area": 80.0, "housing_grade": "B", "safe_water": True, "electricity": True, "relocated": False,
    "phone": "13912345678", "cadre_name": "李帮扶", "cadre_work_unit": "绛县农业农村局", "cadre_phone": "13912345679",
    "category": "脱贫户", "monitoring_class": "", "monitoring_since": None, "risk_type": "", "other_risk_1": "",
    "other_risk_2": "", "risk_eliminated": False, "risk_eliminated_on": None, "income_12m": None,
    "income_12m_verified_on": None, "compliant_out_of_pocket_12m": None,
}
#: A household that is not 建档立卡 (a 一般农户 or 边缘易致贫户) has none of these: a fixture lists them in `unset`.
NOT_REGISTERED = {"standard": "", "attribute": "", "status": "", "identified_year": None, "exit_year": None,
                  "main_cause": ""}
CLEAN_MEMBER = {
    "name": "王建国", "relation": "户主", "sex": "男", "ethnicity": "汉族", "education": "初中", "schooling": "非在校生",
    "health": "健康", "labour": "普通劳动力", "migrant_work": "", "migrant_months": None, "medical_insurance": True,
    "serious_illness_insurance": True, "pension_insurance": True, "dibao": False, "tekun": False,
    "active_soldier": False, "status": "正常",
}

#: A loan that no rule fires on: 30,000 yuan over 24 months, disbursed 2023-03-01, not yet due.
CLEAN_LOAN = {"bank": "绛县农商银行", "amount": 30000.0, "term_months": 24, "disbursed_on": "2023-03-01",
              "due_on": "2025-03-01", "balance": None, "status": "normal"}


def valid_id(region: str, birth: str, sex: str, seq: int) -> str:
    """A GB 11643-valid ID: region + YYYYMMDD + 3-digit sequence (odd for 男) + check character."""
    number = seq * 2 + (1 if sex == "男" else 0)
    body = f"{region}{birth.replace('-', '')}{number % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def load(path: Path) -> tuple[Snapshot, datetime.date, set[tuple[str, str | None]]]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    as_of = datetime.date.fromisoformat(doc.get("as_of", "2024-06-30"))
    sequence = itertools.count(1)
    households, members, expected = [], [], set()
    loans, installments = [], []
    for index, h in enumerate(doc.get("households", []), start=1):
        code = h.get("code", f"140826100233{index:04d}")
        rows = h.get("members", [dict()]) if "members" in h else [dict()]
        household_members = []
        for m in rows:
            member = {**CLEAN_MEMBER, **{k: v for k, v in m.items() if k not in ("birth", "expect")}}
            if "id_number" not in m:
                member["id_number"] = valid_id(code[:6], m.get("birth", "1970-05-01"), member["sex"], next(sequence))
            member["household_id"] = code
            member["id"] = len(members) + len(household_members) + 1
            household_members.append(member)
            if m.get("expect"):
                expected.add((code, member["id_number"]))
        head = next((m for m in household_members if m["relation"] == "户主"), None)
        household = {**CLEAN_HOUSEHOLD, "code": code, "village_id": code[:12],
                     "head_id_number": head["id_number"] if head else valid_id(code[:6], "1970-05-01", "男", 999),
                     **(NOT_REGISTERED if h.get("not_registered") else {}),
                     **{k: v for k, v in h.items() if k not in ("members", "expect", "code", "unset", "not_registered")},
                     **{k: None for k in h.get("unset", [])}}
        households.append(household)
        members.extend(household_members)
        for spec in h.get("loans", []):
            borrower = household_members[spec.get("borrower", 0)]
            loan = {**CLEAN_LOAN, **{k: v for k, v in spec.items() if k not in ("installments", "borrower")},
                    "id": len(loans) + 1, "household_id": code, "borrower_id": borrower["id"],
                    "borrower_id_number": borrower["id_number"]}
            loan["balance"] = loan["amount"] if loan["balance"] is None else loan["balance"]
            loans.append(_dated(loan, ("disbursed_on", "due_on")))
            for row in spec.get("installments", []):
                installments.append(_dated({"principal": 0.0, "interest": 0.0, "paid_on": None, "paid_amount": None,
                                            **row, "loan_id": loan["id"], "household_id": code},
                                           ("due_on", "paid_on")))
        if h.get("expect"):
            expected.add((code, None))
    tables = {
        "households": conform("households", pa.Table.from_pylist(households)),
        "members": conform("members", pa.Table.from_pylist(members)) if members
        else conform("members", pa.table({"id": pa.array([], pa.int64())})),
        "villages": conform("villages", pa.table({"village_id": pa.array([], pa.string())})),
        "loans": conform("loans", pa.Table.from_pylist(loans) if loans else pa.table({"id": pa.array([], pa.int64())})),
        "loan_installments": conform("loan_installments", pa.Table.from_pylist(installments) if installments
                                     else pa.table({"loan_id": pa.array([], pa.int64())})),
    }
    return Snapshot(org="", tables=tables), as_of, expected


def _dated(row: dict, keys: tuple[str, ...]) -> dict:
    """TOML dates arrive as dates; a fixture may also write them as strings."""
    for key in keys:
        if isinstance(row.get(key), str):
            row[key] = datetime.date.fromisoformat(row[key])
    return row


def golden_files() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*.toml"))


def synth_snapshot(registry) -> Snapshot:
    """A synthetic registry (jingzhun.synth.generate) as the snapshot the import would give: typed as the
    template's sheets, members numbered."""
    from jingzhun.exchange.importer import sheets_from_tables, typed_table

    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(registry.tables, "synth").items()}
    members = typed["人员表"].append_column("id", pa.array(range(1, typed["人员表"].num_rows + 1), pa.int64()))
    return Snapshot("", {"households": conform("households", typed["户表"]),
                         "members": conform("members", members), "villages": conform("villages", typed["村表"])})
