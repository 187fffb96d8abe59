"""Background tasks of runs: `@run_task(Model)` claims, beats, reports failure; `enqueue(run)` queues one.

Services queue a run through `enqueue(run)` and never import the app's tasks module: each tasks module
registers its task here when it is imported (the app's `AppConfig.ready` imports it), so the import
graph stays services → models and tasks → services, without a loop.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from .models import Run, RunLost, RunStatus

logger = logging.getLogger(__name__)
SKIPPED = "skipped"
_TASKS: dict[str, Task] = {}


def run_task(model: type[Run], *, register: bool = True) -> Callable[[Callable[[Run], str]], Task]:
    """Make `body(run) -> status` the background task of `model`'s runs, called with the run's pk.

    The task claims the run first (a second delivery returns "skipped"), beats its heartbeat while the
    body works, and turns any error into a failed run with a message its user can read: "内存超出上限"
    for a MemoryError (the worker's memory ceiling), the model's `failure_message` otherwise. Uploaded
    files are discarded afterwards. `register=False`: not the task `enqueue(run)` queues for the model
    (a second task over the same model, as the tests' deliberately slow or greedy ones).
    """
    def decorate(body: Callable[[Run], str]) -> Task:
        @functools.wraps(body)
        def run_claimed(run_id) -> str:
            return execute(model, run_id, body)

        registered = task()(run_claimed)
        if register:
            _TASKS[model._meta.label_lower] = registered
        return registered
    return decorate


def enqueue(run: Run) -> None:
    """Queue the task of `run` once the current transaction commits."""
    try:
        registered = _TASKS[run._meta.label_lower]
    except KeyError:
        raise LookupError(f"no task registered for {run._meta.label} (is its tasks module imported?)") from None
    pk = run.pk if isinstance(run.pk, int) else str(run.pk)  # task arguments are JSON (a UUID as text)
    transaction.on_commit(lambda: registered.enqueue(pk))


def memory_message() -> str:
    return _("内存超出上限（%(mb)d MB），任务已停止，数据未改动；请拆分文件后重试，或请系统管理员调高 "
             "JINGZHUN_WORKER_MEMORY_MB。") % {"mb": settings.JINGZHUN_WORKER_MEMORY_MB}


def _out_of_memory(exc: BaseException) -> bool:
    # pyarrow's ArrowMemoryError is a MemoryError; DuckDB raises its own OutOfMemoryException
    return isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryException"


def execute(model: type[Run], run_id, body: Callable[[Run], str]) -> str:
    """Claim run `run_id` and run `body` on it: what every run task does (see run_task)."""
    run = model._default_manager.filter(pk=run_id).first()
    if run is None or not run.claim():  # pruned, or taken by another delivery / a command
        return SKIPPED
    try:
        with running(run):
            return body(run)
    except RunLost:  # reaped meanwhile: the reaper has said why
        logger.warning("%s %s was reaped while it ran", model._meta.label, run_id)
    except Exception as exc:
        if not _out_of_memory(exc):
            logger.exception("%s %s failed", model._meta.label, run_id)
    finally:
        run.discard_uploads()
    return RunStatus.FAILED


@contextmanager
def running(run: Run):
    """The block works on `run` (claimed by this process): heartbeat meanwhile; an error fails the run.

    The error propagates; the run keeps the message its user reads ("内存超出上限…" for a MemoryError,
    the model's `failure_message` otherwise). For the background tasks and for commands alike.
    """
    try:
        with heartbeat(run):
            yield run
    except RunLost:
        raise
    except Exception as exc:
        run.fail(memory_message() if _out_of_memory(exc) else str(run.failure_message))
        raise


@contextmanager
def heartbeat(run: Run):
    """Beat `run`'s heartbeat from a thread while the block runs (long steps call no progress()).

    Not inside a transaction (tests running a task within theirs): the thread's own connection would
    wait for that transaction's lock and never see the run anyway.
    """
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()
    interval = max(1.0, settings.JINGZHUN_RUN_STALE_SECONDS / 8)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not run.beat():
                        return
                except Exception:  # a locked database: try again at the next beat
                    logger.warning("heartbeat of %s %s failed", run._meta.label, run.pk, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
