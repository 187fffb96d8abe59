"""户类别 and the monitoring fields of Household (issue 14): what each category requires and forbids,
the 风险类型 kept as data, and the migration that made every existing household a 脱贫户."""

from __future__ import annotations

import datetime
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jingzhun.registry import strings_i18n, vocab
from jingzhun.registry.models import Household

VILLAGE = "140826100233"


def _household(**changes) -> Household:
    """An unsaved 脱贫户 that passes validation; `changes` spoil it."""
    data = dict(code=f"{VILLAGE}0001", village_id=VILLAGE, head_name="王建国", head_id_number="14082619650304001X",
                standard="国家标准", attribute="一般贫困户", status="已脱贫", identified_year=2014, exit_year=2018,
                main_cause="缺技术", income_year=2024, wage_income=Decimal("12000"), business_income=Decimal("3000"),
                property_income=Decimal("0"), transfer_income=Decimal("1500"), business_expense=Decimal("500"),
                safe_water=True)
    data.update(changes)
    return Household(**data)


NOT_REGISTERED = dict(standard="", attribute="", status="", identified_year=None, exit_year=None, main_cause="")
MONITORED = dict(category="监测户", monitoring_class="脱贫不稳定户", monitoring_since=datetime.date(2023, 5, 10),
                 risk_type="因病")


def _errors(household: Household) -> dict[str, list[str]]:
    try:
        household.clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_a_household_is_a_tuopinhu_unless_said_otherwise():
    household = _household()
    assert household.category == "脱贫户" and household.risk_eliminated is False
    assert _errors(household) == {}


def test_an_ordinary_household_may_leave_every_jiandang_field_empty():
    assert _errors(_household(category="一般农户", **NOT_REGISTERED)) == {}


def test_an_ordinary_household_must_not_carry_jiandang_fields():
    errors = _errors(_household(category="一般农户", **{**NOT_REGISTERED, "status": "已脱贫", "main_cause": "因病"}))
    assert set(errors) == {"status", "main_cause"}
    assert "一般农户不是建档立卡户" in errors["status"][0]


def test_a_tuopinhu_must_have_its_jiandang_fields():
    errors = _errors(_household(**NOT_REGISTERED))
    assert set(errors) == {"attribute", "status", "identified_year", "main_cause"}
    assert all("建档立卡户" in m[0] for m in errors.values())


def test_a_monitored_household_needs_its_class():
    errors = _errors(_household(**{**MONITORED, "monitoring_class": ""}))
    assert errors == {"monitoring_class": ["户类别为监测户时必须选择监测对象类别。"]}


@pytest.mark.parametrize("klass,registered,valid", [
    ("脱贫不稳定户", True, True), ("脱贫不稳定户", False, False),   # 建档立卡 by definition
    ("边缘易致贫户", False, True), ("边缘易致贫户", True, False),     # never 建档立卡
    ("突发严重困难户", True, True), ("突发严重困难户", False, True),  # either
])
def test_the_monitoring_class_decides_the_jiandang_fields(klass, registered, valid):
    fields = {} if registered else NOT_REGISTERED
    assert (_errors(_household(**{**MONITORED, "monitoring_class": klass}, **fields)) == {}) is valid


def test_monitoring_fields_belong_to_monitored_households_only():
    errors = _errors(_household(monitoring_class="边缘易致贫户", risk_type="因病", risk_eliminated=True,
                                risk_eliminated_on=datetime.date(2024, 1, 1)))
    assert set(errors) == {"monitoring_class", "risk_type", "risk_eliminated", "risk_eliminated_on"}
    assert "只有监测户" in errors["risk_type"][0]


