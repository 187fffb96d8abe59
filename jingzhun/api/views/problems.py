"""/api/v1/: problems (问题数据) and their 情况属实 claims, procedures (办理程序) and the 动态调整台账 (docs/api.md).

Reads go through the pages' selectors (`checks.selectors.problems_filtered`, `workflows.selectors`), writes
through the pages' services with the same named checks; what a role sees masked (ID numbers in problem
messages, candidates' members, member changes) is filled in exactly as the pages fill it.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from jingzhun.accounts.models import Role
from jingzhun.checks import services as checks
from jingzhun.checks.messages import MessageRenderer
from jingzhun.checks.models import Problem
from jingzhun.checks.selectors import problems_annotated, problems_filtered
from jingzhun.orgunits.access import Access
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import (
    Refused,
    get_in_reach,
    may_act,
    may_claim_exception,
    may_review_exception,
    may_write,
    require,
)
from jingzhun.registry.search import id_search_refusal, search_throttled
from jingzhun.registry.selectors import household_get
from jingzhun.workflows import ledger, selectors, services
from jingzhun.workflows.definitions import ADDING_CHANGES, ChangeType, Kind, steps_of
from jingzhun.workflows.forms import NewMemberForm, default_period
from jingzhun.workflows.member_change import member_change_rows
from jingzhun.workflows.models import Procedure, StepRecord

from ..base import ApiView, ListApiView
from ..pagination import cursor
from ..serializers.problems import (
    ChangeFilter,
    LedgerEventSerializer,
    ProblemClaimSerializer,
    ProblemDecisionSerializer,
    ProblemDetailSerializer,
    ProblemFilter,
    ProblemSerializer,
    ProcedureActSerializer,
    ProcedureDetailSerializer,
    ProcedureFilter,
    ProcedureOpenSerializer,
    ProcedureSerializer,
)


def _invalid(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def _unit_checked(access: Access, field: str, code: str, *, above_ok: bool) -> str:
    """`code` if it names a unit in the caller's reach (or, `above_ok`, one above their own unit, as the
    problem list's filter allows); else a 400 naming the field, the same whether absent or out of reach."""
    reached = access.reaches_code(code) or (above_ok and access.active and access.prefix.startswith(code))
    if not reached or not OrgUnit.objects.filter(code=code).exists():
        raise _invalid(field, _("“%(value)s”不是您管辖范围内的区划代码。") % {"value": code})
    return code


def _search_guard(request, text: str, *, what: str) -> None:
    """The pages' guard on a search (registry.search): throttled, an ID-like search audited, and refused
    (403) to a role that sees ID numbers masked, which the selector would not match anyway."""
    if not text:
        return
    if search_throttled(request.user):
        raise exceptions.Throttled(wait=60)
    refusal = id_search_refusal(request._request, text, what=what)
    if refusal:
        raise Refused(refusal)


def _workflow_refusal(exc: services.WorkflowError) -> exceptions.ValidationError:
    """A step that cannot be taken now (the service changed nothing): 400, its reason as the page says it."""
    return exceptions.ValidationError({"non_field_errors": [exc.message]})


# --- problems -----------------------------------------------------------------------------------------


def _problems_shown(access: Access, user, problems: list[Problem]) -> list[Problem]:
    """What the problem list computes for the viewer, set on each problem: the rule's words, the message
    filled for the viewer (numbers masked, households out of reach counted), the member's ID masked."""
    rules = checks.problem_kinds()
    shown = MessageRenderer.for_user(user)
    shown.prepare((p.message, p.detail) for p in problems)
    for problem in problems:
        rule = rules.get(problem.rule)
        problem.rule_name = rule.name_shown if rule else ""
        problem.category = rule.category_shown if rule else ""
        problem.fix = rule.fix_shown if rule else ""
        problem.person_shown = access.mask_id(problem.person)
        problem.message_shown = shown.render(problem.message, problem.detail)
        problem.review_rows = list(problem.reviews.all())
    return problems


def _problem_get(user, problem_id: int) -> Problem:
    """One problem in reach, or 404 (out of reach looks exactly like absent), as the pages get it."""
    problems = problems_annotated(checks.problems_for(user)).select_related("exception_by", "reviewed_by")
    return get_in_reach(problems.prefetch_related("reviews__by"), pk=problem_id)


