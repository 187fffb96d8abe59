"""一比对 for a 精准识别 candidate: the comparison module's department data, matched on ID number.

A candidate is not in the registry yet, so the comparison module's runs (record linkage against
registered members) cannot have looked at them; here every loaded department record carrying one of the
candidate's ID numbers is read, and the module's own `signal_message` says, under the policy pack's
[comparison] switches and thresholds, whether it excludes the household. The county records its
conclusion at the 部门比对 step with these findings beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from jingzhun.policy import policy_pack_for

from . import clock

#: The department datasets that can exclude a household (the others concern 三保障 or 低保/特困).
EXCLUDING_KINDS = ("death", "staff", "cadre", "vehicle", "company", "property")


@dataclass(frozen=True)
class CandidateComparison:
    available: bool          # False: the comparison module is not installed
    kinds_loaded: tuple[str, ...]
    findings: tuple[dict, ...]


def candidate_comparison(procedure) -> CandidateComparison:
    try:
        from jingzhun.compare.kinds import KINDS
        from jingzhun.compare.models import Batch, ExternalRecord
        from jingzhun.compare.signals import signal_message
    except ImportError:
        return CandidateComparison(False, (), ())
    members = {m["id_number"]: m for m in procedure.payload.get("members", [])}
    loaded = tuple(sorted({KINDS[k].label_shown for k in Batch.objects.filter(kind__in=EXCLUDING_KINDS)
                          .values_list("kind", flat=True).distinct() if k in KINDS}))
    policy = policy_pack_for(procedure.village_id, clock.today().year).comparison
    findings = []
    records = (ExternalRecord.objects.filter(id_number__in=list(members), batch__kind__in=EXCLUDING_KINDS)
               .select_related("batch").order_by("batch__kind", "id"))
    for record in records:
        kind = KINDS.get(record.batch.kind)
        member = members[record.id_number]
        facts = {"status": "正常", "dibao": member.get("dibao"), "tekun": member.get("tekun")}
        message = signal_message(kind, record.extra, facts, policy, source=record.batch.source) if kind else None
        if message:
            findings.append({"name": member["name"], "kind": kind.label, "message": message,
                             "data_date": str(record.batch.data_date)})
    return CandidateComparison(True, loaded, tuple(findings))