def test_an_eliminated_risk_needs_its_date_and_a_date_needs_an_eliminated_risk():
    assert _errors(_household(**MONITORED, risk_eliminated=True)) == {
        "risk_eliminated_on": ["风险已消除时必须填写风险消除日期。"]}
    assert _errors(_household(**MONITORED, risk_eliminated_on=datetime.date(2024, 1, 1))) == {
        "risk_eliminated_on": ["风险未消除时不应填写风险消除日期。"]}
    assert _errors(_household(**MONITORED, risk_eliminated=True, risk_eliminated_on=datetime.date(2023, 5, 9))) == {
        "risk_eliminated_on": ["风险消除日期不能早于纳入监测时间。"]}
    assert _errors(_household(**MONITORED, risk_eliminated=True, risk_eliminated_on=datetime.date(2023, 5, 10))) == {}


def test_other_risks_need_a_main_one_and_differ_from_it_and_each_other():
    assert set(_errors(_household(**{**MONITORED, "risk_type": ""}, other_risk_1="因灾"))) == {"risk_type"}
    assert set(_errors(_household(**MONITORED, other_risk_1="因病"))) == {"other_risk_1"}
    assert set(_errors(_household(**MONITORED, other_risk_1="因灾", other_risk_2="因灾"))) == {"other_risk_2"}
    assert _errors(_household(**MONITORED, other_risk_1="因灾", other_risk_2="缺劳动力")) == {}


def test_a_vehicle_value_needs_a_vehicle():
    assert set(_errors(_household(vehicle_count=0, dearest_vehicle_value=Decimal("50000")))) == {"dearest_vehicle_value"}
    assert _errors(_household(vehicle_count=1, dearest_vehicle_value=Decimal("50000"))) == {}


def test_risk_types_are_data_and_listed_for_translation():
    doc = tomllib.loads((Path(vocab.__file__).with_name("data") / "risk_types.toml").read_text(encoding="utf-8"))
    names = tuple(r["name"] for r in doc["risk"])
    assert names == vocab.risk_type_names() == strings_i18n.RISK_TYPES
    assert len(names) == 11 and names[0] == "因病" and names[-1] == "其他"
    assert {r.get("cause") for r in doc["risk"]} - {None} <= set(vocab.PovertyCause.values)
    assert [c for c, _label in Household._meta.get_field("risk_type").choices] == list(names)


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_migration_makes_every_existing_household_and_its_history_a_tuopinhu():
    before, after = [("registry", "0002_cadre_history")], [("registry", "0003_household_category")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    apps.get_model("orgunits", "OrgUnit").objects.get_or_create(
        code=VILLAGE, defaults={"name": "下高池村", "level": 5})
    old = apps.get_model("registry", "Household").objects.create(
        code=f"{VILLAGE}0007", village_id=VILLAGE, head_name="李四", head_id_number="14082619650304001X",
        attribute="低保贫困户", status="未脱贫", identified_year=2016, main_cause="因病", income_year=2020,
        wage_income=1, business_income=2, property_income=3, transfer_income=4, business_expense=5, safe_water=False)
    apps.get_model("registry", "HistoricalHousehold").objects.create(
        **{f.attname: getattr(old, f.attname) for f in old._meta.concrete_fields if f.attname != "updated_at"},
        history_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), history_type="+")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    migrated = apps.get_model("registry", "Household").objects.get(code=f"{VILLAGE}0007")
    assert (migrated.category, migrated.monitoring_class, migrated.risk_eliminated) == ("脱贫户", "", False)
    assert (migrated.attribute, migrated.status, migrated.identified_year, migrated.main_cause) == (
        "低保贫困户", "未脱贫", 2016, "因病")
    history = apps.get_model("registry", "HistoricalHousehold").objects.get(code=f"{VILLAGE}0007")
    assert (history.category, history.risk_eliminated, history.status) == ("脱贫户", False, "未脱贫")


def test_leads_and_households_name_the_same_risk_types_in_the_same_order():
    """风险类型 exist twice: the registry's list as data (stored by name, the exchange contract) and the leads'
    choices (stored by code, which the alerts map to). Until the two are one, they may not drift apart."""
    from jingzhun.monitoring.vocab import RiskType
    from jingzhun.registry.vocab import risk_type_names

    assert [str(label) for label in RiskType.labels] == list(risk_type_names())
