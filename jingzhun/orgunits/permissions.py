"""Named permission checks: what a role may do, decided once.

Reach (which records a user sees) is `Access`; these checks say which actions a role may take. Services
call `require(check(...), message)` and raise `Refused` (a PermissionDenied) when the check says no;
views compute the same checks to decide which buttons to show, so a button is shown exactly when its
action would be allowed. Each check takes a user or an `Access`.

Out-of-reach lookups raise `OutOfReach`, a 404 like any other to the person (a forged URL learns
nothing), which the audit middleware tells apart from a mistyped URL and records.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .access import Access, access_for
from .roles import Role

#: Runs that rewrite the figures or the ledger of a whole county (or more): not a village's or township's.
COUNTY_RUN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Who may also start a check run over their own unit: a run touches only the problems of the unit it
#: covers, so a village clerk confirms a fix in the village (a township officer in the township) at once.
UNIT_CHECK_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER})
#: Who approves or rejects a claimed 情况属实 exception: the level above the village that claimed it.
EXCEPTION_REVIEW_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Who helps households rather than keeping their records: assistance cadres (their own households) and
#: members of a 驻村工作队 (the village they are stationed in). They record visits and leads.
HELPER_ROLES = frozenset({Role.CADRE, Role.WORK_TEAM})
#: Background runs a user may start (`may_start`): check runs, comparisons, indicator refreshes, imports.
RUN_KINDS = frozenset({"check", "compare", "refresh", "import"})


class Refused(PermissionDenied):
    """A named check said no. `message` (optional) tells the person why, in their language."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class OutOfReach(Http404):
    """The record exists but lies outside the user's reach: answered as 404, audited as DENIED."""


class HasRole(Protocol):
    role: str


def _access(who: Any) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def require(allowed: bool, message: str = "") -> None:
    """Raise Refused(message) unless `allowed` (the result of a named check)."""
    if not allowed:
        raise Refused(message)


def may_write(who) -> bool:
    """Any change to the registry or its procedures: the record-keeping roles."""
    return _access(who).can_write


def may_act(who, step: HasRole) -> bool:
    """Take a workflow step (or open the procedure whose first step it is, or publish its 公示)."""
    access = _access(who)
    return access.can_write and access.role == step.role


def may_start(who, kind: str) -> bool:
    """Start a background run of `kind` (one of RUN_KINDS) over the user's own unit.

    Imports: every record-keeping role. Check runs: the county roles and, over their village or township,
    the village clerk and the township officer. Comparisons and refreshes: the county roles only.
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown run kind {kind!r}")
    access = _access(who)
    if kind == "import":
        return access.can_write
    if kind == "check" and access.can_write and access.role in UNIT_CHECK_ROLES:
        return True
    return access.active and access.role in COUNTY_RUN_ROLES


def may_compare(who) -> bool:
    """Load department datasets and run comparisons (they read other departments' personal data)."""
    return may_start(who, "compare")


def may_review_pair(who) -> bool:
    """Decide whether a comparison's candidate pair is the same person."""
    return may_compare(who)


def may_load_alerts(who) -> bool:
    """Load department alert files (部门预警) and read their hits: the county roles, as for comparisons
    (the files carry other departments' personal and health data)."""
    return may_start(who, "compare")


def may_refresh(who) -> bool:
    """Ask for an indicator refresh now (it recomputes every unit)."""
    return may_start(who, "refresh")


def may_start_check_run(who) -> bool:
    """Run the data-quality checks over one's own unit (a village, a township, a county or everything)."""
    return may_start(who, "check")


def may_import(who) -> bool:
    return may_start(who, "import")


def may_edit_household(who) -> bool:
    """Edit a household's or a member's fields."""
    return may_write(who)


def may_claim_exception(who) -> bool:
    """Declare a problem record 情况属实 (true as recorded)."""
    return may_write(who)


def may_review_exception(who) -> bool:
    access = _access(who)
    return access.can_write and access.role in EXCEPTION_REVIEW_ROLES


def may_override_exit(who) -> bool:
    """县级特批: let failed exit criteria pass with a written reason."""
    access = _access(who)
    return access.can_write and access.role == Role.COUNTY_ADMIN


def may_green_channel(who) -> bool:
    """绿色通道: enter a 突发严重困难户 as a 监测户 at once (help first), the 识别纳入 steps completed after."""
    access = _access(who)
    return access.can_write and access.role == Role.COUNTY_ADMIN


def may_view_unit_figures(who) -> bool:
    """A unit's dashboard, indicators and bulletin (within reach): beyond a cadre, who reaches only their
    assigned households while a unit's figures count every household in it."""
    return not _access(who).cadre_only


def get_in_reach(scoped: QuerySet, **lookup):
    """`scoped.get(**lookup)`; OutOfReach when the row exists only outside the scope, else Http404."""
    try:
        return scoped.get(**lookup)
    except scoped.model.DoesNotExist:
        if scoped.model._default_manager.filter(**lookup).exists():
            raise OutOfReach(f"{scoped.model._meta.label} out of reach") from None
        raise Http404(f"no such {scoped.model._meta.label}") from None


def reach_code(who, code: str) -> None:
    """OutOfReach unless the org code (or 户编号) `code` lies in the user's subtree."""
    if not _access(who).reaches_code(code):
        raise OutOfReach("unit out of reach")


#: Whose own work the open problem records are: the record keepers nearest the households. The county
#: reviews their 情况属实 claims and runs the campaigns; it may still fix a record itself (`may_edit_household`).
PROBLEM_FIX_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER})
#: 第三方评估: the exit assessments are their work (and the assessment module's survey assignments will be).
ASSESSOR_ROLES = frozenset({Role.EVALUATOR})


