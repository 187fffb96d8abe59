"""Writes about the people who help: 帮扶单位, 驻村工作队 and members, 帮扶责任人, their pairings, 帮扶责任书.

Every function is keyword-only and runs in one transaction; it checks the role with the named checks of
`orgunits.permissions` (Refused) and reach through the selectors (OutOfReach, a 404), and raises
`PeopleError` — a Chinese message for the person — having written nothing when the input is wrong. The
records carry simple_history rows naming the user; a pairing's history is its `CadreAssignment` rows plus
the household's own history row (written through the registry's service).
"""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_manage_help_units,
    may_manage_helpers,
    reach_code,
    require,
)
from jingzhun.orgunits.roles import Role
from jingzhun.registry import services as registry_services
from jingzhun.registry.models import AssistanceCadre, Household

from ..models import CadreAssignment, HelpUnit, ResponsibilityLetter, WorkTeam, WorkTeamMember
from ..vocab import TeamRole

NAME_MAX = 64
UNIT_NAME_MAX = 128
PHONE_MAX = 20
REASON_MAX = 200
#: A scanned, signed letter of a few pages; larger files are refused before they are read.
LETTER_MAX_BYTES = 10 * 1024 * 1024
#: The years a 帮扶责任书 may be for: from the 建档立卡 of 2014 to next year (signed in advance).
FIRST_LETTER_YEAR = 2014
#: Roles of which a team keeps one in post at a time.
SINGLE_ROLES = (TeamRole.LEADER, TeamRole.FIRST_SECRETARY)


class PeopleError(Exception):
    """A write that cannot be made as asked; the message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value, limit: int, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PeopleError(_("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise PeopleError(_("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit})
    return value


def _phone(value) -> str:
    value = (value or "").strip()
    if len(value) > PHONE_MAX or (value and not value.replace("-", "").isdigit()):
        raise PeopleError(_("联系电话应为数字，不超过 %(n)d 位。") % {"n": PHONE_MAX})
    return value


def _date(value, label: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise PeopleError(_("请填写%(label)s。") % {"label": label})
    if value > timezone.localdate():
        raise PeopleError(_("%(label)s不能晚于今天。") % {"label": label})
    return value


def _saved(instance, acting_user, reason: str = "") -> None:
    instance._history_user = acting_user
    instance._change_reason = reason
    instance.save()


def _county(value) -> OrgUnit:
    unit = value if isinstance(value, OrgUnit) else OrgUnit.objects.filter(code=str(value or "")).first()
    if unit is None or unit.level != Level.COUNTY:
        raise PeopleError(_("请选择所属县。"))
    return unit


def _within_county(acting_user, county: OrgUnit) -> None:
    """The county itself in reach, or the user's own unit inside it (a township creating its cadres)."""
    access = access_for(acting_user)
    if not (access.reaches_code(county.code) or (access.active and access.prefix.startswith(county.code))):
        reach_code(access, county.code)


# --- 帮扶单位 -------------------------------------------------------------------------------------------

def _unit_fields(name, level) -> tuple[str, str]:
    return _text(name, UNIT_NAME_MAX, _("单位名称")), _text(level, 16, _("单位层级"), required=False)


@transaction.atomic
def help_unit_create(*, county, name: str, level: str = "", acting_user) -> HelpUnit:
    """Record a 帮扶单位 of a county (its name unique in the county)."""
    require(may_manage_help_units(acting_user), _("帮扶单位由县级管理员维护。"))
    county = _county(county)
    reach_code(acting_user, county.code)
    name, level = _unit_fields(name, level)
    if HelpUnit.objects.filter(county=county, name=name).exists():
        raise PeopleError(_("本县已有名为“%(name)s”的帮扶单位。") % {"name": name})
    unit = HelpUnit(county=county, name=name, level=level)
    _saved(unit, acting_user)
    return unit


@transaction.atomic
def help_unit_update(*, unit_id: int, name: str, level: str = "", acting_user) -> HelpUnit:
    """Rename a 帮扶单位 or change its level (the old values stay in its history)."""
    from ..selectors.people import help_units_for

    require(may_manage_help_units(acting_user), _("帮扶单位由县级管理员维护。"))
    unit = get_in_reach(help_units_for(acting_user).select_for_update(), pk=unit_id)
    reach_code(acting_user, unit.county_id)
    name, level = _unit_fields(name, level)
    if HelpUnit.objects.filter(county_id=unit.county_id, name=name).exclude(pk=unit.pk).exists():
        raise PeopleError(_("本县已有名为“%(name)s”的帮扶单位。") % {"name": name})
    unit.name, unit.level = name, level
    _saved(unit, acting_user)
    return unit


