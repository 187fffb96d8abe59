"""The households snapshot carries 户类别 and the monitoring columns (template v2) with one Arrow type on
SQLite and PostgreSQL (run with JINGZHUN_DATABASE_URL=postgres://… for the second)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from jingzhun.analytics import SCHEMA, registry_snapshot
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry.models import Household

VILLAGE = "140826100233"
NEW_COLUMNS = {
    "category": pa.string(), "monitoring_class": pa.string(), "monitoring_since": pa.date32(),
    "risk_type": pa.string(), "other_risk_1": pa.string(), "other_risk_2": pa.string(),
    "risk_eliminated": pa.bool_(), "risk_eliminated_on": pa.date32(), "income_12m": pa.decimal128(12, 2),
    "income_12m_verified_on": pa.date32(), "compliant_out_of_pocket_12m": pa.decimal128(12, 2),
    "vehicle_count": pa.int32(), "dearest_vehicle_value": pa.decimal128(12, 2), "town_houses_bought": pa.int32(),
    "registered_businesses": pa.int32(),
}
_MONEY = dict(income_year=2024, wage_income=Decimal("8000"), business_income=Decimal("0"),
              property_income=Decimal("0"), transfer_income=Decimal("1200.5"), business_expense=Decimal("0"))


def test_schema_declares_the_new_columns_with_their_types():
    declared = dict(SCHEMA["households"])
    assert {name: declared[name] for name in NEW_COLUMNS} == NEW_COLUMNS


@pytest.mark.django_db(transaction=True)
def test_snapshot_reads_the_new_columns_typed_and_empty_ones_as_nulls():
    divisions_load(prefix="140826")
    Household.objects.create(
        code=VILLAGE + "0001", village_id=VILLAGE, head_name="赵监测", head_id_number="14082619650304001X",
        category="监测户", monitoring_class="边缘易致贫户", monitoring_since=datetime.date(2023, 5, 10),
        risk_type="因病", other_risk_1="因学", risk_eliminated=True, risk_eliminated_on=datetime.date(2024, 3, 1),
        income_12m=Decimal("9200.50"), income_12m_verified_on=datetime.date(2024, 6, 1),
        compliant_out_of_pocket_12m=Decimal("31000"), vehicle_count=1, dearest_vehicle_value=Decimal("45000"),
        town_houses_bought=0, registered_businesses=0, safe_water=True, **_MONEY)
    Household.objects.create(
        code=VILLAGE + "0002", village_id=VILLAGE, head_name="钱一般", head_id_number="140826196503040021",
        category="一般农户", safe_water=True, **_MONEY)
    table = registry_snapshot("140826").tables["households"]
    assert {name: table.schema.field(name).type for name in NEW_COLUMNS} == NEW_COLUMNS
    rows = {r["code"]: r for r in table.to_pylist()}
    monitored, ordinary = rows[VILLAGE + "0001"], rows[VILLAGE + "0002"]
    assert {k: monitored[k] for k in NEW_COLUMNS} == {
        "category": "监测户", "monitoring_class": "边缘易致贫户", "monitoring_since": datetime.date(2023, 5, 10),
        "risk_type": "因病", "other_risk_1": "因学", "other_risk_2": "", "risk_eliminated": True,
        "risk_eliminated_on": datetime.date(2024, 3, 1), "income_12m": Decimal("9200.50"),
        "income_12m_verified_on": datetime.date(2024, 6, 1), "compliant_out_of_pocket_12m": Decimal("31000.00"),
        "vehicle_count": 1, "dearest_vehicle_value": Decimal("45000.00"), "town_houses_bought": 0,
        "registered_businesses": 0}
    assert (ordinary["category"], ordinary["status"], ordinary["identified_year"], ordinary["risk_eliminated"],
            ordinary["monitoring_since"], ordinary["income_12m"], ordinary["vehicle_count"]) == (
        "一般农户", "", None, False, None, None, None)
