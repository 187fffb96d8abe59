"""The demo county's 督导组 batch: the synthetic 问题清单 (21 problems in 4 方面, synth/ledger.py) imported as
绛县's county admin, received two months before the demo day with its deadline a month after it, and
assigned at once (批量交办) — so the progress page shows the seed's sentence with four problems overdue.

Then work has begun, through the services as the people would do it: the demo department user is the staff of
县乡村振兴局; that department and the demo township (and village) sign for their items, report progress and
report them done; the county passes all but one at 复核 (销号) and sends one back with a reason. The county's
考评 of the year is published from the shipped scheme, so the ranking and its 通报 have something to show."""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jingzhun.accounts.models import User
from jingzhun.supervision.models import Agency, Batch, Item
from jingzhun.supervision.services.appraisal import AppraisalError, appraisal_publish
from jingzhun.supervision.services.batches import batch_assign, batch_import
from jingzhun.supervision.services.items import item_progress, item_report, item_review, item_sign

from .demo import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE
from .ledger import ledger_batch_workbook

DEMO_BATCH_NAME = "省督导组反馈问题（演示）"


@dataclass
class DemoLedger:
    batch: Batch
    items: int
    assigned: int
    closed: int = 0
    reported: int = 0


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
    closed, reported = _work_begun(report.batch, admin)
    try:
        appraisal_publish(acting_user=admin, county=county, year=day.year)
    except AppraisalError:  # no scheme for the year: the 考评 page says so
        pass
    return DemoLedger(report.batch, report.items, assigned, closed, reported)


def _work_begun(batch: Batch, admin) -> tuple[int, int]:
    """The units with a demo account work their items; returns (closed, waiting for 复核)."""
    department = User.objects.filter(username="department").first()
    dept = Agency.objects.filter(county_id=batch.county_id, name="县乡村振兴局").first()
    if dept is not None and department is not None:
        dept.staff.add(department)
    else:
        dept = None
    acting = {code: user for code, user in ((DEMO_TOWNSHIP, User.objects.filter(username="township").first()),
                                            (DEMO_VILLAGE, User.objects.filter(username="village").first()))
              if user is not None}
    done = []
    for item in Item.objects.filter(batch=batch).select_related("agency").order_by("number"):
        user = department if dept is not None and item.agency_id == dept.pk else acting.get(item.agency.org_id or "")
        if user is None:
            continue
        item_sign(acting_user=user, item_id=item.pk)
        item_progress(acting_user=user, item_id=item.pk, note="已制定整改方案，正在逐户落实。")
        item_report(acting_user=user, item_id=item.pk, note="已整改到位，佐证材料已归档。")
        done.append(item.pk)
    for n, pk in enumerate(done):
        if n == len(done) - 1 and n:  # the last one: sent back, so the unit has it again
            item_review(acting_user=admin, item_id=pk, passed=False, note="佐证材料不全，请补充入户核实记录。")
        elif n < len(done) - 2:  # the one before it waits for 复核
            item_review(acting_user=admin, item_id=pk, passed=True)
    closed = Item.objects.filter(batch=batch, state=Item.State.CLOSED).count()
    return closed, Item.objects.filter(batch=batch, state=Item.State.REPORTED).count()
