"""The scope matrix: every URL pattern of the URLconf, as every role, inside and outside its reach.

The URL names come from walking `config.urls` (not from a hand list) and must equal the keys of
MATRIX: a new URL without an entry fails `test_every_url_has_an_entry`. An entry says how to fill the
pattern's parameters with records of the test world (tests/scope_world.py: another village, another
township, another county, a household not assigned to the cadre), which roles the page refuses (403)
and which roles may write through it. Who reaches what is written out by hand below (PREFIX,
`reaches`), not computed by the code under test. For every role it asserts:

- reads out of reach are 404 (403 where the page refuses the role), reads in reach are answered;
- a POST by a role that may not write there (read-only, wrong role, out of reach, anonymous) changes
  no row of any table of ours (the audit log aside);
- a read-only role (analyst, evaluator, cadre) never sees a full ID number or phone number (a
  household's, a cadre's) of anyone in the registry, in HTML, JSON or the workbooks and documents it
  downloads, nor in the print view or the workbook of a list page (nor on any page of an API list);
- the API (/api/v1/) is called with the person's own token (the anonymous visitor gets 401), and no API
  answer names a household (by its 户编号) outside the person's reach.

The change history, the problem messages (Q04, Q05, Q21) and phone numbers, where issue 12 found full
ID and phone numbers shown to read-only roles, have tests of their own below.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jingzhun.accounts.models import ApiToken, AuditEvent
from jingzhun.accounts.tokens import token_create
from jingzhun.compare.models import ExternalRecord
from jingzhun.registry.models import AssistanceCadre, Household, Member

from .api_helpers import token_for
from .helper_people import pdf_upload
from .notice_photos import jpeg_bytes, upload
from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO, World
from .scope_world import Records, records_build
from .test_household_edit_view import _household_post_data, _member_post_data
from .test_workflow_views import _post_data
from .workflow_helpers import candidate

#: Where each person's reach starts (hand-written; "" = everything). The cadre reaches only the
#: households assigned to them, and the outsider is a county admin of the other county.
PREFIX = {"village_clerk": XIAGAOCHI, "township_officer": "140826100", "county_admin": "140826", "analyst": "1408",
          "evaluator": "140826", "cadre": "140826", "sysadmin": "", "outsider": "140829",
          "work_team": XIAGAOCHI, "department": "140826"}
READ_ONLY = {"analyst", "evaluator", "cadre", "work_team", "department"}
KEEPERS = {"village_clerk", "township_officer", "county_admin", "sysadmin", "outsider"}  # roles that write
COUNTY_RUNS = {"county_admin", "sysadmin", "outsider"}  # check runs, comparisons, refreshes
EVERYONE = set(PREFIX)
ANONYMOUS = "anonymous"


def reaches(person: str, target: tuple | None, world: World) -> bool:
    """Whether `person` may see what `target` names: (kind, key) or None (a page about no one record)."""
    if target is None:
        return True
    kind, key = target
    prefix = PREFIX[person]
    if kind == "household":
        return key == world.home.code if person == "cadre" else key.startswith(prefix)
    if kind in ("unit", "check_run"):
        return key.startswith(prefix)
    if kind == "notice":  # notices list other households: none for a cadre
        return person != "cadre" and key.startswith(prefix)
    if kind == "compare_run":  # a run over a unit above one's own is open too (showing one's own part)
        return key.startswith(prefix) or prefix.startswith(key)
    if kind == "job":
        return key == person
    # the people who help (assistance/people): a county's records are open to whoever reaches the county or
    # works inside it; a cadre's record too, but an assistance cadre reaches only their own
    if kind == "county":
        return key.startswith(prefix) or prefix.startswith(key)
    if kind == "cadre":
        county, owner = key
        return owner == person if person == "cadre" else (county.startswith(prefix) or prefix.startswith(county))
    if kind == "assessment":  # 考核评估 (findings): a county's assessment is read by whoever reaches the whole
        # county (township, village and helpers read none); the evaluator bound at 绛县 reads 绛县's
        return person not in ("cadre", "work_team", "department") and len(prefix) <= 6 and key.startswith(prefix)
    if kind == "project":  # a project by the village it touches: a cadre reads those of their households' villages
        return key == world.home.village_id if person == "cadre" else key.startswith(prefix)
    if kind == "ledger":  # 督查督办: key = (county, the 责任单位: its division code, or "dept" for 县民政局). A county
        # (and above) reads its whole ledger, a township or village the items of its units and those touching
        # it (the scope world's items touch only their own unit's village), the department its department's
        # (绛县's only), the helpers none
        county, unit = key
        if person in ("cadre", "work_team"):
            return False
        if person == "department":
            return county == "140826" and unit == "dept"
        if len(prefix) <= 6:
            return county.startswith(prefix)
        return unit != "dept" and unit.startswith(prefix)
    if kind == "ledger_batch":  # a batch: read whole by a county; by others when one of its items is theirs
        return (key.startswith(prefix) if person not in ("cadre", "work_team", "department", "village_clerk",
                                                           "township_officer") else
                person != "cadre" and person != "work_team" and key == "140826")
    if kind == "appraisal":  # 考评 results (area "scoring"): key = county. Whoever reads a county whole reads its
        # published appraisals; the township officer and the department their own county's (the ranking they are
        # in); village clerks and the helpers none
        if person in ("village_clerk", "cadre", "work_team"):
            return False
        if person in ("township_officer", "department"):
            return key == "140826"
        return key.startswith(prefix)
    raise AssertionError(kind)


Fill = Callable[[World, Records], list[tuple[dict, tuple | None]]]


@dataclass
class Entry:
    fill: Fill = lambda w, r: [({}, None)]
    #: Roles a page refuses (403) on a record in reach; out of reach they get 404 like everyone.
    forbidden: set[str] = field(default_factory=set)
    #: Roles refused (403) before any lookup, so even out of reach.
    refused_first: set[str] = field(default_factory=set)
    #: Roles whose POST may change something there (when the record is in reach); everyone else's may not.
    writers: set[str] = field(default_factory=set)
    #: The POST a writer would send (so a forbidden one is a real attempt, not an empty form).
    data: Callable[[World, Records, dict], dict] = lambda w, r, kwargs: {}
    #: A person whose POST of `data` to the first fill must change something: the data is not inert.
    proof: str = ""
    post: bool = True
    public: bool = False
    #: The method of the write attempt: "post", or another (an API's "patch") sent as JSON.
    method: str = "post"


def households(w: World, r: Records):
    return [({"code": h.code}, ("household", h.code)) for h in (*w.households, w.poor)]


UNITS = (XIAGAOCHI, CHENGNEI, "140826101", "140826", "140829")


def units(w, r):
    return [({"code": code}, ("unit", code)) for code in UNITS]


def per_household(attr: str, kwarg: str, kind: str = "household"):
    def fill(w: World, r: Records):
        return [({kwarg: obj.pk}, (kind, code if kind == "household" else code[:12]))
                for code, obj in getattr(r, attr).items()]
    return fill


def members(w: World, r: Records):
    rows = [({"code": h.code, "member_id": h.members.order_by("pk").first().pk}, ("household", h.code))
            for h in w.households]
    # a forged URL: another county's member under the home household's code
    forged = {"code": w.home.code, "member_id": w.other_county.members.first().pk}
    return rows + [(forged, ("forged", w.home.code))]


def runs(attr: str, kwarg: str, kind: str):
    def fill(w: World, r: Records):
        return [({kwarg: run.pk}, (kind, org)) for org, run in getattr(r, attr).items()]
    return fill


def jobs(w, r):
    return [({"job_id": job.pk}, ("job", owner)) for owner, job in r.import_job.items()]


def exit_units(level_len: int):
    def fill(w, r):
        # each evaluation computes every criterion: one village in and one out of each reach
        codes = (XIAGAOCHI, HENGDONG, ZHANGGUO) if level_len == 12 else ("140826", "140829")
        return [({"unit": code}, ("unit", code)) for code in codes]
    return fill


def _csv():
    return SimpleUploadedFile("户表.csv", "户编号\n".encode(), content_type="text/csv")


def _household_data(w, r, kwargs):
    household = Household.objects.get(code=kwargs["code"])
    return _household_post_data(household, head_name="篡改")


def _member_data(w, r, kwargs):
    return _member_post_data(Member.objects.get(pk=kwargs["member_id"]), name="篡改")


def _procedure_pk(r, kwargs):
    return kwargs["procedure_id"]


def _lead_village(lead_id: int) -> str:
    from jingzhun.monitoring.models import Lead

    return Lead.objects.get(pk=lead_id).village_id


def open_households(w: World, r: Records):
    """The opening forms: a household in the clerk's village, one in another village, one in another county."""
    return [({"code": h.code}, ("household", h.code)) for h in (w.home, w.neighbour, w.other_county)]


_OPEN = dict(fill=open_households, forbidden=EVERYONE - {"village_clerk"}, writers={"village_clerk"},
             data=lambda w, r, kwargs: {"year": "2020", "note": "申请", "reason_category": "", "change": ""})
def dashboard_units(w, r):
    """Fewer units than the division pages (each dashboard page computes figures): in and out of reach
    of the village clerk, the township officer and both county admins."""
    return [({"code": code}, ("unit", code)) for code in (XIAGAOCHI, "140826101", "140829")]


