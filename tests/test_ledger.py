"""The dynamic adjustment ledger: counts equal events, the seed's sentence, imports, the CLI and the page."""

from __future__ import annotations

import datetime
import json
import random

import pyarrow as pa
import pytest
from django.urls import reverse

from jingzhun.cli import main as jingzhun
from jingzhun.registry.services import registry_upsert
from jingzhun.workflows.ledger import ledger_breakdown, ledger_counts, ledger_text
from jingzhun.workflows.models import LedgerEvent

from .people import CHENGNEI, HENGDONG, PASSWORD, XIAGAOCHI

pytestmark = pytest.mark.django_db

SEED_TEXT = "新识别 178 户 421 人，清退 2036 户 5858 人，返贫 18 户 53 人，脱贫 0 户 0 人，人口自然变更 1753 人次，纳入监测 0 户 0 人，风险消除 0 户 0 人"
VILLAGES = [XIAGAOCHI, CHENGNEI, HENGDONG]


def _persons(households: int, people: int, rng: random.Random) -> list[int]:
    """`households` positive sizes summing to `people`."""
    sizes = [1] * households
    for _ in range(people - households):
        sizes[rng.randrange(households)] += 1
    return sizes


def _seed_events() -> None:
    """交口县 2017–2018 (seed 003), spread over three villages of 绛县 and the two years."""
    rng = random.Random(3)
    events = []
    for type_, households, people in (("new", 178, 421), ("removal", 2036, 5858), ("return", 18, 53),
                                      ("natural", 1753, 1753)):
        for n, persons in enumerate(_persons(households, people, rng)):
            village = VILLAGES[n % 3]
            effective = datetime.date(2017 + n % 2, 1 + n % 12, 1 + n % 28)
            events.append(LedgerEvent(type=type_, effective=effective, household=f"{village}{n % 9000 + 1000:04d}",
                                      village=village, persons=persons, source=LedgerEvent.Source.WORKFLOW))
    LedgerEvent.objects.bulk_create(events, batch_size=2000)


def test_seed_counts_are_built_from_events_and_read_in_the_seeds_words(world):
    _seed_events()
    total, townships = ledger_counts(LedgerEvent.objects.all(), org="140826", start=datetime.date(2017, 1, 1),
                                     end=datetime.date(2018, 12, 31))
    assert ledger_text(total) == SEED_TEXT
    assert sum(t.households("removal") for t in townships) == 2036
    assert sum(t.persons("natural") for t in townships) == 1753
    assert {t.code for t in townships} == {"140826100", "140826101"}


def test_ledger_counts_equal_the_events_at_every_level_and_period(world):
    _seed_events()
    start, end = datetime.date(2018, 1, 1), datetime.date(2018, 6, 30)
    total, units = ledger_breakdown(LedgerEvent.objects.all(), org="140826", start=start, end=end)
    in_period = LedgerEvent.objects.filter(effective__range=(start, end))
    for counts in [total, *units]:
        for type_ in ("new", "removal", "return", "natural"):
            mine = in_period.filter(type=type_, village__startswith=counts.code)
            assert counts.households(type_) == mine.count()
            assert counts.persons(type_) == sum(mine.values_list("persons", flat=True))
    assert {u.code for u in units} == {"140826100", "140826101", *VILLAGES}