# --- 驻村工作队 -------------------------------------------------------------------------------------------

def _help_unit_of(help_unit, county_code: str) -> HelpUnit | None:
    if help_unit in (None, ""):
        return None
    unit = help_unit if isinstance(help_unit, HelpUnit) else HelpUnit.objects.filter(pk=help_unit).first()
    if unit is None or unit.county_id != county_code:
        raise PeopleError(_("派出单位须是本县的帮扶单位。"))
    return unit


@transaction.atomic
def team_station(*, village, help_unit=None, start: datetime.date, acting_user) -> WorkTeam:
    """Station a 驻村工作队 in a village; a village has one team in post at a time."""
    require(may_manage_helpers(acting_user), _("驻村工作队由乡镇或县派驻。"))
    unit = village if isinstance(village, OrgUnit) else OrgUnit.objects.filter(code=str(village or "")).first()
    if unit is None or unit.level != Level.VILLAGE:
        raise PeopleError(_("请选择驻村的村。"))
    reach_code(acting_user, unit.code)
    help_unit = _help_unit_of(help_unit, unit.code[:6])
    start = _date(start, _("派驻日期"))
    # Two officers stationing a team in one village at once: the village row's lock orders them.
    OrgUnit.objects.select_for_update().filter(code=unit.code).first()
    if WorkTeam.objects.filter(village=unit, end__isnull=True).exists():
        raise PeopleError(_("该村已有在岗的驻村工作队，请先结束其任期。"))
    team = WorkTeam(village=unit, help_unit=help_unit, start=start)
    _saved(team, acting_user)
    return team


def _locked_team(acting_user, team_id: int) -> WorkTeam:
    from ..selectors.people import teams_for

    require(may_manage_helpers(acting_user), _("驻村工作队由乡镇或县派驻。"))
    return get_in_reach(teams_for(acting_user).select_for_update(of=("self",)), pk=team_id)


def _end(start: datetime.date, end, label: str) -> datetime.date:
    end = _date(end, label)
    if end < start:
        raise PeopleError(_("%(label)s不能早于开始日期（%(start)s）。") % {"label": label, "start": start.isoformat()})
    return end


@transaction.atomic
def team_end(*, team_id: int, end: datetime.date, acting_user) -> WorkTeam:
    """End a team's term (撤离); its members still in post leave the same day."""
    team = _locked_team(acting_user, team_id)
    if team.end is not None:
        raise PeopleError(_("该工作队的任期已经结束。"))
    team.end = _end(team.start, end, _("撤离日期"))
    for member in team.members.select_for_update().filter(end__isnull=True):
        member.end = max(team.end, member.start)
        _saved(member, acting_user, _("工作队撤离"))
    _saved(team, acting_user)
    return team


def _team_user(user, team: WorkTeam):
    """A sign-in for a member: a 驻村工作队 account bound to the team's village, not linked elsewhere in post."""
    if user in (None, ""):
        return None
    if not isinstance(user, get_user_model()):
        user = get_user_model().objects.filter(pk=user).first()
    if user is None or user.role != Role.WORK_TEAM or user.org_unit_id != team.village_id:
        raise PeopleError(_("登录账号须是绑定到本村的“驻村工作队”角色账号。"))
    if WorkTeamMember.objects.filter(user=user, end__isnull=True).exists():
        raise PeopleError(_("该登录账号已关联一名在岗队员。"))
    return user