def _problem_data(view, problem_id: int) -> dict:
    problem = _problem_get(view.request.user, problem_id)
    return ProblemDetailSerializer(_problems_shown(view.access, view.request.user, [problem])[0]).data


@extend_schema_view(get=extend_schema(parameters=[ProblemFilter]))
class ProblemList(ListApiView):
    """问题数据台账：调用者管辖范围内的问题，按页面“问题数据清单”的条件筛选，按编号排序。

    问题说明中的身份证号、电话号码按调用者角色遮盖，与页面相同。
    """

    serializer_class = ProblemSerializer
    pagination_class = cursor("id")

    def get_queryset(self):
        filters = ProblemFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rule = data.get("rule", "")
        if rule and rule not in checks.problem_kinds():
            raise _invalid("rule", _("没有代码为“%(code)s”的规则或问题类别。") % {"code": rule})
        unit = _unit_checked(self.access, "unit", data["unit"], above_ok=True) if data.get("unit") else ""
        text = data.get("q", "")
        _search_guard(self.request, text, what="problems api")
        return problems_filtered(self.request.user, rule=rule, status=data.get("status", ""), unit=unit,
                                 text=text).select_related("exception_by", "reviewed_by")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return _problems_shown(self.access, self.request.user, page)


class ProblemDetail(ApiView):
    """一条问题数据：问题说明、状态、情况属实的申报与审核记录、整改建议。"""

    @extend_schema(responses=ProblemDetailSerializer)
    def get(self, request, problem_id: int):
        return Response(_problem_data(self, problem_id))


class _ProblemAction(ApiView):
    def http_method_not_allowed(self, request, *args, **kwargs):
        # POST only, but a problem out of reach is 404 whatever the method, as on the page
        _problem_get(request.user, kwargs["problem_id"])
        return super().http_method_not_allowed(request, *args, **kwargs)


class ProblemClaim(_ProblemAction):
    """申报情况属实（村级信息员等记录维护角色）：待整改的问题改为“情况属实（待审核）”，申报记入审核记录。"""

    @extend_schema(request=ProblemClaimSerializer, responses=ProblemDetailSerializer)
    def post(self, request, problem_id: int):
        problem = _problem_get(request.user, problem_id)
        require(may_claim_exception(request.user))
        claim = ProblemClaimSerializer(data=request.data)
        claim.is_valid(raise_exception=True)
        checks.problem_claim_exception(problem_id=problem.pk, acting_user=request.user,
                                       reason=claim.validated_data["reason"])
        return Response(_problem_data(self, problem.pk))


class ProblemDecide(_ProblemAction):
    """审核情况属实申报（乡镇、县）：通过则“情况属实（已审核）”，退回则重新“待整改”。"""

    @extend_schema(request=ProblemDecisionSerializer, responses=ProblemDetailSerializer)
    def post(self, request, problem_id: int):
        problem = _problem_get(request.user, problem_id)
        require(may_review_exception(request.user))
        decision = ProblemDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        checks.problem_review_exception(problem_id=problem.pk, acting_user=request.user,
                                        approve=decision.validated_data["decision"] == "approve")
        return Response(_problem_data(self, problem.pk))


# --- procedures ---------------------------------------------------------------------------------------


def _procedures_shown(access: Access, procedures: list[Procedure]) -> list[Procedure]:
    """As the procedure list shows them: the current step's name, and whether the caller's role takes it."""
    for procedure in procedures:
        step = procedure.current_step
        procedure.step_label = str(step.label) if step else ""
        procedure.mine = bool(step and may_act(access, step))
    return procedures


