"""The abstract run: status, stage and percent, timestamps, who asked, heartbeat and the worker's identity."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    """The four states every run passes through; a model may add finished states of its own (REFUSED…)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def status_field(choices: type[models.TextChoices] = RunStatus) -> models.CharField:
    """The status column; a run model with its own labels or extra states redeclares it with its choices."""
    return models.CharField(_("状态"), max_length=16, choices=choices.choices, default=RunStatus.QUEUED)


def worker_identity() -> str:
    """host:pid of this process, as stored on the runs it claims (the reaper reads it back)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RunLost(Exception):
    """The run is no longer ours (the reaper marked it failed, or it was deleted) and must not be finished."""


class Run(models.Model):
    """One background run. `claim()` is what makes a task delivered twice run once.

    Subclasses declare a `Status` TextChoices holding at least QUEUED, RUNNING, DONE and FAILED (with
    their own labels), and `status = status_field(Status)` when they do.
    """

    Status = RunStatus
    #: What the page says when the run failed for a reason the user cannot act on (logged in full).
    failure_message = _("系统错误，请联系系统管理员。")

    status = status_field()
    stage = models.CharField(_("进度说明"), max_length=64, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    worker = models.CharField(_("后台进程"), max_length=128, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status not in (RunStatus.QUEUED, RunStatus.RUNNING)

    def _rows(self):
        return type(self)._default_manager.filter(pk=self.pk)

    def _set(self, **fields) -> None:
        for name, value in fields.items():
            setattr(self, name, value)

    def claim(self) -> bool:
        """Take a queued run for this process; False when another caller (a retry, a command) won it.

        One conditional UPDATE: of two deliveries of the same task only one sees status=queued.
        """
        now = timezone.now()
        fields = {"status": RunStatus.RUNNING, "started_at": now, "heartbeat_at": now, "worker": worker_identity()}
        won = bool(self._rows().filter(status=RunStatus.QUEUED).update(**fields))
        if won:
            self._set(**fields)
        return won

    def progress(self, stage: str, percent: int | None = None) -> None:
        """Say where the run is (and beat the heartbeat); a run the reaper has failed stays failed."""
        fields = {"stage": str(stage)[:64], "heartbeat_at": timezone.now()}
        if percent is not None:
            fields["percent"] = max(0, min(100, int(percent)))
        self._rows().filter(status=RunStatus.RUNNING).update(**fields)
        self._set(**fields)

    def beat(self) -> bool:
        """Only the heartbeat (the worker's beating thread); False when the run is no longer running."""
        return bool(self._rows().filter(status=RunStatus.RUNNING).update(heartbeat_at=timezone.now()))

    def fail(self, message: str) -> bool:
        """Mark the run failed with the message its user reads; False when it had already finished."""
        fields = {"status": RunStatus.FAILED, "error": str(message)[:2000], "finished_at": timezone.now()}
        done = bool(self._rows().filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(**fields))
        if done:
            self._set(**fields)
        return done

    def finish(self, status: str = RunStatus.DONE, **fields) -> None:
        """Record the outcome (DONE, or a model's own finished state) with the model's result fields.

        Raises RunLost when the run is not running any more (reaped meanwhile): called inside the
        transaction that writes the run's results, that rolls them back.
        """
        fields = {"percent": 100, **fields, "status": status, "finished_at": timezone.now()}
        if not self._rows().filter(status=RunStatus.RUNNING).update(**fields):
            raise RunLost(f"{self._meta.label} {self.pk} is no longer running")
        self._set(**fields)

    # --- uploads --------------------------------------------------------------------------------

    def upload_folder(self) -> Path | None:
        """Where the run keeps its uploaded files (runs without uploads: None)."""
        return None

    def discard_uploads(self, *, everything: bool = False) -> None:
        """Delete the uploaded files (named 0.xlsx, 1.csv…); `everything` removes the whole folder.

        Only below settings.UPLOAD_ROOT: a folder field pointing elsewhere is never followed.
        """
        folder = self.upload_folder()
        if folder is None or not folder.is_dir():
            return
        root = Path(settings.UPLOAD_ROOT).resolve()
        if not folder.resolve().is_relative_to(root) or folder.resolve() == root:
            return
        if everything:
            shutil.rmtree(folder, ignore_errors=True)
            return
        for path in folder.iterdir():
            if path.stem.isdigit():
                path.unlink(missing_ok=True)
