"""Hits become leads (线索) through the monitoring app's `lead_create` (channel 部门预警), and the batch
page shows what became of each: the lead's status and result.

Deduplication (per household, or ID number, and risk type) is the monitoring app's: a hit on a household
that already has an open lead of the same risk adds a report to that lead. A hit whose person has no
village the registry or the file names (or one out of the loader's reach) cannot become a lead: the
reason is kept on the hit and shown on the page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_noop

from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.services import DETAILS_MAX_KEYS, LeadError, lead_create
from jingzhun.monitoring.vocab import Channel, RiskType
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry.models import Member

from .models import AlertHit
from .rules import AlertRule, figures_text


def batch_source(batch_id: int) -> str:
    """The start of the 来源记录 of every lead report a batch made (the monitoring queue filters by it)."""
    return f"部门预警批次 {batch_id}："


def risk_codes() -> dict[str, str]:
    """{风险类型 as the rules name it (Chinese): the monitoring vocabulary's code}."""
    with translation.override("zh-hans"):
        return {str(choice.label): choice.value for choice in RiskType}


def hits_to_leads(hits: list[AlertHit], rules: dict[str, AlertRule], *, acting_user) -> dict[str, int]:
    """Make (or join) a lead for every hit; counts of new leads, joined leads and hits left without one."""
    codes = risk_codes()
    villages = {u.code: u for u in OrgUnit.objects.filter(code__in={h.village for h in hits if h.village},
                                                          level=Level.VILLAGE)}
    members = Member.objects.select_related("household").in_bulk({h.member_id for h in hits if h.member_id})
    counts = {"leads_new": 0, "leads_joined": 0, "leads_none": 0}
    for hit in hits:
        village = villages.get(hit.village)
        rule = rules[hit.rule]
        if village is None:
            hit.lead_error = gettext_noop("没有村代码，或村代码不是本系统中的村")
            counts["leads_none"] += 1
            continue
        with translation.override("zh-hans"):
            description = f"{rule.name}（{rule.code}）：{figures_text(hit.figures)}"
        details = dict(list({"rule": rule.code, "batch": hit.batch_id, **hit.figures}.items())[:DETAILS_MAX_KEYS])
        member = members.get(hit.member_id) if hit.member_id else None
        arguments = {"channel": Channel.DEPARTMENT, "village": village, "risk_type": codes[hit.risk_type],
                     "description": description, "member": member, "name": hit.person_name[:32],
                     "source_ref": f"{batch_source(hit.batch_id)}第 {hit.record.row} 行 {rule.code}",
                     "details": details, "acting_user": acting_user}
        try:
            try:
                lead = lead_create(**arguments, id_number=hit.person if member is None else "")
            except LeadError:
                if member is not None or not hit.person:
                    raise
                lead = lead_create(**arguments)  # a mistyped ID number: the lead by name and village
        except Http404:  # the person's village lies out of the loader's reach
            hit.lead_error = gettext_noop("所在村不在您的管辖范围内")
            counts["leads_none"] += 1
            continue
        except (LeadError, PermissionDenied) as exc:
            hit.lead_error = str(getattr(exc, "message", "") or exc)[:200] or gettext_noop("不能转为线索")
            counts["leads_none"] += 1
            continue
        hit.lead_id = lead.pk
        counts["leads_joined" if lead.merged else "leads_new"] += 1
    AlertHit.objects.bulk_update(hits, ["lead", "lead_error"], batch_size=2000)
    return counts


def lead_states(lead_ids: list[int]) -> dict[int, str]:
    """{lead id: its status and result, in words, in the active language} of the given leads."""
    out = {}
    for lead in Lead.objects.filter(pk__in=lead_ids):
        state = lead.get_status_display()
        if lead.result:
            state = f"{state}：{lead.get_result_display()}"
        out[lead.pk] = state
    return out