def _procedure_shown(access: Access, procedure: Procedure) -> Procedure:
    """What the procedure page shows, set on the procedure: steps, records, the change, the criteria and
    the candidate's members, ID numbers masked for the caller's role as the page masks them."""
    _procedures_shown(access, [procedure])
    records = list(procedure.records.select_related("actor").order_by("at", "pk"))
    done = {r.step for r in records if r.decision in (StepRecord.Decision.APPLIED, StepRecord.Decision.APPROVED)}
    step = procedure.current_step
    procedure.step_rows = [{"code": s.code, "label": str(s.label), "role": s.role, "role_label": str(Role(s.role).label),
                            "type": s.type, "done": s.code in done, "current": bool(step and s.code == step.code)}
                           for s in steps_of(procedure.kind)]
    for record in records:
        record.comparison = record.data.get("comparison") or None
        record.findings = [{"name": str(f.get("name", "")), "message": str(f.get("message", ""))}
                           for f in record.data.get("findings", []) if isinstance(f, dict)]
        food_clothing = record.data.get("food_clothing")
        record.food_clothing = food_clothing if isinstance(food_clothing, bool) else None
    procedure.record_rows = records
    payload = procedure.payload
    procedure.reason_category = payload.get("reason_category") or None
    change = payload.get("change") or None
    procedure.change = change
    procedure.change_label = str(ChangeType(change).label) if change in ChangeType.values else None
    procedure.change_person = payload.get("person") or None
    procedure.change_rows = member_change_rows(procedure, access) if procedure.kind == Kind.MEMBER_CHANGE else []
    overridden = set(procedure.override_criteria)
    procedure.criteria = [{"key": c.get("key", ""), "label": c.get("label", ""), "status": c.get("status", ""),
                           "data": c.get("data", ""), "overridden": c.get("key") in overridden}
                          for c in payload.get("criteria", [])]
    procedure.candidate_members = [{"name": m.get("name") or "", "id_number": access.mask_id(m.get("id_number") or ""),
                                    "relation": m.get("relation") or "", "health": m.get("health") or "",
                                    "labour": m.get("labour") or ""} for m in payload.get("members", [])]
    procedure.objection_rows = list(procedure.objections.all())
    return procedure


