"""/api/v1/: the figures area — stored indicators (决策看板), comparison runs (一比对) and department alert
batches (部门预警) (docs/api.md).

Reads go through the pages' selectors (dashboard.selectors, compare.selectors, alerts.selectors) and
uploads through the pages' services, with the same named checks: the API cannot see or do more.
"""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from jingzhun.alerts import selectors as alert_selectors
from jingzhun.alerts import services as alert_services
from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.alerts.leads import lead_states
from jingzhun.compare import selectors as compare_selectors
from jingzhun.compare import services as compare_services
from jingzhun.compare.models import CompareRun, Match
from jingzhun.dashboard import selectors as dashboard_selectors
from jingzhun.indicators.catalog import Indicator, indicator_catalog
from jingzhun.indicators.models import UnitIndicators
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_compare, may_load_alerts, may_view_unit_figures, require
from jingzhun.runs.uploads import uploads_check, uploads_store

from ..base import ApiView, ListApiView
from ..errors import error_body
from ..pagination import cursor
from ..serializers.figures import (
    AlertBatchDetailSerializer,
    AlertBatchSerializer,
    AlertResultSerializer,
    AlertUploadSerializer,
    CompareBatchDetailSerializer,
    CompareBatchSerializer,
    CompareResultSerializer,
    CompareUploadSerializer,
    IndicatorSerializer,
    IndicatorValuesSerializer,
    UploadErrorSerializer,
    issues_shown,
)

# --- indicators ----------------------------------------------------------------------------------

#: `100.0 * a / nullif(b, 0)`, `a / b`: a rate's numerator and denominator components.
_RATIO = re.compile(r"(\w+)\s*/\s*(?:nullif\(\s*)?(\w+)")


@lru_cache(maxsize=1)
def ratio_keys() -> dict[str, tuple[str | None, str | None]]:
    """{indicator: (numerator's indicator, denominator's indicator)}: a rate's parts, each where it is
    itself a stored indicator (INCIDENCE: POP_POOR over RURAL_POP), else None."""
    catalog = indicator_catalog()
    plain = {i.value: code for code, i in catalog.items() if re.fullmatch(r"\w+", i.value)}
    out = {}
    for code, indicator in catalog.items():
        found = _RATIO.search(indicator.value)
        if found:
            out[code] = (plain.get(found.group(1)), plain.get(found.group(2)))
    return out


def _catalog_row(indicator: Indicator) -> dict:
    numerator, denominator = ratio_keys().get(indicator.code, (None, None))
    return {"key": indicator.code, "name": indicator.name_shown, "unit": indicator.unit_shown,
            "definition": indicator.words_shown, "source": indicator.source, "numerator": numerator,
            "denominator": denominator}


class KeysField(serializers.CharField):
    """Indicator codes separated by commas, each one of the catalogue's."""

    def to_internal_value(self, data):
        keys = [k.strip().upper() for k in super().to_internal_value(data).split(",") if k.strip()]
        unknown = [k for k in keys if k not in indicator_catalog()]
        if unknown:
            raise serializers.ValidationError(_("没有这些指标：%(keys)s（见 /api/v1/indicators/catalog/）。")
                                              % {"keys": ", ".join(unknown)[:200]})
        return keys


class IndicatorFilter(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=12, help_text="单位代码；不填为调用者所在单位")
    date = serializers.DateField(required=False, help_text="查看日期（年-月-日）：当日或之前最后一次更新的指标；不填为最新")
    keys = KeysField(required=False, max_length=2000, help_text="只要这些指标，逗号分隔，如 HH_REG,INCIDENCE")
    children = serializers.BooleanField(required=False, default=False, help_text="1：同时给出各下级单位的指标")


