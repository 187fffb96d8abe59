"""公示 periods are real time (issue 13, defect 3): a period starts no earlier than its publication and
the previous step, periods of one procedure do not overlap, 公示期满 only after the pack's days have
run, and the posted notice can be photographed and attached as evidence."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import NoticePhoto, Procedure, PublicityBatch, StepRecord
from jingzhun.workflows.photos import PHOTO_MAX_BYTES
from jingzhun.workflows.services import WorkflowError

from .notice_photos import hostile, jpeg_bytes, png_bytes, upload
from .people import XIAGAOCHI
from .workflow_helpers import candidate, past, period_ran

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _today():
    return timezone.localdate()


def _at_village_publicity(world, head="孙有田", seq=701) -> Procedure:
    household, members = candidate(head, seq)
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    for step in ("group_review", "village_review"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True)
    return p


def _publish(world, p, start=None, step="village_publicity", who=None):
    return publicity.batch_open(acting_user=who or world.village_clerk, kind=Kind.ENTRY, step=step,
                                procedure_ids=[p.pk], start=start or _today())


# --- the rules, in the services ----------------------------------------------------------------------------

def test_a_backdated_village_notice_is_refused_and_nothing_is_written(world):
    """The reported case: 村内公示 started ten days back, before the application was even registered."""
    p = _at_village_publicity(world)
    with pytest.raises(WorkflowError, match="不能早于发布当天.*不能补记以前的日期"):
        _publish(world, p, start=past(10))
    assert not PublicityBatch.objects.exists()
    assert Procedure.objects.get(pk=p.pk).batch_id is None
    assert not p.records.filter(decision=StepRecord.Decision.PUBLISHED).exists()


def test_two_evaluations_two_notices_cannot_run_in_five_minutes(world):
    p = _at_village_publicity(world)
    batch = _publish(world, p)
    assert (batch.start, batch.end) == (_today(), _today() + datetime.timedelta(days=6))  # the pack: 7 days
    with pytest.raises(WorkflowError, match="公示期满日为 .*，届时才能确认公示期满"):
        publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    assert Procedure.objects.get(pk=p.pk).step == "village_publicity"


def test_a_notice_cannot_start_before_the_previous_step_was_taken(world):
    p = _at_village_publicity(world)
    # the 村两委评议 recorded as taken in two days' time (a clock set wrong, a record imported)
    later = timezone.now() + datetime.timedelta(days=2)
    p.records.filter(step="village_review").update(at=later)
    assert publicity.earliest_start([p]) == timezone.localdate(later)
    with pytest.raises(WorkflowError, match="上一步“村两委评议”于 .* 办理，本次公示最早 .* 开始"):
        _publish(world, p)
    assert _publish(world, p, start=timezone.localdate(later)).start == timezone.localdate(later)


def test_the_township_notice_may_not_overlap_the_village_one(world):
    p = _at_village_publicity(world)
    # a village notice still running (as data loaded from elsewhere may hold it) lists the household
    running = PublicityBatch.objects.create(kind=Kind.ENTRY, step="village_publicity", unit_id=XIAGAOCHI,
                                            title="村内公示", start=past(2), end=_today() + datetime.timedelta(days=4),
                                            created_by=world.village_clerk)
    running.procedures_listed.add(p)
    Procedure.objects.filter(pk=p.pk).update(step="township_publicity")
    with pytest.raises(WorkflowError, match="“村内公示”公示期至 .*，本次公示最早 .* 开始"):
        _publish(world, p, step="township_publicity", who=world.township_officer)
    first = running.end + datetime.timedelta(days=1)
    batch = _publish(world, p, start=first, step="township_publicity", who=world.township_officer)
    assert batch.start == first


def test_a_full_entry_keeps_each_period_after_the_one_before(world):
    p = _at_village_publicity(world)
    village = _publish(world, p)
    period_ran(village)
    publicity.batch_close(acting_user=world.village_clerk, batch_id=village.pk)
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_review",
                           approve=True)
    township = _publish(world, p, step="township_publicity", who=world.township_officer)
    assert township.start > village.end


def test_an_announcement_takes_effect_the_day_it_is_published(world):
    p = _at_village_publicity(world)
    Procedure.objects.filter(pk=p.pk).update(step="county_announcement")
    with pytest.raises(WorkflowError, match="公告于发布当天生效"):
        _publish(world, p, start=past(3), step="county_announcement", who=world.county_admin)
    with pytest.raises(WorkflowError, match="公告于发布当天生效"):
        _publish(world, p, start=_today() + datetime.timedelta(days=1), step="county_announcement",
                 who=world.county_admin)


def test_the_period_length_is_the_packs(world, tmp_path, settings):
    (tmp_path / "140826.toml").write_text('title = "绛县补充规定"\npublicity_days = 5\n', encoding="utf-8")
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    p = _at_village_publicity(world)
    batch = _publish(world, p)
    assert batch.end - batch.start == datetime.timedelta(days=4)
    assert publicity.period_due(batch) == _today() + datetime.timedelta(days=5)


# --- the pages say the rule and offer only what can succeed -------------------------------------------------

def test_the_notice_page_says_when_the_period_is_due_and_offers_the_close_only_then(world, client):
    p = _at_village_publicity(world)
    batch = _publish(world, p)
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    due = batch.end + datetime.timedelta(days=1)
    assert f"公示期满日为 {due.year}年{due.month}月{due.day}日，届时才能确认公示期满" in page
    assert 'id="close-form"' not in page
    period_ran(batch)
    page = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    assert 'id="close-form"' in page and 'data-confirm="确认公示期满？' in page


def test_the_publish_form_offers_no_day_before_the_earliest_start(world, client):
    p = _at_village_publicity(world)
    later = timezone.now() + datetime.timedelta(days=2)
    p.records.filter(step="village_review").update(at=later)
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:batch_list")).content.decode()
    field = re.search(r'<input type="date" name="start"[^>]*>', page).group(0)
    first = timezone.localdate(later).isoformat()
    assert f'value="{first}"' in field and f'min="{first}"' in field
    assert "公示期 7 天（按政策包）" in page


# --- photos of the posted notice ----------------------------------------------------------------------------

def _notice(world):
    return _publish(world, _at_village_publicity(world))


def _stored_files(settings) -> list:
    root = settings.UPLOAD_ROOT / "evidence" / "notices"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_photo_of_the_posted_notice_is_attached_shown_and_audited(world, client, settings):
    batch = _notice(world)
    client.force_login(world.village_clerk)
    content = jpeg_bytes()
    response = client.post(reverse("workflows:notice_photo_new", args=[batch.pk]),
                           {"photo": upload("IMG_0001.JPG", content)}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    photo = NoticePhoto.objects.get()
    assert (photo.batch, photo.content_type, photo.width, photo.height) == (batch, "image/jpeg", 640, 480)
    assert photo.image.name.startswith(f"notices/{batch.pk}/") and photo.image.name.endswith(".jpg")
    assert "IMG_0001" not in photo.image.name  # stored under a name of our own
    row = AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).get()
    assert (row.actor, row.ip, row.detail["what"], row.detail["sha256"]) == (world.village_clerk, "10.9.8.7",
                                                                             "notice_photo", photo.sha256)
    page = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    url = reverse("workflows:notice_photo", args=[photo.pk])
    assert f'<img src="{url}"' in page
    served = client.get(url)
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == content
    # a PNG is a photo too
    client.post(reverse("workflows:notice_photo_new", args=[batch.pk]), {"photo": upload("a.png", png_bytes(), "image/png")})
    assert NoticePhoto.objects.filter(content_type="image/png").count() == 1


@pytest.mark.parametrize("name, content, words", hostile(), ids=lambda v: v if isinstance(v, str) and "." in v else "")
def test_a_file_that_is_not_a_photo_is_refused_with_a_chinese_message(world, client, settings, name, content, words):
    batch = _notice(world)
    client.force_login(world.village_clerk)
    response = client.post(reverse("workflows:notice_photo_new", args=[batch.pk]), {"photo": upload(name, content)})
    page = response.content.decode()
    assert response.status_code == 200 and words in page and 'id="form-errors"' in page
    assert not NoticePhoto.objects.exists() and not _stored_files(settings)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).exists()


def test_a_photo_over_the_size_limit_is_refused_before_it_is_read(world, settings):
    batch = _notice(world)
    big = upload("大.jpg", jpeg_bytes() + b"\0" * (PHOTO_MAX_BYTES + 1))
    with pytest.raises(WorkflowError, match="照片不能超过 10 MB"):
        publicity.notice_photo_add(acting_user=world.village_clerk, batch_id=batch.pk, upload=big)
    assert not NoticePhoto.objects.exists() and not _stored_files(settings)


def test_only_the_unit_of_the_notice_uploads_photos_and_read_only_roles_only_look(world, client):
    batch = _notice(world)
    publicity.notice_photo_add(acting_user=world.village_clerk, batch_id=batch.pk, upload=upload("a.jpg", jpeg_bytes()))
    photo = NoticePhoto.objects.get()
    with pytest.raises(PermissionDenied):
        publicity.notice_photo_add(acting_user=world.township_officer, batch_id=batch.pk,
                                   upload=upload("b.jpg", jpeg_bytes()))
    client.force_login(world.analyst)
    assert client.post(reverse("workflows:notice_photo_new", args=[batch.pk]),
                       {"photo": upload("c.jpg", jpeg_bytes())}).status_code == 403
    page = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    assert 'id="photo-form"' not in page and reverse("workflows:notice_photo", args=[photo.pk]) in page
    assert client.get(reverse("workflows:notice_photo", args=[photo.pk])).status_code == 200
    client.force_login(world.outsider)  # another county: the notice and its photos look absent
    assert client.get(reverse("workflows:notice_photo", args=[photo.pk])).status_code == 404
    client.force_login(world.cadre)  # notices list other households: none for a cadre
    assert client.get(reverse("workflows:notice_photo", args=[photo.pk])).status_code == 404
    assert NoticePhoto.objects.count() == 1
