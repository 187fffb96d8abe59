"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import spot_checks

app_name = "assessment"

urlpatterns: list = []

# 随机抽查 (spot checks of the records)
urlpatterns += [
    path("spot-checks/", spot_checks.spot_list, name="spot_list"),
    path("spot-checks/new/", spot_checks.spot_new, name="spot_new"),
    path("spot-checks/<int:spot_id>/", spot_checks.spot_detail, name="spot_detail"),
    path("spot-checks/items/<int:item_id>/", spot_checks.spot_verify, name="spot_verify"),
]
