"""The registry mirror (jingzhun/analytics/mirror.py): after every kind of write, whoever makes it, a
snapshot through the mirror equals a fresh read of the database, table by table (`Table.equals`), for the
whole registry, a county and a village. SQLite only: PostgreSQL has no mirror."""

from __future__ import annotations

import datetime
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from jingzhun.analytics import mirror, mirror_bulk_write, mirror_verify, registry_snapshot
from jingzhun.analytics.snapshot import _SQLiteReader
from jingzhun.assessment.models import SpotCheck, SpotCheckItem
from jingzhun.assistance.models import (Loan, LoanInstallment, Measure, Project, ProjectFund, ProjectSpending,
                                        Visit)
from jingzhun.cli import main
from jingzhun.exchange.importer import registry_import
from jingzhun.ops.backup import database_backup, database_restore
from jingzhun.registry.models import AssistanceCadre, Household, Member, VillageProfile

from .exchange_files import set_cell, synth_folder
from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO, id_number, make_household

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "sqlite", reason="the mirror serves SQLite only")]

ORGS = ("", "140826", XIAGAOCHI)


def assert_mirror_is_fresh(orgs=ORGS) -> None:
    """The mirrored snapshot (taken first, from files written before the last write) equals a fresh read,
    table by table (`Table.equals`: values, types and row order)."""
    for org in orgs:
        assert mirror_verify(org) == [], f"under {org or '(all)'}"