def _unit_values(unit: OrgUnit, values: dict, keys: list[str]) -> dict:
    catalog, ratios = indicator_catalog(), ratio_keys()

    def figure(code):
        return values.get(code) if code else None

    indicators = []
    for key in keys:
        numerator, denominator = ratios.get(key, (None, None))
        indicators.append({"key": key, "name": catalog[key].name_shown, "unit": catalog[key].unit_shown,
                           "value": values.get(key), "numerator": figure(numerator),
                           "denominator": figure(denominator)})
    return {"code": unit.code, "name": unit.name, "level": unit.level, "has_data": bool(values),
            "indicators": indicators,
            # the rest of a unit's stored values: CAUSES, EXITS_BY_YEAR, INCOME, RISKS, MEASURES, FUNDS
            "breakdowns": {k: v for k, v in values.items() if k not in catalog}}


class IndicatorValues(ApiView):
    """决策看板的指标：范围内任一单位在任一日期（当日或之前最后一次更新）存储的指标值，可带下级单位。"""

    @extend_schema(parameters=[IndicatorFilter], responses=IndicatorValuesSerializer)
    def get(self, request):
        filters = IndicatorFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        asked = filters.validated_data
        keys = asked.get("keys") or list(indicator_catalog())
        code = asked.get("unit") or request.user.org_unit_id
        day = asked.get("date")
        if not code:  # bound to no unit (a sysadmin of the whole site): the provinces, as the dashboard lists
            require(may_view_unit_figures(request.user))
            if not self.access.active:  # no unit and no site-wide role reaches nothing, as on the dashboard
                raise PermissionDenied("no unit")
            refresh = dashboard_selectors.refresh_at(day)
            provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).order_by("code"))
            stored = _stored(refresh, [p.code for p in provinces])
            return Response(IndicatorValuesSerializer({
                "refresh": refresh, "unit": None,
                "children": [_unit_values(p, stored.get(p.code, {}), keys) for p in provinces]}).data)
        data = dashboard_selectors.overview_get(request.user, code, day=day)
        children = [_unit_values(c.unit, c.values, keys) for c in data.children] if asked["children"] else []
        return Response(IndicatorValuesSerializer({
            "refresh": data.refresh, "unit": _unit_values(data.unit.unit, data.unit.values, keys),
            "children": children}).data)


def _stored(refresh, codes: list[str]) -> dict[str, dict]:
    """{code: stored values} of those units in `refresh` (none before the first refresh)."""
    if refresh is None:
        return {}
    return dict(UnitIndicators.objects.filter(refresh=refresh, org__in=codes).values_list("org", "values"))


class IndicatorCatalog(ApiView):
    """指标目录：每个指标的代码、名称、计量单位、口径，以及比率的分子、分母指标。"""

    @extend_schema(responses=IndicatorSerializer(many=True))
    def get(self, request):
        return Response(IndicatorSerializer([_catalog_row(i) for i in indicator_catalog().values()], many=True).data)


# --- uploads ------------------------------------------------------------------------------------


def _upload_refused(issues, access) -> Response:
    """400 with every error of the file, as the upload page lists them."""
    shown = issues_shown(access, [i.as_dict() for i in issues])
    lines = [" ".join(str(p) for p in (i["source"], i["row"], i["header"]) if p) + f"：{i['message']}" for i in shown]
    body = error_body("invalid", _("发现 %(n)s 处错误，未导入任何数据。") % {"n": len(shown)},
                      fields={"file": lines[:500]})
    body["issues"] = shown[:5000]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _file_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"file": [str(m) for m in exc.messages]})


class _Scoped:
    """Passes the caller's Access to the serializers (ID numbers masked for the roles that see them so)."""


# --- comparison ---------------------------------------------------------------------------------


class CompareBatchFilter(serializers.Serializer):
    kind = serializers.ChoiceField(required=False, choices=[(k, k) for k in compare_services.KINDS],
                                   help_text="数据类别")
    status = serializers.ChoiceField(required=False, choices=CompareRun.Status.choices, help_text="状态")