@transaction.atomic
def team_member_add(*, team_id: int, name: str, role: str, phone: str = "", help_unit=None,
                    start: datetime.date, user=None, acting_user) -> WorkTeamMember:
    """Add a member (队长 / 第一书记 / 队员) to a team in post; a team has one 队长 and one 第一书记 at a time."""
    team = _locked_team(acting_user, team_id)
    if team.end is not None:
        raise PeopleError(_("该工作队的任期已经结束，不能再添加队员。"))
    if role not in TeamRole.values:
        raise PeopleError(_("请选择职务。"))
    name, phone = _text(name, NAME_MAX, _("姓名")), _phone(phone)
    start = _date(start, _("到岗日期"))
    if start < team.start:
        raise PeopleError(_("到岗日期不能早于工作队的派驻日期（%(d)s）。") % {"d": team.start.isoformat()})
    if role in SINGLE_ROLES and team.members.filter(role=role, end__isnull=True).exists():
        raise PeopleError(_("该工作队已有在岗的%(role)s，请先办理其离岗。") % {"role": TeamRole(role).label})
    member = WorkTeamMember(team=team, name=name, role=role, phone=phone, start=start,
                            help_unit=_help_unit_of(help_unit, team.village_id[:6]) or team.help_unit,
                            user=_team_user(user, team))
    _saved(member, acting_user)
    return member


@transaction.atomic
def team_member_end(*, member_id: int, end: datetime.date, acting_user) -> WorkTeamMember:
    """A member leaves the team (离岗); the record stays with its term."""
    from ..selectors.people import teams_for

    require(may_manage_helpers(acting_user), _("驻村工作队由乡镇或县派驻。"))
    member = get_in_reach(WorkTeamMember.objects.select_for_update().filter(team__in=teams_for(acting_user)),
                          pk=member_id)
    if member.end is not None:
        raise PeopleError(_("该队员已经离岗。"))
    member.end = _end(member.start, end, _("离岗日期"))
    _saved(member, acting_user)
    return member


# --- 帮扶责任人 -------------------------------------------------------------------------------------------

def _cadre_user(user, county: OrgUnit, cadre: AssistanceCadre | None = None):
    if user in (None, ""):
        return None
    if not isinstance(user, get_user_model()):
        user = get_user_model().objects.filter(pk=user).first()
    if user is None or user.role != Role.CADRE or not (user.org_unit_id or "").startswith(county.code):
        raise PeopleError(_("登录账号须是本县的“帮扶责任人”角色账号。"))
    if AssistanceCadre.objects.filter(user=user).exclude(pk=getattr(cadre, "pk", None)).exists():
        raise PeopleError(_("该登录账号已关联另一名帮扶责任人。"))
    return user


@transaction.atomic
def cadre_create(*, county, name: str, work_unit: str = "", phone: str = "", user=None,
                 acting_user) -> AssistanceCadre:
    """Record a 帮扶责任人 of a county (one person per county, known by name and phone, as imports match them)."""
    require(may_manage_helpers(acting_user), _("帮扶责任人由乡镇或县维护。"))
    county = _county(county)
    _within_county(acting_user, county)
    name, phone = _text(name, NAME_MAX, _("姓名")), _phone(phone)
    work_unit = _text(work_unit, UNIT_NAME_MAX, _("帮扶单位"), required=False)
    if AssistanceCadre.objects.filter(county=county, name=name, phone=phone).exists():
        raise PeopleError(_("本县已有同名同电话的帮扶责任人“%(name)s”。") % {"name": name})
    cadre = AssistanceCadre(county=county, name=name, work_unit=work_unit, phone=phone,
                            user=_cadre_user(user, county))
    _saved(cadre, acting_user)
    return cadre


def _outside(acting_user, cadre: AssistanceCadre) -> int:
    """Households this cadre serves that the user does not reach."""
    return Household.objects.filter(cadre=cadre).exclude(access_for(acting_user).household_q()).count()


@transaction.atomic
def cadre_update(*, cadre_id: int, name: str, work_unit: str = "", phone: str = "", user=None,
                 acting_user) -> AssistanceCadre:
    """Change a cadre's name, unit, phone or sign-in (the old values stay in the cadre's history).

    A cadre record is shared by every household they serve: someone who does not reach all of them may
    not change it (as the registry's import refuses, `registry.services.cadre_conflicts`)."""
    from ..selectors.people import cadres_for

    require(may_manage_helpers(acting_user), _("帮扶责任人由乡镇或县维护。"))
    cadre = get_in_reach(cadres_for(acting_user).select_for_update(), pk=cadre_id)
    outside = _outside(acting_user, cadre)
    if outside:
        raise PeopleError(_("该帮扶责任人还帮扶着你辖区以外的 %(n)d 户，其信息请由县级管理员修改。") % {"n": outside})
    name, phone = _text(name, NAME_MAX, _("姓名")), _phone(phone)
    work_unit = _text(work_unit, UNIT_NAME_MAX, _("帮扶单位"), required=False)
    if AssistanceCadre.objects.filter(county_id=cadre.county_id, name=name, phone=phone).exclude(pk=cadre.pk).exists():
        raise PeopleError(_("本县已有同名同电话的帮扶责任人“%(name)s”。") % {"name": name})
    cadre.name, cadre.work_unit, cadre.phone = name, work_unit, phone
    cadre.user = _cadre_user(user, cadre.county, cadre)
    _saved(cadre, acting_user)
    return cadre