@pytest.fixture(autouse=True)
def no_marks_from_earlier_tests(db):
    """Start from the marks a fresh database would hold: a flush after an earlier transactional test
    empties Django's tables, not the mirror's own, and its leftover marks would add reads here."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {mirror.DIRTY}")
        mirror.install(cursor)


@pytest.fixture
def reads(monkeypatch):
    """The SQL statements snapshots send to SQLite, to see what the mirror re-reads."""
    sent = []
    fetch = _SQLiteReader.fetch
    monkeypatch.setattr(_SQLiteReader, "fetch", lambda self, sql: sent.append(sql) or fetch(self, sql))
    return sent


def _raw(sql: str, params=()) -> None:
    """A write by another program (the sqlite3 shell): no Django, its own connection and commit."""
    db = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    with db:
        db.execute(sql, params)
    db.close()


def test_registry_writes_of_every_kind_equal_a_fresh_read(world):
    assert_mirror_is_fresh()
    assert registry_snapshot("140826").tables["members"].num_rows == 6

    Household.objects.filter(pk=world.home.pk).update(wage_income=Decimal("15000.50"))  # QuerySet.update
    assert_mirror_is_fresh()
    home = Household.objects.get(pk=world.home.pk)
    home.head_name = "王建设"  # save()
    home.save()
    assert_mirror_is_fresh()

    twin = Household.objects.get(pk=world.neighbour.pk)
    twin.code = f"{CHENGNEI}0002"
    twin.head_name = "赵德旺"
    Household.objects.bulk_create([twin])
    members = list(Member.objects.filter(household=world.neighbour))
    for n, member in enumerate(members):
        member.pk, member.household, member.id_number = None, twin, id_number("140826", "19800101", 300 + n)
    Member.objects.bulk_create(members)
    assert_mirror_is_fresh()

    for member in members:
        member.education = "大专"
    Member.objects.bulk_update(members, ["education"])
    assert_mirror_is_fresh()

    # a change of partition: a member moves to a household of another township's village
    mover = members[1]
    mover.household = world.other_township
    mover.save()
    assert_mirror_is_fresh()

    # a cadre renamed: joined into the households of every village it serves
    world.cadre_record.name = "李新帮"
    world.cadre_record.save()
    assert_mirror_is_fresh()
    AssistanceCadre.objects.filter(pk=world.cadre_record.pk).update(work_unit="绛县乡村振兴局", phone="13800000000")
    assert_mirror_is_fresh()
    Household.objects.filter(pk=world.neighbour.pk).update(cadre=world.cadre_record)
    assert_mirror_is_fresh()

    VillageProfile.objects.create(village_id=XIAGAOCHI, registered_population=800, registered_households=230,
                                  is_poor_village=True, collective_income=Decimal("52000.10"))
    VillageProfile.objects.create(village_id=ZHANGGUO, registered_population=500, registered_households=150,
                                  is_poor_village=False)
    assert_mirror_is_fresh()
    VillageProfile.objects.filter(village_id=XIAGAOCHI).update(broadband=True)
    assert_mirror_is_fresh()

    with connection.cursor() as cursor:  # raw SQL through Django
        cursor.execute("UPDATE registry_member SET health = '长期慢性病' WHERE household_id = %s", [world.home.pk])
    assert_mirror_is_fresh()
    _raw("UPDATE registry_household SET phone = '0359-1234567' WHERE code = ?", (twin.pk,))  # another program
    _raw("DELETE FROM registry_villageprofile WHERE village_id = ?", (ZHANGGUO,))
    assert_mirror_is_fresh()

    Member.objects.filter(pk=mover.pk).delete()
    assert_mirror_is_fresh()
    Member.objects.filter(household=twin).delete()
    Household.objects.filter(pk=twin.pk).delete()
    assert_mirror_is_fresh()
    assert registry_snapshot(CHENGNEI).tables["households"].num_rows == 1


def test_assistance_and_spot_check_writes_equal_a_fresh_read(world):
    home, neighbour = world.home, world.neighbour
    head = home.members.get(relation="户主")
    measure = Measure.objects.create(household=home, member=head, year=2025, type="employment", name="护工培训",
                                     amount=Decimal("1200.50"), start=datetime.date(2025, 3, 1), details={"m": 6})
    loan = Loan.objects.create(household=home, borrower=head, bank="绛县农商银行", contract_no="XD-1",
                               amount=Decimal("50000"), term_months=36, annual_rate=Decimal("4.35"),
                               disbursed_on=datetime.date(2024, 5, 1), due_on=datetime.date(2027, 5, 1),
                               balance=Decimal("30000"))
    installment = LoanInstallment.objects.create(loan=loan, due_on=datetime.date(2025, 5, 1),
                                                 principal=Decimal("20000"))
    visit = Visit.objects.create(household=home, visitor=world.cadre, visited_on=datetime.date(2025, 6, 2),
                                 recorded_at=datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.timezone.utc))
    project = Project.objects.create(county_id="140826", code="2025-001", name="光伏电站", category="industry",
                                     year=2025, responsible_unit="绛县乡村振兴局", state="underway")
    project.villages.set([XIAGAOCHI, CHENGNEI])
    project.beneficiaries.set([home, neighbour])
    fund = ProjectFund.objects.create(project=project, source="central", amount=Decimal("1000000"))
    spending = ProjectSpending.objects.create(project=project, source="central", paid_on=datetime.date(2025, 7, 1),
                                              amount=Decimal("400000.25"), recorded_by=world.county_admin)
    check = SpotCheck.objects.create(unit="140826100", n=2, seed=7, frame_size=2, frame_sha256="0" * 64,
                                     drawn_by=world.evaluator)
    item = SpotCheckItem.objects.create(spot_check=check, household=home, order=1)
    SpotCheckItem.objects.create(spot_check=check, household=neighbour, order=2)
    assert_mirror_is_fresh()
    assert registry_snapshot("140826").tables["spot_items"].num_rows == 2

    measure.amount = Decimal("1300")
    measure.save()
    Loan.objects.filter(pk=loan.pk).update(balance=Decimal("10000"))
    assert_mirror_is_fresh()
    LoanInstallment.objects.filter(pk=installment.pk).update(paid_on=datetime.date(2025, 4, 30),
                                                             paid_amount=Decimal("20000"))
    assert_mirror_is_fresh()
    Member.objects.filter(pk=head.pk).update(id_number=id_number("140826", "19650304", 499))  # joined into loans
    assert_mirror_is_fresh()
    Loan.objects.filter(pk=loan.pk).update(household=neighbour)  # the loan and its repayments change village
    assert_mirror_is_fresh()
    Visit.objects.filter(pk=visit.pk).update(visited_on=datetime.date(2025, 6, 3))
    assert_mirror_is_fresh()

    Project.objects.filter(pk=project.pk).update(percent_complete=60)
    ProjectFund.objects.filter(pk=fund.pk).update(amount=Decimal("900000"))
    assert_mirror_is_fresh()
    project.villages.remove(CHENGNEI)
    project.beneficiaries.add(world.other_township)
    ProjectSpending.objects.filter(pk=spending.pk).update(amount=Decimal("1.01"))
    assert_mirror_is_fresh()
    Project.objects.filter(pk=project.pk).update(county_id="140829")  # to another county, with all it holds
    assert_mirror_is_fresh(("", "140826", "140829"))

    SpotCheck.objects.filter(pk=check.pk).update(unit="140826")  # joined into its items
    assert_mirror_is_fresh()
    SpotCheckItem.objects.filter(pk=item.pk).update(verified_at=datetime.datetime(2025, 8, 1, 3, tzinfo=datetime.UTC),
                                                    discrepancies=2)
    assert_mirror_is_fresh()

    check.delete()  # cascades to its items
    spending.delete()  # spending protects its project
    project.delete()  # cascades to its villages, beneficiaries and funds
    loan.delete()  # to its repayments
    measure.delete()
    visit.delete()
    assert_mirror_is_fresh()
    assert all(registry_snapshot().tables[name].num_rows == 0 for name in (
        "measures", "loans", "loan_installments", "visits", "projects", "project_villages",
        "project_beneficiaries", "project_funds", "project_spending", "spot_items"))


def test_import_and_restore_equal_a_fresh_read(world, tmp_path):
    files = synth_folder(tmp_path / "in")
    assert_mirror_is_fresh()
    assert not registry_import(paths=[files]).issues  # the import marks its villages at once
    assert_mirror_is_fresh()
    set_cell(files / "户表.csv", 2, "户主姓名", "改名户")
    assert not registry_import(paths=[files]).issues
    assert_mirror_is_fresh()

    backup = tmp_path / "b.backup"
    database_backup(out=backup)
    Household.objects.filter(pk=world.home.pk).update(head_name="备份之后")
    Member.objects.filter(household=world.neighbour).update(labour="丧失劳动力")
    assert_mirror_is_fresh()  # the mirror now holds what the backup does not
    database_restore(path=backup)
    assert_mirror_is_fresh()
    Household.objects.filter(pk=world.home.pk).update(head_name="恢复之后")  # as many writes as before the restore
    Member.objects.filter(household=world.neighbour).update(labour="弱劳动力")
    assert_mirror_is_fresh()


def test_only_committed_writes_show_also_when_committed_during_a_snapshot(world, monkeypatch):
    assert_mirror_is_fresh()
    db = sqlite3.connect(connection.settings_dict["NAME"], timeout=20, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE registry_household SET head_name = '未提交' WHERE code = ?", (world.home.pk,))
    assert_mirror_is_fresh()
    assert "未提交" not in registry_snapshot().tables["households"]["head_name"].to_pylist()
    db.execute("ROLLBACK")
    db.close()

    store, written = mirror._store, []

    def write_meanwhile(*args):  # another connection commits while the snapshot is under way
        if not written:
            _raw("UPDATE registry_household SET head_name = '读中提交' WHERE code = ?", (world.home.pk,))
            written.append(args[0])
        store(*args)

    Household.objects.filter(pk=world.home.pk).update(head_name="读前改")  # stale: the snapshot writes a file
    before = registry_snapshot(fresh=True)
    monkeypatch.setattr(mirror, "_store", write_meanwhile)
    during = registry_snapshot()
    monkeypatch.undo()
    assert written
    assert all(during.tables[name].equals(table) for name, table in before.tables.items())  # as the snapshot began
    assert_mirror_is_fresh()
    assert "读中提交" in registry_snapshot(XIAGAOCHI).tables["households"]["head_name"].to_pylist()


def test_clean_partitions_come_from_the_files_and_only_dirty_ones_from_sqlite(world, reads):
    registry_snapshot()
    reads.clear()
    warm = registry_snapshot()
    assert reads == []
    assert warm.tables["members"].num_rows == 8
    Household.objects.filter(pk=world.home.pk).update(phone="13500000000")
    registry_snapshot("140826")
    assert len(reads) == 1 and "FROM registry_household" in reads[0] and f"'{XIAGAOCHI}'" in reads[0]


def test_a_write_not_marked_is_caught_by_verify_and_mended_by_rebuild(world, capsys):
    assert main(["mirror", "--verify"]) == 0
    with mirror_bulk_write(villages=[HENGDONG]):  # a bulk writer naming the wrong village
        Household.objects.filter(pk=world.home.pk).update(head_name="没标记")
    assert "没标记" not in registry_snapshot(XIAGAOCHI).tables["households"]["head_name"].to_pylist()
    assert "没标记" in registry_snapshot(XIAGAOCHI, fresh=True).tables["households"]["head_name"].to_pylist()
    assert main(["mirror", "--verify", "--org", XIAGAOCHI]) == 1
    assert "households" in capsys.readouterr().err
    assert main(["mirror", "--rebuild", "--verify"]) == 0
    assert "没标记" in registry_snapshot(XIAGAOCHI).tables["households"]["head_name"].to_pylist()
    assert main(["mirror", "--verify", "--org", "14x"]) == 2


def test_a_bulk_write_marks_its_villages_and_puts_the_triggers_back(world):
    registry_snapshot()
    with mirror_bulk_write(villages=[XIAGAOCHI]):
        Household.objects.filter(pk=world.home.pk).update(head_name="批量")
    assert not mirror.ensure_installed(connection)  # every trigger there, as it was
    assert_mirror_is_fresh()
    with pytest.raises(RuntimeError), mirror_bulk_write(villages=[XIAGAOCHI]):
        Household.objects.filter(pk=world.home.pk).update(head_name="回滚")
        raise RuntimeError
    assert not mirror.ensure_installed(connection)
    assert_mirror_is_fresh()
    assert "回滚" not in registry_snapshot().tables["households"]["head_name"].to_pylist()


def test_triggers_dropped_by_a_table_rebuild_come_back_and_invalidate_every_file(world, reads):
    registry_snapshot()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER mirror_00_update")  # as Django's table rebuild would
    Household.objects.filter(pk=world.home.pk).update(head_name="无触发器")
    assert mirror.ensure_installed(connection)
    assert not mirror.ensure_installed(connection)
    reads.clear()
    registry_snapshot()
    assert {sql.split("FROM ")[1].split()[0] for sql in reads} >= {"registry_household", "registry_member"}
    # whole counties read again
    assert reads and all(" >= '140826' " in sql or " >= '140829' " in sql for sql in reads)
    assert_mirror_is_fresh()


def test_small_changes_go_to_a_delta_file_and_a_large_one_rewrites_the_county(world, settings):
    for serial in range(2, 8):
        make_household(CHENGNEI, serial, f"赵{serial}")
    assert_mirror_is_fresh()  # 140826: 1 household in 下高池, 7 in 城内, 1 in 横东
    county = next(Path(settings.MIRROR_ROOT).glob("*/140826"))
    delta = county / "households.delta.arrow"
    assert not delta.exists()
    Household.objects.filter(pk=world.home.pk).update(head_name="改一")
    assert_mirror_is_fresh()
    assert delta.exists()  # 1 of 9 rows: the county's file stays as it was
    Household.objects.filter(pk=world.other_township.pk).update(head_name="改二")
    assert_mirror_is_fresh()
    assert delta.exists()
    Household.objects.filter(code__startswith=CHENGNEI).update(phone="0359-7654321")
    assert_mirror_is_fresh()
    assert not delta.exists()  # most rows changed: the county's file written again, whole


def test_concurrent_snapshots_refreshing_the_same_files_leave_them_sound(world, settings):
    from concurrent.futures import ThreadPoolExecutor

    assert_mirror_is_fresh()
    Household.objects.filter(pk=world.home.pk).update(head_name="并发")
    Member.objects.filter(household=world.neighbour).update(education="大学本科")
    fresh = registry_snapshot(fresh=True)
    with ThreadPoolExecutor(4) as pool:  # each its own SQLite connection, all rewriting the same files
        taken = list(pool.map(lambda _n: registry_snapshot(), range(8)))
    for snapshot in taken:
        assert all(snapshot.tables[name].equals(table) for name, table in fresh.tables.items())
    assert_mirror_is_fresh()
    assert not list(Path(settings.MIRROR_ROOT).rglob("*.tmp"))  # no temp file left behind
