"""补录 (workflows/clock.py): past paper work entered with the day it was done, the date rules applied to
that day, and nothing else's clock moved (Django's own clock, hence audit rows and sessions, stays real)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jingzhun.workflows import clock, publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import PublicityBatch, StepRecord
from jingzhun.workflows.services import WorkflowError

from .people import XIAGAOCHI
from .workflow_helpers import candidate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _at(days_ago: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _entry_at_village_publicity(world, days_ago: int):
    household, members = candidate()
    with clock.recorded_as_of(_at(days_ago)):
        procedure = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI,
                                        household=household, members=members, year=2018, note="本人申请")
        for step in ("group_review", "village_review"):
            services.procedure_act(acting_user=world.village_clerk, procedure_id=procedure.pk, step=step,
                                   approve=True)
    return procedure


def test_steps_entered_as_of_a_past_day_are_dated_then_and_djangos_clock_stays_real(world):
    before = timezone.now()
    with clock.recorded_as_of(_at(30)):
        assert timezone.now() >= before
    procedure = _entry_at_village_publicity(world, 30)
    records = StepRecord.objects.filter(procedure=procedure)
    assert records.count() == 3
    assert {timezone.localtime(r.at) for r in records} == {_at(30)}
    procedure.refresh_from_db()
    assert procedure.opened_at == _at(30)


def test_a_past_notice_runs_its_period_from_its_own_day_and_is_closed_when_it_had_run(world):
    procedure = _entry_at_village_publicity(world, 30)
    with clock.recorded_as_of(_at(29)):
        batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                     procedure_ids=[procedure.pk], start=_at(29).date())
    # closing on the notice's own last day is refused, as it would be on that day
    with clock.recorded_as_of(timezone.make_aware(datetime.datetime.combine(batch.end, datetime.time(18)))):
        with pytest.raises(WorkflowError):
            publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    closing = timezone.make_aware(datetime.datetime.combine(batch.end + datetime.timedelta(days=1), datetime.time(9)))
    with clock.recorded_as_of(closing):
        publicity.batch_close(acting_user=world.village_clerk, batch_id=batch.pk)
    batch = PublicityBatch.objects.get(pk=batch.pk)
    assert batch.created_at == _at(29) and batch.closed_at == closing
    procedure.refresh_from_db()
    assert procedure.step == "township_review"


def test_a_past_day_still_refuses_a_notice_that_starts_before_the_step_before_it(world):
    procedure = _entry_at_village_publicity(world, 10)
    with clock.recorded_as_of(_at(9)), pytest.raises(WorkflowError):
        publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                             procedure_ids=[procedure.pk], start=_at(12).date())
    assert not PublicityBatch.objects.exists()


def test_outside_recorded_as_of_the_clock_is_now_and_a_future_or_naive_moment_is_refused(world):
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5
    with pytest.raises(ValueError):
        with clock.recorded_as_of(timezone.now() + datetime.timedelta(days=1)):
            pass
    with pytest.raises(ValueError):
        with clock.recorded_as_of(datetime.datetime(2020, 1, 1)):
            pass
    with clock.recorded_as_of(_at(5)):
        assert clock.today() == _at(5).date()
    assert clock.today() == timezone.localdate()
