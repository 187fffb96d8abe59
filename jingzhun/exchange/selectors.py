"""Scoped reads of the import jobs: a job is its uploader's (its page and error workbook are theirs only)."""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_import
from jingzhun.runs.selectors import failed_recently

from .models import ImportJob


def todo_failed_imports(user) -> QuerySet[ImportJob]:
    """The user's own imports that failed lately (a system error, not a refused file) and were not
    followed by an import of theirs that went through."""
    access = access_for(user)
    if not may_import(access):
        return ImportJob.objects.none()
    return failed_recently(ImportJob.objects.filter(triggered_by_id=access.user_id), same=("triggered_by",))
