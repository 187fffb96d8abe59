"""A 21-problem, 4-方面 batch as the seed counts it, imported from the synthetic 问题清单, for the progress
and page tests: `seed_batch` closes all but four (one of them overdue on SEED_TODAY)."""

from __future__ import annotations

import datetime as dt

from jingzhun.supervision.models import Batch, Item
from jingzhun.supervision.services.batches import batch_import
from jingzhun.synth.ledger import ledger_batch_workbook

RECEIVED = dt.date(2020, 3, 10)
#: The first problem of each 方面 is due on 2020-04-09, the others on 2020-06-30: on this day the first
#: ones are overdue.
SEED_TODAY = dt.date(2020, 5, 1)


def imported_batch(world, tmp_path, *, name: str = "省督导组反馈问题（2020年第1批）") -> Batch:
    path = ledger_batch_workbook(tmp_path / f"{name}.xlsx", county="140826", received_on=RECEIVED)
    report = batch_import(acting_user=world.county_admin, county="140826", file=path, name=name,
                          received_on=RECEIVED, deadline=dt.date(2020, 6, 30), issued_by="省脱贫攻坚第三督导组",
                          create_missing=True)
    assert report.ok, report.issues
    return report.batch


def seed_batch(world, tmp_path) -> Batch:
    """21 problems in 4 方面: 1–4 open (1 overdue on SEED_TODAY), the other 17 closed."""
    batch = imported_batch(world, tmp_path)
    Item.objects.filter(batch=batch, number__gt=4).update(state=Item.State.CLOSED, closed_on=dt.date(2020, 4, 1),
                                                          closed_by=world.county_admin)
    Item.objects.filter(batch=batch, number__lte=4).update(state=Item.State.DOING)
    return batch
