from django.urls import path  # noqa: F401  (the areas add their pages)

app_name = "supervision"

urlpatterns: list = []