def _procedure_data(view, procedure_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    procedure = selectors.procedure_get(view.request.user, procedure_id)
    return Response(ProcedureDetailSerializer(_procedure_shown(view.access, procedure)).data, status=status_code)


@extend_schema_view(get=extend_schema(parameters=[ProcedureFilter]))
class ProcedureList(ListApiView):
    """办理程序（精准识别、户退出、返贫、清退、人员变更、识别纳入、风险消除）：管辖范围内的程序，最新的在前。

    GET 与页面“办理程序清单”相同，默认只列办理中的；POST 发起户退出、返贫、清退或人员变更，与户页面的发起表单相同
    （由村级信息员发起，须无办理中的程序、脱贫状态相符）。
    """

    serializer_class = ProcedureSerializer
    pagination_class = cursor("-id")

    def get_queryset(self):
        filters = ProcedureFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        procedures = selectors.procedures_for(self.request.user).select_related("village", "opened_by")
        if data.get("kind"):
            procedures = procedures.filter(kind=data["kind"])
        if data["state"] != "all":
            procedures = procedures.filter(state=data["state"])
        if data.get("household"):
            procedures = procedures.filter(household_id=data["household"])
        return procedures

    def paginate_queryset(self, queryset):
        return _procedures_shown(self.access, super().paginate_queryset(queryset))

    @extend_schema(request=ProcedureOpenSerializer, responses={201: ProcedureDetailSerializer})
    def post(self, request):
        require(may_write(request.user))
        opening = ProcedureOpenSerializer(data=request.data)
        opening.is_valid(raise_exception=True)
        data = opening.validated_data
        kind = data["kind"]
        household = household_get(request.user, data["household"])
        require(may_act(request.user, steps_of(kind)[0]),
                _("“%(kind)s”由%(role)s发起。") % {"kind": Kind(kind).label, "role": Role(steps_of(kind)[0].role).label})
        refusal = services.start_refusal(request.user, household, kind)
        if refusal:
            raise exceptions.ValidationError({"non_field_errors": [refusal]})
        details = {k: data[k] for k in ("reason_category", "change", "member_id") if data.get(k)}
        if kind == Kind.MEMBER_CHANGE and data.get("change") in ADDING_CHANGES:
            details["member"] = _new_member(data.get("member") or {})
        year = data["year"]
        if year is None and kind == Kind.EXIT:  # as the exit form: the latest year with a poverty line
            year = services.latest_line_year(household.code[:2])
        try:
            procedure = services.procedure_open(acting_user=request.user, kind=kind, household_code=household.code,
                                                year=year, note=data["note"], data=details,
                                                evidence=data["evidence"])
        except services.WorkflowError as exc:
            raise _workflow_refusal(exc) from None
        return _procedure_data(self, procedure.pk, status_code=status.HTTP_201_CREATED)


def _new_member(member: dict) -> dict:
    """The person a 人员变更 adds, checked by the page's own form (ID number, sex, …)."""
    form = NewMemberForm(data={k: ("true" if v is True else "false" if v is False else v) for k, v in member.items()})
    if not form.is_valid():
        raise exceptions.ValidationError({"member": {k: list(v) for k, v in form.errors.items()}})
    return form.cleaned_data


class ProcedureDetail(ApiView):
    """一个程序：各步骤、办理记录（办理人、时间、意见）、变更内容、指标评估和公示异议；身份证号按角色遮盖。"""

    @extend_schema(responses=ProcedureDetailSerializer)
    def get(self, request, procedure_id: int):
        return _procedure_data(self, procedure_id)


class ProcedureAct(ApiView):
    """办理当前步骤（通过或不通过并写明意见），与程序页面的办理表单相同；最后一步通过后写入建档立卡数据和动态调整台账。

    公示、公告步骤通过公示批次办理（页面）。佐证材料可选，以 multipart/form-data 上传。
    """

    def http_method_not_allowed(self, request, *args, **kwargs):
        # POST only, but a procedure out of reach is 404 whatever the method
        selectors.procedure_get(request.user, kwargs["procedure_id"])
        return super().http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(request=ProcedureActSerializer, responses=ProcedureDetailSerializer)
    def post(self, request, procedure_id: int):
        procedure = selectors.procedure_get(request.user, procedure_id)
        require(may_write(request.user))
        act = ProcedureActSerializer(data=request.data)
        act.is_valid(raise_exception=True)
        data = act.validated_data
        try:
            services.procedure_act(
                acting_user=request.user, procedure_id=procedure.pk, step=data["step"],
                approve=data["decision"] != "reject", note=data["note"], evidence=data["evidence"],
                data={"food_clothing": data["food_clothing"], "comparison": data["comparison"],
                      "declared_per_capita_income": data["declared_per_capita_income"]})
        except services.WorkflowError as exc:
            raise _workflow_refusal(exc) from None
        return _procedure_data(self, procedure.pk)


# --- 动态调整台账 ---------------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[ChangeFilter]))
class ChangeList(ListApiView):
    """动态调整记录（新识别、脱贫、返贫、清退、人口自然变更、纳入监测、风险消除）：管辖范围内、期间内的记录，最新的在前。

    与页面“动态调整记录”相同：默认本单位、今年 1 月 1 日至今天。
    """

    serializer_class = LedgerEventSerializer
    pagination_class = cursor("-id")

    def get_queryset(self):
        filters = ChangeFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        default_start, default_end = default_period()
        if data.get("org"):
            org = _unit_checked(self.access, "org", data["org"], above_ok=False)
        elif not self.access.active:
            raise Http404("no reach")
        else:
            org = self.request.user.org_unit_id or ""
        events = ledger.events_in(selectors.events_for(self.request.user), org=org,
                                  start=data.get("start") or default_start, end=data.get("end") or default_end)
        if data.get("type"):
            events = events.filter(type=data["type"])
        return events.select_related("actor")


urlpatterns = [
    path("problems/", ProblemList.as_view(), name="problem_list"),
    path("problems/<int:problem_id>/", ProblemDetail.as_view(), name="problem_detail"),
    path("problems/<int:problem_id>/claim/", ProblemClaim.as_view(), name="problem_claim"),
    path("problems/<int:problem_id>/review/", ProblemDecide.as_view(), name="problem_review"),
    path("procedures/", ProcedureList.as_view(), name="procedure_list"),
    path("procedures/<int:procedure_id>/", ProcedureDetail.as_view(), name="procedure_detail"),
    path("procedures/<int:procedure_id>/act/", ProcedureAct.as_view(), name="procedure_act"),
    path("changes/", ChangeList.as_view(), name="change_list"),
]
