"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import cases, estimates, field, findings, imports, plans, spot_checks

app_name = "assessment"

urlpatterns: list = [
    # plans: the list, a new plan, a plan's page, its draw, staff and teams, the sample and the frame file
    path("", plans.assessment_list, name="list"),
    path("new/", plans.assessment_new, name="new"),
    path("<int:assessment_id>/", plans.assessment_detail, name="detail"),
    path("<int:assessment_id>/draw/", plans.assessment_draw, name="draw"),
    path("<int:assessment_id>/staff/", plans.assessment_staff, name="staff"),
    path("<int:assessment_id>/sample.xlsx", plans.assessment_sample_xlsx, name="sample_xlsx"),
    path("<int:assessment_id>/frame.parquet", plans.assessment_frame, name="frame"),
    # survey results from a spreadsheet (import)
    path("<int:assessment_id>/import/", imports.results_import, name="results_import"),
    path("<int:assessment_id>/import/template.xlsx", imports.results_template_download, name="results_template"),
    # findings: 评估问题, 县级申诉 and its evidence, the panel's decision, 认定 as problem records
    path("<int:assessment_id>/findings/", findings.findings, name="findings"),
    path("<int:assessment_id>/findings/confirm/", findings.findings_confirm, name="findings_confirm"),
    path("<int:assessment_id>/findings/<int:case_id>/dispute/", findings.dispute_new, name="dispute_new"),
    path("<int:assessment_id>/findings/<int:case_id>/decide/", findings.dispute_decide, name="dispute_decide"),
    path("<int:assessment_id>/findings/<int:case_id>/evidence/", findings.dispute_evidence, name="dispute_evidence"),
    # 三率一度 (estimates), the report, 结束评估
    path("<int:assessment_id>/estimates/", estimates.estimates, name="estimates"),
    path("<int:assessment_id>/report/", estimates.report, name="report"),
    path("<int:assessment_id>/close/", estimates.close, name="close"),
]

# 随机抽查 (spot checks of the records)
urlpatterns += [
    path("spot-checks/", spot_checks.spot_list, name="spot_list"),
    path("spot-checks/new/", spot_checks.spot_new, name="spot_new"),
    path("spot-checks/<int:spot_id>/", spot_checks.spot_detail, name="spot_detail"),
    path("spot-checks/items/<int:item_id>/", spot_checks.spot_verify, name="spot_verify"),
]

# --- fieldwork: the enumerator's phone page (web app: manifest and service worker under its scope), its JSON
# and sync; the review pages of the supervisor and headquarters
urlpatterns += [
    path("field/", field.field, name="field"),
    path("field/data/", field.field_data, name="field_data"),
    path("field/sync/", field.field_sync, name="field_sync"),
    path("field/sw.js", field.field_worker, name="field_worker"),
    path("field/manifest.webmanifest", field.field_manifest, name="field_manifest"),
    path("<int:assessment_id>/cases/", cases.case_list, name="cases"),
    path("<int:assessment_id>/cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("<int:assessment_id>/cases/<int:case_id>/action/", cases.case_action, name="case_action"),
]
