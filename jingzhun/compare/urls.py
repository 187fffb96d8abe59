from django.urls import path

from . import views

app_name = "compare"
urlpatterns = [
    path("", views.compare_home, name="home"),
    path("formats/<str:kind>.xlsx", views.format_download, name="format_download"),
    path("runs/<int:compare_run_id>/", views.compare_run, name="run"),
    path("runs/<int:compare_run_id>/review/", views.compare_review, name="review"),
]
