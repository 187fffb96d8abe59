from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("jingzhun.accounts.urls")),
    path("exchange/", include("jingzhun.exchange.urls")),
    path("checks/", include("jingzhun.checks.urls")),
    path("dashboard/", include("jingzhun.dashboard.urls")),
    path("compare/", include("jingzhun.compare.urls")),
    path("alerts/", include("jingzhun.alerts.urls")),
    path("workflows/", include("jingzhun.workflows.urls")),
    path("monitoring/", include("jingzhun.monitoring.urls")),
    path("assistance/", include("jingzhun.assistance.urls")),
    path("assessment/", include("jingzhun.assessment.urls")),
    path("supervision/", include("jingzhun.supervision.urls")),
    path("api/v1/", include("jingzhun.api.urls")),
    path("", include("jingzhun.desk.urls")),
    path("", include("jingzhun.registry.urls")),
]

# a URL no pattern matches: under /api/ the API's JSON error, elsewhere the 404 page
handler404 = "jingzhun.api.errors.page_not_found"
