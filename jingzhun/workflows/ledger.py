"""The dynamic adjustment ledger (动态调整台账): counts of events per type, per unit, per period.

Counts are of events, never of the registry: 户 = events of a type, 人 = their persons; 人口自然变更 counts
人次 (each event one person). Every figure is a GROUP BY over LedgerEvent, so a page, the CLI and a test
summing the events agree by construction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jingzhun.orgunits.models import CODE_LENGTH, Level, OrgUnit
from jingzhun.registry import vocab

from . import clock
from .models import LedgerEvent

TYPES = [LedgerEvent.Type.NEW, LedgerEvent.Type.REMOVAL, LedgerEvent.Type.RETURN, LedgerEvent.Type.EXIT,
         LedgerEvent.Type.NATURAL, LedgerEvent.Type.MONITORED, LedgerEvent.Type.ELIMINATED]
#: 防止返贫致贫监测's events (识别纳入, 风险消除), told after the 建档立卡 ones.
MONITORING_TYPES = (LedgerEvent.Type.MONITORED, LedgerEvent.Type.ELIMINATED)


@dataclass
class Counts:
    """{type: (户, 人)} of one unit; 人口自然变更's 户 is its number of events, its 人 the 人次."""

    code: str
    name: str = ""
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)

    def households(self, type_: str) -> int:
        return self.by_type.get(type_, (0, 0))[0]

    def persons(self, type_: str) -> int:
        return self.by_type.get(type_, (0, 0))[1]

    @property
    def rows(self) -> list[tuple[str, str, int, int]]:
        return [(t, LedgerEvent.Type(t).label, self.households(t), self.persons(t)) for t in TYPES]

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "text": ledger_text(self),
                **{t: {"households": self.households(t), "persons": self.persons(t)} for t in TYPES}}


def ledger_text(counts: Counts) -> str:
    """The seed's sentence: 新识别 178 户 421 人，清退 2036 户 5858 人，返贫 18 户 53 人，脱贫 … 户 … 人，
    人口自然变更 1753 人次, then the monitoring's: 纳入监测 … 户 … 人，风险消除 … 户 … 人."""
    def households(t):
        return _("%(label)s %(h)s 户 %(p)s 人") % {"label": LedgerEvent.Type(t).label, "h": counts.households(t),
                                                 "p": counts.persons(t)}

    parts = [households(t) for t in TYPES if t != LedgerEvent.Type.NATURAL and t not in MONITORING_TYPES]
    parts.append(_("人口自然变更 %(n)s 人次") % {"n": counts.persons(LedgerEvent.Type.NATURAL)})
    parts += [households(t) for t in MONITORING_TYPES]
    return pgettext("between counts", "，").join(parts)


