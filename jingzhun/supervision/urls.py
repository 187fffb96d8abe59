from django.urls import path  # noqa: F401  (the areas add their pages)

from .views import tasks

app_name = "supervision"

urlpatterns: list = []

# 重点工作 and 重点项目 (area "tasks"); the evidence download serves every item's progress log
urlpatterns += [
    path("tasks/", tasks.task_list, name="task_list"),
    path("meetings/new/", tasks.meeting_new, name="meeting_new"),
    path("projects/", tasks.project_list, name="project_list"),
    path("projects/new/", tasks.project_new, name="project_new"),
    path("projects/<int:item_id>/", tasks.project_detail, name="project_detail"),
    path("projects/<int:item_id>/milestones/new/", tasks.milestone_new, name="milestone_new"),
    path("projects/<int:item_id>/milestones/<int:milestone_id>/done/", tasks.milestone_done, name="milestone_done"),
    path("items/<int:item_id>/evidence/<int:event_id>/", tasks.item_evidence, name="item_evidence"),
]