def _loan_data(w, r, kwargs):
    """小额信贷 (loans): a new loan of the household's head."""
    household = Household.objects.get(code=kwargs["code"])
    return {"borrower": household.members.order_by("pk").first().pk, "bank": "中国农业银行", "contract_no": "MATRIX-1",
            "amount": "20000", "term_months": "24", "annual_rate": "4.35", "subsidy_percent": "100",
            "disbursed_on": "2025-05-01", "schedule": "bullet", "period_months": "12", "installments": ""}


def _loan_edit_data(w, r, kwargs):
    from jingzhun.assistance.models import Loan

    loan = Loan.objects.get(pk=kwargs["loan_id"])
    return {"borrower": loan.borrower_id, "bank": "篡改银行", "contract_no": loan.contract_no, "amount": str(loan.amount),
            "term_months": str(loan.term_months), "annual_rate": str(loan.annual_rate),
            "subsidy_percent": str(loan.subsidy_percent), "disbursed_on": loan.disbursed_on.isoformat(), "schedule": "",
            "period_months": "12", "installments": ""}


def _installments(w, r):
    return [({"loan_id": i.loan_id, "installment_id": i.pk}, ("household", code)) for code, i in r.installment.items()]


_DASHBOARD = dict(fill=dashboard_units, refused_first={"cadre"})
_NOTICE = dict(fill=per_household("batch", "batch_id", "notice"))

# --- the people who help (assistance/people) ---------------------------------------------------------------
HELPER_MANAGERS = {"township_officer", "county_admin", "sysadmin", "outsider"}


def helper_counties(w, r):
    return [({"county": code}, ("county", code)) for code in ("140826", "140829")]


def team_units(w, r):
    """The township first: its officer stations a team in 城内村 (the home village has one in post)."""
    return [({"code": code}, ("unit", code)) for code in ("140826100", XIAGAOCHI, "140826101", "140826", "140829")]


def _cadre_target(cadre) -> tuple:
    return ("cadre", (cadre.county_id, cadre.user.username if cadre.user_id else ""))


def helper_cadres(w, r):
    return [({"cadre_id": cadre.pk}, _cadre_target(cadre)) for cadre in r.helper_cadre.values()]


def helper_letters(w, r):
    return [({"letter_id": letter.pk}, _cadre_target(letter.cadre)) for letter in r.helper_letter.values()]


def _cadre_edit(w, r, kwargs):
    cadre = AssistanceCadre.objects.get(pk=kwargs["cadre_id"])
    return {"action": "edit", "name": cadre.name, "work_unit": "矩阵改单位", "phone": cadre.phone,
            "user": cadre.user_id or ""}


def _cadre_pairing(w, r, kwargs):
    county = kwargs["code"][:6]
    cadre = next(c for c in r.helper_cadre.values() if c.county_id == county and c.user_id is None)
    return {"cadre": cadre.pk, "reason": "矩阵调整"}
#: 走访 (assistance): who may not use the field page.
_NOT_FIELD = {"township_officer", "county_admin", "analyst", "evaluator", "sysadmin", "outsider", "department"}


def _field_photo(w, r):
    return [({"client_id": str(r.visit[h.code].client_id)}, None) for h in w.households]


def _conflict_posts(w, r):
    return [({"conflict_id": r.conflict[h.code].pk}, None) for h in w.households]


_VISITS = {
    "assistance:field": Entry(forbidden=_NOT_FIELD, refused_first=_NOT_FIELD),
    "assistance:field_data": Entry(forbidden=_NOT_FIELD, refused_first=_NOT_FIELD),
    "assistance:field_worker": Entry(forbidden=_NOT_FIELD, refused_first=_NOT_FIELD),
    "assistance:field_manifest": Entry(public=True),
    "assistance:field_sync": Entry(writers={"village_clerk", "cadre", "work_team"},
                                   data=lambda w, r, k: {"visits": "[]"}),
    "assistance:field_photo": Entry(fill=_field_photo, writers={"cadre"},
                                    data=lambda w, r, k: {"photo": upload("走访.jpg", jpeg_bytes()),
                                                          "photo_id": "7b0c8e1e-8a1b-4e44-9a53-0e6f1d2c3b4a"},
                                    proof="cadre"),
    "assistance:field_resolve": Entry(fill=_conflict_posts, writers=KEEPERS | {"cadre"},
                                      data=lambda w, r, k: {"choice": "phone"}, proof="cadre"),
    "assistance:visit_photo": Entry(fill=per_household("visit_photo", "photo_id"), post=False),
    "assistance:visit_list": Entry(),
    "assistance:conflict_list": Entry(forbidden=READ_ONLY, refused_first=READ_ONLY),
}


