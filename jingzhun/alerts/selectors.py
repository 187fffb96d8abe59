"""Reads of alert batches and hits, limited to what the user may see (through access_for)."""

from __future__ import annotations

from django.db.models import Q

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_load_alerts

from .models import AlertBatch


def batches_for(user):
    """Batches a county user may open: loaded at their unit, above it (seeing only their part) or below."""
    access = access_for(user)
    if not may_load_alerts(user):
        return AlertBatch.objects.none()
    above = [access.prefix[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(access.prefix)]
    return AlertBatch.objects.filter(Q(org__in=above) | Q(org__startswith=access.prefix))


def batch_get(user, batch_id) -> AlertBatch:
    return get_in_reach(batches_for(user), pk=batch_id)


def hits_for(user, batch: AlertBatch):
    """The hits of a batch in the user's reach: by the village of the person (the registry's, else the
    file's); a person with no village at all only for those who reach the unit the batch was loaded for."""
    access = access_for(user)
    q = access.org_q("village")
    if batch.org.startswith(access.prefix):
        q |= Q(village="")
    return batch.hits.filter(q).select_related("record")
