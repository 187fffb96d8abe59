from django.urls import path

from . import views

app_name = "compare"
urlpatterns = [
    path("", views.compare_home, name="home"),
    path("runs/<int:compare_run_id>/", views.compare_run, name="run"),
    path("runs/<int:compare_run_id>/review/", views.compare_review, name="review"),
]
