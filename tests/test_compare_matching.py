"""Matching a department's file against the registry: exact on valid IDs, fuzzy for each corruption type."""

from __future__ import annotations

import pytest

from jingzhun.compare.kinds import KINDS
from jingzhun.compare.matching import Matcher, default_model, match_people
from jingzhun.compare.models import Match
from jingzhun.compare.services import compare_run_execute, dataset_load
from jingzhun.synth.linkage import labelled_benchmark, score

from .people import HENGDONG, XIAGAOCHI, id_number
from .test_compare_import import write_csv


@pytest.fixture(autouse=True)
def _chinese():
    """Labels are read in Chinese, whatever language an earlier test's request left active."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


def _mistype(id_number: str) -> str:
    digits = list(id_number)
    for j in (14, 15):
        digits[j] = str((int(digits[j]) + 3) % 10)
    return "".join(digits)


def death(name, id_number="", birth="", village="", **extra):
    return {"姓名": name, "身份证号": id_number, "出生日期": birth, "村代码": village, "死亡日期": "2024-05-01", **extra}


def corrupted_file(world) -> tuple[list[dict], dict[str, tuple[str, str]]]:
    """Rows of a death file and, per row name, the member (ID number) it must match and the name level."""
    home = {m.relation: m for m in world.home.members.all()}
    neighbour = {m.relation: m for m in world.neighbour.members.all()}
    other = {m.relation: m for m in world.other_township.members.all()}
    rows = [
        death("王建国", home["户主"].id_number),  # exact
        death("王建郭", "", "1965-03-04", XIAGAOCHI),  # homophone 国/郭, no ID
        death(neighbour["户主"].name[:2] + "祸", "", "1965-03-04"),  # look-alike 福/祸
        death("王国建", "", "1965-03-04", XIAGAOCHI),  # given name swapped
        death("赵福", "", "1965-03-04"),  # a given-name character dropped
        death(home["之女"].name, _mistype(home["之女"].id_number)),  # two ID digits mistyped
        death(neighbour["之女"].name, "", "1992-06-11"),  # blank ID
        death(other["之女"].name, "", "1992-11-06"),  # day and month swapped
        death("刘长顺", "", "1965-03-04", XIAGAOCHI),  # moved village (lives in 横东村)
        death("孙悟空", "", "1970-01-01", HENGDONG),  # nobody
    ]
    expected = {
        "王建国": (home["户主"].id_number, "exact"), "王建郭": (home["户主"].id_number, "同音"),
        rows[2]["姓名"]: (neighbour["户主"].id_number, "相差一字"), "王国建": (home["户主"].id_number, "名字两字颠倒"),
        "赵福": (neighbour["户主"].id_number, "相差一字"), home["之女"].name: (home["之女"].id_number, "完全一致"),
        neighbour["之女"].name: (neighbour["之女"].id_number, "完全一致"),
        other["之女"].name: (other["之女"].id_number, "完全一致"), "刘长顺": (other["户主"].id_number, "完全一致"),
    }
    return rows, expected


@pytest.mark.django_db(transaction=True)
def test_exact_and_each_corruption_type_find_the_right_member(world, tmp_path):
    rows, expected = corrupted_file(world)
    path = tmp_path / "死亡人口.csv"
    write_csv(path, rows)
    assert dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin).ok
    run = compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    found = {m.record.name: m for m in Match.objects.filter(run=run).select_related("record")}
    assert set(found) == set(expected), sorted(found)
    for name, (person, level) in expected.items():
        match = found[name]
        assert match.person == person, name
        if level == "exact":
            assert match.method == Match.Method.EXACT and match.status == Match.Status.AUTO
        else:
            assert match.method == Match.Method.FUZZY and match.agreement_labels["姓名"] == level, (name, match.agreements)
            assert match.match_weight is not None
    assert found[rows[5]["姓名"]].agreement_labels["身份证号"] == "相差一两位"
    assert found[rows[7]["姓名"]].agreement_labels["出生日期"] == "日、月颠倒"
    assert found["刘长顺"].agreement_labels["村"] == "同县"
    assert run.counts["exact"] == 1 and run.counts["fuzzy"] == 8


@pytest.mark.django_db(transaction=True)
def test_a_run_sees_only_the_registry_under_its_unit(world, tmp_path):
    path = tmp_path / "死亡人口.csv"
    write_csv(path, [death("张守业", world.other_county.head_id_number), death("王建国", world.home.head_id_number)])
    assert dataset_load(kind=KINDS["death"], paths=[path], acting_user=world.county_admin).ok
    run = compare_run_execute(kind=KINDS["death"], org="140826", acting_user=world.county_admin)
    assert set(Match.objects.filter(run=run).values_list("person", flat=True)) == {world.home.head_id_number}


def test_exact_matching_needs_a_valid_id_on_both_sides():
    import pyarrow as pa

    good = id_number("140826", "19650304", 1)
    bad = good[:17] + ("0" if good[17] != "0" else "1")  # the check character is wrong
    registry = pa.table({"unique_id": [1, 2], "name": ["王建国", "李四"], "sex": ["男", "男"],
                         "id_number": [good, bad], "village": ["140826100233", "140826100233"]})
    external = pa.table({"unique_id": [10, 11], "name": ["王建国", "李四"], "sex": ["男", "男"],
                         "id_number": [good.lower(), bad], "village": ["", ""]})
    with Matcher(registry, external) as matcher:
        exact = matcher.exact()
    assert exact.to_pylist() == [{"record_id": 10, "member_id": 1}]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_labelled_benchmark_f1_on_a_small_county():
    registry, external, truth = labelled_benchmark(households=1500, seed=11)
    with Matcher(registry, external) as matcher:
        matcher.exact()
        model = matcher.train(default_model())
    result = match_people(registry, external, model=model, min_weight=10)
    figures = score(result.pairs, truth)
    assert figures["f1"] >= 0.95, figures


def test_the_id_only_path_finds_the_same_exact_pairs_as_the_matcher():
    from jingzhun.compare.matching import exact_id_pairs

    registry, external, _truth = labelled_benchmark(households=300, seed=5)
    with Matcher(registry, external) as matcher:
        full = matcher.exact()
    alone = exact_id_pairs(registry, external)
    assert alone.num_rows > 100
    assert sorted(zip(*full.to_pydict().values())) == sorted(zip(*alone.to_pydict().values()))


def test_the_matcher_runs_on_the_callers_engine_and_leaves_it_open():
    from jingzhun.analytics import get_engine

    registry, external, _truth = labelled_benchmark(households=80, seed=3)
    with get_engine("duckdb", threads=1) as engine:
        with Matcher(registry, external, engine=engine) as matcher:
            on_callers = matcher.exact()
        # the caller's engine is still open and holds the matcher's feature tables
        assert engine.scalar("SELECT count(*) FROM ext") == external.num_rows
    with Matcher(registry, external) as matcher:
        on_private = matcher.exact()
    assert on_callers.num_rows > 10
    assert sorted(zip(*on_callers.to_pydict().values())) == sorted(zip(*on_private.to_pydict().values()))


def test_the_matcher_judges_id_numbers_as_the_registry_and_the_rules_do():
    """One GB 11643 definition: the matcher's validity (the engine's id_numbers.sql, as member_facts uses)
    agrees with registry.idnumbers on numbers whose check character is right but whose date is not —
    only valid IDs make exact pairs, in the full matcher and on the ID-only path."""
    import datetime

    import pyarrow as pa

    from jingzhun.compare.matching import exact_id_pairs
    from jingzhun.registry.idnumbers import id_number_problem

    future = (datetime.date.today() + datetime.timedelta(days=400)).strftime("%Y%m%d")
    numbers = [id_number("140826", "19650304", 1), id_number("140826", "19650304", 1)[:17] + "0",
               id_number("140826", "19990229", 3),  # no 29 February in 1999
               id_number("140826", "18991231", 5),  # before 1900
               id_number("140826", future, 7),  # born after today
               id_number("140826", "20000229", 9)]
    if numbers[1] == numbers[0]:
        numbers[1] = numbers[0][:17] + "1"
    people = pa.table({"unique_id": list(range(1, len(numbers) + 1)), "name": ["王建国"] * len(numbers),
                       "sex": ["男"] * len(numbers), "id_number": numbers, "village": ["140826100233"] * len(numbers)})
    valid = [id_number_problem(n) is None for n in numbers]
    assert valid == [True, False, False, False, False, True]
    expected = {i + 1 for i, ok in enumerate(valid) if ok}
    with Matcher(people, people) as matcher:
        assert set(matcher.exact()["record_id"].to_pylist()) == expected
    assert set(exact_id_pairs(people, people)["record_id"].to_pylist()) == expected