# --- 帮扶结对: a cadre and a household -------------------------------------------------------------------

def _opening_of(household: Household) -> datetime.date:
    """When the household's current cadre was first recorded (an import sets Household.cadre without a
    CadreAssignment): the oldest history row naming them, else today."""
    first = (household.history.filter(cadre_id=household.cadre_id).order_by("history_date")
             .values_list("history_date", flat=True).first())
    return timezone.localdate(first) if first else timezone.localdate()


def _assign(household: Household, cadre: AssistanceCadre, reason: str, acting_user) -> CadreAssignment:
    """End the current pairing and open the new one; the caller holds the household's row lock."""
    today = timezone.localdate()
    current = CadreAssignment.objects.select_for_update().filter(household=household, end__isnull=True).first()
    if current is None and household.cadre_id:
        # An imported pairing has no record yet: it is written now, closed, so reassigning keeps it.
        current = CadreAssignment.objects.create(household=household, cadre_id=household.cadre_id,
                                                 start=_opening_of(household), reason=_("导入的结对"))
    if current is not None:
        current.end = today
        current.save(update_fields=["end"])
    assignment = CadreAssignment.objects.create(household=household, cadre=cadre, start=today, reason=reason,
                                                created_by=acting_user)
    try:
        registry_services.household_cadre_set(code=household.code, cadre=cadre, acting_user=acting_user,
                                              reason=_("调整帮扶责任人：%(reason)s") % {"reason": reason})
    except ValidationError as exc:  # the household's own record fails its checks (an old import)
        raise PeopleError(_("户 %(code)s 的登记信息有误，请先更正后再调整帮扶责任人：%(problems)s")
                          % {"code": household.code, "problems": _("；").join(exc.messages)}) from None
    return assignment


def _pairing_checks(household: Household, cadre: AssistanceCadre, reason: str) -> str:
    reason = _text(reason, REASON_MAX, _("调整原因"))
    if cadre.county_id != household.code[:6]:
        raise PeopleError(_("帮扶责任人须是该户所在县的帮扶责任人。"))
    if household.cadre_id == cadre.pk:
        raise PeopleError(_("%(name)s已是该户的帮扶责任人。") % {"name": cadre.name})
    return reason


@transaction.atomic
def cadre_assign(*, household, cadre, reason: str, acting_user) -> CadreAssignment:
    """Pair a household with a cadre (调整帮扶责任人): the current pairing ends today, the new one starts today,
    and `Household.cadre` changes through the registry's service so the household's history says so too."""
    from ..selectors.people import cadres_for

    require(may_manage_helpers(acting_user), _("帮扶责任人由乡镇或县调整。"))
    access = access_for(acting_user)
    code = household.code if isinstance(household, Household) else str(household)
    # An officer and an import changing this household at once: its row lock orders them.
    household = get_in_reach(access.filter_households(Household.objects.select_for_update()), code=code)
    if not isinstance(cadre, AssistanceCadre):
        cadre = AssistanceCadre.objects.filter(pk=cadre).first() if str(cadre or "").isdigit() else None
        if cadre is None:
            raise PeopleError(_("请选择帮扶责任人。"))
    if not cadres_for(access).filter(pk=cadre.pk).exists():
        raise PeopleError(_("请选择帮扶责任人。"))
    reason = _pairing_checks(household, cadre, reason)
    return _assign(household, cadre, reason, acting_user)