def may_fix_problems(who) -> bool:
    """Work through the open problem records in reach as one's own to-do (待办)."""
    access = _access(who)
    return access.can_write and access.role in PROBLEM_FIX_ROLES


def may_assess(who) -> bool:
    """Assess exits as a third party: the exit evaluations of the units in reach are their to-do."""
    access = _access(who)
    return access.active and access.role in ASSESSOR_ROLES


#: 防止返贫监测 leads (线索): who verifies them in the household (入户核实) — the village clerk of the lead's
#: village — and who routes them (pushes a county's department lead down, reassigns a lead to another
#: village): the township and the county.
LEAD_VERIFY_ROLES = frozenset({Role.VILLAGE_CLERK})
LEAD_ROUTE_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN, Role.SYSADMIN})


def may_record_lead(who) -> bool:
    """Record a lead from routine checks (村级排查): the record-keeping roles, the assistance cadres and the
    village work teams."""
    access = _access(who)
    return access.can_write or (access.active and access.role in HELPER_ROLES)


def may_screen(who) -> bool:
    """Read a village's 排查名单 (households not yet monitored, ordered by the risk model): the record-keeping
    roles of the village and above, who organise the routine checks."""
    return _access(who).can_write


def may_verify_lead(who) -> bool:
    """入户核实 a lead and record its result (纳入 / 不纳入 / 已是监测对象) with the signed 承诺授权书."""
    access = _access(who)
    return access.can_write and access.role in LEAD_VERIFY_ROLES


def may_route_lead(who) -> bool:
    """Push a lead down (county → township → village) or reassign it to another village in reach."""
    access = _access(who)
    return access.can_write and access.role in LEAD_ROUTE_ROLES


# --- 帮扶措施 (assistance: measures) -----------------------------------------------------------------------
#: The record keepers write a household's measures (a village clerk, a township officer, a county admin,
#: the system administrator, each within reach); assistance cadres and work teams read them on the
#: household page, as does every other role that reaches the household.
def may_edit_measures(who) -> bool:
    """Record, change or end a household's 帮扶措施, attach their evidence, and import a measures file."""
    return _access(who).can_write


# --- 一户一档 and 明白卡 (assistance: file) ---------------------------------------------------------------

def may_read_household_file(who) -> bool:
    """Read a household's 一户一档 (page and PDF) and print its 明白卡: every role that reaches the household
    (reach itself is decided by the selectors: an out-of-reach household is a 404). What the file shows is
    masked as the household page is."""
    return _access(who).active


