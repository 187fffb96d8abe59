"""The ledger's to-dos: 待签收 and 临期/逾期 for the unit's staff, 待复核 for the county."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingzhun.desk import todo
from jingzhun.supervision.models import Item
from jingzhun.supervision.selectors import todo as selectors

from .ledger_helpers import ledger_build, new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world):
    ledger = ledger_build(world)
    new_item(world, ledger.village, title="待签收村", days=20)
    for title, days in (("远期", 30), ("临期", 3), ("逾期", -2)):
        item = new_item(world, ledger.village, title=title, days=days)
        Item.objects.filter(pk=item.pk).update(state="doing")
    reported = new_item(world, ledger.dept, title="已报告")
    Item.objects.filter(pk=reported.pk).update(state="reported", reported_by=world.department,
                                               reported_at=timezone.now())
    new_item(world, ledger.township, title="镇待签收")
    return ledger


def _titles(qs) -> list[str]:
    return [i.title for i in qs]


def test_the_village_signs_its_items_and_sees_its_due_ones_soonest_first(world, ledger):
    assert _titles(selectors.todo_ledger_sign(world.village_clerk)) == ["待签收村"]
    assert _titles(selectors.todo_ledger_due(world.village_clerk)) == ["逾期", "临期"]
    assert _titles(selectors.todo_ledger_sign(world.township_officer)) == ["镇待签收"]  # not the village's


def test_the_county_reviews_what_others_reported(world, ledger):
    assert _titles(selectors.todo_ledger_review(world.county_admin)) == ["已报告"]
    assert _titles(selectors.todo_ledger_review(world.outsider)) == []
    Item.objects.filter(title="已报告").update(reported_by=world.county_admin)
    assert _titles(selectors.todo_ledger_review(world.county_admin)) == []


def test_roles_without_such_work_get_none(world, ledger):
    for user in (world.analyst, world.evaluator, world.cadre, world.work_team, world.county_admin):
        assert selectors.todo_ledger_sign(user).query.is_empty()
        assert selectors.todo_ledger_due(user).query.is_empty()
    for user in (world.village_clerk, world.township_officer, world.department, world.analyst):
        assert selectors.todo_ledger_review(user).query.is_empty()


def test_the_to_do_page_shows_days_left_and_overdue_first(world, ledger, client):
    sections = {s.kind.code: s for s in todo.board(world.village_clerk)}
    due = sections["ledger_due"]
    assert [i.title for i in due.items] == ["1. 逾期", "1. 临期"] and due.overdue == 1
    assert "逾期 2 天" in due.items[0].detail and "剩 3 天" in due.items[1].detail
    client.force_login(world.village_clerk)
    for item in due.items + list(sections["ledger_sign"].items):
        assert client.get(item.url).status_code == 200
