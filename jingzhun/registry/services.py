"""Writes to the registry. Each runs in one transaction and leaves a history row naming the user."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_edit_household, may_update_from_visit, require

from .bulk import insert_with_history, reserve_ids
from .models import AssistanceCadre, Household, Member, VillageProfile
from .signals import registry_upserted

#: Fields a person may change through the edit forms; identity fields (户编号, 村) are not among them, nor
#: 脱贫状态 and its years: a household enters, leaves or returns only through a recorded procedure
#: (jingzhun.workflows), which writes the dynamic-adjustment ledger.
#: What the household form edits. Not 脱贫状态 and not the monitoring state — 户类别, 监测对象类别, 纳入时间,
#: 风险是否消除 and its date: procedures change those (精准识别, 户退出 …; 识别纳入, 风险消除), each with its
#: 评议, 公示 and 审定, and imports of template v2 carry them in from other systems.
HOUSEHOLD_EDITABLE = (
    "head_name", "head_id_number", "standard", "attribute", "main_cause", "other_cause_1",
    "other_cause_2", "income_year", "wage_income", "business_income",
    "property_income", "transfer_income", "business_expense", "housing_area", "housing_grade", "safe_water",
    "electricity", "relocated", "phone",
    # 防止返贫致贫监测 (template v2); Household.clean says which of them a 户类别 requires or forbids
    "risk_type", "other_risk_1", "other_risk_2",
    "income_12m", "income_12m_verified_on", "compliant_out_of_pocket_12m", "vehicle_count", "dearest_vehicle_value",
    "town_houses_bought", "registered_businesses",
)
MEMBER_EDITABLE = (
    "name", "id_number", "relation", "sex", "ethnicity", "education", "schooling", "health", "labour",
    "migrant_work", "migrant_months", "medical_insurance", "serious_illness_insurance", "pension_insurance",
    "dibao", "tekun", "active_soldier",
)


def _apply_changes(instance, data: dict[str, Any], allowed: Iterable[str], *, acting_user, reason: str) -> list[str]:
    """Set the allowed fields that differ and save only those; returns the changed field names.

    Saving only changed fields (update_fields) means two people editing different fields of the same
    record at once do not overwrite each other's work; the caller holds the row lock meanwhile.
    """
    changed = []
    for name in allowed:
        if name in data and getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if changed:
        instance._history_user = acting_user
        instance._change_reason = reason
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save(update_fields=[*changed, "updated_at"])
    return changed


def _locked_household(acting_user, code: str) -> Household:
    require(may_edit_household(acting_user))
    # select_for_update: an import or a second editor may be changing this household right now.
    return get_in_reach(access_for(acting_user).filter_households(Household.objects.select_for_update()), code=code)


@transaction.atomic
def household_update(*, code: str, acting_user, data: dict[str, Any], reason: str = "") -> list[str]:
    """Change a household's editable fields; returns the names of the fields that changed."""
    household = _locked_household(acting_user, code)
    return _apply_changes(household, data, HOUSEHOLD_EDITABLE, acting_user=acting_user, reason=reason)


@transaction.atomic
def member_update(*, household_code: str, member_id: int, acting_user, data: dict[str, Any],
                  reason: str = "") -> list[str]:
    """Change a member's editable fields; returns the names of the fields that changed."""
    household = _locked_household(acting_user, household_code)
    member = get_in_reach(household.members.select_for_update(), pk=member_id)
    return _apply_changes(member, data, MEMBER_EDITABLE, acting_user=acting_user, reason=reason)


@transaction.atomic
def household_cadre_set(*, code: str, cadre: AssistanceCadre | None, acting_user, reason: str = "") -> bool:
    """Set a household's current 帮扶责任人 (its history row names the user and the reason); True if it changed.

    The assistance module calls this when it pairs a cadre with a household (its own CadreAssignment keeps
    the periods); the edit form does not offer the field, so a pairing is never changed without its record.
    """
    household = _locked_household(acting_user, code)
    return bool(_apply_changes(household, {"cadre": cadre}, ("cadre",), acting_user=acting_user, reason=reason))


#: What a visit (走访) may change, and nothing else: the 12-month income and its verification date, and
#: the 两不愁三保障 answers (安全饮水, 住房安全; a member's 义务教育 and 基本医疗保险). A helper (帮扶责任人,
#: 驻村工作队) may not edit a household (`may_edit_household`); these fields are all they may change.
VISIT_HOUSEHOLD_FIELDS = ("income_12m", "income_12m_verified_on", "safe_water", "housing_grade")
VISIT_MEMBER_FIELDS = ("schooling", "medical_insurance")


