from django.urls import path

from .views import appraisal, batches, gather, tasks
from .views import items as item_views
from .views import letters as letter_views
from .views import schemes as scheme_views
from .views import scores as score_views
from .views import units as unit_views

app_name = "supervision"

urlpatterns = [
    # the ledger (整改台账), an item's flow, the overdue list, the units
    path("", item_views.item_list, name="item_list"),
    path("items/new/", item_views.item_new, name="item_new"),
    path("items/<int:item_id>/", item_views.item_detail, name="item_detail"),
    path("items/<int:item_id>/assign/", item_views.item_assign, name="item_assign"),
    path("items/<int:item_id>/sign/", item_views.item_sign, name="item_sign"),
    path("items/<int:item_id>/progress/", item_views.item_progress, name="item_progress"),
    path("items/<int:item_id>/report/", item_views.item_report, name="item_report"),
    path("items/<int:item_id>/review/", item_views.item_review, name="item_review"),
    path("items/<int:item_id>/reopen/", item_views.item_reopen, name="item_reopen"),
    path("evidence/<int:event_id>/", item_views.item_evidence, name="item_evidence"),
    path("overdue/", item_views.overdue, name="overdue"),
    path("units/", unit_views.unit_list, name="unit_list"),
    # 交办批次: the list, by hand, the import and its template, a batch's progress, 批量交办, 整改情况通报
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/new/", batches.batch_new, name="batch_new"),
    path("batches/import/", batches.batch_import, name="batch_import"),
    path("batches/template.xlsx", batches.batch_template, name="batch_template"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/assign/", batches.batch_assign, name="batch_assign"),
    path("batches/<int:batch_id>/report.docx", batches.batch_report, name="batch_report"),
    # data problems and monitoring leads gathered into items
    path("gather/", gather.gather_problems, name="gather_problems"),
    path("gather/leads/", gather.gather_leads, name="gather_leads"),
    path("items/<int:item_id>/problems/", gather.item_problems, name="item_problems"),
    path("items/<int:item_id>/leads/", gather.item_leads, name="item_leads"),
    # 重点工作 (meetings' tasks) and 重点项目 (key projects, their milestones)
    path("tasks/", tasks.task_list, name="task_list"),
    path("meetings/new/", tasks.meeting_new, name="meeting_new"),
    path("projects/", tasks.project_list, name="project_list"),
    path("projects/new/", tasks.project_new, name="project_new"),
    path("projects/<int:item_id>/", tasks.project_detail, name="project_detail"),
    path("projects/<int:item_id>/milestones/new/", tasks.milestone_new, name="milestone_new"),
    path("projects/<int:item_id>/milestones/<int:milestone_id>/done/", tasks.milestone_done, name="milestone_done"),
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
