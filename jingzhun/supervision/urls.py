from django.urls import path

from .views import batches

app_name = "supervision"

urlpatterns: list = [
    # 交办批次 (area "batches"): the list, by hand, the import and its template, a batch's progress, 批量交办, 通报
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/new/", batches.batch_new, name="batch_new"),
    path("batches/import/", batches.batch_import, name="batch_import"),
    path("batches/template.xlsx", batches.batch_template, name="batch_template"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/assign/", batches.batch_assign, name="batch_assign"),
    path("batches/<int:batch_id>/report.docx", batches.batch_report, name="batch_report"),
]