def _locked_for_visit(acting_user, code: str) -> Household:
    require(may_update_from_visit(acting_user))
    # select_for_update: the village clerk may be editing this household in the office right now.
    return get_in_reach(access_for(acting_user).filter_households(Household.objects.select_for_update()), code=code)


@transaction.atomic
def household_update_from_visit(*, code: str, acting_user, data: dict[str, Any], reason: str) -> list[str]:
    """Change the visit fields of a household (only those: other keys of `data` are ignored)."""
    household = _locked_for_visit(acting_user, code)
    return _apply_changes(household, data, VISIT_HOUSEHOLD_FIELDS, acting_user=acting_user, reason=reason)


@transaction.atomic
def member_update_from_visit(*, household_code: str, member_id: int, acting_user, data: dict[str, Any],
                             reason: str) -> list[str]:
    """Change the visit fields of a member (only those)."""
    household = _locked_for_visit(acting_user, household_code)
    member = get_in_reach(household.members.select_for_update(), pk=member_id)
    return _apply_changes(member, data, VISIT_MEMBER_FIELDS, acting_user=acting_user, reason=reason)


# --- Importing many rows at once -------------------------------------------------------------------

@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class UpsertSummary:
    villages: UpsertCounts = field(default_factory=UpsertCounts)
    households: UpsertCounts = field(default_factory=UpsertCounts)
    members: UpsertCounts = field(default_factory=UpsertCounts)
    cadres_created: int = 0
    ledger_events: int = 0


_VILLAGE_CHUNK = 500


def _existing(model, incoming: pa.Table, keys: list[str], fields: list[str], village_codes: list[str],
              village_lookup: str) -> pa.Table:
    """The stored rows of the villages in `village_codes`, as an Arrow table typed like `incoming`."""
    rows: list[tuple] = []
    for start in range(0, len(village_codes), _VILLAGE_CHUNK):
        chunk = village_codes[start:start + _VILLAGE_CHUNK]
        rows.extend(model.objects.filter(**{f"{village_lookup}__in": chunk}).values_list(*keys, *fields))
    columns = list(zip(*rows)) if rows else [[] for _ in [*keys, *fields]]
    schema = incoming.schema
    return pa.table({name: pa.array(list(values), schema.field(name).type)
                     for name, values in zip([*keys, *fields], columns)})


def _diff(incoming: pa.Table, existing: pa.Table, keys: list[str], fields: list[str]):
    """Split incoming rows into new ones, changed ones and the count of unchanged ones."""
    if existing.num_rows == 0:  # a first import: no join over a million rows to learn that all are new
        return incoming, incoming.slice(0, 0), 0
    existing = existing.append_column("__stored", pa.array([True] * existing.num_rows, pa.bool_()))
    joined = incoming.join(existing, keys=keys, join_type="left outer", right_suffix="__old",
                           use_threads=False)
    stored = pc.fill_null(joined["__stored"], False)
    new = joined.filter(pc.invert(stored)).select(incoming.column_names)
    old = joined.filter(stored)
    differs = pa.array([False] * old.num_rows, pa.bool_())
    for name in fields:
        a, b = old[name], old[f"{name}__old"]
        same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
        differs = pc.or_(differs, pc.invert(same))
    changed = old.filter(differs).select(incoming.column_names)
    return new, changed, old.num_rows - changed.num_rows


def _update_changed(model, changed: pa.Table, keys: list[str], fields: list[str], *, acting_user, reason: str,
                    now) -> None:
    if changed.num_rows == 0:
        return
    incoming = {tuple(r[k] for k in keys): r for r in changed.to_pylist()}
    objects = []
    key_values = list(incoming)
    for start in range(0, len(key_values), _VILLAGE_CHUNK):
        chunk = key_values[start:start + _VILLAGE_CHUNK]
        lookup = Q()
        for key in chunk:
            lookup |= Q(**dict(zip(keys, key)))
        objects.extend(model.objects.filter(lookup))
    stamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    for obj in objects:
        row = incoming[tuple(getattr(obj, k) for k in keys)]
        for name in fields:
            setattr(obj, name, row[name])
        if stamped:
            obj.updated_at = now
    bulk_update_with_history(objects, model, [*fields, *(["updated_at"] if stamped else [])], batch_size=2000,
                             default_user=acting_user, default_change_reason=reason, default_date=now)


