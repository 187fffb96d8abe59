from django.urls import path

from .views import appraisal
from .views import letters as letter_views
from .views import schemes as scheme_views
from .views import scores as score_views

app_name = "supervision"

urlpatterns = [
    # 考评 inputs: 目标责任书, the scheme, manual scores
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/<int:agency_id>/<int:year>/", letter_views.letter_edit, name="letter_edit"),
    path("letters/<int:letter_id>/document", letter_views.letter_document, name="letter_document"),
    path("schemes/", scheme_views.scheme_page, name="scheme_page"),
    path("scores/", score_views.score_page, name="score_page"),
    # 考评: live scores, publishing, a published appraisal and its 通报
    path("appraisal/", appraisal.appraisal_index, name="appraisal"),
    path("appraisal/publish/", appraisal.appraisal_publish, name="appraisal_publish"),
    path("appraisal/<int:appraisal_id>/", appraisal.appraisal_detail, name="appraisal_detail"),
    path("appraisal/<int:appraisal_id>/report.docx", appraisal.appraisal_report, name="appraisal_report"),
]
