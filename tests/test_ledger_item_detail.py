"""An item's page (supervision.views.items): its facts and log, the flow's forms shown exactly when allowed,
each step through the browser, refusals that change nothing, and the audited evidence download."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision.models import Item, ItemEvent

from .ledger_helpers import exe_upload, ledger_build, new_item, png_upload

pytestmark = pytest.mark.django_db
FORMS = ("assign-form", "sign-form", "progress-form", "report-form", "review-form", "reopen-form")


@pytest.fixture
def ledger(world):
    return ledger_build(world)


def _page(client, user, item):
    client.force_login(user)
    return client.get(reverse("supervision:item_detail", args=[item.pk]))


def _forms(client, user, item) -> set[str]:
    body = _page(client, user, item).content.decode()
    return {f for f in FORMS if f'id="{f}"' in body}


def _post(client, user, item, step, data):
    client.force_login(user)
    return client.post(reverse(f"supervision:item_{step}", args=[item.pk]), data)


def test_the_forms_follow_the_state_and_the_person(world, ledger, client):
    item = new_item(world, ledger.village, assign=False)
    assert _forms(client, world.county_admin, item) == {"assign-form"}
    assert _forms(client, world.village_clerk, item) == set()
    Item.objects.filter(pk=item.pk).update(state="assigned")
    assert _forms(client, world.village_clerk, item) == {"sign-form"}
    assert _forms(client, world.township_officer, item) == set()  # reads the village's item, acts not for it
    assert _forms(client, world.county_admin, item) == {"assign-form"}
    Item.objects.filter(pk=item.pk).update(state="doing")
    assert _forms(client, world.village_clerk, item) == {"progress-form", "report-form"}
    assert _forms(client, world.county_admin, item) == set()
    Item.objects.filter(pk=item.pk).update(state="reported", reported_by=world.village_clerk)
    assert _forms(client, world.county_admin, item) == {"review-form"}
    assert _forms(client, world.village_clerk, item) == set()
    Item.objects.filter(pk=item.pk).update(reported_by=world.county_admin)  # the reporter does not review
    assert _forms(client, world.county_admin, item) == set()
    Item.objects.filter(pk=item.pk).update(state="closed", closed_on=timezone.localdate())
    assert _forms(client, world.county_admin, item) == {"reopen-form"}
    assert _forms(client, world.analyst, item) == set()


def test_the_whole_flow_through_the_pages(world, ledger, client):
    item = new_item(world, ledger.dept, assign=False, kind="project")
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    assert _post(client, world.county_admin, item, "assign", {
        "agency": ledger.dept.pk, "responsible": "李局长", "measures": "分三步", "deadline": deadline}).status_code == 302
    assert _post(client, world.department, item, "sign", {}).status_code == 302
    assert _post(client, world.department, item, "progress", {
        "note": "完成招标", "percent": "40", "evidence": png_upload()}).status_code == 302
    assert _post(client, world.department, item, "report", {"note": "已完工"}).status_code == 302
    response = _post(client, world.county_admin, item, "review", {"decision": "back", "note": ""})
    assert response.status_code == 400 and "退回时请写明原因" in response.content.decode()
    assert _post(client, world.county_admin, item, "review", {"decision": "back", "note": "缺验收单"}).status_code == 302
    assert _post(client, world.department, item, "report", {"note": "补验收单"}).status_code == 302
    assert _post(client, world.county_admin, item, "review", {"decision": "pass"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "closed" and item.percent == 100 and item.responsible == "李局长"
    assert _post(client, world.county_admin, item, "reopen", {"reason": "回头看"}).status_code == 302
    assert list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True)) == [
        "create", "assign", "sign", "progress", "report", "review_back", "report", "close", "reopen"]
    body = _page(client, world.county_admin, item).content.decode()
    assert "缺验收单" in body and "完成招标" in body and "剩 20 天" in body


def test_a_refused_step_says_why_and_changes_nothing(world, ledger, client):
    item = new_item(world, ledger.village)
    before = list(ItemEvent.objects.values_list("pk", flat=True))
    response = _post(client, world.township_officer, item, "sign", {})
    assert response.status_code == 403
    response = _post(client, world.village_clerk, item, "progress", {"note": "未签收"})
    assert response.status_code == 400 and "待签收" in response.content.decode()
    _post(client, world.village_clerk, item, "sign", {})
    response = _post(client, world.village_clerk, item, "progress", {"note": "照片", "evidence": exe_upload()})
    assert response.status_code == 400 and "佐证材料" in response.content.decode()
    response = _post(client, world.village_clerk, item, "progress", {"note": ""})
    assert response.status_code == 400
    assert list(ItemEvent.objects.exclude(kind="sign").values_list("pk", flat=True)) == before


def test_out_of_reach_is_a_404_for_pages_and_steps(world, ledger, client):
    item = new_item(world, ledger.dept)
    for step in ("sign", "progress", "report"):
        assert _post(client, world.village_clerk, item, step, {"note": "x"}).status_code == 404
    assert _page(client, world.outsider, item).status_code == 404
    assert _page(client, world.township_officer, item).status_code == 404
    client.force_login(world.cadre)
    assert client.get(reverse("supervision:item_detail", args=[item.pk])).status_code == 403
    assert Item.objects.get(pk=item.pk).state == "assigned"


def test_a_get_of_a_step_goes_back_to_the_item(world, ledger, client):
    item = new_item(world, ledger.village)
    client.force_login(world.village_clerk)
    response = client.get(reverse("supervision:item_sign", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("supervision:item_detail", args=[item.pk])
    assert Item.objects.get(pk=item.pk).state == "assigned"


def test_evidence_downloads_as_its_checked_type_and_is_audited(world, ledger, client):
    item = new_item(world, ledger.village)
    _post(client, world.village_clerk, item, "sign", {})
    _post(client, world.village_clerk, item, "progress", {"note": "拍照", "evidence": png_upload("现场.jpg")})
    event = ItemEvent.objects.get(item=item, kind="progress")
    url = reverse("supervision:item_evidence", args=[event.pk])
    assert url in _page(client, world.township_officer, item).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=world.township_officer,
                                     detail__what="ledger_evidence").exists()
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.department)
    assert client.get(url).status_code == 404