def _stored_cadres(counties: list[str]) -> pa.Table:
    rows = list(AssistanceCadre.objects.filter(county_id__in=counties)
                .values_list("county_id", "name", "phone", "work_unit", "id"))
    columns = list(zip(*rows)) if rows else [[], [], [], [], []]
    return pa.table({"county_id": pa.array(columns[0], pa.string()), "name": pa.array(columns[1], pa.string()),
                     "phone": pa.array(columns[2], pa.string()), "stored_unit": pa.array(columns[3], pa.string()),
                     "cadre_id": pa.array(columns[4], pa.int64())})


_CADRE_KEYS = ["county_id", "name", "phone"]


def _match_cadres(households: pa.Table) -> tuple[pa.Table, pa.Table, list[str]]:
    """The households' cadres (one row per household) and the distinct cadres matched to the stored ones."""
    named = pa.table({"county_id": pc.utf8_slice_codeunits(households["code"], 0, 6),
                      "name": households["cadre_name"], "phone": households["cadre_phone"],
                      "work_unit": households["cadre_work_unit"],
                      "row": pa.array(range(households.num_rows), pa.int64())})
    wanted = (named.filter(pc.greater(pc.utf8_length(named["name"]), 0))
              .group_by(_CADRE_KEYS, use_threads=False).aggregate([("work_unit", "last")])
              .rename_columns([*_CADRE_KEYS, "work_unit"]))
    counties = pc.unique(wanted["county_id"]).to_pylist()
    matched = wanted.join(_stored_cadres(counties), keys=_CADRE_KEYS, join_type="left outer", use_threads=False)
    return named, matched, counties


def _moved(matched: pa.Table) -> pa.Table:
    """Stored cadres whose 帮扶单位 the rows change."""
    return matched.filter(pc.and_(pc.is_valid(matched["cadre_id"]),
                                  pc.not_equal(matched["stored_unit"], matched["work_unit"])))


@dataclass(frozen=True)
class CadreConflict:
    """A row that would change a shared cadre record who also serves households out of the writer's reach."""

    row: int  # index into the households table
    name: str
    phone: str
    old_unit: str
    new_unit: str
    outside: int  # households of this cadre out of reach


def cadre_conflicts(households: pa.Table, acting_user) -> list[CadreConflict]:
    """Rows whose change to a 帮扶责任人 record (shared by households) reaches beyond `acting_user`'s reach.

    A cadre is one record per county: changing their 帮扶单位 changes what every household they serve
    shows. That is allowed only to a writer who reaches all of those households (a county admin, the
    system); anyone else gets the rows named. None means the system.
    """
    if acting_user is None or households is None or households.num_rows == 0:
        return []
    access = access_for(acting_user)
    named, matched, _counties = _match_cadres(households)
    moved = _moved(matched)
    if not moved.num_rows:
        return []
    outside = dict(Household.objects.filter(cadre_id__in=moved["cadre_id"].to_pylist())
                   .exclude(access.household_q()).values("cadre_id").annotate(n=Count("code"))
                   .values_list("cadre_id", "n"))
    conflicts = []
    for cadre in moved.to_pylist():
        if outside.get(cadre["cadre_id"]):
            rows = named.filter(pc.and_(pc.and_(pc.equal(named["county_id"], cadre["county_id"]),
                                                pc.equal(named["name"], cadre["name"])),
                                        pc.equal(named["phone"], cadre["phone"])))["row"]
            conflicts.append(CadreConflict(row=pc.min(rows).as_py(), name=cadre["name"], phone=cadre["phone"],
                                           old_unit=cadre["stored_unit"], new_unit=cadre["work_unit"],
                                           outside=outside[cadre["cadre_id"]]))
    return sorted(conflicts, key=lambda c: c.row)


def _resolve_cadres(households: pa.Table, *, acting_user, reason: str, now) -> tuple[pa.Table, int]:
    """Replace cadre_name/cadre_work_unit/cadre_phone by cadre_id, creating cadres not yet known.

    A cadre is one person per county, known by name and phone; a changed 帮扶单位 updates the cadre (with
    a history row), but only within the writer's reach (`cadre_conflicts`). Matching is a join of Arrow
    tables, not a loop over households.
    """
    if cadre_conflicts(households, acting_user):
        raise PermissionDenied("cadre record shared with households out of reach")
    named, matched, counties = _match_cadres(households)
    fresh = matched.filter(pc.is_null(matched["cadre_id"])).select([*_CADRE_KEYS, "work_unit"])
    if fresh.num_rows:
        insert_with_history(AssistanceCadre, fresh.append_column("id", reserve_ids(AssistanceCadre, fresh.num_rows)),
                            history_user_id=acting_user.pk if acting_user is not None else None, reason=reason,
                            now=now)
    moved = _moved(matched)
    if moved.num_rows:
        units = dict(zip(moved["cadre_id"].to_pylist(), moved["work_unit"].to_pylist()))
        cadres = list(AssistanceCadre.objects.filter(pk__in=list(units)))
        for cadre in cadres:
            cadre.work_unit = units[cadre.pk]
        bulk_update_with_history(cadres, AssistanceCadre, ["work_unit"], batch_size=2000, default_user=acting_user,
                                 default_change_reason=reason, default_date=now)
    ids = _stored_cadres(counties).select([*_CADRE_KEYS, "cadre_id"])
    resolved = named.join(ids, keys=_CADRE_KEYS, join_type="left outer", use_threads=False).sort_by("row")
    households = households.drop_columns(["cadre_name", "cadre_work_unit", "cadre_phone"])
    return households.append_column("cadre_id", resolved["cadre_id"]), fresh.num_rows


