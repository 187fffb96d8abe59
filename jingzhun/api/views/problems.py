"""/api/v1/: the problems area's resources (docs/api.md)."""

urlpatterns: list = []
