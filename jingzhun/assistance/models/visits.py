"""走访: cadres' visits recorded on a phone (often offline), and edits that met a change made meanwhile."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.workflows.models import evidence_storage


class Visit(models.Model):
    """一次走访: who visited which household when, whom they met, what they found and did.

    `client_id` is made on the phone when the visit is recorded, so a visit sent twice (a sync that
    was cut off after the server stored it) is stored once.
    """

    client_id = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="visits")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT,
                                related_name="+")
    visited_on = models.DateField(_("走访日期"))
    met = models.CharField(_("见到的人"), max_length=128, blank=True)
    situation = models.TextField(_("家庭情况"), blank=True)
    needs = models.TextField(_("困难和诉求"), blank=True)
    done = models.TextField(_("帮扶举措"), blank=True)
    #: Only when the cadre allowed the phone to share its location for this visit.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), help_text=_("手机上记录的时间"))
    received_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["household", "-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"]), models.Index(fields=["visitor", "visited_on"])]


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), storage=evidence_storage, upload_to="visits/%Y/%m", max_length=255)
    name = models.CharField(_("文件名"), max_length=255)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")


class EditConflict(models.Model):
    """An edit from a phone that met a change made on the server since the phone last read the record.

    Nothing is overwritten silently: the server's value stays until the cadre chooses; both versions
    are kept here (and the chosen one in the household's history).
    """

    class Resolution(models.TextChoices):
        OPEN = "open", _("待选择")
        KEPT_SERVER = "server", _("保留系统中的值")
        TOOK_PHONE = "phone", _("采用手机上的值")

    client_id = models.UUIDField(_("客户端编号"), unique=True)
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="+")
    member = models.ForeignKey("registry.Member", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    #: {field: value} as the phone last read them, as the phone wants them, and as the server had them.
    base = models.JSONField(_("手机读取时的值"))
    phone_values = models.JSONField(_("手机上的值"))
    server_values = models.JSONField(_("系统中的值"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT,
                               related_name="+")
    recorded_at = models.DateTimeField(_("手机上的修改时间"))
    received_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    resolution = models.CharField(_("处理结果"), max_length=8, choices=Resolution.choices, default=Resolution.OPEN)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("修改冲突")
        verbose_name_plural = _("修改冲突")
        ordering = ["-received_at"]
