"""/api/v1/: the modules area's resources (docs/api.md)."""

urlpatterns: list = []
