"""走访: visits and edits recorded on a phone (often offline) and sent later, each exactly once.

Everything a phone sends carries a `client_id` made on the phone when it was recorded, so a sync that was
cut off after the server stored it and is sent again stores nothing twice: a repeated visit returns the
stored one, a repeated edit finds its values already in place (or its conflict already stored).

An edit carries the values the phone last read (`base`). When the server still holds them the edit is
applied through the registry's visit path (history row, only the visit fields); when someone changed them
meanwhile nothing is overwritten: an `EditConflict` keeps the three versions until the cadre chooses.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_update_from_visit, may_visit, may_write, require
from jingzhun.registry.models import Household, Member
from jingzhun.registry.services import (
    VISIT_HOUSEHOLD_FIELDS,
    VISIT_MEMBER_FIELDS,
    household_update_from_visit,
    member_update_from_visit,
)
from jingzhun.workflows.common import WorkflowError
from jingzhun.workflows.photos import photo_check

from ..models import EditConflict, Visit, VisitPhoto
from ..selectors.visits import field_value

#: Photos one visit may carry.
PHOTOS_PER_VISIT = 6
#: Longest text of each free-text field of a visit (a phone's textarea, not an essay).
TEXT_MAX = 2000


class VisitError(WorkflowError):
    """A visit or edit that cannot be stored as sent; `message` says why, in Chinese."""


@dataclass(frozen=True)
class EditOutcome:
    """What became of one edit: "applied" (now the server's values) or "conflict" (kept for the cadre)."""

    status: str
    changed: tuple[str, ...] = ()
    conflict: EditConflict | None = None


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise VisitError(_("记录编号无效，请在手机上重新记录。")) from None


def _text(value: Any, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise VisitError(_("“%(f)s”应为文字。") % {"f": label})
    value = value.strip()
    if len(value) > TEXT_MAX:
        raise VisitError(_("“%(f)s”不能超过 %(n)d 字。") % {"f": label, "n": TEXT_MAX})
    return value


def _date(value: Any, label: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise VisitError(_("“%(f)s”不是有效的日期。") % {"f": label}) from None
    if day > timezone.localdate():
        raise VisitError(_("“%(f)s”不能晚于今天。") % {"f": label})
    return day


def _moment(value: Any) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise VisitError(_("记录时间无效。")) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _coordinate(value: Any, limit: int, label: str) -> decimal.Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.000001"))
    except (decimal.InvalidOperation, ValueError):
        raise VisitError(_("“%(f)s”不是有效的坐标。") % {"f": label}) from None
    if not -limit <= number <= limit:
        raise VisitError(_("“%(f)s”不是有效的坐标。") % {"f": label})
    return number


def _household(acting_user, code: Any, *, lock: bool = False) -> Household:
    scoped = access_for(acting_user).filter_households(
        Household.objects.select_for_update() if lock else Household.objects.all())
    return get_in_reach(scoped, code=str(code))


@transaction.atomic
def visit_record(*, acting_user, client_id: Any, household_code: Any, visited_on: Any, met: Any = "",
                 situation: Any = "", needs: Any = "", done: Any = "", latitude: Any = None, longitude: Any = None,
                 recorded_at: Any) -> tuple[Visit, bool]:
    """Store one visit from the phone; (visit, created). Sent again (same client_id): the stored visit."""
    require(may_visit(acting_user), _("只有帮扶责任人、驻村工作队和村级信息员可以登记走访。"))
    key = _uuid(client_id)
    household = _household(acting_user, household_code)
    stored = Visit.objects.filter(client_id=key).first()
    if stored is not None:
        if stored.visitor_id != acting_user.pk or stored.household_id != household.code:
            raise VisitError(_("记录编号已被另一条走访使用，请在手机上重新记录。"))
        return stored, False
    fields = {
        "household": household, "visitor": acting_user, "visited_on": _date(visited_on, _("走访日期")),
        "met": _text(met, _("见到的人"))[:128], "situation": _text(situation, _("家庭情况")),
        "needs": _text(needs, _("困难和诉求")), "done": _text(done, _("帮扶举措")),
        "latitude": _coordinate(latitude, 90, _("纬度")), "longitude": _coordinate(longitude, 180, _("经度")),
        "recorded_at": _moment(recorded_at)}
    if (fields["latitude"] is None) != (fields["longitude"] is None):
        raise VisitError(_("位置不完整：经度和纬度应同时填写。"))
    # get_or_create: two syncs of one phone racing (a retry while the first is still running) store one row.
    return Visit.objects.get_or_create(client_id=key, defaults=fields)


@transaction.atomic
def visit_photo_add(*, acting_user, visit_client_id: Any, upload, photo_id: Any) -> tuple[VisitPhoto, bool]:
    """Attach one photo (checked as workflows.photos checks notices) to a visit of one's own; idempotent on
    `photo_id`, made on the phone."""
    require(may_visit(acting_user), _("只有帮扶责任人、驻村工作队和村级信息员可以登记走访。"))
    key, photo_key = _uuid(visit_client_id), _uuid(photo_id)
    visits = Visit.objects.select_for_update().filter(household__in=_in_reach(acting_user))
    visit = get_in_reach(visits, client_id=key)
    if visit.visitor_id != acting_user.pk:
        raise VisitError(_("只能为自己登记的走访添加照片。"))
    try:
        info = photo_check(upload)
    except WorkflowError as exc:
        raise VisitError(exc.message) from None
    name = f"{photo_key}{info.suffix}"
    stored = visit.photos.filter(name=name).first()
    if stored is not None:
        return stored, False
    if visit.photos.count() >= PHOTOS_PER_VISIT:
        raise VisitError(_("一次走访最多 %(n)d 张照片。") % {"n": PHOTOS_PER_VISIT})
    upload.seek(0)
    photo = VisitPhoto(visit=visit, name=name)
    photo.image.save(name, upload, save=False)
    photo.save()
    return photo, True


def _in_reach(acting_user):
    return access_for(acting_user).filter_households(Household.objects.all())


# --- Edits -----------------------------------------------------------------------------------------

def _parse(model, name: str, raw: Any) -> Any:
    """`raw` (from JSON) as the model field's Python value; VisitError (Chinese) when it is not one."""
    field = model._meta.get_field(name)
    if raw in (None, "") and field.get_internal_type() == "CharField":
        return ""
    if raw in (None, "") and field.null:
        return None
    try:
        value = field.to_python(raw)
        if value is None and not field.null:
            raise ValidationError(_("必须填写。"))
        if field.choices and value not in ("", None):
            field.validate(value, None)
    except ValidationError as exc:
        raise VisitError(_("“%(f)s”：%(e)s") % {"f": field.verbose_name, "e": "；".join(exc.messages)}) from None
    if isinstance(value, datetime.date) and value > timezone.localdate():
        raise VisitError(_("“%(f)s”不能晚于今天。") % {"f": field.verbose_name})
    return value


def _values(model, allowed: tuple[str, ...], raw: Any, label: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise VisitError(_("修改内容（%(w)s）无效。") % {"w": label})
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise VisitError(_("走访时不能修改这些项目：%(f)s。") % {"f": "、".join(unknown)})
    return {name: _parse(model, name, value) for name, value in raw.items()}


def _target(acting_user, household: Household, member_id: Any):
    if member_id in (None, ""):
        return household
    try:
        return get_in_reach(Member.objects.filter(household=household), pk=int(member_id))
    except (TypeError, ValueError):
        raise VisitError(_("家庭成员编号无效。")) from None


def _apply(acting_user, household: Household, member: Member | None, values: dict, reason: str) -> list[str]:
    try:
        if member is None:
            return household_update_from_visit(code=household.code, acting_user=acting_user, data=values,
                                               reason=reason)
        return member_update_from_visit(household_code=household.code, member_id=member.pk,
                                        acting_user=acting_user, data=values, reason=reason)
    except ValidationError as exc:
        raise VisitError("；".join(exc.messages)) from None


@transaction.atomic
def edit_apply(*, client_id: Any, household_code: Any, base: Any, values: Any, author, recorded_at: Any,
               member_id: Any = None) -> EditOutcome:
    """Apply one edit from a phone when the server still holds `base`, else keep it as an EditConflict.

    Sent again: its conflict, if one was stored; else its values are already the server's ("applied",
    nothing written twice).
    """
    require(may_update_from_visit(author), _("您的角色不能在走访中修改信息。"))
    key = _uuid(client_id)
    # The lock: a clerk's save in the office between our comparison and our write would be overwritten.
    household = _household(author, household_code, lock=True)
    stored = EditConflict.objects.filter(client_id=key).first()
    if stored is not None:
        if stored.author_id != author.pk or stored.household_id != household.code:
            raise VisitError(_("记录编号已被另一条修改使用，请在手机上重新记录。"))
        return EditOutcome("conflict", conflict=stored)
    target = _target(author, household, member_id)
    model, allowed = (Household, VISIT_HOUSEHOLD_FIELDS) if target is household else (Member, VISIT_MEMBER_FIELDS)
    wanted = _values(model, allowed, values, _("手机上的值"))
    if not isinstance(base, dict) or set(base) != set(wanted):
        raise VisitError(_("修改缺少手机读取时的原值，请在手机上刷新后重新修改。"))
    read = {name: _parse(model, name, base[name]) for name in wanted}
    current = {name: getattr(target, name) for name in wanted}
    if current == wanted:
        return EditOutcome("applied")
    if current != read:
        conflict = EditConflict.objects.create(
            client_id=key, household=household, member=target if model is Member else None,
            base={n: base[n] for n in wanted}, phone_values={n: values[n] for n in wanted},
            server_values={n: field_value(target, n) for n in wanted}, author=author,
            recorded_at=_moment(recorded_at))
        return EditOutcome("conflict", conflict=conflict)
    changed = _apply(author, household, target if model is Member else None, wanted, _("走访修改"))
    return EditOutcome("applied", changed=tuple(changed))


@transaction.atomic
def conflict_resolve(*, conflict: EditConflict, choice: str, acting_user) -> EditConflict:
    """The cadre's choice on a conflict: "phone" applies the phone's values (history row), "server" keeps
    the server's. Either way the conflict row keeps all three versions and says who chose when. The
    author chooses; a record keeper of the household may too (a cadre who left leaves no conflict open)."""
    require(may_update_from_visit(acting_user), _("您的角色不能在走访中修改信息。"))
    if choice not in (EditConflict.Resolution.KEPT_SERVER, EditConflict.Resolution.TOOK_PHONE):
        raise VisitError(_("请选择保留系统中的值或采用手机上的值。"))
    household = _household(acting_user, conflict.household_id, lock=True)
    require(conflict.author_id == acting_user.pk or may_write(acting_user),
            _("修改冲突由修改人本人或信息员处理。"))
    # Locked: two taps (or the phone and the office) choosing at once resolve it once.
    conflict = EditConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.resolution != EditConflict.Resolution.OPEN:
        if conflict.resolution == choice:
            return conflict
        raise VisitError(_("这项修改冲突已经处理过了（%(r)s）。") % {"r": conflict.get_resolution_display()})
    if choice == EditConflict.Resolution.TOOK_PHONE:
        model = Member if conflict.member_id else Household
        allowed = VISIT_MEMBER_FIELDS if conflict.member_id else VISIT_HOUSEHOLD_FIELDS
        values = _values(model, allowed, conflict.phone_values, _("手机上的值"))
        member = _target(acting_user, household, conflict.member_id) if conflict.member_id else None
        _apply(acting_user, household, member, values, _("走访修改（冲突处理：采用手机上的值）"))
    conflict.resolution = choice
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = acting_user
    conflict.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return conflict