def sees_card_phone(who, cadre_user_id: int | None) -> bool:
    """Whether the 明白卡 shows the 帮扶责任人's phone in full (the card's purpose, on the household's wall):
    for the record keepers, who print the cards, and for the cadre themself (their own number); masked
    for every other read-only role, as on the household page."""
    access = _access(who)
    return access.sees_full_ids or (access.active and access.user_id is not None and access.user_id == cadre_user_id)


# --- 帮扶: the people who help (assistance/people) ---------------------------------------------------------

#: Who manages 帮扶单位, 驻村工作队, 帮扶责任人 and their pairings with households: the county, and the township
#: for its own villages (reach decides which); the village keeps records but does not assign cadres.
HELPER_MANAGE_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN, Role.SYSADMIN})
#: County-level records (帮扶单位, editing a 帮扶责任人 who may serve several townships): the county roles.
HELPER_COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})


def may_manage_helpers(who) -> bool:
    """Station work teams and their members, record cadres, pair cadres with households, upload 帮扶责任书
    (within reach: a township officer for its township's villages)."""
    access = _access(who)
    return access.can_write and access.role in HELPER_MANAGE_ROLES


def may_manage_help_units(who) -> bool:
    """Create and rename the county's 帮扶单位: a county record, so the county roles only."""
    access = _access(who)
    return access.can_write and access.role in HELPER_COUNTY_ROLES


# --- 帮扶: 小额信贷 (loans) ------------------------------------------------------------------------------


def may_edit_loans(who) -> bool:
    """Enter and edit a household's 小额信贷, its repayment schedule and repayments, and settle it: the
    record-keeping roles, within reach (assistance cadres and work teams read loans; the bank's figures are
    entered by the record keepers)."""
    return _access(who).can_write


# --- 走访 (assistance: cadres' visits on a phone) ---------------------------------------------------
#: Who uses the field page (走访（手机）): the helpers (a cadre their own households, a work team its village)
#: and the village clerk (their village), who visits too.
FIELD_ROLES = HELPER_ROLES | {Role.VILLAGE_CLERK}


def may_visit(who) -> bool:
    """Record 走访 on the field page (and sync them from the phone), within reach."""
    access = _access(who)
    return access.active and access.role in FIELD_ROLES


def may_update_from_visit(who) -> bool:
    """Change, from a visit, only the visit fields of a household in reach (近 12 个月收入 and its 核实日期,
    the 两不愁三保障 answers: registry.services.VISIT_HOUSEHOLD_FIELDS / VISIT_MEMBER_FIELDS): the helpers and
    the record keepers. It grants a helper nothing else: every other field stays `may_edit_household`."""
    access = _access(who)
    return access.can_write or (access.active and access.role in HELPER_ROLES)


def may_review_visit_conflicts(who) -> bool:
    """The 修改冲突 list of the units in reach: the record keepers, who answer for the registry's values."""
    return _access(who).can_write


# --- 帮扶: 项目库 and 衔接资金 (projects and funds) ----------------------------------------------------------

#: Who keeps the 项目库: the county (its 乡村振兴 and sector bureaus decide, list, publicise and accept
#: projects) and the system administrator. Townships and villages propose projects on paper and read the
#: projects that touch their villages; they do not enter them.
PROJECT_MANAGE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})


def may_manage_projects(who) -> bool:
    """Enter, edit and advance projects of the counties in reach, set their funds and record spending."""
    access = _access(who)
    return access.can_write and access.role in PROJECT_MANAGE_ROLES


# --- 考核评估: plans, fieldwork, disputes and 随机抽查 ---------------------------------------------------

#: Who plans an assessment of a county in reach (the design, the draw, the staff and teams): the county
#: admin and the system administrator.
ASSESSMENT_PLAN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Who takes part in fieldwork. The duty in one assessment (调查员, 督导员, 评估组) is given per assessment
#: (assessment.Staff); this is the role's half of the check.
SURVEY_ROLES = frozenset({Role.EVALUATOR, Role.SYSADMIN})
#: Who disputes a finding about their county (申诉, with evidence, before the deadline).
DISPUTE_ROLES = frozenset({Role.COUNTY_ADMIN})
#: Who draws a 随机抽查 of a unit in reach and verifies it: the levels above the village (seed 000's city
#: secretary checked two households of a village's 台账) and the system administrator.
SPOT_CHECK_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN, Role.ANALYST, Role.SYSADMIN})


