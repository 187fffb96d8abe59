from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("divisions/", views.division, name="division_root"),
    path("divisions/<str:code>/", views.division, name="division"),
    path("households/", views.household_list, name="household_list"),
    path("households/<str:code>/", views.household_detail, name="household_detail"),
    path("households/<str:code>/edit/", views.household_edit, name="household_edit"),
    path("households/<str:code>/members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
]
