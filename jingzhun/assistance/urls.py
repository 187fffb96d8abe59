"""The assistance module's pages; each area adds its own list below."""

from django.urls import path

from .views import file as file_views
from .views import loans, measures, people, projects, visits

app_name = "assistance"

urlpatterns: list = []

# 一户一档 and 明白卡 (file)
urlpatterns += [
    path("households/<str:code>/file/", file_views.household_file, name="household_file"),
    path("households/<str:code>/file.pdf", file_views.household_file_pdf, name="household_file_pdf"),
    path("households/<str:code>/card.pdf", file_views.household_card_pdf, name="household_card_pdf"),
    path("villages/<str:code>/cards.pdf", file_views.village_cards_pdf, name="village_cards_pdf"),
]

# --- the people who help (帮扶单位, 驻村工作队, 帮扶责任人, 帮扶责任书) -------------------------------------------
urlpatterns += [
    path("help-units/<str:county>/", people.help_units, name="help_units"),
    path("teams/<str:code>/", people.team_list, name="team_list"),
    path("team/<int:team_id>/", people.team_detail, name="team_detail"),
    path("cadres/<str:county>/", people.cadre_list, name="cadre_list"),
    path("cadre/<int:cadre_id>/", people.cadre_detail, name="cadre_detail"),
    path("cadre/<int:cadre_id>/letter/", people.letter_upload, name="letter_upload"),
    path("letter/<int:letter_id>/", people.letter_download, name="letter_download"),
    path("household/<str:code>/cadre/", people.cadre_assign, name="cadre_assign"),
    path("mine/", people.my_households, name="my_households"),
]

# 小额信贷 (loans)
urlpatterns += [
    path("loans/", loans.loan_list, name="loan_list"),
    path("households/<str:code>/loans/new/", loans.loan_new, name="loan_new"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/edit/", loans.loan_edit, name="loan_edit"),
    path("loans/<int:loan_id>/installments/<int:installment_id>/pay/", loans.installment_pay, name="installment_pay"),
    path("loans/<int:loan_id>/settle/", loans.loan_settle, name="loan_settle"),
]

# 帮扶措施 (measures)
urlpatterns += [
    path("measures/", measures.measure_list, name="measure_list"),
    path("measures/import/", measures.measure_import, name="measure_import"),
    path("households/<str:code>/measures/new/", measures.measure_new, name="measure_new"),
    path("measures/<int:measure_id>/", measures.measure_detail, name="measure_detail"),
    path("measures/<int:measure_id>/edit/", measures.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/end/", measures.measure_end, name="measure_end"),
    path("measures/<int:measure_id>/evidence/", measures.measure_evidence_new, name="measure_evidence_new"),
    path("measures/evidence/<int:evidence_id>/", measures.measure_evidence, name="measure_evidence"),
]

# 走访: the phone's field page (web app: manifest and service worker under its scope), its JSON, the
# office lists
urlpatterns += [
    path("field/", visits.field, name="field"),
    path("field/data/", visits.field_data, name="field_data"),
    path("field/sync/", visits.field_sync, name="field_sync"),
    path("field/visits/<uuid:client_id>/photos/", visits.field_photo, name="field_photo"),
    path("field/conflicts/<int:conflict_id>/resolve/", visits.field_resolve, name="field_resolve"),
    path("field/sw.js", visits.field_worker, name="field_worker"),
    path("field/manifest.webmanifest", visits.field_manifest, name="field_manifest"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/photos/<int:photo_id>/", visits.visit_photo, name="visit_photo"),
    path("visits/conflicts/", visits.conflict_list, name="conflict_list"),
]

# --- 项目库 and 衔接资金 (projects and funds) ---
urlpatterns += [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_new, name="project_new"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:project_id>/funds/", projects.project_funds, name="project_funds"),
    path("projects/<int:project_id>/advance/", projects.project_advance, name="project_advance"),
    path("projects/<int:project_id>/progress/", projects.project_progress, name="project_progress"),
    path("projects/<int:project_id>/spending/", projects.project_spending, name="project_spending"),
    path("projects/<int:project_id>/notice/<str:kind>/", projects.project_notice, name="project_notice"),
    path("funds/", projects.fund_execution, name="fund_execution"),
]
