"""The run lifecycle: a task delivered twice runs once; dead runs are reaped; heartbeat; memory errors."""

from __future__ import annotations

import datetime
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jingzhun.checks.models import CheckRun
from jingzhun.compare.models import CompareRun
from jingzhun.exchange.models import ImportJob
from jingzhun.indicators.models import IndicatorRefresh
from jingzhun.runs import reaper
from jingzhun.runs.models import RunLost, worker_identity
from jingzhun.runs.tasks import SKIPPED, execute, heartbeat

from .people import PASSWORD

AS_OF = datetime.date(2020, 12, 31)


def _deliver_twice(task, pk) -> list[str]:
    """The same task for the same run, from two threads released together (a redelivered job)."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait()
            results.append(task.call(pk))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    return sorted(results)


def _counting(monkeypatch, target: str) -> list:
    """Wrap the function at `target` so that each real call is counted (and still runs)."""
    module_name, name = target.rsplit(".", 1)
    module = __import__(module_name, fromlist=[name])
    real, calls = getattr(module, name), []

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_check_run_delivered_twice_concurrently_runs_once(world, monkeypatch):
    from jingzhun.checks.tasks import run_checks

    calls = _counting(monkeypatch, "jingzhun.checks.tasks.check_run_execute")
    run = CheckRun.objects.create(org="140826", as_of=AS_OF, rules=["Q01"], triggered_by=world.county_admin)
    assert _deliver_twice(run_checks, run.pk) == [CheckRun.Status.DONE, SKIPPED]
    assert len(calls) == 1
    run.refresh_from_db()
    assert run.status == CheckRun.Status.DONE and run.worker == worker_identity()
    assert run.started_at <= run.finished_at


@pytest.mark.django_db(transaction=True)
def test_a_comparison_delivered_twice_concurrently_runs_once(world, monkeypatch, settings):
    from jingzhun.compare.tasks import run_compare

    calls = _counting(monkeypatch, "jingzhun.compare.tasks.dataset_load")
    folder = settings.UPLOAD_ROOT / "compare-x"
    folder.mkdir(parents=True)
    (folder / "0.csv").write_text("不是比对数据\n1,2\n", encoding="utf-8")
    run = CompareRun.objects.create(kind="death", org="140826", triggered_by=world.county_admin, folder=str(folder),
                                    upload={"files": ["死亡.csv"], "source": "", "date": "2024-06-30"})
    assert _deliver_twice(run_compare, run.pk) == [CompareRun.Status.REFUSED, SKIPPED]
    assert len(calls) == 1
    run.refresh_from_db()
    assert run.status == CompareRun.Status.REFUSED and run.issues
    assert not (folder / "0.csv").exists()  # other departments' personal data: not kept as loose files


def _import_job(world, settings, text: str) -> ImportJob:
    """A queued web import of one uploaded 户表.csv holding `text`."""
    job = ImportJob(triggered_by=world.county_admin, files=["户表.csv"])
    folder = settings.UPLOAD_ROOT / str(job.id)
    folder.mkdir(parents=True)
    (folder / "0.csv").write_text(text, encoding="utf-8")
    job.folder = str(folder)
    job.save()
    return job


@pytest.mark.django_db(transaction=True)
def test_an_import_delivered_twice_concurrently_runs_once(world, monkeypatch, settings):
    from jingzhun.exchange.tasks import run_import_job

    calls = _counting(monkeypatch, "jingzhun.exchange.tasks.registry_import")
    job = _import_job(world, settings, "户编号,户主姓名\n1,张三\n")
    assert _deliver_twice(run_import_job, str(job.pk)) == [ImportJob.Status.REFUSED, SKIPPED]
    assert len(calls) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED and job.issue_count > 0


@pytest.mark.django_db(transaction=True)
def test_a_refresh_delivered_twice_concurrently_runs_once(world, monkeypatch):
    from jingzhun.indicators.tasks import refresh_indicators

    calls = _counting(monkeypatch, "jingzhun.indicators.tasks.indicators_refresh")
    refresh = IndicatorRefresh.objects.create(as_of=AS_OF, reason="导入")
    assert _deliver_twice(refresh_indicators, refresh.pk) == [IndicatorRefresh.Status.DONE, SKIPPED]
    assert len(calls) == 1
    refresh.refresh_from_db()
    assert refresh.status == IndicatorRefresh.Status.DONE and refresh.units_values.exists()


# --- the reaper ---------------------------------------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _running(model, **fields):
    run = model.objects.create(**fields)
    model.objects.filter(pk=run.pk).update(status="running", started_at=timezone.now(), heartbeat_at=timezone.now(),
                                           worker=fields.pop("worker", ""))
    return model.objects.get(pk=run.pk)


@pytest.mark.django_db
def test_a_run_whose_worker_process_is_gone_is_marked_failed(world):
    host = worker_identity().rsplit(":", 1)[0]
    dead = CheckRun.objects.create(org="140826", as_of=AS_OF)
    alive = CheckRun.objects.create(org="140826", as_of=AS_OF)
    now = timezone.now()
    CheckRun.objects.filter(pk=dead.pk).update(status="running", heartbeat_at=now, worker=f"{host}:{_dead_pid()}")
    CheckRun.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=now, worker=worker_identity())
    assert [r.pk for r in reaper.reap()] == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == CheckRun.Status.FAILED and dead.finished_at is not None
    assert dead.error.startswith("后台进程已中止") and "请重新发起" in dead.error
    assert alive.status == CheckRun.Status.RUNNING


@pytest.mark.django_db
def test_a_live_worker_here_is_believed_over_its_heartbeat_unless_its_pid_was_reused(world):
    """A long SQLite write delays the heartbeat of a live worker; a pid reused after a restart is not it."""
    old = timezone.now() - datetime.timedelta(hours=2)
    busy = CheckRun.objects.create(org="140826", as_of=AS_OF)
    reused = CheckRun.objects.create(org="140826", as_of=AS_OF)
    # this process (started just now) is the worker of both; `reused` was claimed long before it started
    CheckRun.objects.filter(pk=busy.pk).update(status="running", started_at=timezone.now(), heartbeat_at=old,
                                               worker=worker_identity())
    CheckRun.objects.filter(pk=reused.pk).update(status="running", started_at=datetime.datetime(
        2000, 1, 1, tzinfo=datetime.timezone.utc), heartbeat_at=old, worker=worker_identity())
    assert [r.pk for r in reaper.reap()] == [reused.pk]
    assert CheckRun.objects.get(pk=busy.pk).status == CheckRun.Status.RUNNING


@pytest.mark.django_db
def test_a_run_without_heartbeat_is_failed_and_its_uploads_deleted(world, settings):
    settings.JINGZHUN_RUN_STALE_SECONDS = 120
    job = _import_job(world, settings, "身份证号\n142731194510267762\n")
    folder = Path(job.folder)
    old = timezone.now() - datetime.timedelta(seconds=121)
    # another host's worker: only the heartbeat can tell
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=old, worker="elsewhere:1")
    fresh = IndicatorRefresh.objects.create(as_of=AS_OF)
    IndicatorRefresh.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now(),
                                                       worker="elsewhere:1")
    assert [r.pk for r in reaper.reap()] == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "超过 120 秒没有响应" in job.error
    assert not folder.exists()
    assert IndicatorRefresh.objects.get(pk=fresh.pk).status == IndicatorRefresh.Status.RUNNING


@pytest.mark.django_db
def test_a_reaped_run_stays_failed_and_cannot_be_finished(world):
    run = CheckRun.objects.create(org="140826", as_of=AS_OF)
    assert run.claim() and not CheckRun.objects.get(pk=run.pk).claim()
    CheckRun.objects.filter(pk=run.pk).update(worker=f"{worker_identity().rsplit(':', 1)[0]}:{_dead_pid()}")
    reaper.reap()
    run.progress("still here", 50)
    with pytest.raises(RunLost):
        run.finish(found=1)
    stored = CheckRun.objects.get(pk=run.pk)
    assert stored.status == CheckRun.Status.FAILED and stored.found == 0 and stored.percent == 0


@pytest.mark.django_db
def test_the_dashboard_no_longer_says_an_update_is_running_once_its_worker_died(world, client, monkeypatch):
    monkeypatch.setattr(reaper, "_last_reap", [float("-inf")])
    refresh = IndicatorRefresh.objects.create(as_of=AS_OF)
    IndicatorRefresh.objects.filter(pk=refresh.pk).update(
        status="running", heartbeat_at=timezone.now(), worker=f"{worker_identity().rsplit(':', 1)[0]}:{_dead_pid()}")
    client.login(username=world.county_admin.username, password=PASSWORD)
    page = client.get(reverse("dashboard:overview", args=["140826"])).content.decode()
    assert "有一次更新正在进行" not in page
    assert IndicatorRefresh.objects.get(pk=refresh.pk).status == IndicatorRefresh.Status.FAILED


@pytest.mark.django_db
def test_a_run_page_shows_the_reason_of_a_reaped_run(world, client):
    run = CheckRun.objects.create(org="140826", as_of=AS_OF, triggered_by=world.county_admin)
    CheckRun.objects.filter(pk=run.pk).update(status="failed", error="后台进程已中止（进程 1 已不存在），请重新发起。")
    client.login(username=world.county_admin.username, password=PASSWORD)
    page = client.get(reverse("checks:run_detail", kwargs={"run_id": run.pk})).content.decode()
    assert "后台进程已中止" in page and "hx-get" not in page


# --- heartbeat and failures -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_long_step_without_progress_still_beats(settings):
    settings.JINGZHUN_RUN_STALE_SECONDS = 8  # a beat every second
    refresh = IndicatorRefresh.objects.create(as_of=AS_OF)
    assert refresh.claim()
    claimed_at = refresh.heartbeat_at
    with heartbeat(refresh):
        time.sleep(2.5)
    assert IndicatorRefresh.objects.get(pk=refresh.pk).heartbeat_at > claimed_at


@pytest.mark.django_db
def test_a_memory_error_fails_the_run_with_a_chinese_message(world):
    def greedy(run):
        raise MemoryError

    run = CheckRun.objects.create(org="140826", as_of=AS_OF)
    assert execute(CheckRun, run.pk, greedy) == CheckRun.Status.FAILED
    run.refresh_from_db()
    assert run.status == CheckRun.Status.FAILED and run.error.startswith("内存超出上限")


@pytest.mark.django_db
def test_any_other_error_fails_the_run_with_the_models_message(world):
    def broken(run):
        raise RuntimeError("engine down")

    run = ImportJob.objects.create(triggered_by=world.county_admin, folder="/nonexistent", files=["x.csv"])
    assert execute(ImportJob, run.pk, broken) == ImportJob.Status.FAILED
    run.refresh_from_db()
    assert run.error == "系统错误，数据未改动；请联系系统管理员" and "engine down" not in run.error
