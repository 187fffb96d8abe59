from django.urls import path  # noqa: F401  (the areas add their pages)

from .views import gather

app_name = "supervision"

urlpatterns: list = []

# 归集 (area "gather"): data problems and monitoring leads gathered into ledger items
urlpatterns += [
    path("gather/", gather.gather_problems, name="gather_problems"),
    path("gather/leads/", gather.gather_leads, name="gather_leads"),
    path("items/<int:item_id>/problems/", gather.item_problems, name="item_problems"),
    path("items/<int:item_id>/leads/", gather.item_leads, name="item_leads"),
]