@transaction.atomic
def cadre_move_all(*, from_cadre_id: int, to_cadre_id, reason: str, acting_user) -> tuple[int, int]:
    """A cadre leaves: every household of theirs in the user's reach goes to another cadre of the county, each
    pairing recorded as by `cadre_assign`. Returns (moved, left behind out of reach)."""
    from ..selectors.people import cadres_for

    require(may_manage_helpers(acting_user), _("帮扶责任人由乡镇或县调整。"))
    access = access_for(acting_user)
    source = get_in_reach(cadres_for(access), pk=from_cadre_id)
    target = cadres_for(access).filter(pk=to_cadre_id).first() if str(to_cadre_id or "").isdigit() else None
    if target is None or target.pk == source.pk:
        raise PeopleError(_("请选择接手的另一名帮扶责任人。"))
    if target.county_id != source.county_id:
        raise PeopleError(_("接手的帮扶责任人须是同一个县的。"))
    reason = _text(reason, REASON_MAX, _("调整原因"))
    households = list(access.filter_households(Household.objects.select_for_update())
                      .filter(cadre=source).order_by("code"))
    if not households:
        raise PeopleError(_("%(name)s在你的辖区内没有帮扶的户。") % {"name": source.name})
    for household in households:
        _assign(household, target, reason, acting_user)
    return len(households), _outside(acting_user, source)


# --- 帮扶责任书 -------------------------------------------------------------------------------------------

def letter_check(upload) -> str:
    """The sha256 of a signed letter that is a readable PDF of at most LETTER_MAX_BYTES, else PeopleError.

    The content decides, not the name: the file must start as a PDF does and pypdf must find its pages
    (a renamed photo or a truncated scan is refused)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    name = getattr(upload, "name", "") or _("文件")
    if upload is None or not upload.size:
        raise PeopleError(_("请选择签字后扫描的 PDF 文件。"))
    if upload.size > LETTER_MAX_BYTES:
        raise PeopleError(_("“%(name)s”有 %(mb).1f MB，责任书不能超过 %(max)d MB。")
                          % {"name": name, "mb": upload.size / 2**20, "max": LETTER_MAX_BYTES // 2**20})
    upload.seek(0)
    head = upload.read(1024)
    not_pdf = PeopleError(_("“%(name)s”不是可以打开的 PDF 文件：请上传签字后扫描的 PDF。") % {"name": name})
    if b"%PDF-" not in head:
        raise not_pdf
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, IndexError, AttributeError, RecursionError):
        raise not_pdf from None
    if pages < 1:
        raise not_pdf
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def letter_upload(*, cadre, year: int, signed_on: datetime.date, file, acting_user,
                  ip: str | None = None) -> ResponsibilityLetter:
    """Attach a cadre's signed 帮扶责任书 for a year. Uploading again for the same year replaces the letter
    shown, and the replaced one stays: its history row keeps the old file, which is never deleted."""
    from ..selectors.people import cadres_for

    require(may_manage_helpers(acting_user), _("帮扶责任书由乡镇或县上传。"))
    cadre_id = cadre.pk if isinstance(cadre, AssistanceCadre) else cadre
    cadre = get_in_reach(cadres_for(acting_user), pk=cadre_id)
    today = timezone.localdate()
    if not isinstance(year, int) or not FIRST_LETTER_YEAR <= year <= today.year + 1:
        raise PeopleError(_("年度应在 %(a)d 至 %(b)d 之间。") % {"a": FIRST_LETTER_YEAR, "b": today.year + 1})
    signed_on = _date(signed_on, _("签订日期"))
    sha256 = letter_check(file)
    name = (getattr(file, "name", "") or "letter.pdf")[:255]
    # Two uploads for one cadre and year at once: the lock makes the second replace the first, not collide.
    letter = ResponsibilityLetter.objects.select_for_update().filter(cadre=cadre, year=year).first()
    replaced = letter is not None
    if letter is None:
        letter = ResponsibilityLetter(cadre=cadre, year=year)
    letter.signed_on, letter.name, letter.uploaded_by = signed_on, name, acting_user
    letter.uploaded_at = timezone.now()
    letter.file.save(f"letter-{cadre.pk}-{year}.pdf", file, save=False)
    try:
        _saved(letter, acting_user, _("替换责任书") if replaced else "")
        audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=f"cadre {cadre.pk}", ip=ip,
                     detail={"what": "responsibility_letter", "cadre": cadre.pk, "year": year, "letter": letter.pk,
                             "file": name, "size": file.size, "sha256": sha256, "replaced": replaced})
    except BaseException:
        letter.file.delete(save=False)  # the rows roll back: the new file must not stay behind
        raise
    return letter