def may_plan_assessment(who) -> bool:
    """Create an assessment of a county in reach, draw its sample and name its staff and teams."""
    access = _access(who)
    return access.can_write and access.role in ASSESSMENT_PLAN_ROLES


def may_survey(who) -> bool:
    """Work in an assessment's fieldwork (with a duty there): interview, supervise, approve."""
    access = _access(who)
    return access.active and access.role in SURVEY_ROLES


def may_dispute_finding(who) -> bool:
    """Dispute a finding on a household of one's county before the deadline, with evidence."""
    access = _access(who)
    return access.can_write and access.role in DISPUTE_ROLES


def may_spot_check(who) -> bool:
    """Draw households at random from a unit in reach and verify them against the registry."""
    access = _access(who)
    return access.active and access.role in SPOT_CHECK_ROLES


# --- 考核评估 plans (issue 16, area "plans"): who opens the assessment pages at all ----------------------------


def may_read_assessments(who) -> bool:
    """Open the 考核评估 pages: those who reach a county or more (its assessments are theirs to read) and
    evaluators (who may have a duty in any county). Townships, villages and helpers read no assessment:
    its findings reach them as problem records."""
    access = _access(who)
    return (access.active and not access.cadre_only and access.role != Role.DEPARTMENT
            and (len(access.prefix) <= 6 or access.role == Role.EVALUATOR))


# --- 督查督办: the ledger (整改台账), key tasks and projects, 考评 --------------------------------------------

#: Who keeps a county's ledger: registers batches (by hand or from a 督导组's spreadsheet), gathers data
#: problems into items, assigns (交办), reviews (复核) and closes (销号) or reopens them: the county's
#: 领导小组办公室 (the county admin) and the system administrator.
LEDGER_MANAGE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})
#: Who acts for a 责任单位 (签收, 进展, 办结报告) — on the items of their own unit only (the township
#: officer for the township, the village clerk for the village, a department's staff for the department;
#: supervision.selectors.acts_for decides which unit is theirs).
LEDGER_HANDLER_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER, Role.DEPARTMENT})
#: Who appraises (考评): keeps the 目标责任书, the scheme, the manual scores, and publishes the results.
APPRAISAL_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})


def may_read_ledger(who) -> bool:
    """Open the ledger pages: everyone bound to a unit except the helpers (cadres and work teams), who answer
    for no item. What each reads is decided by supervision.selectors.items_for."""
    access = _access(who)
    return access.active and access.role not in HELPER_ROLES


def may_manage_ledger(who) -> bool:
    """Register, gather, assign, review, close and reopen ledger items of the counties in reach."""
    access = _access(who)
    return access.can_write and access.role in LEDGER_MANAGE_ROLES


def may_handle_ledger_items(who) -> bool:
    """Sign for, report progress on and report done the items of one's own unit (the role's half)."""
    access = _access(who)
    return access.active and access.role in LEDGER_HANDLER_ROLES


def may_appraise(who) -> bool:
    """Keep 目标责任书, schemes and manual scores of the counties in reach, and publish appraisals."""
    access = _access(who)
    return access.can_write and access.role in APPRAISAL_ROLES


def may_read_appraisals(who) -> bool:
    """Read appraisal results and the 通报: those who reach a county or more, and the appraised units
    (a township reads the published ranking it is in; a department likewise)."""
    access = _access(who)
    return access.active and access.role not in HELPER_ROLES and access.role != Role.VILLAGE_CLERK


# --- 接口令牌 (API tokens and service accounts) ----------------------------------------------------------


def may_manage_tokens(who) -> bool:
    """Create service accounts and issue and revoke API tokens (accounts:token_list): the system
    administrator only, as a token carries its account's whole reach."""
    access = _access(who)
    return access.active and access.role == Role.SYSADMIN
