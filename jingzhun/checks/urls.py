from django.urls import path

from . import views

app_name = "checks"
urlpatterns = [
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/export.xlsx", views.problem_export, name="problem_export"),
    path("problems/<int:problem_id>/exception/", views.problem_exception, name="problem_exception"),
    path("problems/<int:problem_id>/review/", views.problem_review, name="problem_review"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
]
