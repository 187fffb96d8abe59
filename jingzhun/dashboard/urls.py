from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview_home, name="overview_home"),
    path("<str:code>/", views.overview, name="overview"),
    path("<str:code>/export.xlsx", views.overview_export, name="overview_export"),
]
