"""交办批次 by hand and 批量交办 (supervision.services.batches): who may, what is checked, and that assigning
goes through the item flow (one 交办 event per item) and leaves the incomplete ones listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.supervision.models import Agency, Batch, Item, ItemEvent
from jingzhun.supervision.services.batches import batch_assign, batch_create
from jingzhun.supervision.services.items import LedgerError, item_create

from .ledger_batches import imported_batch

pytestmark = pytest.mark.django_db


def _create(world, **changes):
    kwargs = dict(acting_user=world.county_admin, county="140826", name="县委常委会交办（第3次）", source="meeting",
                  received_on=dt.date(2020, 3, 1), issued_by="县委常委会", deadline=dt.date(2020, 12, 31))
    kwargs.update(changes)
    return batch_create(**kwargs)


def test_the_county_registers_a_batch_by_hand(world):
    batch = _create(world)
    assert (batch.county_id, batch.source, batch.issued_by, batch.file_sha256) == ("140826", "meeting", "县委常委会", "")
    assert batch.created_by == world.county_admin


@pytest.mark.parametrize(("changes", "words"), [
    ({"name": "  "}, "批次名称"), ({"source": "gossip"}, "问题来源"), ({"deadline": dt.date(2020, 1, 1)}, "总时限"),
    ({"county": "999999"}, "没有区划代码"),
])
def test_bad_batch_data_is_refused_in_chinese(world, changes, words):
    if changes.get("county") == "999999":  # the sysadmin reaches every code: the county itself is checked
        changes = {**changes, "acting_user": world.sysadmin}
    with pytest.raises(LedgerError) as error:
        _create(world, **changes)
    assert words in error.value.message
    assert not Batch.objects.exists()


def test_a_batch_name_is_unique_in_its_county(world):
    _create(world)
    with pytest.raises(LedgerError, match="已有名为"):
        _create(world)


def test_others_may_not_register_batches(world):
    for user in (world.township_officer, world.department, world.analyst, world.evaluator):
        with pytest.raises(PermissionDenied):
            _create(world, acting_user=user)
    with pytest.raises(PermissionDenied):  # another county's admin
        _create(world, acting_user=world.outsider)
    assert not Batch.objects.exists()


def test_batch_assign_assigns_every_complete_draft_through_the_item_flow(world, tmp_path):
    batch = imported_batch(world, tmp_path)
    no_unit = Item.objects.get(batch=batch, number=2)
    no_unit.agency = None
    no_unit.save()
    result = batch_assign(acting_user=world.county_admin, batch_id=batch.pk)
    assert result.assigned == 20 and result.skipped == [(2, "未指定责任单位")]
    assert Item.objects.filter(batch=batch, state="assigned").count() == 20
    assert ItemEvent.objects.filter(item__batch=batch, kind="assign").count() == 20
    assert all(i.assigned_at for i in Item.objects.filter(batch=batch, state="assigned"))
    again = batch_assign(acting_user=world.county_admin, batch_id=batch.pk)
    assert again.assigned == 0 and len(again.skipped) == 1
    assert ItemEvent.objects.filter(item__batch=batch, kind="assign").count() == 20


def test_batch_assign_skips_an_item_without_a_deadline(world):
    batch = _create(world, deadline=None)
    unit = Agency.objects.create(county_id="140826", kind="department", name="县水利局")
    item_create(acting_user=world.county_admin, county="140826", title="管网老化", batch=batch, number=1,
                agency_id=unit.pk)
    result = batch_assign(acting_user=world.county_admin, batch_id=batch.pk)
    assert result.assigned == 0 and result.skipped == [(1, "未填写整改时限")]


def test_only_the_county_assigns_and_an_outsider_does_not_find_the_batch(world, tmp_path):
    from django.http import Http404

    batch = imported_batch(world, tmp_path)
    for user in (world.analyst, world.evaluator):
        with pytest.raises(PermissionDenied):
            batch_assign(acting_user=user, batch_id=batch.pk)
    with pytest.raises(Http404):
        batch_assign(acting_user=world.outsider, batch_id=batch.pk)
    assert not Item.objects.filter(batch=batch).exclude(state="draft").exists()


def test_the_demo_batch_is_imported_and_assigned_once(world):
    from jingzhun.accounts.services import user_create
    from jingzhun.orgunits.models import OrgUnit
    from jingzhun.orgunits.roles import Role
    from jingzhun.synth.demo_ledger import demo_ledger_load

    user_create(username="county", password="x", role=Role.COUNTY_ADMIN, org_unit=OrgUnit.objects.get(code="140826"),
                full_name="county", check_password=False)
    loaded = demo_ledger_load(day=dt.date(2026, 6, 1))
    assert (loaded.items, loaded.assigned) == (21, 21)
    assert loaded.batch.received_on == dt.date(2026, 4, 2) and loaded.batch.deadline == dt.date(2026, 7, 1)
    assert Item.objects.filter(batch=loaded.batch, state="assigned", deadline__lt=dt.date(2026, 6, 1)).count() == 4
    assert demo_ledger_load(day=dt.date(2026, 6, 1)) is None
