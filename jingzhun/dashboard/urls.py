from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview_home, name="overview_home"),
    path("<str:code>/", views.overview, name="overview"),
    path("<str:code>/export.xlsx", views.overview_export, name="overview_export"),
    path("<str:code>/indicators.json", views.overview_json, name="overview_json"),
    path("<str:code>/bulletin/", views.bulletin, name="bulletin"),
    path("<str:code>/bulletin.docx", views.bulletin_download, name="bulletin_download"),
    path("<str:code>/refresh/", views.refresh_start, name="refresh_start"),
]