@extend_schema_view(get=extend_schema(parameters=[CompareBatchFilter], responses=CompareBatchSerializer(many=True)))
class CompareBatchList(_Scoped, ListApiView):
    """比对批次：范围内的比对（本单位、上级单位的只看本单位部分、下级单位），新的在前；POST 上传部门数据开始比对。"""

    serializer_class = CompareBatchSerializer
    pagination_class = cursor("-pk")

    def get_queryset(self):
        filters = CompareBatchFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return compare_selectors.runs_for(self.request.user).select_related("batch").filter(**filters.validated_data)

    @extend_schema(request={"multipart/form-data": CompareUploadSerializer},
                   responses={202: OpenApiResponse(CompareBatchSerializer, description="已接收，比对在后台进行；"
                                                   "Location 为该批次地址，完成后 status 为 done，"
                                                   "文件有错时为 refused 并在 issues 中列出每一处错误"),
                              400: UploadErrorSerializer})
    def post(self, request):
        require(may_compare(request.user))  # refused before the file is looked at, as the page
        upload = CompareUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        asked = upload.validated_data
        try:
            run = compare_services.compare_run_start(acting_user=request.user, kind=asked["kind"], files=asked["file"],
                                                     source=asked["source"], data_date=asked["data_date"])
        except DjangoValidationError as exc:
            raise _file_errors(exc) from None
        url = reverse("api:compare_batch_detail", kwargs={"pk": run.pk})
        return Response(CompareBatchSerializer(run, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED, headers={"Location": request.build_absolute_uri(url)})


class CompareBatchDetail(ApiView):
    """一次比对：状态、统计、文件的错误（如有）和范围内按村的配对统计；配对明细见 results_url。"""

    @extend_schema(responses=CompareBatchDetailSerializer)
    def get(self, request, pk: int):
        run = compare_selectors.run_get(request.user, pk)
        by_village = (compare_selectors.matches_for(request.user, run).order_by().values("village").annotate(
            total=Count("id"), exact=Count("id", filter=Q(method=Match.Method.EXACT)),
            accepted=Count("id", filter=Q(status__in=[Match.Status.AUTO, Match.Status.ACCEPTED])),
            pending=Count("id", filter=Q(status=Match.Status.PENDING))).order_by("village"))
        return Response(CompareBatchDetailSerializer(run, context={"access": self.access,
                                                                   "by_village": by_village}).data)


class CompareResultFilter(serializers.Serializer):
    village = serializers.CharField(required=False, max_length=12, help_text="村代码")
    status = serializers.ChoiceField(required=False, choices=Match.Status.choices, help_text="配对状态")
    method = serializers.ChoiceField(required=False, choices=Match.Method.choices, help_text="匹配方式")


@extend_schema_view(get=extend_schema(parameters=[CompareResultFilter]))
class CompareBatchResults(_Scoped, ListApiView):
    """一次比对的配对（比对结果）：范围内的，只读角色看到脱敏的身份证号。"""

    serializer_class = CompareResultSerializer
    pagination_class = cursor("pk")

    def get_queryset(self):
        run = compare_selectors.run_get(self.request.user, self.kwargs["pk"])
        filters = CompareResultFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return compare_selectors.matches_for(self.request.user, run).filter(**filters.validated_data)


# --- department alerts --------------------------------------------------------------------------


class AlertBatchFilter(serializers.Serializer):
    kind = serializers.ChoiceField(required=False, choices=[(k, k) for k in ALERT_KINDS], help_text="数据类别")


def _require_alerts(user) -> None:
    require(may_load_alerts(user))


@extend_schema_view(get=extend_schema(parameters=[AlertBatchFilter], responses=AlertBatchSerializer(many=True)))
class AlertBatchList(_Scoped, ListApiView):
    """部门预警数据批次（县级角色）：新的在前；POST 上传部门预警文件（全部正确才导入）。"""

    serializer_class = AlertBatchSerializer
    pagination_class = cursor("-pk")

    def get_queryset(self):
        _require_alerts(self.request.user)
        filters = AlertBatchFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return alert_selectors.batches_for(self.request.user).filter(**filters.validated_data)

    @extend_schema(request={"multipart/form-data": AlertUploadSerializer},
                   responses={201: OpenApiResponse(AlertBatchSerializer, description="已导入；Location 为该批次地址"),
                              400: UploadErrorSerializer})
    def post(self, request):
        _require_alerts(request.user)
        upload = AlertUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        asked = upload.validated_data
        files = asked["file"]
        try:
            uploads_check(files, wrong_type=_("“%(name)s”不是 .xlsx 或 .csv 文件。"))
        except DjangoValidationError as exc:
            raise _file_errors(exc) from None
        # as the page: the files go to disk in chunks, are read from there and deleted afterwards
        with tempfile.TemporaryDirectory(prefix="alerts-") as folder:
            uploads_store(files, Path(folder))
            paths = [Path(folder) / f"{i}{Path(f.name).suffix.lower()}" for i, f in enumerate(files)]
            report = alert_services.alert_batch_load(
                kind=ALERT_KINDS[asked["kind"]], paths=paths, acting_user=request.user, source=asked["source"],
                data_date=asked["data_date"], display_names={p: Path(f.name).name for p, f in zip(paths, files)},
                via=_("接口上传"))
        if not report.ok:
            return _upload_refused(report.issues, self.access)
        url = reverse("api:alert_batch_detail", kwargs={"pk": report.batch.pk})
        return Response(AlertBatchSerializer(report.batch, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED, headers={"Location": request.build_absolute_uri(url)})


class AlertBatchDetail(ApiView):
    """一批部门预警数据：来源、日期、匹配与预警统计、所用的预警标准；预警明细见 results_url。"""

    @extend_schema(responses=AlertBatchDetailSerializer)
    def get(self, request, pk: int):
        _require_alerts(request.user)
        batch = alert_selectors.batch_get(request.user, pk)
        return Response(AlertBatchDetailSerializer(batch, context={"access": self.access}).data)


class AlertResultFilter(serializers.Serializer):
    village = serializers.CharField(required=False, max_length=12, help_text="村代码")
    rule = serializers.CharField(required=False, max_length=16, help_text="预警规则代码，如 YJ02")


@extend_schema_view(get=extend_schema(parameters=[AlertResultFilter]))
class AlertBatchResults(_Scoped, ListApiView):
    """一批部门预警数据的预警（范围内的人）及其转成的线索和处理情况。"""

    serializer_class = AlertResultSerializer
    pagination_class = cursor("pk")

    def get_queryset(self):
        _require_alerts(self.request.user)
        batch = alert_selectors.batch_get(self.request.user, self.kwargs["pk"])
        filters = AlertResultFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return alert_selectors.hits_for(self.request.user, batch).filter(**filters.validated_data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._lead_states = lead_states([h.lead_id for h in page or [] if h.lead_id])
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "lead_states": getattr(self, "_lead_states", {})}


urlpatterns = [
    path("indicators/", IndicatorValues.as_view(), name="indicator_values"),
    path("indicators/catalog/", IndicatorCatalog.as_view(), name="indicator_catalog"),
    path("compare/batches/", CompareBatchList.as_view(), name="compare_batch_list"),
    path("compare/batches/<int:pk>/", CompareBatchDetail.as_view(), name="compare_batch_detail"),
    path("compare/batches/<int:pk>/results/", CompareBatchResults.as_view(), name="compare_batch_results"),
    path("alerts/batches/", AlertBatchList.as_view(), name="alert_batch_list"),
    path("alerts/batches/<int:pk>/", AlertBatchDetail.as_view(), name="alert_batch_detail"),
    path("alerts/batches/<int:pk>/results/", AlertBatchResults.as_view(), name="alert_batch_results"),
]
