"""/api/v1/: registry's resources (docs/api.md)."""

urlpatterns: list = []
