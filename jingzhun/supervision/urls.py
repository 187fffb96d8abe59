from django.urls import path  # noqa: F401  (the areas add their pages)

app_name = "supervision"

urlpatterns: list = []

# --- 考评 inputs (area "letters"): 目标责任书, the scheme, manual scores ---------------------------------------
from .views import letters as letter_views, schemes as scheme_views, scores as score_views  # noqa: E402

urlpatterns += [
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/<int:agency_id>/<int:year>/", letter_views.letter_edit, name="letter_edit"),
    path("letters/<int:letter_id>/document", letter_views.letter_document, name="letter_document"),
    path("schemes/", scheme_views.scheme_page, name="scheme_page"),
    path("scores/", score_views.score_page, name="score_page"),
]
