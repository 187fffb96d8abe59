"""Loading template tables into an empty part of the registry (the demo and synthetic registries).

Updating existing households, validating hostile files and reporting every bad cell belong to the
importer; this loader takes well-formed tables (as `jingzhun.synth` makes them) and refuses to touch
households that already exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from jingzhun.registry import vocab
from jingzhun.registry.models import AssistanceCadre, Household, Member, VillageProfile

from .cells import parse_cell
from .template import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEETS, VILLAGE_SHEET

_BATCH = 2000


@dataclass
class LoadSummary:
    villages: int = 0
    households: int = 0
    members: int = 0
    cadres: int = 0


def _records(sheet: str, table: pa.Table):
    columns = SHEETS[sheet]
    data = {c.header: table.column(c.header).to_pylist() if c.header in table.column_names else None
            for c in columns}
    for i in range(table.num_rows):
        yield {c.field: parse_cell(c, data[c.header][i] if data[c.header] is not None else None) for c in columns}


@transaction.atomic
def registry_load(tables: dict[str, pa.Table], *, acting_user=None, reason: str,
                  progress: Callable[[int], None] | None = None) -> LoadSummary:
    """Create the villages, households, members and cadres of `tables` (keyed by sheet name)."""
    summary = LoadSummary()
    if VILLAGE_SHEET in tables:
        profiles = [VillageProfile(**row) for row in _records(VILLAGE_SHEET, tables[VILLAGE_SHEET])]
        existing = set(VillageProfile.objects.filter(village_id__in=[p.village_id for p in profiles])
                       .values_list("village_id", flat=True))
        fresh = [p for p in profiles if p.village_id not in existing]
        bulk_create_with_history(fresh, VillageProfile, batch_size=_BATCH, default_user=acting_user,
                                 default_change_reason=reason)
        summary.villages = len(fresh)

    households, cadre_keys = [], {}
    household_rows = _records(HOUSEHOLD_SHEET, tables[HOUSEHOLD_SHEET]) if HOUSEHOLD_SHEET in tables else ()
    for row in household_rows:
        name, unit, phone = row.pop("cadre_name"), row.pop("cadre_work_unit"), row.pop("cadre_phone")
        others = row.pop("other_causes") or []
        row["other_cause_1"], row["other_cause_2"] = (others + ["", ""])[:2]
        household = Household(**row)
        if name:
            key = (household.code[:6], name, phone)
            cadre_keys.setdefault(key, unit)
            household._cadre_key = key
        households.append(household)
    existing = Household.objects.filter(code__in=[h.code for h in households]).values_list("code", flat=True)
    clash = list(existing[:5])
    if clash:
        raise ValueError(f"households already in the registry (use the importer to update them): {clash}")

    cadres = {(c.county_id, c.name, c.phone): c for c in AssistanceCadre.objects.filter(
        county_id__in={k[0] for k in cadre_keys})}
    new_cadres = [AssistanceCadre(county_id=k[0], name=k[1], phone=k[2], work_unit=unit)
                  for k, unit in cadre_keys.items() if k not in cadres]
    AssistanceCadre.objects.bulk_create(new_cadres, batch_size=_BATCH)
    summary.cadres = len(new_cadres)
    cadres = {(c.county_id, c.name, c.phone): c for c in AssistanceCadre.objects.filter(
        county_id__in={k[0] for k in cadre_keys})}
    for household in households:
        key = getattr(household, "_cadre_key", None)
        household.cadre = cadres[key] if key else None
    for start in range(0, len(households), _BATCH):
        bulk_create_with_history(households[start:start + _BATCH], Household, default_user=acting_user,
                                 default_change_reason=reason)
        if progress:
            progress(len(households[start:start + _BATCH]))
    summary.households = len(households)

    if MEMBER_SHEET in tables:
        members = []
        for row in _records(MEMBER_SHEET, tables[MEMBER_SHEET]):
            row["status"] = row["status"] or vocab.MemberStatus.NORMAL
            members.append(Member(**row))
        for start in range(0, len(members), _BATCH):
            bulk_create_with_history(members[start:start + _BATCH], Member, default_user=acting_user,
                                     default_change_reason=reason)
            if progress:
                progress(len(members[start:start + _BATCH]))
        summary.members = len(members)
    return summary
