from django.urls import path

from . import monitoring_views, notice_views, views
from .definitions import Kind

app_name = "workflows"
urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("entry/new/", views.entry_new, name="entry_new"),
    path("start/", views.procedure_start, name="procedure_start"),
    path("households/<str:code>/exit/", views.procedure_new, {"kind": Kind.EXIT}, name="exit_new"),
    path("households/<str:code>/return/", views.procedure_new, {"kind": Kind.RETURN}, name="return_new"),
    path("households/<str:code>/removal/", views.procedure_new, {"kind": Kind.REMOVAL}, name="removal_new"),
    path("households/<str:code>/member-change/", views.procedure_new, {"kind": Kind.MEMBER_CHANGE}, name="member_change_new"),
    path("households/<str:code>/monitoring-entry/", monitoring_views.monitoring_entry_new, name="monitoring_entry_new"),
    path("households/<str:code>/risk-elimination/", monitoring_views.risk_elimination_new, name="risk_elimination_new"),
    path("households/<str:code>/income-verifications/", monitoring_views.income_verifications,
         name="income_verifications"),
    path("procedures/<int:procedure_id>/green-channel/", monitoring_views.procedure_green_channel,
         name="procedure_green_channel"),
    path("procedures/<int:procedure_id>/", views.procedure_detail, name="procedure_detail"),
    path("procedures/<int:procedure_id>/act/", views.procedure_act, name="procedure_act"),
    path("procedures/<int:procedure_id>/override/", views.procedure_override, name="procedure_override"),
    path("evidence/<int:record_id>/", views.evidence, name="evidence"),
    path("notices/", notice_views.batch_list, name="batch_list"),
    path("notices/<int:batch_id>/", notice_views.batch_detail, name="batch_detail"),
    path("notices/<int:batch_id>/print/", notice_views.batch_print, name="batch_print"),
    path("notices/<int:batch_id>/pdf/", notice_views.batch_pdf, name="batch_pdf"),
    path("notices/<int:batch_id>/close/", notice_views.batch_close, name="batch_close"),
    path("notices/<int:batch_id>/objections/", notice_views.objection_new, name="objection_new"),
    path("notices/<int:batch_id>/photos/", notice_views.notice_photo_new, name="notice_photo_new"),
    path("notice-photos/<int:photo_id>/", notice_views.notice_photo, name="notice_photo"),
    path("objections/<int:objection_id>/resolve/", notice_views.objection_resolve, name="objection_resolve"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/events/", views.ledger_events, name="ledger_events"),
    path("exit-evaluation/villages/<str:unit>/", views.village_exit, name="village_exit"),
    path("exit-evaluation/counties/<str:unit>/", views.county_exit, name="county_exit"),
]
