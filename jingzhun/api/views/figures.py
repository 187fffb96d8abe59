"""/api/v1/: the figures area's resources (docs/api.md)."""

urlpatterns: list = []
