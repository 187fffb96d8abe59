"""公示/公告 pages: publishing, the notice and its print/PDF, 公示期满, objections, photos of the posted
notice. Thin views over selectors (reads) and publicity.py (writes)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_act, require
from jingzhun.orgunits.selectors import unit_label

from . import notice, publicity, selectors
from .common import WorkflowError, attempt
from .definitions import Kind, next_step, step_of
from .forms import BatchForm, ObjectionForm, PhotoForm, ResolveForm
from .models import Objection, Procedure

#: What a 公告 does to the households it lists (said before it is published).
_ANNOUNCEMENT_EFFECT = {Kind.ENTRY: gettext_lazy("纳入建档立卡（生成户编号，写入动态调整台账）"),
                        Kind.EXIT: gettext_lazy("标记为“已脱贫”（写入动态调整台账）")}


def _publish_words(kind: str, step, days: int) -> tuple[str, str]:
    """(what the period is, the confirmation the button asks) for a group waiting at `step`."""
    if step.type == "announcement":
        effect = str(_ANNOUNCEMENT_EFFECT.get(kind, _("办结")))
        return (_("公告于发布当天生效。"),
                _("确定发布公告？发布后所选各户的“%(kind)s”程序立即办结，%(effect)s，不能撤回。")
                % {"kind": Kind(kind).label, "effect": effect})
    return (_("公示期 %(n)s 天（按政策包），从开始日期起算；开始日期不能早于发布当天和各户上一步的办理日期，"
              "期满后才能确认公示期满。") % {"n": days},
            _("确定发布公示？公示期自所填开始日期起 %(n)s 天，发布后不能撤回或修改日期。") % {"n": days})


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request):
    groups = selectors.awaiting_publication(request.user)
    today = timezone.localdate()
    forms = []
    for (kind, step_code), procedures in groups.items():
        step = step_of(kind, step_code)
        choices = [(p.pk, f"{p.village.name} · {p.head_name}") for p in procedures]
        earliest = today if step.type == "announcement" else publicity.earliest_start(procedures, today=today)
        latest = today if step.type == "announcement" else today + datetime.timedelta(days=publicity.LEAD_DAYS)
        posted = request.method == "POST" and request.POST.get("kind") == kind and request.POST.get("step") == step_code
        form = BatchForm(request.POST if posted else None, choices=choices, earliest=earliest, latest=latest,
                         initial={"kind": kind, "step": step_code, "procedures": [c[0] for c in choices]})
        if posted and form.is_valid():
            ok, batch = attempt(
                request, lambda: publicity.batch_open(acting_user=request.user, kind=kind, step=step_code,
                                                      procedure_ids=form.cleaned_data["procedures"],
                                                      start=form.cleaned_data["start"], title=form.cleaned_data["title"]),
                lambda batch: _("已发布“%(title)s”。") % {"title": batch.title}, form=form)
            if ok:
                return redirect("workflows:batch_detail", batch_id=batch.pk)
        try:
            days = publicity.publicity_days(request.user.org_unit_id or "", procedures[0].village_id, earliest.year,
                                            kind)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
            days = 0
        period, confirm = _publish_words(kind, step, days)
        forms.append({"kind": Kind(kind).label, "step": step.label, "form": form,
                      "announcement": step.type == "announcement", "period": period, "confirm": confirm})
    listing = Listing(request.GET, selectors.batches_for(request.user).select_related("unit"), _batch_columns(),
                      default_sort="-start", tiebreak=("-pk",), title=_("公示公告清单"), unit=unit_label(request.user))
    return render(request, "workflows/batch_list.html", {"forms": forms, "listing": listing, "page": listing.page})


def _batch_columns() -> list[Column]:
    return [Column(_("标题"), "title"), Column(_("公示单位"), "unit", ("unit__name",)), Column(_("公示开始"), "start"),
            Column(_("公示结束"), "end"), Column(_("状态"), "closed", ("closed_at",))]


def _batch_context(request, batch):
    rows = notice.notice_rows(batch)
    return {"batch": batch, "rows": rows, "columns": notice.notice_columns(batch),
            "words": notice.notice_words(batch, len(rows))}


def _detail(request, batch, *, objection_form=None, photo_form=None, status=200):
    access = access_for(request.user)
    step = step_of(batch.kind, batch.step)
    manages = may_act(access, step)
    can_manage = manages and batch.closed_at is None
    choices = [(p.pk, p.head_name) for p in batch.procedures.filter(state=Procedure.State.OPEN, step=batch.step)]
    following = next_step(batch.kind, batch.step)
    close_refusal = publicity.batch_close_refusal(batch) if can_manage else None
    return render(request, "workflows/batch_detail.html", {
        **_batch_context(request, batch), "can_manage": can_manage, "can_close": can_manage and close_refusal is None,
        "close_refusal": close_refusal, "due": publicity.period_due(batch),
        "period_over": timezone.localdate() >= publicity.period_due(batch),
        "close_confirm": _("确认公示期满？本次公示中各户的“%(step)s”将办结%(next)s，不能撤回。")
        % {"step": step.label, "next": _("，进入下一步“%(s)s”") % {"s": following.label} if following else ""},
        "resolve_confirm": _("确定保存处理结果？处理后不能更改；选择“异议成立”将终止该户的程序。"),
        "objections": batch.objections.select_related("procedure", "recorded_by", "resolved_by"),
        "objection_form": objection_form or ObjectionForm(choices=choices, initial={"received_on": timezone.localdate()}),
        "resolve_form": ResolveForm(), "procedures": batch.procedures_listed.all(),
        "photos": batch.photos.select_related("uploaded_by"), "can_add_photo": manages,
        "photo_form": photo_form or PhotoForm(),
    }, status=status)


@login_required
def batch_detail(request, batch_id: int):
    return _detail(request, selectors.batch_get(request.user, batch_id))


@login_required
def batch_print(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    context = _batch_context(request, batch)
    audit(request, AuditEvent.Action.DOWNLOAD, batch.title, count=len(context["rows"]), what="notice_print")
    return render(request, "workflows/batch_print.html", context)


@login_required
def batch_pdf(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    response = HttpResponse(notice.notice_pdf(batch), content_type="application/pdf")
    audit(request, AuditEvent.Action.DOWNLOAD, batch.title, count=batch.procedures_listed.count(), what="notice_pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{batch.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def batch_close(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    if request.method == "POST":
        attempt(request, lambda: publicity.batch_close(acting_user=request.user, batch_id=batch.pk),
                _("公示已结束，各户进入下一步。"))
    return redirect("workflows:batch_detail", batch_id=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    if request.method != "POST":
        return redirect("workflows:batch_detail", batch_id=batch.pk)
    choices = [(p.pk, p.head_name) for p in batch.procedures.all()]
    form = ObjectionForm(request.POST, choices=choices)
    if form.is_valid():
        ok, _objection = attempt(
            request, lambda: publicity.objection_record(acting_user=request.user, batch_id=batch.pk,
                                                        procedure_id=form.cleaned_data["procedure"],
                                                        received_on=form.cleaned_data["received_on"],
                                                        content=form.cleaned_data["content"]),
            _("已登记异议：处理前该户不能进入下一步。"), form=form)
        if ok:
            return redirect("workflows:batch_detail", batch_id=batch.pk)
    return _detail(request, batch, objection_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def objection_resolve(request, objection_id: int):
    objection = selectors.objection_get(request.user, objection_id)
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择处理结果并填写核实情况。"))
        else:
            attempt(request, lambda: publicity.objection_resolve(
                acting_user=request.user, objection_id=objection.pk,
                upheld=form.cleaned_data["resolution"] == Objection.Resolution.UPHELD, note=form.cleaned_data["note"]),
                _("异议已处理。"))
    return redirect("workflows:batch_detail", batch_id=objection.batch_id)


@login_required
@require_http_methods(["GET", "POST"])
def notice_photo_new(request, batch_id: int):
    """Upload a photo of the posted notice (POST; a GET goes back to the notice)."""
    batch = selectors.batch_get(request.user, batch_id)
    if request.method != "POST":
        return redirect("workflows:batch_detail", batch_id=batch.pk)
    require(may_act(request.user, step_of(batch.kind, batch.step)), _("公示照片由发布公示的单位上传。"))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _photo = attempt(request, lambda: publicity.notice_photo_add(
            acting_user=request.user, batch_id=batch.pk, upload=form.cleaned_data["photo"], ip=client_ip(request)),
            _("已上传公示照片。"), form=form, field="photo")
        if ok:
            return redirect("workflows:batch_detail", batch_id=batch.pk)
    return _detail(request, batch, photo_form=form)


@login_required
def notice_photo(request, photo_id: int):
    """The photo itself, shown on the notice's page (as the content type its check found, never sniffed)."""
    photo = selectors.photo_get(request.user, photo_id)
    audit(request, AuditEvent.Action.DOWNLOAD, photo.batch.title, count=1, what="notice_photo", photo=photo.pk)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="notice-{photo.batch_id}-{photo.pk}{Path(photo.image.name).suffix}"'
    return response