MATRIX: dict[str, Entry] = {
    "set_language": Entry(public=True),
    "accounts:login": Entry(public=True, post=False),
    "accounts:logout": Entry(public=True, post=False),  # a POST signs out: nothing of the registry changes
    # one's own password and two-factor device: every signed-in person may change their own (the POST
    # below, an empty form, must change nothing); no one reaches another person's
    "accounts:password_change": Entry(writers=EVERYONE),
    "accounts:otp_enrol": Entry(writers=EVERYONE),
    "accounts:otp_verify": Entry(writers=EVERYONE),
    "registry:home": Entry(),
    # the to-do page: every role its own (tests/test_desk.py checks what each one lists)
    "desk:todo": Entry(),
    "registry:division_root": Entry(),
    "registry:division": Entry(fill=units),
    "registry:household_list": Entry(),
    "registry:household_detail": Entry(fill=households),
    "registry:household_edit": Entry(fill=households, forbidden=READ_ONLY, writers=KEEPERS, data=_household_data,
                                     proof="village_clerk"),
    "registry:member_edit": Entry(fill=members, forbidden=READ_ONLY, writers=KEEPERS, data=_member_data,
                                  proof="village_clerk"),
    "exchange:household_export": Entry(),
    "exchange:import_start": Entry(forbidden=READ_ONLY, writers=KEEPERS, data=lambda w, r, k: {"files": _csv()},
                                   proof="village_clerk"),
    "exchange:template_download": Entry(),  # the empty template: no one's data, for every signed-in role
    "exchange:import_job": Entry(fill=jobs),
    "exchange:import_errors": Entry(fill=jobs),
    "checks:problem_list": Entry(),
    "checks:problem_export": Entry(),
    "checks:problem_exception": Entry(fill=per_household("open_problem", "problem_id"), forbidden=READ_ONLY,
                                      writers=KEEPERS, data=lambda w, r, k: {"reason": "户口簿正在更正，有证明"},
                                      proof="village_clerk"),
    "checks:problem_review": Entry(fill=per_household("pending_problem", "problem_id"),
                                   writers={"township_officer", "county_admin", "sysadmin", "outsider"},
                                   data=lambda w, r, k: {"decision": "approve"}, proof="township_officer"),
    "checks:run_list": Entry(),
    # a village clerk or township officer runs the checks over their own unit (issue 13 defect 15)
    "checks:run_start": Entry(writers=COUNTY_RUNS | {"village_clerk", "township_officer"}, proof="village_clerk"),
    "checks:run_detail": Entry(fill=runs("check_run", "run_id", "check_run")),
    "dashboard:overview_home": Entry(refused_first={"cadre"}),
    "dashboard:overview": Entry(**_DASHBOARD),
    "dashboard:overview_export": Entry(**_DASHBOARD),
    "dashboard:overview_json": Entry(**_DASHBOARD),
    "dashboard:bulletin": Entry(**_DASHBOARD),
    "dashboard:bulletin_download": Entry(**_DASHBOARD),
    "dashboard:refresh_start": Entry(fill=dashboard_units, refused_first={"cadre"}, writers=COUNTY_RUNS, proof="county_admin"),
    "compare:home": Entry(writers=COUNTY_RUNS, data=lambda w, r, k: {"kind": "death", "files": _csv()}),
    "compare:format_download": Entry(fill=lambda w, r: [({"kind": "death"}, None), ({"kind": "vehicle"}, None)]),
    "compare:run": Entry(fill=runs("compare_run", "compare_run_id", "compare_run")),
    "compare:review": Entry(fill=runs("compare_run", "compare_run_id", "compare_run"), writers=COUNTY_RUNS,
                            data=lambda w, r, k: {"match": next(m.pk for m in r.match.values()
                                                                if m.run_id == k["compare_run_id"]),
                                                  "decision": "same"}, proof="county_admin"),
    # 部门预警: the county roles only (other departments' personal and health data)
    "alerts:home": Entry(refused_first=EVERYONE - COUNTY_RUNS, writers=COUNTY_RUNS,
                         data=lambda w, r, k: {"kind": "medical", "files": _csv(), "data_date": "2026-11-30"}),
    "alerts:format_download": Entry(fill=lambda w, r: [({"kind": "medical"}, None), ({"kind": "housing"}, None)]),
    "alerts:batch": Entry(fill=runs("alert_batch", "batch_id", "compare_run"), refused_first=EVERYONE - COUNTY_RUNS),
    "workflows:procedure_list": Entry(),
    "workflows:entry_new": Entry(forbidden=EVERYONE - {"village_clerk"}, writers={"village_clerk"},
                                 data=lambda w, r, k: _post_data(*candidate("周有福", 801)), proof="village_clerk"),
    "workflows:procedure_start": Entry(),
    "workflows:exit_new": Entry(**_OPEN),
    "workflows:return_new": Entry(**_OPEN),
    "workflows:removal_new": Entry(**_OPEN),
    "workflows:member_change_new": Entry(**_OPEN),
    # 识别纳入 / 风险消除: the homes all have an open 返贫, so even the clerk is answered why not
    "workflows:monitoring_entry_new": Entry(**{**_OPEN, "data": lambda w, r, kwargs: {
        "monitoring_class": "脱贫不稳定户", "risk_types": ["因灾"], "income_12m": "9000",
        "compliant_out_of_pocket_12m": "0", "note": "入户核实"}}),
    "workflows:risk_elimination_new": Entry(**{**_OPEN, "data": lambda w, r, kwargs: {"note": "风险已消除"}}),
    "workflows:income_verifications": Entry(fill=open_households, writers={"village_clerk"}, proof="village_clerk",
                                            data=lambda w, r, kwargs: {
                                                "verified_on": timezone.localdate().isoformat(),
                                                "income_12m": "12000", "compliant_out_of_pocket_12m": "0"}),
    "workflows:procedure_green_channel": Entry(fill=per_household("procedure", "procedure_id"),
                                               writers={"county_admin", "outsider"},
                                               data=lambda w, r, k: {"reason": "突发火灾，先行纳入先行帮扶"}),
    "workflows:procedure_detail": Entry(fill=per_household("procedure", "procedure_id")),
    # the 返贫 procedures wait at 乡镇审批: only the township officer acts
    "workflows:procedure_act": Entry(fill=per_household("procedure", "procedure_id"), writers={"township_officer"},
                                     data=lambda w, r, k: {"step": "township_approval", "decision": "approve",
                                                           "note": "同意"}, proof="township_officer"),
    "workflows:procedure_override": Entry(fill=per_household("procedure", "procedure_id"),
                                          writers={"county_admin", "outsider"},
                                          data=lambda w, r, k: {"reason": "县里研究决定特批此户退出"}),
    "workflows:evidence": Entry(fill=per_household("record", "record_id")),
    "workflows:batch_list": Entry(writers={"village_clerk", "township_officer", "county_admin", "outsider"}),
    "workflows:batch_detail": Entry(**_NOTICE),
    "workflows:batch_print": Entry(**_NOTICE),
    "workflows:batch_pdf": Entry(**_NOTICE),
    # village notices: the village clerk manages them
    "workflows:batch_close": Entry(**_NOTICE, writers={"village_clerk", "outsider"}),
    "workflows:objection_new": Entry(**_NOTICE, writers={"village_clerk", "outsider"},
                                     data=lambda w, r, k: {"procedure": r.objection_procedure(k["batch_id"]),
                                                           "received_on": timezone.localdate().isoformat(),
                                                           "content": "有群众反映"}),
    # a photo of the posted notice: the unit that publishes the notice (here the village) uploads it
    "workflows:notice_photo_new": Entry(**_NOTICE, writers={"village_clerk"},
                                        data=lambda w, r, k: {"photo": upload("公示.jpg", jpeg_bytes())},
                                        proof="village_clerk"),
    "workflows:notice_photo": Entry(fill=per_household("photo", "photo_id", "notice"), post=False),
    "workflows:objection_resolve": Entry(fill=per_household("objection", "objection_id", "notice"),
                                         writers={"village_clerk", "outsider"},
                                         data=lambda w, r, k: {"resolution": "dismissed", "note": "入户核实，无此事"},
                                         proof="village_clerk"),
    "workflows:ledger": Entry(),
    "workflows:ledger_events": Entry(),
    # 防止返贫监测 leads: the public report page (no sign-in; an empty POST writes nothing), 村级排查 by the
    # record keepers and cadres, the queue, a lead's page, 入户核实 by the village clerk, routing by the
    # township and county, the 承诺授权书
    "monitoring:report": Entry(fill=lambda w, r: [({"county": "140826"}, None), ({"county": "140829"}, None)],
                               public=True),
    "monitoring:lead_list": Entry(),
    "monitoring:lead_new": Entry(forbidden={"analyst", "evaluator", "department"},
                                 refused_first={"analyst", "evaluator", "department"},
                                 writers={"village_clerk", "township_officer", "county_admin", "sysadmin", "outsider",
                                          "cadre", "work_team"},
                                 data=lambda w, r, k: {"village": XIAGAOCHI, "risk_type": "disaster", "name": "孙大明",
                                                       "description": "排查发现房屋受损"}, proof="village_clerk"),
    "monitoring:screening": Entry(forbidden={"analyst", "evaluator", "cadre", "work_team", "department"},
                                  refused_first={"analyst", "evaluator", "cadre", "work_team", "department"},
                                  post=False),
    "monitoring:lead_detail": Entry(fill=per_household("lead", "lead_id")),
    "monitoring:lead_verify": Entry(fill=per_household("lead", "lead_id"), writers={"village_clerk"},
                                    data=lambda w, r, k: {"result": "exclude", "reason": "收入明显高于当地平均水平"},
                                    proof="village_clerk"),
    "monitoring:lead_route": Entry(fill=per_household("county_lead", "lead_id"),
                                   writers={"township_officer", "county_admin", "sysadmin", "outsider"},
                                   data=lambda w, r, k: {"action": "push", "note": "请入户核实",
                                                         "unit": _lead_village(k["lead_id"])}, proof="county_admin"),
    "monitoring:lead_evidence_new": Entry(fill=per_household("lead", "lead_id"), writers={"village_clerk"},
                                          data=lambda w, r, k: {"letter": upload("承诺书.jpg", jpeg_bytes())},
                                          proof="village_clerk"),
    "monitoring:lead_evidence": Entry(fill=per_household("lead_evidence", "evidence_id"), post=False),
    "workflows:village_exit": Entry(fill=exit_units(12)),
    "workflows:county_exit": Entry(fill=exit_units(6)),
    # 帮扶措施 (assistance: measures): the list (every role, scoped), entry from the household page, a
    # measure's page, its change, end and evidence by the record keepers (helpers and read-only roles
    # refused before any lookup), the evidence download
    "assistance:measure_list": Entry(),
    "assistance:measure_new": Entry(fill=households, forbidden=READ_ONLY, refused_first=READ_ONLY, writers=KEEPERS,
                                    data=lambda w, r, k: _measure_data(k), proof="village_clerk"),
    "assistance:measure_detail": Entry(fill=per_household("measure", "measure_id"), post=False),
    "assistance:measure_edit": Entry(fill=per_household("measure", "measure_id"), forbidden=READ_ONLY,
                                     refused_first=READ_ONLY, writers=KEEPERS, proof="village_clerk",
                                     data=lambda w, r, k: _measure_edit_data(k)),
    "assistance:measure_end": Entry(fill=per_household("measure", "measure_id"), forbidden=READ_ONLY,
                                    refused_first=READ_ONLY, writers=KEEPERS, proof="village_clerk",
                                    data=lambda w, r, k: {"end": timezone.localdate().isoformat()}),
    "assistance:measure_evidence_new": Entry(fill=per_household("measure", "measure_id"), forbidden=READ_ONLY,
                                             refused_first=READ_ONLY, writers=KEEPERS, proof="village_clerk",
                                             data=lambda w, r, k: {"file": SimpleUploadedFile(
                                                 "合同.pdf", b"%PDF-1.4\n%%EOF\n")}),
    "assistance:measure_evidence": Entry(fill=per_household("measure_evidence", "evidence_id"), post=False),
    "assistance:measure_import": Entry(forbidden=READ_ONLY, refused_first=READ_ONLY, writers=KEEPERS,
                                       data=lambda w, r, k: {"file": _measures_file(w)}, proof="village_clerk"),
    # 一户一档 and 明白卡 (file): reads of a household (or a village's cards) for everyone who reaches it
    "assistance:household_file": Entry(fill=households, post=False),
    "assistance:household_file_pdf": Entry(fill=households, post=False),
    "assistance:household_card_pdf": Entry(fill=households, post=False),
    "assistance:village_cards_pdf": Entry(fill=lambda w, r: [({"code": code}, ("unit", code))
                                                            for code in (XIAGAOCHI, CHENGNEI, HENGDONG, ZHANGGUO)],
                                          post=False),
    # the people who help (assistance/people): 帮扶单位 (the county), 驻村工作队 and members, 帮扶责任人 (the
    # township and the county), their pairings with households, 帮扶责任书, 我的帮扶对象 (a cadre's own)
    "assistance:help_units": Entry(fill=helper_counties, writers={"county_admin", "sysadmin", "outsider"},
                                   data=lambda w, r, k: {"name": "矩阵帮扶单位"}, proof="county_admin"),
    "assistance:team_list": Entry(fill=team_units, writers=HELPER_MANAGERS, proof="township_officer",
                                  data=lambda w, r, k: {"village": CHENGNEI, "start": "2025-03-01"}),
    "assistance:team_detail": Entry(fill=per_household("team", "team_id", "unit"), writers=HELPER_MANAGERS,
                                    data=lambda w, r, k: {"action": "add_member", "name": "矩阵队员", "role": "member",
                                                          "start": "2025-03-01"}, proof="township_officer"),
    "assistance:cadre_list": Entry(fill=helper_counties, refused_first={"cadre"}, writers=HELPER_MANAGERS,
                                   data=lambda w, r, k: {"name": "矩阵帮扶人", "phone": "13700009999"},
                                   proof="county_admin"),
    "assistance:cadre_detail": Entry(fill=helper_cadres, writers=HELPER_MANAGERS, data=_cadre_edit,
                                     proof="township_officer"),
    "assistance:letter_upload": Entry(fill=helper_cadres, writers=HELPER_MANAGERS, proof="county_admin",
                                      data=lambda w, r, k: {"year": "2026", "signed_on": "2025-03-01",
                                                            "file": pdf_upload()}),
    "assistance:letter_download": Entry(fill=helper_letters, post=False),
    "assistance:cadre_assign": Entry(fill=households, forbidden=EVERYONE - HELPER_MANAGERS, writers=HELPER_MANAGERS,
                                     data=_cadre_pairing, proof="township_officer"),
    "assistance:my_households": Entry(refused_first=EVERYONE - {"cadre"}),
    # 小额信贷 (loans): the list, entry from the household page and edits by the record keepers, a loan's page,
    # repayments and settlement (POST only); helpers and readers read
    "assistance:loan_list": Entry(),
    "assistance:loan_new": Entry(fill=open_households, forbidden=READ_ONLY, writers=KEEPERS, data=_loan_data,
                                 proof="village_clerk"),
    "assistance:loan_detail": Entry(fill=per_household("loan", "loan_id"), post=False),
    "assistance:loan_edit": Entry(fill=per_household("loan", "loan_id"), forbidden=READ_ONLY, writers=KEEPERS,
                                  data=_loan_edit_data, proof="village_clerk"),
    "assistance:installment_pay": Entry(fill=_installments, forbidden=READ_ONLY, writers=KEEPERS,
                                        data=lambda w, r, k: {"paid_on": "2026-01-10", "amount": "100"},
                                        proof="village_clerk"),
    "assistance:loan_settle": Entry(fill=per_household("loan", "loan_id"), forbidden=READ_ONLY, writers=KEEPERS,
                                    data=lambda w, r, k: {"settled_on": "2026-02-01"}, proof="village_clerk"),
    # 走访 (assistance): the phone's page, its JSON, worker and manifest (helpers and the village clerk); the
    # sync, photo and choice POSTs (GET is 405: their scope is the POST's, filled with the home's records
    # first so that the cadre's POST is a real one); a visit's photo; the lists
    **_VISITS,
}


