"""Writes of the lead queue: a lead comes in (any channel), is routed, verified, and its evidence attached.

Every function runs in one transaction, checks reach and role through the named checks of
`orgunits.permissions` (OutOfReach, a 404, for a lead out of reach; Refused for a role that may not act),
records what happened as a `LeadEvent` and an audit row, and raises `LeadError` (a Chinese message for
the person) having written nothing when the input is wrong or the lead's state does not allow the step.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_record_lead,
    may_route_lead,
    may_verify_lead,
    reach_code,
    require,
)
from jingzhun.policy import PolicyPackError
from jingzhun.registry.idnumbers import id_number_problem
from jingzhun.registry.models import Household, Member
from jingzhun.workflows.common import WorkflowError, site_language
from jingzhun.workflows.photos import photo_check

from .calendar import add_working_days
from .models import Lead, LeadEvent, LeadEvidence, LeadReport
from .standards import standards_for
from .vocab import Channel, Result, RiskType, Status

logger = logging.getLogger(__name__)

#: Bounds of what a report may carry (the public page's fields have the same limits).
NAME_MAX = 32
PHONE_MAX = 20
DESCRIPTION_MAX = 1000
SOURCE_REF_MAX = 120
DETAILS_MAX_KEYS = 50
#: 承诺授权书 files one lead may carry (several pages).
EVIDENCE_PER_LEAD = 6


class LeadError(Exception):
    """A lead that cannot be written as asked; the message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _reference() -> str:
    """受理编号: date and 8 random characters (not guessable, not a count of reports)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "XS" + timezone.localdate().strftime("%Y%m%d") + "".join(secrets.choice(alphabet) for _ in range(8))


def _due_dates(village: OrgUnit, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    try:
        standards = standards_for(village.code, day)
    except PolicyPackError as exc:
        logger.error("policy pack error: %s", exc)
        raise LeadError(_("政策包未设置防止返贫监测的时限，暂不能登记线索。请联系系统管理员检查政策包。")) from None
    return (add_working_days(day, standards.verify_working_days, standards),
            day + datetime.timedelta(days=standards.decide_days))


def _clean(*, channel: str, village, risk_type: str, description: str, household, member, name: str,
           id_number: str, phone: str, source_ref: str, details) -> dict[str, Any]:
    if channel not in Channel.values:
        raise LeadError(_("不认识的线索渠道：%(c)s") % {"c": channel})
    if risk_type not in RiskType.values:
        raise LeadError(_("请选择风险类型。"))
    if not isinstance(village, OrgUnit):
        village = OrgUnit.objects.filter(code=str(village or "")).first()
    if village is None or village.level != Level.VILLAGE:
        raise LeadError(_("请选择线索所在的村。"))
    name, id_number, phone = (name or "").strip(), (id_number or "").strip().upper(), (phone or "").strip()
    description, source_ref = (description or "").strip(), (source_ref or "").strip()
    if len(name) > NAME_MAX:
        raise LeadError(_("姓名不能超过 %(n)d 个字。") % {"n": NAME_MAX})
    if len(phone) > PHONE_MAX or (phone and not phone.replace("-", "").isdigit()):
        raise LeadError(_("联系电话应为数字，不超过 %(n)d 位。") % {"n": PHONE_MAX})
    if len(description) > DESCRIPTION_MAX:
        raise LeadError(_("困难描述不能超过 %(n)d 个字。") % {"n": DESCRIPTION_MAX})
    if len(source_ref) > SOURCE_REF_MAX:
        raise LeadError(_("来源记录不能超过 %(n)d 个字。") % {"n": SOURCE_REF_MAX})
    if details is not None and (not isinstance(details, dict) or len(details) > DETAILS_MAX_KEYS):
        raise LeadError(_("预警数据应为不超过 %(n)d 项的键值表。") % {"n": DETAILS_MAX_KEYS})
    if id_number:
        problem = id_number_problem(id_number)
        if problem:
            raise LeadError(problem)
    if member is not None:
        if household is not None and member.household_id != household.pk:
            raise LeadError(_("人员不属于所选的户。"))
        household = member.household
    if household is not None and household.village_id != village.code:
        raise LeadError(_("所选的户不在所选的村。"))
    if household is None and not (name or id_number):
        raise LeadError(_("请填写户主姓名或身份证号。"))
    return {"channel": channel, "village": village, "risk_type": risk_type, "description": description,
            "household": household, "member": member, "name": name or (household.head_name if household else ""),
            "id_number": id_number, "phone": phone, "source_ref": source_ref, "details": details or {}}


def _match(data: dict[str, Any]) -> None:
    """A report naming an ID number without a household: link the registry's member of that number in the
    same county, so that reports by household and by person meet in one lead. Nothing of it is shown to
    a reporter."""
    if data["household"] is not None or not data["id_number"]:
        return
    member = (Member.objects.select_related("household")
              .filter(id_number=data["id_number"], household__village__code__startswith=data["village"].code[:6])
              .order_by("household_id").first())
    if member is not None:
        data["member"], data["household"] = member, member.household
        if member.household.village_id != data["village"].code:
            data["village"] = member.household.village


def _dedup_key(data: dict[str, Any]) -> str:
    if data["household"] is not None:
        return f"hh:{data['household'].pk}"
    return f"id:{data['id_number']}" if data["id_number"] else ""


def _check_recorder(acting_user, channel: str, data: dict[str, Any]) -> None:
    """Who may bring a lead in by each channel (None: the public page, or a department batch run by the system)."""
    if acting_user is None:
        if channel == Channel.VILLAGE_CHECK:
            raise LeadError(_("村级排查线索须由登录的村级信息员或帮扶责任人登记。"))
        return
    access = access_for(acting_user)
    reach_code(access, data["village"].code)
    require(may_record_lead(access), _("你的角色不能登记线索。"))
    if access.cadre_only and (data["household"] is None
                              or not Household.objects.filter(access.household_q(), pk=data["household"].pk).exists()):
        raise LeadError(_("帮扶责任人只能为自己帮扶的户登记线索。"))


@transaction.atomic
def lead_create(*, channel: str, village, risk_type: str, description: str, household: Household | None = None,
                member: Member | None = None, name: str = "", id_number: str = "", phone: str = "",
                source_ref: str = "", details: dict | None = None, acting_user=None,
                client_ip: str | None = None) -> Lead:
    """Bring a lead into the queue, or add the report to the open lead of the same household (or ID
    number) and risk type.

    `village` is an OrgUnit or a village code. A 部门预警 lead arrives at the county of its village (the
    county pushes it down); the others sit in their village. The returned lead carries `report` (the
    LeadReport just written, with its 受理编号) and `merged` (True when the report joined an open lead).
    """
    data = _clean(channel=channel, village=village, risk_type=risk_type, description=description,
                  household=household, member=member, name=name, id_number=id_number, phone=phone,
                  source_ref=source_ref, details=details)
    _check_recorder(acting_user, channel, data)
    _match(data)
    village = data["village"]
    key = _dedup_key(data)
    # Two reports of one household at once: the village row's lock orders them, so the second sees the
    # first's lead and joins it (the partial unique index is the backstop for keys across villages).
    OrgUnit.objects.select_for_update().filter(code=village.code).first()
    lead = None
    if key:
        lead = (Lead.objects.select_for_update()
                .filter(dedup_key=key, risk_type=data["risk_type"], status=Status.PENDING).first())
    merged = lead is not None
    if lead is None:
        today = timezone.localdate()
        verify_due, decide_due = _due_dates(village, today)
        unit = village
        if channel == Channel.DEPARTMENT:  # a department's lead goes to the county, which pushes it down
            unit = OrgUnit.objects.filter(code=village.code[:6]).first() or village
        lead = Lead(village=village, unit=unit, channel=channel, risk_type=data["risk_type"],
                    household=data["household"], member=data["member"], name=data["name"],
                    id_number=data["id_number"], phone=data["phone"], description=data["description"],
                    dedup_key=key, created_by=acting_user, verify_due=verify_due, decide_due=decide_due)
        try:
            with transaction.atomic():
                lead.save()
        except IntegrityError:
            lead = Lead.objects.select_for_update().get(dedup_key=key, risk_type=data["risk_type"],
                                                        status=Status.PENDING)
            merged = True
    if merged:
        lead.reports += 1
        lead.save(update_fields=["reports"])
    report = LeadReport.objects.create(
        lead=lead, reference=_reference(), channel=channel, name=data["name"], id_number=data["id_number"],
        phone=data["phone"], description=data["description"], source_ref=data["source_ref"],
        details=data["details"], client_ip=client_ip, by=acting_user)
    if merged:
        with site_language():  # stored text is in the site's language, whoever reports
            note = _("第 %(n)d 次报告（%(channel)s）并入本线索") % {"n": lead.reports, "channel": Channel(channel).label}
        LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.MERGED, note=note, actor=acting_user,
                                 data={"report": report.pk, "channel": channel})
    else:
        LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.CREATED, actor=acting_user,
                                 data={"report": report.pk, "channel": channel, "unit": lead.unit_id})
    audit_record(action=AuditEvent.Action.LEAD, actor=acting_user, target=f"lead {lead.pk}", ip=client_ip,
                 detail={"what": "lead_merge" if merged else "lead_create", "lead": lead.pk, "report": report.pk,
                         "channel": channel, "village": village.code, "source_ref": data["source_ref"]})
    lead.report, lead.merged = report, merged
    return lead


def _locked_lead(acting_user, lead_id: int) -> Lead:
    from .selectors import leads_for

    return get_in_reach(leads_for(acting_user).select_for_update(of=("self",)), pk=lead_id)


def _pending(lead: Lead) -> None:
    if lead.status != Status.PENDING:
        raise LeadError(_("该线索已核实，不能再办理。"))


@transaction.atomic
def lead_verify(*, lead_id: int, result: str, reason: str = "", acting_user, evidence=None,
                ip: str | None = None) -> Lead:
    """入户核实's result: 纳入 / 不纳入 (reason required) / 已是监测对象, who and when; the signed
    承诺授权书 may come with it."""
    # Two clerks verifying at once: the row lock makes the second see 已核实 and refuse.
    lead = _locked_lead(acting_user, lead_id)
    require(may_verify_lead(acting_user), _("线索由所在村的村级信息员入户核实。"))
    _pending(lead)
    if lead.unit_id != lead.village_id:
        raise LeadError(_("该线索尚未下发到村，请先由乡镇或县下发。"))
    if result not in Result.values:
        raise LeadError(_("请选择核实结果。"))
    reason = (reason or "").strip()
    if result == Result.EXCLUDE and not reason:
        raise LeadError(_("不纳入须写明理由。"))
    if len(reason) > DESCRIPTION_MAX:
        raise LeadError(_("核实说明不能超过 %(n)d 个字。") % {"n": DESCRIPTION_MAX})
    lead.status, lead.result, lead.result_reason = Status.VERIFIED, result, reason
    lead.verified_at, lead.verified_by = timezone.now(), acting_user
    lead.save(update_fields=["status", "result", "result_reason", "verified_at", "verified_by"])
    LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.VERIFIED, note=reason, actor=acting_user,
                             data={"result": result})
    audit_record(action=AuditEvent.Action.LEAD, actor=acting_user, target=f"lead {lead.pk}", ip=ip,
                 detail={"what": "lead_verify", "lead": lead.pk, "result": result})
    if evidence is not None:
        _attach(lead, evidence, acting_user, ip)
    return lead


def _attach(lead: Lead, upload, acting_user, ip: str | None) -> LeadEvidence:
    if lead.evidence.count() >= EVIDENCE_PER_LEAD:
        raise LeadError(_("每条线索最多上传 %(n)d 个文件。") % {"n": EVIDENCE_PER_LEAD})
    try:
        info = photo_check(upload)
    except WorkflowError as exc:
        raise LeadError(exc.message) from None
    name = (upload.name or "photo")[:255]
    item = LeadEvidence(lead=lead, name=name, content_type=info.content_type, size=info.size, sha256=info.sha256,
                        uploaded_by=acting_user)
    item.file.save(f"letter{info.suffix}", upload, save=False)
    try:
        item.save()
        LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.EVIDENCE, actor=acting_user,
                                 data={"evidence": item.pk, "sha256": info.sha256})
        audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=f"lead {lead.pk}", ip=ip,
                     detail={"what": "lead_evidence", "lead": lead.pk, "evidence": item.pk, "file": name,
                             "size": info.size, "sha256": info.sha256})
    except BaseException:
        item.file.delete(save=False)  # the rows roll back: the file must not stay behind
        raise
    return item


@transaction.atomic
def lead_evidence_add(*, lead_id: int, upload, acting_user, ip: str | None = None) -> LeadEvidence:
    """Attach a photo of the signed 《监测对象申请及承诺授权查询书》 to a lead (before or after its verification)."""
    lead = _locked_lead(acting_user, lead_id)
    require(may_verify_lead(acting_user), _("承诺授权书由所在村的村级信息员上传。"))
    return _attach(lead, upload, acting_user, ip)


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "")).first()
    if unit is None:
        raise LeadError(_("请选择单位。"))
    return unit


@transaction.atomic
def lead_push(*, lead_id: int, unit_code: str, acting_user, note: str = "", ip: str | None = None) -> Lead:
    """下发: move a lead down from where it sits towards its village (county → township → village)."""
    lead = _locked_lead(acting_user, lead_id)
    require(may_route_lead(acting_user), _("线索由乡镇或县下发。"))
    _pending(lead)
    unit = _unit(unit_code)
    reach_code(acting_user, unit.code)
    if not (lead.village_id.startswith(unit.code) and unit.code.startswith(lead.unit_id) and unit.code != lead.unit_id):
        raise LeadError(_("只能把线索下发到其所在村或其上级乡镇。"))
    before = lead.unit_id
    lead.unit = unit
    lead.save(update_fields=["unit"])
    return _moved(lead, LeadEvent.Kind.PUSHED, "lead_push", before, unit.code, acting_user=acting_user,
                  note=(note or "").strip(), ip=ip)


@transaction.atomic
def lead_reassign(*, lead_id: int, village_code: str, acting_user, note: str = "", ip: str | None = None) -> Lead:
    """改派: a lead recorded in the wrong village goes to another village in reach (the household's, if known)."""
    lead = _locked_lead(acting_user, lead_id)
    require(may_route_lead(acting_user), _("线索由乡镇或县改派。"))
    _pending(lead)
    village = _unit(village_code)
    reach_code(acting_user, village.code)
    if village.level != Level.VILLAGE or village.code == lead.village_id:
        raise LeadError(_("请选择另一个村。"))
    if lead.household_id and lead.household.village_id != village.code:
        raise LeadError(_("该线索已关联登记户，只能改派到该户所在的村。"))
    note = (note or "").strip()
    if not note:
        raise LeadError(_("改派须写明理由。"))
    before = lead.village_id
    lead.village = lead.unit = village
    lead.save(update_fields=["village", "unit"])
    return _moved(lead, LeadEvent.Kind.REASSIGNED, "lead_reassign", before, village.code, acting_user=acting_user,
                  note=note, ip=ip)


def _moved(lead: Lead, kind: str, what: str, before: str, to: str, *, acting_user, note: str, ip) -> Lead:
    """A lead moved (下发 or 改派): its event and its audit row, in the caller's transaction."""
    LeadEvent.objects.create(lead=lead, kind=kind, note=note[:DESCRIPTION_MAX], actor=acting_user,
                             data={"from": before, "to": to})
    audit_record(action=AuditEvent.Action.LEAD, actor=acting_user, target=f"lead {lead.pk}", ip=ip,
                 detail={"what": what, "lead": lead.pk, "from": before, "to": to})
    return lead


# --- The public report page (农户自主申报) ----------------------------------------------------------------

#: Reports the public page accepts in PUBLIC_WINDOW: from one client address, and naming one ID number or
#: one phone number. Past them the page refuses with one message for all three (so it tells nobody whether
#: someone else reported an ID number).
PUBLIC_LIMITS = {"client_ip": 5, "id_number": 2, "phone": 3}
PUBLIC_WINDOW = datetime.timedelta(hours=24)


def public_limit_reached(*, client_ip: str | None, id_number: str, phone: str) -> bool:
    since = timezone.now() - PUBLIC_WINDOW
    recent = LeadReport.objects.filter(channel=Channel.SELF_REPORT, by__isnull=True, at__gte=since)
    for field, value in (("client_ip", client_ip), ("id_number", (id_number or "").strip().upper()),
                         ("phone", (phone or "").strip())):
        if value and recent.filter(**{field: value}).count() >= PUBLIC_LIMITS[field]:
            return True
    return False


@transaction.atomic
def lead_report_public(*, county: OrgUnit, village_code: str, risk_type: str, name: str, phone: str, id_number: str,
                       description: str, client_ip: str | None) -> LeadReport:
    """A farmer's own report from the public page: within the limits, for a village of `county`.

    Returns the report (its 受理编号 is all the page shows); raises LeadError with one message when a
    limit is reached, and writes nothing then.
    """
    if public_limit_reached(client_ip=client_ip, id_number=id_number, phone=phone):
        raise LeadError(_("提交次数过多，请明天再试，或直接联系村委会、乡镇干部反映。"))
    if not str(village_code or "").startswith(county.code):
        raise LeadError(_("请选择线索所在的村。"))
    if not (name or "").strip() or not (phone or "").strip() or not (id_number or "").strip():
        raise LeadError(_("请填写户主姓名、联系电话和身份证号。"))
    lead = lead_create(channel=Channel.SELF_REPORT, village=village_code, risk_type=risk_type,
                       description=description, name=name, phone=phone, id_number=id_number, client_ip=client_ip)
    return lead.report
