"""The progress of a batch in the seeds' words (supervision.selectors.progress): golden sentences, the counts
by 方面 and by 责任单位, scope (a township counts its own part), and English."""

from __future__ import annotations

import datetime as dt

import pytest

from jingzhun.supervision.models import Item
from jingzhun.supervision.selectors.progress import Counts, batch_progress, progress_sentence

from .ledger_batches import SEED_TODAY, seed_batch

GOLDEN = [
    # (aspects, items, closed, overdue) → the sentence
    ((4, 21, 17, 1), "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）"),
    ((4, 21, 17, 0), "4 方面 21 个问题，已销号 17 个，剩余 4 个"),
    ((4, 21, 21, 0), "4 方面 21 个问题，已全部销号"),
    ((1, 1, 0, 1), "1 方面 1 个问题，已销号 0 个，剩余 1 个（逾期 1 个）"),
    ((0, 3, 1, 0), "3 个问题，已销号 1 个，剩余 2 个"),
    ((0, 0, 0, 0), "还没有事项"),
]


@pytest.mark.parametrize(("numbers", "sentence"), GOLDEN)
def test_the_sentence_in_the_seeds_words(numbers, sentence):
    aspects, items, closed, overdue = numbers
    assert progress_sentence(aspects=aspects, counts=Counts(items=items, closed=closed, overdue=overdue)) == sentence


def test_tasks_and_projects_are_counted_in_their_own_words():
    counts = Counts(items=5, closed=2, overdue=0)
    assert progress_sentence(aspects=2, counts=counts, kind="task") == "2 方面 5 项工作，已销号 2 个，剩余 3 个"
    assert progress_sentence(aspects=0, counts=counts, kind="project").startswith("5 个项目")


@pytest.mark.django_db
def test_the_seed_batch_21_problems_4_aspects_17_closed_1_overdue(world, tmp_path):
    batch = seed_batch(world, tmp_path)
    progress = batch_progress(world.county_admin, batch, today=SEED_TODAY)
    assert progress.sentence == "4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）"
    assert (progress.counts.items, progress.counts.closed, progress.counts.remaining, progress.counts.overdue) \
        == (21, 17, 4, 1)
    by_aspect = {g.name: (g.counts.items, g.counts.closed, g.counts.remaining, g.counts.overdue)
                 for g in progress.aspects}
    assert by_aspect == {"精准识别": (6, 2, 4, 1), "饮水安全": (5, 5, 0, 0), "住房安全": (5, 5, 0, 0),
                         "健康扶贫": (5, 5, 0, 0)}
    assert [g.name for g in progress.aspects] == ["精准识别", "饮水安全", "住房安全", "健康扶贫"]
    assert [i.number for i in progress.overdue_items] == [1]
    # units: the one with the overdue item first, its open item with the days late
    first = progress.agencies[0]
    assert first.counts.overdue == 1 and first.open_items[0].number == 1
    assert first.open_items[0].days == (dt.date(2020, 4, 9) - SEED_TODAY).days == -22
    assert first.open_items[0].late_days == 22
    assert sum(g.counts.items for g in progress.agencies) == 21
    # the same batch a day before the first deadline: nothing overdue
    early = batch_progress(world.county_admin, batch, today=dt.date(2020, 4, 9))
    assert early.sentence == "4 方面 21 个问题，已销号 17 个，剩余 4 个"
    Item.objects.filter(batch=batch).update(state=Item.State.CLOSED)
    done = batch_progress(world.county_admin, batch, today=SEED_TODAY)
    assert done.sentence == "4 方面 21 个问题，已全部销号"


@pytest.mark.django_db
def test_a_township_counts_only_its_own_part_and_a_helper_nothing(world, tmp_path):
    batch = seed_batch(world, tmp_path)
    mine = batch_progress(world.township_officer, batch, today=SEED_TODAY)
    expected = Item.objects.filter(batch=batch, agency__org__code__startswith="140826100").count() + Item.objects.filter(
        batch=batch, affected_units__code__startswith="140826100").exclude(
        agency__org__code__startswith="140826100").distinct().count()
    assert 0 < mine.counts.items == expected < 21
    assert batch_progress(world.cadre, batch, today=SEED_TODAY).counts.items == 0