def _measures_file(w: World) -> SimpleUploadedFile:
    """帮扶措施 (assistance: measures): a file with one measure of the village clerk's household."""
    book = openpyxl.Workbook()
    book.active.title = "帮扶措施"
    book.active.append(["户编号", "年度", "措施类型", "措施名称", "开始日期"])
    book.active.append([w.home.code, timezone.localdate().year, "产业帮扶", "养羊", f"{timezone.localdate().year}-01-01"])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("措施.xlsx", out.getvalue())


def _measure_data(kwargs) -> dict:
    """登记帮扶措施 (assistance: measures): a whole-household 产业帮扶 of this year."""
    year = timezone.localdate().year
    return {"type": "industry", "year": year, "name": "养牛", "start": f"{year}-01-01", "amount": "3000"}


def _measure_edit_data(kwargs) -> dict:
    from jingzhun.assistance.models import Measure

    measure = Measure.objects.get(pk=kwargs["measure_id"])
    return {"type": "public_post", "member": measure.member_id, "year": measure.year, "name": "护路员",
            "start": measure.start.isoformat(), "amount": "7000", "detail_post": "护路", "detail_months": "10"}
# --- 项目库 and 衔接资金 (projects and funds) ---------------------------------------------------------------
#: Who keeps the 项目库: the county roles (the outsider is the other county's admin).
PROJECT_MANAGERS = {"county_admin", "sysadmin", "outsider"}
_PROJECT = dict(fill=per_household("project", "project_id", "project"), forbidden=EVERYONE - PROJECT_MANAGERS,
                writers=PROJECT_MANAGERS, proof="county_admin")


def _project_form(w, r, kwargs):
    from jingzhun.assistance.models import Project

    project = Project.objects.get(pk=kwargs["project_id"])
    return {"code": project.code, "name": "篡改的项目", "category": project.category, "year": project.year,
            "villages": list(project.villages.values_list("code", flat=True)), "responsible_unit": "绛县水利局",
            "beneficiaries": "\n".join(project.beneficiaries.values_list("code", flat=True))}


def _project_notices(w, r):
    return [({"project_id": p.pk, "kind": "publicity"}, ("project", code[:12])) for code, p in r.project.items()]


MATRIX.update({
    "assistance:project_list": Entry(),
    "assistance:fund_execution": Entry(),
    "assistance:project_new": Entry(forbidden=EVERYONE - PROJECT_MANAGERS, refused_first=EVERYONE - PROJECT_MANAGERS,
                                    writers=PROJECT_MANAGERS, proof="county_admin", data=lambda w, r, k: {
                                        "code": "2025-NEW", "name": "新建项目", "category": "industry", "year": "2025",
                                        "villages": [XIAGAOCHI], "responsible_unit": "绛县农业农村局"}),
    "assistance:project_detail": Entry(fill=per_household("project", "project_id", "project")),
    "assistance:project_edit": Entry(**{**_PROJECT, "data": _project_form}),
    "assistance:project_funds": Entry(**{**_PROJECT, "data": lambda w, r, k: {"central": "900000"}}),
    "assistance:project_advance": Entry(**{**_PROJECT, "data": lambda w, r, k: {"to_state": "completed"}}),
    "assistance:project_progress": Entry(**{**_PROJECT, "data": lambda w, r, k: {"percent": "40"}}),
    "assistance:project_spending": Entry(**{**_PROJECT, "data": lambda w, r, k: {
        "source": "central", "paid_on": timezone.localdate().isoformat(), "amount": "1000", "note": "拨付"}}),
    "assistance:project_notice": Entry(fill=_project_notices, post=False),
})

# 考核评估 — 随机抽查 (spot checks): for those who spot-check (the township, the county, analysts, the system
# administrator), refused to everyone else before any lookup; a spot check and its items are in reach when
# its unit is.
SPOT_CHECKERS = {"township_officer", "county_admin", "analyst", "sysadmin", "outsider"}
_NOT_SPOT = EVERYONE - SPOT_CHECKERS


def _spot_checks(w: World, r: Records):
    return [({"spot_id": spot.pk}, ("unit", county)) for county, spot in r.spot_check.items()]


def _spot_items(w: World, r: Records):
    return [({"item_id": item.pk}, ("unit", item.spot_check.unit)) for item in r.spot_item.values()]


MATRIX.update({
    "assessment:spot_list": Entry(forbidden=_NOT_SPOT, refused_first=_NOT_SPOT, post=False),
    "assessment:spot_new": Entry(forbidden=_NOT_SPOT, refused_first=_NOT_SPOT, writers=SPOT_CHECKERS,
                                 proof="county_admin", data=lambda w, r, k: {"unit": "140826", "n": "1", "seed": "5"}),
    "assessment:spot_detail": Entry(fill=_spot_checks, forbidden=_NOT_SPOT, refused_first=_NOT_SPOT, post=False),
    "assessment:spot_verify": Entry(fill=_spot_items, forbidden=_NOT_SPOT, refused_first=_NOT_SPOT,
                                    writers=SPOT_CHECKERS, proof="county_admin",
                                    data=lambda w, r, k: {"safe_water": "yes", "head_name": "王建国"}),
})


# --- 考核评估: survey results from a spreadsheet (import) ----------------------------------------------------------
def assessments(w: World, r: Records):
    """Each county's assessment; its reach is the county's (those bound inside a county reach no assessment, and
    the page refuses every role but the evaluators and the sysadmin before looking it up)."""
    return [({"assessment_id": a.pk}, ("unit", county)) for county, a in r.assessment.items()]


