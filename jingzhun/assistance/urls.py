"""The assistance module's pages; each area adds its own list below."""

from django.urls import path

from .views import file as file_views
from .views import visits

app_name = "assistance"

urlpatterns: list = []

# 一户一档 and 明白卡 (file)
urlpatterns += [
    path("households/<str:code>/file/", file_views.household_file, name="household_file"),
    path("households/<str:code>/file.pdf", file_views.household_file_pdf, name="household_file_pdf"),
    path("households/<str:code>/card.pdf", file_views.household_card_pdf, name="household_card_pdf"),
    path("villages/<str:code>/cards.pdf", file_views.village_cards_pdf, name="village_cards_pdf"),
]

# 走访: the phone's field page (web app: manifest and service worker under its scope), its JSON, the
# office lists
urlpatterns += [
    path("field/", visits.field, name="field"),
    path("field/data/", visits.field_data, name="field_data"),
    path("field/sync/", visits.field_sync, name="field_sync"),
    path("field/visits/<uuid:client_id>/photos/", visits.field_photo, name="field_photo"),
    path("field/conflicts/<int:conflict_id>/resolve/", visits.field_resolve, name="field_resolve"),
    path("field/sw.js", visits.field_worker, name="field_worker"),
    path("field/manifest.webmanifest", visits.field_manifest, name="field_manifest"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/photos/<int:photo_id>/", visits.visit_photo, name="visit_photo"),
    path("visits/conflicts/", visits.conflict_list, name="conflict_list"),
]