def test_cli_changes_prints_the_sentence_and_json(world, capsys):
    _seed_events()
    assert jingzhun(["changes", "--org", "140826", "--from", "2017-01-01", "--to", "2018-12-31"]) == 0
    out = capsys.readouterr().out
    assert SEED_TEXT in out and "140826100" in out and XIAGAOCHI in out
    assert jingzhun(["changes", "--org", "140826100", "--from", "2017-01-01", "--to", "2018-12-31",
                     "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    villages = {u["code"]: u for u in data["units"]}
    assert set(villages) == {XIAGAOCHI, CHENGNEI}
    assert data["total"]["new"]["households"] == sum(v["new"]["households"] for v in villages.values())
    assert data["total"]["text"].startswith("新识别 ")


@pytest.mark.parametrize("args, words", [
    (["--org", "999999", "--from", "2017-01-01", "--to", "2018-12-31"], "没有区划代码"),
    (["--org", "140826", "--from", "2017-13-01", "--to", "2018-12-31"], "--from 应为 YYYY-MM-DD"),
    (["--org", "140826", "--from", "2019-01-01", "--to", "2018-12-31"], "--from 不能晚于 --to"),
])
def test_cli_changes_bad_arguments_get_a_chinese_error(world, capsys, args, words):
    assert jingzhun(["changes", *args]) == 2
    assert words in capsys.readouterr().err


def _households(rows: list[tuple[str, str]]) -> pa.Table:
    return pa.table({"code": pa.array([r[0] for r in rows], pa.string()),
                     "village_id": pa.array([r[0][:12] for r in rows], pa.string()),
                     "status": pa.array([r[1] for r in rows], pa.string()),
                     "cadre_name": pa.array([""] * len(rows), pa.string()),
                     "cadre_work_unit": pa.array([""] * len(rows), pa.string()),
                     "cadre_phone": pa.array([""] * len(rows), pa.string())})


def test_import_that_changes_a_status_writes_events_set_based(world):
    world.home.cadre = None
    world.home.save()
    rows = [(world.other_township.code, "已脱贫"), (world.home.code, "返贫"), (world.neighbour.code, "已脱贫")]
    daughter = world.neighbour.members.get(relation="之女")
    members = pa.table({"household_id": pa.array([world.neighbour.code], pa.string()),
                        "id_number": pa.array([daughter.id_number], pa.string()),
                        "status": pa.array(["死亡"], pa.string())})
    summary = registry_upsert(households=_households(rows), members=members, acting_user=world.county_admin,
                              reason="导入")
    assert summary.ledger_events == 3
    events = {e.household: e for e in LedgerEvent.objects.all() if e.type != "natural"}
    assert events[world.other_township.code].type == "exit" and events[world.other_township.code].persons == 2
    assert events[world.home.code].type == "return"
    assert world.neighbour.code not in events  # 已脱贫 → 已脱贫: no change of status
    natural = LedgerEvent.objects.get(type="natural")
    assert (natural.household, natural.persons, natural.change, natural.source) == (
        world.neighbour.code, 1, "death", "import")
    assert all(e.actor == world.county_admin for e in LedgerEvent.objects.all())
    again = registry_upsert(households=_households(rows), members=members, acting_user=world.county_admin,
                            reason="再次导入")
    assert again.ledger_events == 0 and LedgerEvent.objects.count() == 3


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_ledger_page_shows_the_sentence_per_township_with_drill_down(world, client):
    _seed_events()
    _login(client, world.county_admin)
    page = client.get(reverse("workflows:ledger"), {"start": "2017-01-01", "end": "2018-12-31"}).content.decode()
    assert SEED_TEXT in page and "古绛镇" in page and "横水镇" in page
    events = client.get(reverse("workflows:ledger_events"),
                        {"org": HENGDONG, "type": "return", "start": "2017-01-01", "end": "2018-12-31"})
    expected = LedgerEvent.objects.filter(village=HENGDONG, type="return").count()
    assert f"共 {expected} 条" in events.content.decode()


def test_ledger_page_of_a_unit_out_of_reach_is_absent(world, client):
    _login(client, world.township_officer)
    assert client.get(reverse("workflows:ledger"), {"org": "140826101"}).status_code == 404
    assert client.get(reverse("workflows:ledger"), {"org": "140826100"}).status_code == 200


def test_ledger_page_rejects_a_bad_period_in_chinese(world, client):
    _login(client, world.county_admin)
    page = client.get(reverse("workflows:ledger"), {"start": "2019-01-01", "end": "2018-01-01"}).content.decode()
    assert "起始日期不能晚于截止日期" in page


def test_import_adding_households_and_members_after_the_first_load_writes_events(world, tmp_path):
    import collections
    import shutil

    from jingzhun.exchange.importer import registry_import

    from .exchange_files import read_rows, synth_folder, write_rows

    full = synth_folder(tmp_path / "full", households=40, seed=7)
    head, rows = read_rows(full / "户表.csv")
    code_col, status_col, exit_col = head.index("户编号"), head.index("脱贫状态"), head.index("脱贫年度")
    per_village = collections.defaultdict(list)
    for r in rows:
        per_village[r[code_col][:12]].append(r)
    newcomer = next(v for v in per_village.values() if len(v) >= 2)[0]
    newcomer[status_col], newcomer[exit_col] = "未脱贫", ""
    write_rows(full / "户表.csv", head, rows)
    mhead, mrows = read_rows(full / "人员表.csv")
    m_code, m_relation = mhead.index("户编号"), mhead.index("与户主关系")
    x = newcomer[code_col]
    joiner = next(m for m in mrows if m[m_code] != x and m[m_relation] != "户主")
    first = tmp_path / "first"
    shutil.copytree(full, first)
    write_rows(first / "户表.csv", head, [r for r in rows if r[code_col] != x])
    write_rows(first / "人员表.csv", mhead, [m for m in mrows if m[m_code] != x and m is not joiner])

    report = registry_import(paths=[first])
    assert report.ok, report.issues
    assert report.summary.ledger_events == 0 and not LedgerEvent.objects.exists()  # the first load is no change

    report = registry_import(paths=[full])
    assert report.ok, report.issues
    new = LedgerEvent.objects.get(type="new")
    assert (new.household, new.source) == (x, "import")
    assert new.persons == sum(1 for m in mrows if m[m_code] == x)
    natural = LedgerEvent.objects.get(type="natural")
    assert (natural.household, natural.persons) == (joiner[m_code], 1)
    assert report.summary.ledger_events == LedgerEvent.objects.count() == 2
