"""The assistance module's pages; each area adds its own list below."""

from django.urls import path  # noqa: F401

from .views import people

app_name = "assistance"

urlpatterns: list = []

# --- the people who help (帮扶单位, 驻村工作队, 帮扶责任人, 帮扶责任书) -------------------------------------------
urlpatterns += [
    path("help-units/<str:county>/", people.help_units, name="help_units"),
    path("teams/<str:code>/", people.team_list, name="team_list"),
    path("team/<int:team_id>/", people.team_detail, name="team_detail"),
    path("cadres/<str:county>/", people.cadre_list, name="cadre_list"),
    path("cadre/<int:cadre_id>/", people.cadre_detail, name="cadre_detail"),
    path("cadre/<int:cadre_id>/letter/", people.letter_upload, name="letter_upload"),
    path("letter/<int:letter_id>/", people.letter_download, name="letter_download"),
    path("household/<str:code>/cadre/", people.cadre_assign, name="cadre_assign"),
    path("mine/", people.my_households, name="my_households"),
]
