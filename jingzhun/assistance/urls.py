"""The assistance module's pages; each area adds its own list below."""

from django.urls import path  # noqa: F401

app_name = "assistance"

urlpatterns: list = []
