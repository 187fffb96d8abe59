"""Issue 17's path in a browser: the county imports a 督导组's batch of 21 problems in 4 方面 and assigns them;
two units (a township and a 县直部门) sign for their items, report progress with a photo and report them
done; the county passes two at 复核 and sends one back; the batch's progress view says the seed's sentence
with the right counts, and the 整改情况通报 downloads."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from jingzhun.supervision.models import Agency, Batch, Item
from jingzhun.synth.ledger import ledger_batch_workbook

from .notice_photos import jpeg_bytes
from .test_browser import _artifact, browser, login, page  # noqa: F401  (the shared chromium fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BATCH = "省督导组反馈问题（2020年第1批）"


def _import(page, live_server, path, *, received_on: dt.date, deadline: dt.date) -> Batch:
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/supervision/batches/import/")
    page.fill("[name=name]", BATCH)
    page.fill("[name=issued_by]", "省脱贫攻坚第三督导组")
    page.fill("[name=received_on]", received_on.isoformat())
    page.fill("[name=deadline]", deadline.isoformat())
    page.set_input_files("[name=file]", str(path))
    page.check("[name=create_missing]")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    assert page.query_selector("#batch-sentence"), page.inner_text("main")[:1500]
    return Batch.objects.get(name=BATCH)


def _step(page, live_server, item: Item, form: str, fields: dict | None = None, *, photo: bool = False,
          decision: str = ""):
    page.goto(f"{live_server.url}/supervision/items/{item.pk}/")
    for name, value in (fields or {}).items():
        page.fill(f"#{form} [name={name}]", value)
    if photo:
        page.set_input_files(f"#{form} [name=evidence]", files=[{"name": "整改现场.jpg", "mimeType": "image/jpeg",
                                                                "buffer": jpeg_bytes()}])
    if decision:
        page.check(f"#{form} [name=decision][value={decision}]")
    page.click(f"#{form} button[type=submit]")
    page.wait_for_selector(".messages")


def _finish(page, live_server, item: Item, what: str):
    """As the unit's staff: 签收, 报送进展 with a photo, 办结报告."""
    _step(page, live_server, item, "sign-form")
    _step(page, live_server, item, "progress-form", {"note": f"{what}：已完成一半"}, photo=True)
    _step(page, live_server, item, "report-form", {"note": f"{what}：已整改到位"})


@pytest.mark.django_db(transaction=True)
def test_import_assign_two_units_finish_one_sent_back_the_sentence_and_the_bulletin(world, live_server, page,
                                                                                      tmp_path):  # noqa: F811
    today = dt.date.today()
    path = ledger_batch_workbook(tmp_path / "督导组反馈问题.xlsx", county="140826",
                                 received_on=today - dt.timedelta(days=40), deadline=today + dt.timedelta(days=30))

    # the county admin imports the batch (the 县直部门 it names are added), and sees 21 problems in 4 方面
    batch = _import(page, live_server, path, received_on=today - dt.timedelta(days=40),
                    deadline=today + dt.timedelta(days=30))
    items = Item.objects.filter(batch=batch)
    assert items.count() == 21 and items.values("aspect").distinct().count() == 4
    # the first problem of each 方面 was due 30 days after it came: 10 days ago
    assert page.inner_text("#batch-sentence") == "4 方面 21 个问题，已销号 0 个，剩余 21 个（逾期 4 个）"
    page.screenshot(path=_artifact("ledger-path-imported.png"), full_page=True)

    # … assigns them all at once, and names the department user as staff of 县乡村振兴局
    page.click("#batch-assign")
    page.wait_for_selector(".messages")
    assert set(items.values_list("state", flat=True)) == {Item.State.ASSIGNED}
    dept = Agency.objects.get(county_id="140826", name="县乡村振兴局")
    page.goto(f"{live_server.url}/supervision/units/")
    page.check(f"#unit-{dept.pk} [name=staff][value=department]")
    page.click(f"#unit-{dept.pk} .staff-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert list(dept.staff.values_list("username", flat=True)) == ["department"]

    township_items = list(items.filter(agency__org_id="140826100").order_by("number"))
    dept_items = list(items.filter(agency=dept).order_by("number"))
    assert township_items and len(dept_items) == 2
    township_item, (dept_first, dept_second) = township_items[0], dept_items

    # the township officer finishes its (overdue) item; the department finishes its two
    login(page, live_server, "township_officer")
    page.goto(f"{live_server.url}/todo/")
    assert BATCH[:4] in page.inner_text("#kind-ledger_sign") or township_item.title in page.inner_text("#kind-ledger_sign")
    _finish(page, live_server, township_item, "乡镇")
    login(page, live_server, "department")
    for item in dept_items:
        _finish(page, live_server, item, "县乡村振兴局")
    page.screenshot(path=_artifact("ledger-path-reported.png"), full_page=True)
    assert {i.state for i in Item.objects.filter(pk__in=[township_item.pk, dept_first.pk, dept_second.pk])} \
        == {Item.State.REPORTED}

    # the county passes two at 复核 (销号) and sends the department's second back with a reason
    login(page, live_server, "county_admin")
    _step(page, live_server, township_item, "review-form", decision="pass")
    _step(page, live_server, dept_first, "review-form", decision="pass")
    _step(page, live_server, dept_second, "review-form", {"note": "佐证材料不全，请补充入户核实记录"}, decision="back")
    dept_second.refresh_from_db()
    assert dept_second.state == Item.State.DOING
    assert "佐证材料不全" in page.inner_text("#events")

    # the department sees it back on its to-do page
    login(page, live_server, "department")
    page.goto(f"{live_server.url}/supervision/items/{dept_second.pk}/")
    assert "复核退回" in page.inner_text("#events")

    # the progress view: 2 closed, 19 left, of which 3 overdue (the township's overdue one is closed)
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/supervision/batches/{batch.pk}/")
    sentence = page.inner_text("#batch-sentence")
    assert sentence == "4 方面 21 个问题，已销号 2 个，剩余 19 个（逾期 3 个）"
    page.screenshot(path=_artifact("ledger-path-progress.png"), full_page=True)

    # the 整改情况通报 downloads and says the same
    with page.expect_download() as info:
        page.click("#batch-report")
    download = info.value
    document = docx.Document(io.BytesIO(open(download.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert sentence in text and f"关于{BATCH}整改情况的通报" in text
