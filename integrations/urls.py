from django.urls import path

from integrations import api

app_name = "integrations"

urlpatterns = [
    path("", api.submit_task, name="submit-task"),
    path("<str:task_id>", api.task_status, name="task-status"),
    path("<str:task_id>/", api.task_status),
]