def events_in(events: QuerySet, *, org: str, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    """Events under an org code (any level; "" = all) with effective date in [start, end]."""
    if org:
        events = events.filter(village__gte=org, village__lt=org + ":")
    if start:
        events = events.filter(effective__gte=start)
    if end:
        events = events.filter(effective__lte=end)
    return events


def ledger_counts(events: QuerySet, *, org: str, start: datetime.date | None = None,
                  end: datetime.date | None = None) -> tuple[Counts, list[Counts]]:
    """The unit's counts and each child unit's (townships of a county, villages of a township …)."""
    events = events_in(events, org=org, start=start, end=end)
    total = Counts(code=org)
    for row in events.values("type").annotate(h=Count("id"), p=Sum("persons")):
        total.by_type[row["type"]] = (row["h"], row["p"] or 0)
    child_length = _child_length(org)
    children: dict[str, Counts] = {}
    if child_length:
        grouped = (events.annotate(unit=Substr("village", 1, child_length)).values("unit", "type")
                   .annotate(h=Count("id"), p=Sum("persons")).order_by("unit"))
        for row in grouped:
            children.setdefault(row["unit"], Counts(code=row["unit"])).by_type[row["type"]] = (row["h"], row["p"] or 0)
        names = dict(OrgUnit.objects.filter(code__in=list(children)).values_list("code", "name"))
        for code, counts in children.items():
            counts.name = names.get(code, code)
    unit = OrgUnit.objects.filter(code=org).first() if org else None
    total.name = unit.name if unit else _("全部")
    return total, list(children.values())


def ledger_breakdown(events: QuerySet, *, org: str, start: datetime.date | None = None,
                     end: datetime.date | None = None) -> tuple[Counts, list[Counts]]:
    """The unit's counts and those of every unit below it down to villages (townships, then villages),
    one grouped query per level."""
    total, children = ledger_counts(events, org=org, start=start, end=end)
    units = list(children)
    events = events_in(events, org=org, start=start, end=end)
    length = _child_length(org)
    while length and length < CODE_LENGTH[Level.VILLAGE]:
        length = _child_length("0" * length)
        level: dict[str, Counts] = {}
        for row in (events.annotate(unit=Substr("village", 1, length)).values("unit", "type")
                    .annotate(h=Count("id"), p=Sum("persons")).order_by("unit")):
            level.setdefault(row["unit"], Counts(code=row["unit"])).by_type[row["type"]] = (row["h"], row["p"] or 0)
        names = dict(OrgUnit.objects.filter(code__in=list(level)).values_list("code", "name"))
        for code, counts in level.items():
            counts.name = names.get(code, code)
        units.extend(level.values())
    return total, sorted(units, key=lambda c: c.code)


def _child_length(org: str) -> int | None:
    lengths = sorted(CODE_LENGTH.values())
    for length in lengths:
        if length > len(org):
            return length
    return None


# --- Events written by imports ---------------------------------------------------------------------

#: (old status, new status) → event type, for households an import changes.
_TRANSITIONS = {
    (vocab.PovertyStatus.POOR, vocab.PovertyStatus.EXITED): LedgerEvent.Type.EXIT,
    (vocab.PovertyStatus.RETURNED, vocab.PovertyStatus.EXITED): LedgerEvent.Type.EXIT,
    (vocab.PovertyStatus.EXITED, vocab.PovertyStatus.RETURNED): LedgerEvent.Type.RETURN,
    (vocab.PovertyStatus.POOR, vocab.PovertyStatus.REMOVED): LedgerEvent.Type.REMOVAL,
    (vocab.PovertyStatus.EXITED, vocab.PovertyStatus.REMOVED): LedgerEvent.Type.REMOVAL,
    (vocab.PovertyStatus.RETURNED, vocab.PovertyStatus.REMOVED): LedgerEvent.Type.REMOVAL,
}
_MEMBER_TRANSITIONS = {
    (vocab.MemberStatus.NORMAL, vocab.MemberStatus.DECEASED): "death",
    (vocab.MemberStatus.NORMAL, vocab.MemberStatus.MOVED_OUT): "move_out",
}


def _transitions_table(mapping: dict) -> pa.Table:
    return pa.table({"old": pa.array([k[0] for k in mapping], pa.string()),
                     "new": pa.array([k[1] for k in mapping], pa.string()),
                     "event": pa.array([str(v) for v in mapping.values()], pa.string())})


def import_household_events(changed: pa.Table, existing: pa.Table, *, acting_user, reason: str,
                            when: datetime.datetime | None = None) -> int:
    """Write ledger events for households whose 脱贫状态 an import changed; returns how many.

    `changed` holds the incoming rows that differ from the stored ones and `existing` the stored rows
    (both Arrow, with `code` and `status`). The transition of each household is found by joins, not a
    loop; persons are the household's 正常 members after the import, counted in one grouped query.
    """
    if changed.num_rows == 0 or "status" not in changed.column_names:
        return 0
    pairs = (changed.select(["code", "status"]).rename_columns(["code", "new"])
             .join(existing.select(["code", "status"]).rename_columns(["code", "old"]), keys="code",
                   join_type="inner", use_threads=False))
    pairs = pairs.filter(pc.not_equal(pairs["old"], pairs["new"]))
    events = pairs.join(_transitions_table(_TRANSITIONS), keys=["old", "new"], join_type="inner", use_threads=False)
    if events.num_rows == 0:
        return 0
    from jingzhun.registry.models import Member

    codes = events["code"].to_pylist()
    persons: dict[str, int] = {}
    for start in range(0, len(codes), 2000):
        chunk = codes[start:start + 2000]
        persons.update(Member.objects.filter(household_id__in=chunk, status=vocab.MemberStatus.NORMAL)
                       .values_list("household_id").annotate(n=Count("id")).values_list("household_id", "n"))
    from jingzhun.registry.models import Household

    heads = {}
    for start in range(0, len(codes), 2000):
        heads.update(Household.objects.filter(code__in=codes[start:start + 2000]).values_list("code", "head_name"))
    effective = timezone.localdate(when) if when else clock.today()
    rows = events.to_pylist()
    LedgerEvent.objects.bulk_create([
        LedgerEvent(type=r["event"], effective=effective, household=r["code"], village=r["code"][:12],
                    head_name=heads.get(r["code"], ""), persons=persons.get(r["code"], 0),
                    detail=(_("导入：%(old)s → %(new)s") % {"old": r["old"], "new": r["new"]})[:200],
                    actor=acting_user, source=LedgerEvent.Source.IMPORT)
        for r in rows], batch_size=2000)
    return len(rows)


def import_member_events(changed: pa.Table, existing: pa.Table, *, acting_user, reason: str,
                         when: datetime.datetime | None = None) -> int:
    """Ledger events (人口自然变更, one 人次 each) for members whose 人员状态 an import changed from 正常 to
    死亡 or 迁出. Keys are (household_id, id_number)."""
    if changed.num_rows == 0 or "status" not in changed.column_names:
        return 0
    keys = ["household_id", "id_number"]
    pairs = (changed.select([*keys, "status"]).rename_columns([*keys, "new"])
             .join(existing.select([*keys, "status"]).rename_columns([*keys, "old"]), keys=keys,
                   join_type="inner", use_threads=False))
    events = pairs.join(_transitions_table(_MEMBER_TRANSITIONS), keys=["old", "new"], join_type="inner",
                        use_threads=False)
    if events.num_rows == 0:
        return 0
    from jingzhun.registry.models import Household

    codes = sorted(set(events["household_id"].to_pylist()))
    heads = {}
    for start in range(0, len(codes), 2000):
        heads.update(Household.objects.filter(code__in=codes[start:start + 2000]).values_list("code", "head_name"))
    effective = timezone.localdate(when) if when else clock.today()
    rows = events.to_pylist()
    LedgerEvent.objects.bulk_create([
        LedgerEvent(type=LedgerEvent.Type.NATURAL, effective=effective, household=r["household_id"],
                    village=r["household_id"][:12], head_name=heads.get(r["household_id"], ""), persons=1,
                    change=r["event"], detail=(_("导入：成员 %(old)s → %(new)s") % {"old": r["old"], "new": r["new"]})[:200],
                    actor=acting_user, source=LedgerEvent.Source.IMPORT)
        for r in rows], batch_size=2000)
    return len(rows)


def _heads(codes: list[str]) -> dict[str, str]:
    from jingzhun.registry.models import Household

    heads: dict[str, str] = {}
    for start in range(0, len(codes), 2000):
        heads.update(Household.objects.filter(code__in=codes[start:start + 2000]).values_list("code", "head_name"))
    return heads


def import_new_household_events(new: pa.Table, existing: pa.Table, *, acting_user,
                                when: datetime.datetime | None = None) -> int:
    """新识别 for households an import creates as 未脱贫 in villages that already had households.

    A village's first load is the registry arriving, not a change; a household added later to a village
    already kept here is a new identification that did not go through the procedure, and is counted.
    """
    if new.num_rows == 0 or "status" not in new.column_names or existing.num_rows == 0:
        return 0
    villages_before = pa.array(sorted(set(existing["village_id"].to_pylist())), pa.string())
    added = new.filter(pc.and_(pc.equal(new["status"], vocab.PovertyStatus.POOR.value),
                               pc.is_in(new["village_id"], value_set=villages_before)))
    if added.num_rows == 0:
        return 0
    from jingzhun.registry.models import Member

    codes = added["code"].to_pylist()
    persons: dict[str, int] = {}
    for start in range(0, len(codes), 2000):
        persons.update(Member.objects.filter(household_id__in=codes[start:start + 2000], status=vocab.MemberStatus.NORMAL)
                       .values_list("household_id").annotate(n=Count("id")).values_list("household_id", "n"))
    heads = _heads(codes)
    effective = timezone.localdate(when) if when else clock.today()
    LedgerEvent.objects.bulk_create([
        LedgerEvent(type=LedgerEvent.Type.NEW, effective=effective, household=code, village=code[:12],
                    head_name=heads.get(code, ""), persons=persons.get(code, 0), detail=_("导入：新增未脱贫户"),
                    actor=acting_user, source=LedgerEvent.Source.IMPORT)
        for code in codes], batch_size=2000)
    return len(codes)


def import_new_member_events(new: pa.Table, new_households: pa.Table | None, *, acting_user,
                             when: datetime.datetime | None = None) -> int:
    """人口自然变更 (one 人次 each) for 正常 members an import adds to households that already existed."""
    if new.num_rows == 0:
        return 0
    added = new.filter(pc.equal(new["status"], vocab.MemberStatus.NORMAL.value)) if "status" in new.column_names else new
    if new_households is not None and new_households.num_rows:
        added = added.filter(pc.invert(pc.is_in(added["household_id"], value_set=new_households["code"])))
    if added.num_rows == 0:
        return 0
    codes = added["household_id"].to_pylist()
    heads = _heads(sorted(set(codes)))
    effective = timezone.localdate(when) if when else clock.today()
    LedgerEvent.objects.bulk_create([
        LedgerEvent(type=LedgerEvent.Type.NATURAL, effective=effective, household=code, village=code[:12],
                    head_name=heads.get(code, ""), persons=1, detail=_("导入：新增成员"),
                    actor=acting_user, source=LedgerEvent.Source.IMPORT)
        for code in codes], batch_size=2000)
    return len(codes)


def import_events(sender=None, *, households: tuple[pa.Table, pa.Table, pa.Table] | None,
                  members: tuple[pa.Table, pa.Table, pa.Table] | None, acting_user, reason: str,
                  when: datetime.datetime | None = None, **signal_kwargs) -> int:
    """Every ledger event of one import: `households` and `members` are (new, changed, existing) as the
    registry upsert split them (existing = the stored rows before the import). Returns the count.
    Connected to `jingzhun.registry.signals.registry_upserted` (WorkflowsConfig.ready).
    The events' words are in the site's language, whoever ran the import."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _import_events(households=households, members=members, acting_user=acting_user, reason=reason,
                              when=when)


def _import_events(*, households, members, acting_user, reason: str, when) -> int:
    count = 0
    if households is not None:
        new, changed, existing = households
        count += import_household_events(changed, existing, acting_user=acting_user, reason=reason, when=when)
        count += import_new_household_events(new, existing, acting_user=acting_user, when=when)
    if members is not None:
        new, changed, existing = members
        count += import_member_events(changed, existing, acting_user=acting_user, reason=reason, when=when)
        count += import_new_member_events(new, households[0] if households else None, acting_user=acting_user,
                                          when=when)
    return count
