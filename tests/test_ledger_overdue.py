"""逾期清单: per 责任单位, its open items overdue and due soon, with counts and the oldest overdue days."""

from __future__ import annotations

import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision.models import Item

from .ledger_helpers import ledger_build, new_item

pytestmark = pytest.mark.django_db
URL = "/supervision/overdue/"


@pytest.fixture
def ledger(world):
    ledger = ledger_build(world)
    new_item(world, ledger.dept, title="民政甲", days=-9)
    new_item(world, ledger.dept, title="民政乙", days=-2)
    new_item(world, ledger.dept, title="民政丙", days=5)
    new_item(world, ledger.village, title="村甲", days=1)
    new_item(world, ledger.village, title="村乙", days=40)  # on time: not listed
    closed = new_item(world, ledger.township, title="镇甲", days=-3)
    Item.objects.filter(pk=closed.pk).update(state="closed", closed_on=closed.deadline)  # closed: not listed
    new_item(world, ledger.outsider_dept, title="平陆甲", days=-1)
    return ledger


def _units(client, user) -> list[tuple[str, int, int, int]]:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return [(u.name, len(u.overdue), len(u.soon), u.oldest) for u in response.context["units"]]


def test_each_unit_with_its_counts_worst_first(world, ledger, client):
    assert _units(client, world.county_admin) == [("县民政局", 2, 1, 9), (ledger.village.name, 0, 1, 0)]
    body = client.get(URL).content.decode()
    assert "逾期 9 天" in body and "剩 1 天" in body and "村乙" not in body and "镇甲" not in body


def test_each_reader_sees_the_units_of_their_reach(world, ledger, client):
    assert _units(client, world.village_clerk) == [(ledger.village.name, 0, 1, 0)]
    assert _units(client, world.department) == [("县民政局", 2, 1, 9)]
    assert _units(client, world.outsider) == [("县民政局", 1, 0, 1)]
    client.force_login(world.cadre)
    assert client.get(URL).status_code == 403


def test_the_printed_list_is_audited(world, ledger, client):
    client.force_login(world.county_admin)
    body = client.get(URL, {"print": "1"}).content.decode()
    assert "data-print" in body and "民政甲" in body
    assert AuditEvent.objects.filter(actor=world.county_admin, detail__what="ledger_overdue_print").exists()
