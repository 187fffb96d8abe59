from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alerts_home, name="home"),
    path("formats/<str:kind>.xlsx", views.format_download, name="format_download"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
]