def _results_file(w, r, kwargs) -> dict:
    """A results file answering the assessment's first case (a real attempt: nobody of the World has the duty)."""
    from .results_files import HEADERS

    book = openpyxl.Workbook()
    book.active.title = "调查结果"
    book.active.append(HEADERS)
    book.active.append([1, "", "", 3, 1, "30000", "", "", "", "", "是", "是", "是", "是", "是", "", "认可", "认可", "",
                        "认可", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("结果.xlsx", out.getvalue())}


#: The import is for the assessment's headquarters and supervisors: everyone in the World is refused (403) —
#: the roles that may not survey before the lookup, the evaluator (an enumerator here) and the sysadmin after it.
_RESULTS = dict(fill=assessments, forbidden=EVERYONE, refused_first=EVERYONE - {"evaluator", "sysadmin"})
MATRIX.update({
    "assessment:results_import": Entry(**_RESULTS, data=_results_file),
    "assessment:results_template": Entry(**_RESULTS, post=False),
})


# --- 考核评估 findings: the findings page (read by whoever reaches the assessment), the county admin's
# dispute with evidence (other readers refused), the panel's decision and the confirmation (headquarters
# only: nobody of World is headquarters, so every POST there must change nothing), the evidence download
def _assessment_pages(w, r):
    return [({"assessment_id": a.pk}, ("assessment", county)) for county, a in r.assessment.items()]


def _finding_cases(attr: str):
    def fill(w, r):
        return [({"assessment_id": case.assessment_id, "case_id": case.pk}, ("assessment", county))
                for county, case in getattr(r, attr).items()]
    return fill


MATRIX.update({
    "assessment:findings": Entry(fill=_assessment_pages, post=False),
    "assessment:findings_confirm": Entry(fill=_assessment_pages),
    "assessment:dispute_new": Entry(fill=_finding_cases("finding"), forbidden={"analyst", "evaluator", "sysadmin"},
                                    writers={"county_admin", "outsider"}, proof="county_admin",
                                    data=lambda w, r, k: {"reason": "该户已纳入低保，收入达标", "evidence": pdf_upload()}),
    "assessment:dispute_decide": Entry(fill=_finding_cases("disputed"),
                                       data=lambda w, r, k: {"decision": "overturned", "note": "证据充分，改判"}),
    "assessment:dispute_evidence": Entry(fill=_finding_cases("disputed"), post=False),
})


# --- 考核评估 plans (assessment, area "plans"): the list, a new plan, a plan's page, its draw, staff and teams,
# the sample workbook and the frame file. Townships, villages and helpers are refused every page (403);
# the county roles plan (the outsider its own county); analysts and evaluators read.
ASSESSMENT_PLANNERS = {"county_admin", "sysadmin", "outsider"}
ASSESSMENT_NON_READERS = {"village_clerk", "township_officer", "cadre", "work_team", "department"}


def _assessments_by_county(w: World, r: Records):
    return [({"assessment_id": a.pk}, ("unit", county)) for county, a in r.assessment.items()]


def _plan_data(w, r, k):
    return {"county": "140826", "year": "2026", "kind": "post", "title": "矩阵评估", "strata": "poor_village",
            "villages_per_stratum": "3", "exited": "5", "not_exited": "2", "monitored": "3", "screen": "on",
            "screen_per_village": "0", "margin": "3", "expected_rate": "3", "deff": "2", "seed": "7"}


MATRIX.update({
    "assessment:list": Entry(refused_first=ASSESSMENT_NON_READERS, post=False),
    "assessment:new": Entry(refused_first=EVERYONE - ASSESSMENT_PLANNERS, writers=ASSESSMENT_PLANNERS,
                            data=_plan_data, proof="county_admin"),
    "assessment:detail": Entry(fill=_assessments_by_county, refused_first=ASSESSMENT_NON_READERS, post=False),
    "assessment:draw": Entry(fill=_assessments_by_county, refused_first=ASSESSMENT_NON_READERS,
                             forbidden={"analyst", "evaluator"}, writers=ASSESSMENT_PLANNERS),
    "assessment:staff": Entry(fill=_assessments_by_county, refused_first=ASSESSMENT_NON_READERS,
                              writers=ASSESSMENT_PLANNERS,
                              data=lambda w, r, k: {"action": "add", "username": "evaluator", "duty": "hq",
                                                    "home_county": "140829"}),
    "assessment:sample_xlsx": Entry(fill=_assessments_by_county, refused_first=ASSESSMENT_NON_READERS, post=False),
    "assessment:frame": Entry(fill=_assessments_by_county, refused_first=ASSESSMENT_NON_READERS, post=False),
})


# --- 考核评估: 三率一度 (estimates) ------------------------------------------------------------------------------
def _estimate_assessments(w, r):
    return [({"assessment_id": a.pk}, ("assessment", county)) for county, a in r.assessment.items()]


#: 结束评估 is headquarters' alone; the scope world names no headquarters, so everyone is refused (the
#: roles without fieldwork before any lookup).
MATRIX.update({
    "assessment:estimates": Entry(fill=_estimate_assessments),
    "assessment:report": Entry(fill=_estimate_assessments),
    "assessment:close": Entry(fill=_estimate_assessments, forbidden=EVERYONE,
                              refused_first=EVERYONE - {"evaluator", "sysadmin"}),
})


# --- 考核评估 fieldwork (assessment: the survey phone page and the review pages) ---------------------------
#: Who may not open the survey page: everyone but the third-party evaluators (and the system administrator).
_NOT_SURVEYING = EVERYONE - {"evaluator", "sysadmin"}


def _fieldwork_assessments(w, r):
    return [({"assessment_id": a.pk}, ("assessment", county)) for county, a in r.assessment.items()]


def _fieldwork_cases(w, r):
    return [({"assessment_id": c.assessment_id, "case_id": c.pk}, ("assessment", code[:6])) for code, c in r.case.items()]


MATRIX.update({
    "assessment:field": Entry(forbidden=_NOT_SURVEYING, refused_first=_NOT_SURVEYING),
    "assessment:field_data": Entry(forbidden=_NOT_SURVEYING, refused_first=_NOT_SURVEYING),
    "assessment:field_worker": Entry(forbidden=_NOT_SURVEYING, refused_first=_NOT_SURVEYING),
    "assessment:field_manifest": Entry(public=True),
    "assessment:field_sync": Entry(writers={"evaluator"}, data=lambda w, r, k: {"submissions": "[]"}),
    "assessment:cases": Entry(fill=_fieldwork_assessments),
    "assessment:case_detail": Entry(fill=_fieldwork_cases),
    # no one of the scope world has a review duty (the evaluator is an enumerator): every POST is refused
    "assessment:case_action": Entry(fill=_fieldwork_cases, data=lambda w, r, k: {"action": "approve"}),
})


# --- 督查督办 考评 inputs (area "letters"): 目标责任书, the scheme, manual scores. Read by whoever may read
# appraisals (village clerks and helpers are refused before any lookup); a letter is in reach like a ledger
# item of its unit (the county all, a township its own, 县民政局's staff theirs); the county writes.
APPRAISAL_NON_READERS = {"village_clerk", "cadre", "work_team"}
#: a valid scheme (the scoring engine's checks) with one manual item: what the county's POST stores
SCOPE_SCHEME = ('[[group]]\nkind = "township"\nname = "乡镇"\ntotal = 10\n\n'
                '[[group.item]]\ncode = "M1"\nname = "工作作风"\npoints = 10\nsource = "manual"\n')
APPRAISERS = {"county_admin", "sysadmin", "outsider"}


def _letter_target(key: str, letter) -> tuple:
    return ("ledger", (letter.county_id, "dept" if key.endswith(":dept") else key))


def _letter_units(w, r):
    return [({"agency_id": letter.agency_id, "year": letter.year}, _letter_target(key, letter))
            for key, letter in r.letter.items()]


def _letter_documents(w, r):
    return [({"letter_id": letter.pk}, _letter_target(key, letter)) for key, letter in r.letter.items()]


def _letter_data(w, r, kwargs):
    return {"t-TOTAL_FORMS": "1", "t-INITIAL_FORMS": "0", "t-0-indicator": "HH_POOR", "t-0-target": "3",
            "t-0-note": "矩阵", "signed_on": timezone.localdate().isoformat()}


MATRIX.update({
    "supervision:letter_list": Entry(refused_first=APPRAISAL_NON_READERS, post=False),
    "supervision:letter_edit": Entry(fill=_letter_units, refused_first=APPRAISAL_NON_READERS, writers=APPRAISERS,
                                     proof="county_admin", data=_letter_data),
    "supervision:letter_document": Entry(fill=_letter_documents, refused_first=APPRAISAL_NON_READERS, post=False),
    "supervision:scheme_page": Entry(refused_first=APPRAISAL_NON_READERS, writers=APPRAISERS, proof="county_admin",
                                     data=lambda w, r, k: {"county": "140826", "year": str(timezone.localdate().year),
                                                           "text": SCOPE_SCHEME}),
    # no scheme of the scope world has manual items, so even the county's POST is refused (changes nothing)
    "supervision:score_page": Entry(refused_first=APPRAISAL_NON_READERS, writers=APPRAISERS,
                                    data=lambda w, r, k: {"county": "140826", "year": str(timezone.localdate().year),
                                                          "agency": str(r.agency["140826:dept"].pk), "item": "M1",
                                                          "points": "5", "note": "矩阵"}),
})


# 考评 (area "scoring"): the appraisal page (live scores for the county level, published results for the
# appraised units too), publishing (the county admin), a published appraisal and its 通报
_NOT_APPRAISAL_READERS = {"village_clerk", "cadre", "work_team"}
_NOT_APPRAISERS = EVERYONE - {"county_admin", "sysadmin", "outsider"}


def _appraisals(w, r):
    return [({"appraisal_id": a.pk}, ("appraisal", county)) for county, a in r.appraisal.items()]


MATRIX.update({
    "supervision:appraisal": Entry(forbidden=_NOT_APPRAISAL_READERS, refused_first=_NOT_APPRAISAL_READERS),
    "supervision:appraisal_publish": Entry(forbidden=_NOT_APPRAISERS, refused_first=_NOT_APPRAISERS,
                                           writers={"county_admin", "sysadmin"}, proof="county_admin",
                                           data=lambda w, r, k: {"county": "140826",
                                                                 "year": str(timezone.localdate().year)}),
    "supervision:appraisal_detail": Entry(fill=_appraisals),
    "supervision:appraisal_report": Entry(fill=_appraisals),
})


# --- 督查督办 flow (supervision: the ledger list, an item and its flow, the overdue list, the units) ----------
_HELPERS = {"cadre", "work_team"}
_LEDGER_MANAGERS = {"county_admin", "sysadmin", "outsider"}
_LEDGER_HANDLERS = {"village_clerk", "township_officer", "department"}


def _ledger_target(item) -> tuple:
    """("ledger", (county, the 责任单位's division code or "dept")) of a scope-world item."""
    agency = item.agency
    return ("ledger", (item.county_id, agency.org_id if agency.org_id else "dept"))


def _ledger_items(w, r):
    items = [*r.ledger_item.values(), *r.ledger_dept.values(), *r.ledger_township.values(),
             *r.ledger_reported.values(), *r.ledger_closed.values()]
    return [({"item_id": i.pk}, _ledger_target(i)) for i in items]


def _ledger_evidence(w, r):
    """Progress entries with a file: a photo on each household's item, and the key projects' photos."""
    return [({"event_id": e.pk}, _ledger_target(e.item))
            for e in (*r.ledger_evidence.values(), *r.ledger_photo.values())]


def _ledger_step(writers: set[str], data) -> Entry:
    return Entry(fill=_ledger_items, refused_first=_HELPERS, forbidden=_HELPERS, writers=writers, data=data)


MATRIX.update({
    "supervision:item_list": Entry(forbidden=_HELPERS, refused_first=_HELPERS),
    "supervision:item_new": Entry(forbidden=EVERYONE - _LEDGER_MANAGERS, refused_first=EVERYONE - _LEDGER_MANAGERS,
                                  writers=_LEDGER_MANAGERS, proof="county_admin",
                                  data=lambda w, r, k: {"kind": "problem", "source": "other", "title": "矩阵登记"}),
    "supervision:item_detail": Entry(fill=_ledger_items, forbidden=_HELPERS, refused_first=_HELPERS),
    "supervision:item_assign": _ledger_step(_LEDGER_MANAGERS, lambda w, r, k: {
        "agency": r.agency["140826:dept"].pk, "deadline": "2030-06-30", "responsible": "矩阵"}),
    "supervision:item_sign": _ledger_step(_LEDGER_HANDLERS, lambda w, r, k: {}),
    "supervision:item_progress": _ledger_step(_LEDGER_HANDLERS, lambda w, r, k: {"note": "矩阵进展", "percent": "50"}),
    "supervision:item_report": _ledger_step(_LEDGER_HANDLERS, lambda w, r, k: {"note": "矩阵办结"}),
    "supervision:item_review": _ledger_step(_LEDGER_MANAGERS, lambda w, r, k: {"decision": "pass", "note": "矩阵"}),
    "supervision:item_reopen": _ledger_step(_LEDGER_MANAGERS, lambda w, r, k: {"reason": "矩阵重开"}),
    "supervision:item_evidence": Entry(fill=_ledger_evidence, forbidden=_HELPERS, refused_first=_HELPERS,
                                       post=False),
    "supervision:overdue": Entry(forbidden=_HELPERS, refused_first=_HELPERS),
    "supervision:unit_list": Entry(forbidden=_HELPERS, refused_first=_HELPERS, writers=_LEDGER_MANAGERS,
                                   proof="county_admin",
                                   data=lambda w, r, k: {"action": "department", "name": "矩阵局"}),
})


# --- 督查督办 batches (supervision, area "batches"): the batch list, a batch by hand, the 督导组 import and its
# template, a batch's progress, 批量交办 and the 整改情况通报. The helpers read no ledger (403 before any lookup);
# the county's ledger keepers register, import and assign (the outsider in its own county only).
LEDGER_KEEPERS = {"county_admin", "sysadmin", "outsider"}
_LEDGER_HELPERS = {"cadre", "work_team"}


def _ledger_batches(w: World, r: Records):
    return [({"batch_id": b.pk}, ("ledger_batch", county)) for county, b in r.ledger_batch.items()]


def _ledger_import_data(w, r, kwargs) -> dict:
    """The synthetic 21-problem 问题清单 of 绛县 (a real attempt: it imports for 绛县's admin)."""
    import tempfile
    from pathlib import Path

    from jingzhun.synth.ledger import ledger_batch_workbook

    with tempfile.TemporaryDirectory() as folder:
        content = ledger_batch_workbook(Path(folder) / "清单.xlsx").read_bytes()
    return {"county": "140826", "name": "矩阵导入批次", "source": "inspection", "received_on": "2020-03-10",
            "deadline": "2020-06-30", "create_missing": "on", "file": SimpleUploadedFile("清单.xlsx", content)}


MATRIX.update({
    "supervision:batch_list": Entry(refused_first=_LEDGER_HELPERS, post=False),
    "supervision:batch_new": Entry(refused_first=EVERYONE - LEDGER_KEEPERS, writers=LEDGER_KEEPERS,
                                   proof="county_admin",
                                   data=lambda w, r, k: {"county": "140826", "name": "矩阵批次", "source": "meeting",
                                                         "received_on": "2026-01-05"}),
    "supervision:batch_import": Entry(refused_first=EVERYONE - LEDGER_KEEPERS, writers=LEDGER_KEEPERS,
                                      proof="county_admin", data=_ledger_import_data),
    "supervision:batch_template": Entry(refused_first=_LEDGER_HELPERS, post=False),
    "supervision:batch_detail": Entry(fill=_ledger_batches, refused_first=_LEDGER_HELPERS, post=False),
    "supervision:batch_assign": Entry(fill=_ledger_batches, refused_first=_LEDGER_HELPERS,
                                      forbidden={"village_clerk", "township_officer", "analyst", "evaluator",
                                                 "department"}, writers=LEDGER_KEEPERS),
    "supervision:batch_report": Entry(fill=_ledger_batches, refused_first=_LEDGER_HELPERS, post=False),
})


# --- 督查督办 归集 (supervision, area "gather"): the county gathers data problems and leads into an item (others are
# refused before anything); an item's gathered problems and leads are read by whoever reads the item
LEDGER_GATHERERS = {"county_admin", "sysadmin", "outsider"}
_NOT_GATHERING = EVERYONE - LEDGER_GATHERERS


def _gathered_items(w: World, r: Records):
    rows = [({"item_id": item.pk}, ("ledger", (code[:6], code[:12]))) for code, item in r.ledger_item.items()]
    rows += [({"item_id": item.pk}, ("ledger", (county, "dept"))) for county, item in r.ledger_dept.items()]
    rows += [({"item_id": item.pk}, ("ledger", (county, item.agency.org_id)))
             for county, item in (*r.ledger_township.items(), *r.ledger_closed.items())]
    return rows


MATRIX.update({
    "supervision:gather_problems": Entry(forbidden=_NOT_GATHERING, refused_first=_NOT_GATHERING,
                                         writers=LEDGER_GATHERERS, proof="county_admin",
                                         data=lambda w, r, k: {"county": "140826", "village": XIAGAOCHI}),
    "supervision:gather_leads": Entry(forbidden=_NOT_GATHERING, refused_first=_NOT_GATHERING,
                                      writers=LEDGER_GATHERERS, proof="county_admin",
                                      data=lambda w, r, k: {"county": "140826", "village": XIAGAOCHI}),
    "supervision:item_problems": Entry(fill=_gathered_items, post=False),
    "supervision:item_leads": Entry(fill=_gathered_items, post=False),
})



# --- 督查督办: 重点工作 and 重点项目 (supervision, area "tasks"): the lists are read by everyone but the helpers
# (what each reads is the ledger's reach); a meeting or a project is registered by the county (refused to all
# others before any lookup); a key project's page, milestones and evidence are in reach as its 责任单位's
# ledger items are; milestones are kept by the county and the 责任单位 (the township officer, the department)
LEDGER_MANAGERS = {"county_admin", "sysadmin", "outsider"}
_NOT_LEDGER = {"cadre", "work_team"}
_NOT_REGISTERING = EVERYONE - LEDGER_MANAGERS


def _key_project_target(item) -> tuple:
    return ("ledger", (item.county_id, "dept" if item.agency.org_id is None else item.agency.org_id))


def _key_projects(w, r):
    return [({"item_id": item.pk}, _key_project_target(item)) for item in r.ledger_project.values()]


def _key_milestones(w, r):
    return [({"item_id": item.pk, "milestone_id": item.milestones.get().pk}, _key_project_target(item))
            for item in r.ledger_project.values()]


def _meeting_data(w, r, k):
    today = timezone.localdate()
    return {"name": "矩阵会议", "held_on": today.isoformat(), "rows": "1", "t0-title": "矩阵任务",
            "t0-agency": r.agency["140826:dept"].pk, "t0-responsible": "", "t0-deadline": today.replace(year=today.year + 1).isoformat()}


def _key_project_data(w, r, k):
    today = timezone.localdate()
    return {"name": "矩阵项目", "investment": "100", "agency": r.agency["140826:dept"].pk, "lead_agency": "",
            "responsible": "", "deadline": today.replace(year=today.year + 1).isoformat(), "project": "",
            "measures": "", "rows": "1", "m0-name": "", "m0-due": ""}


_KEEPING = dict(writers=LEDGER_MANAGERS | {"township_officer", "department"}, proof="county_admin")
MATRIX.update({
    "supervision:task_list": Entry(forbidden=_NOT_LEDGER, refused_first=_NOT_LEDGER, post=False),
    "supervision:project_list": Entry(forbidden=_NOT_LEDGER, refused_first=_NOT_LEDGER, post=False),
    "supervision:meeting_new": Entry(forbidden=_NOT_REGISTERING, refused_first=_NOT_REGISTERING,
                                     writers=LEDGER_MANAGERS, proof="county_admin", data=_meeting_data),
    "supervision:project_new": Entry(forbidden=_NOT_REGISTERING, refused_first=_NOT_REGISTERING,
                                     writers=LEDGER_MANAGERS, proof="county_admin", data=_key_project_data),
    "supervision:project_detail": Entry(fill=_key_projects, post=False),
    "supervision:milestone_new": Entry(fill=_key_projects, **_KEEPING, data=lambda w, r, k: {
        "name": "矩阵节点", "due": timezone.localdate().isoformat()}),
    "supervision:milestone_done": Entry(fill=_key_milestones, **_KEEPING),
})

# --- the API (/api/v1/): called with the person's own token (`tokens` below), not the session -----------
MATRIX.update({
    "api:schema": Entry(public=True),
    "api:docs": Entry(public=True),
    "api:unit_list": Entry(),
    "api:unit_detail": Entry(fill=units),
})

# --- API: figures ---
# indicators as the dashboard (a cadre refused); comparisons as the comparison pages; 部门预警 county roles only
MATRIX.update({
    "api:indicator_values": Entry(refused_first={"cadre"}),
    "api:indicator_catalog": Entry(),
    "api:compare_batch_list": Entry(writers=COUNTY_RUNS, proof="county_admin",
                                    data=lambda w, r, k: {"kind": "death", "file": _csv()}),
    "api:compare_batch_detail": Entry(fill=runs("compare_run", "pk", "compare_run")),
    "api:compare_batch_results": Entry(fill=runs("compare_run", "pk", "compare_run")),
    "api:alert_batch_list": Entry(refused_first=EVERYONE - COUNTY_RUNS, writers=COUNTY_RUNS,
                                  data=lambda w, r, k: {"kind": "medical", "file": _csv(), "data_date": "2026-11-30"}),
    "api:alert_batch_detail": Entry(fill=runs("alert_batch", "pk", "compare_run"), refused_first=EVERYONE - COUNTY_RUNS),
    "api:alert_batch_results": Entry(fill=runs("alert_batch", "pk", "compare_run"), refused_first=EVERYONE - COUNTY_RUNS),
})


# --- API: problems ---
# problems, procedures and the 动态调整台账 through the API, as on their pages; an action's GET is 404 out of
# reach and 405 in it (its page refuses read-only roles on GET, the API only their POST)
def _api_open(w: World, r: Records, kwargs) -> dict:
    """清退 of the poor household (the homes all have an open 返贫): only its village clerk opens it."""
    return {"kind": "removal", "household": w.poor.code, "reason_category": "不符合识别标准", "note": "收入超标"}


MATRIX.update({
    "api:problem_list": Entry(),
    "api:problem_detail": Entry(fill=per_household("open_problem", "problem_id")),
    "api:problem_claim": Entry(fill=per_household("open_problem", "problem_id"), writers=KEEPERS,
                               data=lambda w, r, k: {"reason": "户口簿正在更正，有证明"}, proof="village_clerk"),
    "api:problem_review": Entry(fill=per_household("pending_problem", "problem_id"),
                                writers={"township_officer", "county_admin", "sysadmin", "outsider"},
                                data=lambda w, r, k: {"decision": "approve"}, proof="township_officer"),
    "api:procedure_list": Entry(writers={"village_clerk"}, data=_api_open, proof="village_clerk"),
    "api:procedure_detail": Entry(fill=per_household("procedure", "procedure_id")),
    "api:procedure_act": Entry(fill=per_household("procedure", "procedure_id"), writers={"township_officer"},
                               data=lambda w, r, k: {"step": "township_approval", "decision": "approve", "note": "同意"},
                               proof="township_officer"),
    "api:change_list": Entry(),
})


# --- API: registry ---
def _api_household_data(w, r, kwargs):
    return {"head_name": "篡改", "reason": "接口修改"}


def _api_member_data(w, r, kwargs):
    return {"name": "篡改", "reason": "接口修改"}


MATRIX.update({
    "api:household_list": Entry(post=False),
    "api:household_detail": Entry(fill=households, writers=KEEPERS, method="patch", data=_api_household_data,
                                  proof="village_clerk"),
    "api:member_list": Entry(fill=households, post=False),
    "api:member_detail": Entry(fill=members, writers=KEEPERS, method="patch", data=_api_member_data,
                               proof="village_clerk"),
    "api:household_history": Entry(fill=households, post=False),
    "api:member_export": Entry(post=False),
})


# --- API: modules ---
# 防止返贫监测 (monitoring objects, the lead queue and a lead; a lead pushed by the roles of the lead form),
# 帮扶 (measures, visits), 考核评估 (the surveyors' assignments, the results for those who read assessments),
# the 督查督办 ledger (its items, an item, progress by the 责任单位's staff: reach is looked up before the method)
_API_LEAD_RECORDERS = {"village_clerk", "township_officer", "county_admin", "sysadmin", "outsider", "cadre",
                       "work_team"}


def _api_leads(w: World, r: Records):
    """Each household's leads: the one waiting in its village and the department's at its county."""
    return [({"lead_id": lead.pk}, ("household", code))
            for leads in (r.lead, r.county_lead) for code, lead in leads.items()]


MATRIX.update({
    "api:monitoring_object_list": Entry(),
    "api:lead_list": Entry(writers=_API_LEAD_RECORDERS, proof="village_clerk",
                           data=lambda w, r, k: {"village": XIAGAOCHI, "risk_type": "disaster", "name": "孙大明",
                                                 "description": "排查发现房屋受损"}),
    "api:lead_detail": Entry(fill=_api_leads),
    "api:measure_list": Entry(),
    "api:visit_list": Entry(),
    "api:survey_assignment_list": Entry(forbidden=_NOT_SURVEYING, refused_first=_NOT_SURVEYING),
    "api:survey_result_list": Entry(forbidden=ASSESSMENT_NON_READERS, refused_first=ASSESSMENT_NON_READERS),
    "api:ledger_item_list": Entry(forbidden=_HELPERS, refused_first=_HELPERS),
    "api:ledger_item_detail": Entry(fill=_ledger_items, forbidden=_HELPERS, refused_first=_HELPERS),
    "api:ledger_item_progress": Entry(fill=_ledger_items, forbidden=_HELPERS, refused_first=_HELPERS,
                                      writers=_LEDGER_HANDLERS, proof="village_clerk",
                                      data=lambda w, r, k: {"note": "矩阵进展", "percent": "50"}),
})


# --- accounts: tokens ---------------------------------------------------------------------------------------
# The system administrator's pages (may_manage_tokens): everyone else is refused. What they write (users and
# tokens) is outside the fingerprint (`_tables`), so no POST here can be a proof; tests/test_token_pages.py
# shows the writes and that a refused one changes nothing.
NOT_SYSADMIN = EVERYONE - {"sysadmin"}


def _token_to_revoke(w: World, r: Records):
    if not hasattr(r, "token_to_revoke"):  # one token for every person's attempt (each POST is rolled back)
        r.token_to_revoke = token_create(user=w.county_admin, days=5, name="matrix")[0]
    return [({"prefix": r.token_to_revoke.prefix}, None)]


MATRIX.update({
    "accounts:token_list": Entry(forbidden=NOT_SYSADMIN),
    "accounts:service_account_new": Entry(forbidden=NOT_SYSADMIN, writers={"sysadmin"}, data=lambda w, r, k: {
        "username": "matrix-api", "role": "county_admin", "unit": "140826", "full_name": "矩阵接口"}),
    "accounts:token_new": Entry(forbidden=NOT_SYSADMIN, writers={"sysadmin"},
                                data=lambda w, r, k: {"account": w.county_admin.pk, "days": "30"}),
    "accounts:token_revoke": Entry(fill=_token_to_revoke, writers={"sysadmin"}),  # POST only: a GET is 405
})


def _url_names() -> tuple[set[str], set[str]]:
    """(every URL name of ours, every admin URL name), walking the URLconf."""
    def walk(resolver: URLResolver, namespace: str | None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                if namespace == "admin" and not entry.name:  # Django's own redirects inside the admin
                    continue
                assert entry.name, f"an unnamed URL pattern cannot be in the matrix: {entry.pattern}"
                yield f"{namespace}:{entry.name}" if namespace else entry.name
    names = set(walk(get_resolver(), None))
    admin = {n for n in names if n.startswith("admin:")}
    return names - admin, admin


def test_every_url_has_an_entry():
    ours, admin = _url_names()
    assert ours == set(MATRIX), f"not in the matrix: {sorted(ours - set(MATRIX))}; gone: {sorted(set(MATRIX) - ours)}"
    assert "admin:index" in admin


# --- what a response says -----------------------------------------------------------------------

def _text(response) -> str:
    """The body as text; a downloaded workbook or document as the text of its cells and paragraphs."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if kind.startswith("application/vnd.openxmlformats"):  # .docx: the XML of every part
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode(errors="replace") for n in z.namelist() if n.endswith(".xml"))
    # The notice PDF's text is CID-encoded and cannot be searched; its HTML print view (same rows) is.
    return body.decode("latin-1" if kind.startswith("application/pdf") else "utf-8", errors="replace")


_HOUSEHOLD_CODE = re.compile(r"(?<![0-9])([0-9]{16})(?![0-9])")


def _all_phones() -> set[str]:
    """Every phone number the site holds: households', assistance cadres' and users'."""
    phones = set(Household.objects.values_list("phone", flat=True))
    phones |= set(AssistanceCadre.objects.values_list("phone", flat=True))
    phones |= set(apps.get_model("accounts", "User").objects.values_list("phone", flat=True))
    return {p for p in phones if len(p) >= 7}


def _all_ids(records: Records) -> set[str]:
    """Every full ID number the site holds: members, heads, corrected ones, other departments' records."""
    ids = set(Member.objects.values_list("id_number", flat=True))
    ids |= set(Household.objects.values_list("head_id_number", flat=True))
    ids |= set(ExternalRecord.objects.values_list("id_number", flat=True)) | records.history_ids
    return {i for i in ids if len(i) == 18}


def _tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every model of ours but the audit log, users (whose last sign-in
    moves with every sign-in) and API tokens (whose last use moves with every call)."""
    skip = (AuditEvent, apps.get_model("accounts", "User"), ApiToken)
    return [(m._meta.db_table, m._meta.pk.column) for m in apps.get_models()
            if m.__module__.startswith("jingzhun.") and m not in skip and not m._meta.proxy]


def _fingerprint(tables) -> str:
    """A hash of every row of those tables."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table, pk in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def _expected(person: str, entry: Entry, target, world) -> str:
    """"ok", "403" or "404" for a GET."""
    if person in entry.refused_first:
        return "403"
    if target is not None and target[0] == "forged":
        if not reaches(person, ("household", target[1]), world):
            return "404"
        return "403" if person in entry.forbidden else "404"
    if not reaches(person, target, world):
        return "404"
    return "403" if person in entry.forbidden else "ok"


def _status(code: int) -> str:
    return "ok" if code in (200, 302, 405) else str(code)


@pytest.fixture
def matrix_world(world) -> tuple[World, Records]:
    records = records_build(world)
    world.home.phone = "13800001111"
    world.home.save(update_fields=["phone"])
    for n, household in enumerate(world.households[1:] + [world.poor], start=2):  # every household has a phone
        Household.objects.filter(code=household.code).update(phone=f"1380000{n:04d}")
    apps.get_model("accounts", "User").objects.filter(pk=world.cadre.pk).update(phone="13700001234")
    for n, household in enumerate(world.households[1:], start=2):  # and a cadre of its own with a phone
        cadre = AssistanceCadre.objects.create(county_id=household.code[:6], name=f"帮扶{n}", phone=f"1391234{n:04d}")
        Household.objects.filter(code=household.code).update(cadre=cadre)
    by_batch = {b.pk: p.pk for b, p in zip(records.batch.values(), records.procedure.values())}
    records.objection_procedure = by_batch.get
    return world, records


def _people(world):
    return [(u.username, u) for u in world.users] + [(ANONYMOUS, None)]


def _log_in(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


# One test per person (the anonymous visitor too), so that the parallel workers share the matrix.
@pytest.mark.parametrize("who", [*PREFIX, ANONYMOUS])
def test_reads_writes_and_id_numbers_as_every_role(matrix_world, client, who):
    world, records = matrix_world
    # the hand-written reach agrees with the hand-written World
    for user in world.users:
        assert {h.code for h in world.households if reaches(user.username, ("household", h.code), world)} \
            == world.visible_to(user), user.username
    ids = _all_ids(records) | _all_phones()
    assert len(_all_phones()) >= 8
    tables = _tables()
    wrong_reads, changed, leaks, proofs, outside = [], [], [], set(), []
    codes = set(Household.objects.values_list("code", flat=True))
    requests = forbidden_posts = 0
    people = [(person, user) for person, user in _people(world) if person == who]
    assert len(people) == 1
    tokens = {person: token_for(user) for person, user in people if user is not None}
    for person, user in people:
        _log_in(client, user)
        baseline = _fingerprint(tables)
        for name, entry in MATRIX.items():
            # the API answers the person's token; the session (still signed in) is not what lets them in
            api = name.startswith("api:")
            headers = {"Authorization": f"Bearer {tokens[person]}"} if api and user is not None else {}
            for kwargs, target in entry.fill(world, records):
                url = reverse(name, kwargs=kwargs)
                response = client.get(url, headers=headers)
                requests += 1
                got = _status(response.status_code)
                if user is None:
                    signed_out = (response.status_code == 401 if api else
                                  response.status_code == 302 and "/accounts/login/" in response["Location"])
                    if not entry.public and not signed_out:
                        wrong_reads.append((person, url, response.status_code))
                else:
                    want = _expected(person, entry, target, world)
                    if got != want:
                        wrong_reads.append((person, url, response.status_code, want))
                if api and user is not None and response.status_code == 200:
                    # whatever an API answer names — a list's rows, a record's links — lies in the caller's
                    # reach: every household code in it is one the person may see
                    seen = {c for c in _HOUSEHOLD_CODE.findall(_text(response)) if c in codes}
                    outside += [(person, url, c) for c in seen if not reaches(person, ("household", c), world)]
                if person in READ_ONLY and response.status_code == 200:
                    text = _text(response)
                    if api and '"next"' in text:  # a list: every page of it
                        following = response.json()
                        while following.get("next"):
                            following = client.get(following["next"], headers=headers).json()
                            text += str(following)
                    seen = {i for i in ids if i in text}
                    if 'id="print-list"' in text:  # a list page: its print view holds every row
                        printed = _text(client.get(url, {"print": "1"}))
                        seen |= {i for i in ids if i in printed}
                    if 'id="export-list"' in text:  # and its workbook too
                        exported = _text(client.get(url, {"format": "xlsx"}))
                        seen |= {i for i in ids if i in exported}
                    if seen:
                        leaks.append((person, url, sorted(seen)))
                if not entry.post:
                    continue
                may_write = user is not None and person in entry.writers and (
                    target is None or target[0] == "forged" or reaches(person, target, world))
                forbidden_posts += not may_write
                with transaction.atomic():
                    if entry.method == "post":
                        response = client.post(url, entry.data(world, records, kwargs), headers=headers)
                    else:
                        response = client.generic(entry.method.upper(), url,
                                                  json.dumps(entry.data(world, records, kwargs)),
                                                  content_type="application/json", headers=headers)
                    requests += 1
                    # 405 (the method decorator), the sign-in redirect and the API's 401 answer before the view runs
                    ran = response.status_code != 405 and not (user is None and response.status_code in (302, 401))
                    after = _fingerprint(tables) if ran else baseline
                    transaction.set_rollback(True)
                if after != baseline:
                    if may_write:
                        proofs.add((name, person))
                    else:
                        changed.append((person, "POST", url))
                # the rollback undid the POST; a cookie-stored session survives it, a signed-out one not
                if name == "set_language":
                    client.cookies.pop("django_language", None)
    assert not wrong_reads, wrong_reads
    assert not changed, f"forbidden POSTs changed rows: {changed}"
    assert not outside, f"API answers naming households out of reach: {outside}"
    assert not leaks, f"full ID or phone numbers shown to read-only roles: {leaks}"
    missing = {(n, e.proof) for n, e in MATRIX.items() if e.proof == who} - proofs
    assert not missing, f"these POSTs change nothing even for their writer (the data is inert): {missing}"
    assert requests > len(MATRIX)
    # the figures the closing note reports (`pytest -s`)
    print(f"scope matrix as {who}: {requests} requests, {forbidden_posts} forbidden POSTs, {len(MATRIX)} URL names, 0 leaks")


def _shown_to_read_only(client, world, pages, secrets: set[str]) -> list[tuple[str, str]]:
    """(person, URL name) of each page (name, kwargs) that shows a read-only role any of `secrets`."""
    seen = []
    for user in (world.analyst, world.evaluator, world.cadre):
        _log_in(client, user)
        for name, kwargs in pages:
            response = client.get(reverse(name, kwargs=kwargs))
            assert response.status_code == 200, (user.username, name)
            text = _text(response)
            seen += [(user.username, name)] if any(s in text for s in secrets) else []
    return seen


def test_the_change_history_shows_read_only_roles_no_full_id(matrix_world, client):
    world, records = matrix_world
    pages = [("registry:household_detail", {"code": world.home.code})]
    assert not _shown_to_read_only(client, world, pages, records.history_ids)


def test_problem_messages_show_read_only_roles_no_full_id(matrix_world, client):
    world, records = matrix_world
    pages = [("checks:problem_list", {}), ("checks:problem_export", {})]
    assert not _shown_to_read_only(client, world, pages, records.message_ids)


def test_read_only_roles_see_no_full_phone_number(matrix_world, client):
    world, _records = matrix_world
    pages = [("registry:household_detail", {"code": world.home.code}), ("exchange:household_export", {})]
    assert not _shown_to_read_only(client, world, pages, {world.home.phone, world.cadre_record.phone})


def test_the_admin_is_for_the_sysadmin_only(matrix_world, client):
    world, _records = matrix_world
    _ours, admin = _url_names()
    plain = [n for n in admin if not _needs_kwargs(n)]
    assert "admin:index" in plain
    for person, user in _people(world):
        _log_in(client, user)
        for name in plain:
            if name in ("admin:login", "admin:logout"):  # the admin's own sign-in page is open to all
                continue
            response = client.get(reverse(name))
            if person == "sysadmin":  # in, though some admin pages are closed to all (403: no adding divisions)
                assert response.status_code in (200, 302, 403), (person, name, response.status_code)
                if name == "admin:index":
                    assert response.status_code == 200
            else:
                assert response.status_code == 302 and "/admin/login/" in response["Location"], (person, name)


def _needs_kwargs(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False
