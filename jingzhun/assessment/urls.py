"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path  # noqa: F401

app_name = "assessment"

urlpatterns: list = []
