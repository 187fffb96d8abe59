"""`jingzhun risk train|score --org CODE` on a small registry whose history spans 2023–2025, and the
registry as of a past day read from its history tables."""

from __future__ import annotations

import datetime
import json

import pyarrow.compute as pc
import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jingzhun.accounts.models import AuditEvent
from jingzhun.analytics import get_engine
from jingzhun.analytics.risk import FEATURES, ledger_events, registry_as_of, screening_list
from jingzhun.cli import main
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry.models import Household, Member
from jingzhun.synth.risk_panel import generate_panel

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _on(year: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, 6, 1, 12, 0))


def _objects(model, table):
    """Model objects from an Arrow table of the snapshot schema (blank text where the schema has NULL, the
    field's default for other NULLs in fields that take none)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    objects = []
    for row in table.to_pylist():
        values = {k: ("" if v is None and fields[k].get_internal_type() == "CharField" else v)
                  for k, v in row.items() if k in fields and (v is not None or fields[k].null
                                                               or fields[k].get_internal_type() == "CharField")}
        objects.append(model(**values))
    return objects


@pytest.fixture
def history(settings, tmp_path):
    """1,200 households of 绛县 in 40 real villages: imported in 2023 (that year's incomes), their 2024
    incomes recorded in 2024, the returns to poverty recorded in 2025."""
    from jingzhun.orgunits.services import divisions_load

    settings.JINGZHUN_HOME = tmp_path
    divisions_load(prefix="1408")
    villages = list(OrgUnit.objects.filter(code__startswith="140826", level=Level.VILLAGE)
                    .order_by("code").values_list("code", flat=True)[:40])
    panel = generate_panel(households=1_200, seed=21, year=2024, villages=villages)
    bulk_create_with_history(_objects(Household, panel.before["households"]), Household, default_date=_on(2023))
    bulk_create_with_history(_objects(Member, panel.now["members"]), Member, default_date=_on(2023))
    bulk_update_with_history(_objects(Household, panel.now["households"]), Household,
                             ["income_year", "wage_income", "business_income"], default_date=_on(2024))
    bulk_update_with_history(_objects(Household, panel.after["households"]), Household, ["status"],
                             default_date=_on(2025))
    return panel


def test_registry_as_of_a_day_is_what_the_history_said_then(history):
    code = history.now["households"].column("code")[0].as_py()

    def row(day):
        table = registry_as_of("140826", day).tables["households"]
        return table.filter(pc.equal(table.column("code"), code)).to_pylist()

    assert row(datetime.date(2023, 1, 1)) == []
    assert row(datetime.date(2024, 1, 1))[0]["income_year"] == 2023
    assert row(datetime.date(2025, 1, 1))[0]["income_year"] == 2024
    returned = registry_as_of("140826", datetime.date(2026, 1, 1)).tables["households"]
    assert pc.sum(pc.equal(returned.column("status"), "返贫")).as_py() == \
        pc.sum(pc.equal(history.after["households"].column("status"), "返贫")).as_py() > 0
    assert registry_as_of("140826", datetime.date(2024, 1, 1)).tables["members"].num_rows == history.members


def test_the_day_begins_at_midnight_in_china_not_in_utc(history):
    from jingzhun.registry.models import Household as Current

    code = history.now["households"].column("code")[1].as_py()
    Current.history.filter(code=code).delete()
    household = Current.objects.get(code=code)
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    for status, moment in (("已脱贫", datetime.datetime(2025, 12, 31, 23, 30, tzinfo=shanghai)),   # 15:30 UTC
                           ("返贫", datetime.datetime(2026, 1, 1, 0, 30, tzinfo=shanghai))):       # 16:30 UTC
        household.status = status
        household._history_date = moment
        household.save()

    def status_on(day):
        table = registry_as_of("140826", day).tables["households"]
        return table.filter(pc.equal(table.column("code"), code)).column("status").to_pylist()

    assert status_on(datetime.date(2026, 1, 1)) == ["已脱贫"]
    assert status_on(datetime.date(2026, 1, 2)) == ["返贫"]


def test_ledger_events_are_those_recorded_before_the_day(history):
    from jingzhun.workflows.models import LedgerEvent

    code = history.now["households"].column("code")[0].as_py()
    late = LedgerEvent.objects.create(type="return", effective=datetime.date(2024, 3, 1), household=code,
                                      village=code[:12], persons=3, source="import")
    LedgerEvent.objects.filter(pk=late.pk).update(created_at=_on(2025))  # recorded a year after it took effect
    LedgerEvent.objects.create(type="exit", effective=datetime.date(2023, 9, 1), household=code, village=code[:12],
                               persons=3, source="import")
    LedgerEvent.objects.filter(type="exit").update(created_at=_on(2023))
    assert ledger_events("140826", datetime.date(2025, 1, 1)).to_pylist() == [
        {"household": code, "type": "exit", "effective": datetime.date(2023, 9, 1)}]
    assert ledger_events("140826", datetime.date(2026, 1, 1)).num_rows == 2
    assert ledger_events("140829", datetime.date(2026, 1, 1)).num_rows == 0


def test_train_then_score_on_the_command_line(history, tmp_path, capsys):
    assert main(["risk", "train", "--org", "140826", "--years", "2024", "--seed", "2", "--format", "json"]) == 0
    metadata = json.loads(capsys.readouterr().out)
    assert metadata["org"] == "140826" and metadata["seed"] == 2
    assert metadata["data"]["years"][0]["features_as_of"] == "2025-01-01" and metadata["positives"] > 0
    assert (tmp_path / "risk" / "140826.lgb").exists() and (tmp_path / "risk" / "140826.json").exists()
    written = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target=str(tmp_path / "risk" / "140826.lgb"))
    assert written.detail["what"] == "risk model"

    assert main(["risk", "score", "--org", "140826", "--top", "5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    words = {f.words for f in FEATURES}
    assert all(r["reasons"] and all(reason.split("：")[0] in words for reason in r["reasons"]) for r in rows)
    watched = set(Household.objects.filter(status="已脱贫").values_list("code", flat=True))
    assert {r["code"] for r in rows} <= watched

    assert main(["risk", "score", "--org", "140826", "--top", "3"]) == 0
    assert "返贫风险排序" in capsys.readouterr().out

    village = rows[0]["village_id"]
    with get_engine("duckdb", threads=1) as engine:
        listed = screening_list(engine, village, directory=tmp_path / "risk", mask_personal=False)
    assert listed and {r["village_id"] for r in listed} == {village}
    assert [r["rank"] for r in listed] == list(range(1, len(listed) + 1))
    assert len(listed) == Household.objects.filter(village_id=village, status="已脱贫").count()


def test_command_line_refusals_are_chinese_and_write_nothing(history, tmp_path, capsys):
    for args in (["risk", "score", "--org", "140829"],                       # no model there or above
                 ["risk", "train", "--org", "140829", "--years", "2024"],     # no history there
                 ["risk", "train", "--org", "140826", "--years", "2026"],     # its outcome is not known yet
                 ["risk", "train", "--org", "999999"],
                 ["risk", "score", "--org", "140826", "--top", "0"],
                 ["risk", "train", "--org", "140826", "--threads", "0"],
                 ["risk", "train", "--org", "140826", "--years", "20x4"]):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert "错误" in err and "Traceback" not in err
    assert not (tmp_path / "risk").exists() or not list((tmp_path / "risk").iterdir())
