"""The demo county's 督导组 batch: the synthetic 问题清单 (21 problems in 4 方面, synth/ledger.py) imported as
绛县's county admin, received two months before the demo day with its deadline a month after it, and
assigned at once (批量交办) — so the progress page shows the seed's sentence with four problems overdue."""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jingzhun.accounts.models import User
from jingzhun.supervision.models import Batch
from jingzhun.supervision.services.batches import batch_assign, batch_import

from .demo import DEMO_COUNTY
from .ledger import ledger_batch_workbook

DEMO_BATCH_NAME = "省督导组反馈问题（演示）"


@dataclass
class DemoLedger:
    batch: Batch
    items: int
    assigned: int


def demo_ledger_load(*, day: datetime.date, county: str = DEMO_COUNTY) -> DemoLedger | None:
    """The demo batch as of `day`, unless the county has it already (a second `jingzhun demo`)."""
    if Batch.objects.filter(county_id=county, name=DEMO_BATCH_NAME).exists():
        return None
    admin = User.objects.get(username="county")
    received, deadline = day - datetime.timedelta(days=60), day + datetime.timedelta(days=30)
    with tempfile.TemporaryDirectory(prefix="jingzhun-demo-") as folder:
        path = ledger_batch_workbook(Path(folder) / "督导组反馈问题.xlsx", county=county, received_on=received,
                                     deadline=deadline)
        report = batch_import(acting_user=admin, county=county, file=path, name=DEMO_BATCH_NAME, received_on=received,
                              deadline=deadline, issued_by="省脱贫攻坚第三督导组", create_missing=True,
                              display_name="督导组反馈问题.xlsx", via="演示")
    if not report.ok:  # the demo's own file: a bug, said plainly
        raise RuntimeError("; ".join(f"{i.row} {i.header} {i.message}" for i in report.issues))
    assigned = batch_assign(acting_user=admin, batch_id=report.batch.pk).assigned
    return DemoLedger(report.batch, report.items, assigned)
