from django.urls import path  # noqa: F401  (the areas add their pages)

from .views import items as item_views
from .views import units as unit_views

app_name = "supervision"

urlpatterns: list = []

# --- flow: the ledger (整改台账), an item's flow, the overdue list, the units --------------------------------
urlpatterns += [
    path("", item_views.item_list, name="item_list"),
    path("items/new/", item_views.item_new, name="item_new"),
    path("items/<int:item_id>/", item_views.item_detail, name="item_detail"),
    path("items/<int:item_id>/assign/", item_views.item_assign, name="item_assign"),
    path("items/<int:item_id>/sign/", item_views.item_sign, name="item_sign"),
    path("items/<int:item_id>/progress/", item_views.item_progress, name="item_progress"),
    path("items/<int:item_id>/report/", item_views.item_report, name="item_report"),
    path("items/<int:item_id>/review/", item_views.item_review, name="item_review"),
    path("items/<int:item_id>/reopen/", item_views.item_reopen, name="item_reopen"),
    path("evidence/<int:event_id>/", item_views.item_evidence, name="item_evidence"),
    path("overdue/", item_views.overdue, name="overdue"),
    path("units/", unit_views.unit_list, name="unit_list"),
]