def _with_defaults(model, new: pa.Table) -> pa.Table:
    """New rows with every required column the table lacks filled with the field's default.

    A version 1 file has no 户类别 or monitoring columns: its new households get the model's defaults
    (脱贫户, not monitored), while its updates leave those columns as stored (only given columns are
    compared and written).
    """
    for f in model._meta.concrete_fields:
        if f.attname in new.column_names or f.null or f.primary_key or f.attname == "updated_at":
            continue
        default = f.get_default()
        if default is None:
            continue
        new = new.append_column(f.attname, pa.array([default] * new.num_rows))
    return new


@transaction.atomic
def registry_upsert(*, villages: pa.Table | None = None, households: pa.Table | None = None,
                    members: pa.Table | None = None, acting_user=None, reason: str,
                    progress: Callable[[str, int, int], None] | None = None) -> UpsertSummary:
    """Create or update villages, households and members given as typed Arrow tables (attnames).

    Keys: 村代码 for villages, 户编号 for households, (户编号, 身份证号) for members. Rows equal to what is
    stored are left alone and write no history; members missing from the tables are never deleted (a
    member leaves through 人员状态 or a workflow). Every created or changed row gets its history row,
    attributed to `acting_user` (None = the system) with `reason`. `progress(what, rows_done, rows_total)`
    is told before each table is written.
    """
    now = timezone.now()
    user_id = acting_user.pk if acting_user is not None else None
    summary = UpsertSummary()
    plans = []
    if villages is not None and villages.num_rows:
        plans.append((VillageProfile, villages, ["village_id"], summary.villages, "village_id"))
    if households is not None and households.num_rows:
        households, summary.cadres_created = _resolve_cadres(households, acting_user=acting_user,
                                                             reason=reason, now=now)
        plans.append((Household, households, ["code"], summary.households, "village_id"))
    if members is not None and members.num_rows:
        plans.append((Member, members, ["household_id", "id_number"], summary.members, "household__village_id"))
    splits = {}
    total, done = sum(plan[1].num_rows for plan in plans), 0
    # Every registry write of the import happens in this loop, inside the caller's transaction: per-row
    # triggers that mark changed villages (the snapshot mirror) can be paused around it, and the villages
    # (`villages_of` per table) marked set-wise once.
    for model, table, keys, counts, village_lookup in plans:
        if progress is not None:
            progress(str(model._meta.verbose_name), done, total)
        done += table.num_rows
        fields = [c for c in table.column_names if c not in keys]
        key_column = table[keys[0]]
        villages_of = sorted(set(pc.utf8_slice_codeunits(key_column, 0, 12).to_pylist()))
        existing = _existing(model, table, keys, fields, villages_of, village_lookup)
        new, changed, counts.unchanged = _diff(table, existing, keys, fields)
        if model is Member and new.num_rows:
            new = new.append_column("id", reserve_ids(Member, new.num_rows))
        if model is Household and new.num_rows:
            new = _with_defaults(Household, new)
        counts.created = insert_with_history(model, new, history_user_id=user_id, reason=reason, now=now)
        _update_changed(model, changed, keys, fields, acting_user=acting_user, reason=reason, now=now)
        counts.updated = changed.num_rows
        if model in (Household, Member):
            splits[model] = (new, changed, existing)
    # The dynamic adjustment ledger (动态调整): what this import changed is a change like one made
    # through a workflow, so it is recorded too (source: import), after every table is written — by the
    # workflows app, which listens (the registry never imports it).
    responses = registry_upserted.send(sender=registry_upsert, households=splits.get(Household),
                                       members=splits.get(Member), acting_user=acting_user, reason=reason, when=now)
    summary.ledger_events = sum(count for _receiver, count in responses if isinstance(count, int))
    return summary
