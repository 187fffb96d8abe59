"""Pages of the people who help: 帮扶单位, 驻村工作队, 帮扶责任人 and their households, 帮扶责任书.

Reads go through `selectors.people` (out of reach is a 404), writes through `services.people`, buttons
and forms appear from the same named checks the services require. Phone numbers are masked for every
role that is not a record keeper (`Access.mask_phone`), the cadre's own page included.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit, subtree_q
from jingzhun.orgunits.permissions import (
    get_in_reach,
    may_manage_help_units,
    may_manage_helpers,
    may_view_unit_figures,
    reach_code,
    require,
)
from jingzhun.orgunits.roles import Role
from jingzhun.registry import selectors as registry_selectors
from jingzhun.registry.models import AssistanceCadre
from jingzhun.listing import Column, Listing
from jingzhun.workflows.common import attempt

from ..models import ResponsibilityLetter, WorkTeamMember
from ..selectors import people as selectors
from ..services import people as services
from ..services.people import PeopleError
from ..vocab import TeamRole

_DATE = forms.DateInput(attrs={"type": "date"})


# --- forms ---------------------------------------------------------------------------------------------

class HelpUnitForm(forms.Form):
    unit_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("单位名称"), max_length=services.UNIT_NAME_MAX)
    level = forms.CharField(label=gettext_lazy("单位层级"), max_length=16, required=False,
                            help_text=gettext_lazy("如：中直、省直、市直、县直、企业、其他。"))


class StationForm(forms.Form):
    village = forms.ChoiceField(label=gettext_lazy("驻村"))
    help_unit = forms.ChoiceField(label=gettext_lazy("派出单位"), required=False)
    start = forms.DateField(label=gettext_lazy("派驻日期"), widget=_DATE)

    def __init__(self, *args, root: str, county: str, **kwargs):
        super().__init__(*args, **kwargs)
        villages = OrgUnit.objects.filter(subtree_q("code", root), level=Level.VILLAGE).order_by("code")
        self.fields["village"].choices = [("", _("请选择村"))] + [(v.code, v.short_name) for v in villages]
        self.fields["help_unit"].choices = _help_unit_choices(county)


def _help_unit_choices(county: str) -> list:
    from ..models import HelpUnit

    return [("", "—")] + [(u.pk, u.name) for u in HelpUnit.objects.filter(county_id=county).order_by("name")]


class MemberForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=services.NAME_MAX)
    role = forms.ChoiceField(label=gettext_lazy("职务"), choices=TeamRole.choices)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=services.PHONE_MAX, required=False)
    help_unit = forms.ChoiceField(label=gettext_lazy("派出单位"), required=False)
    start = forms.DateField(label=gettext_lazy("到岗日期"), widget=_DATE)
    user = forms.ChoiceField(label=gettext_lazy("登录账号"), required=False,
                             help_text=gettext_lazy("可选：绑定到本村的“驻村工作队”角色账号。"))

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_unit"].choices = _help_unit_choices(team.village_id[:6])
        users = get_user_model().objects.filter(role=Role.WORK_TEAM, org_unit_id=team.village_id, is_active=True)
        self.fields["user"].choices = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in users]


class EndForm(forms.Form):
    end = forms.DateField(label=gettext_lazy("结束日期"), widget=_DATE)
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CadreForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=services.NAME_MAX)
    work_unit = forms.CharField(label=gettext_lazy("帮扶单位"), max_length=services.UNIT_NAME_MAX, required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=services.PHONE_MAX, required=False)
    user = forms.ChoiceField(label=gettext_lazy("登录账号"), required=False,
                             help_text=gettext_lazy("可选：本县的“帮扶责任人”角色账号。"))

    def __init__(self, *args, county: str, cadre: AssistanceCadre | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        users = (get_user_model().objects.filter(subtree_q("org_unit_id", county), role=Role.CADRE, is_active=True)
                 .filter(cadre__isnull=True).order_by("username"))
        choices = [(u.pk, u.get_full_name() or u.username) for u in users]
        if cadre is not None and cadre.user_id:
            choices.insert(0, (cadre.user_id, cadre.user.get_full_name() or cadre.user.username))
        self.fields["user"].choices = [("", "—")] + choices


class AssignForm(forms.Form):
    cadre = forms.ChoiceField(label=gettext_lazy("帮扶责任人"))
    reason = forms.CharField(label=gettext_lazy("调整原因"), max_length=services.REASON_MAX)

    def __init__(self, *args, cadres, exclude: int | None = None, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["cadre"].label = label
        self.fields["cadre"].choices = [("", _("请选择"))] + [
            (c.pk, str(c)) for c in cadres.order_by("name", "pk") if c.pk != exclude]


class LetterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=services.FIRST_LETTER_YEAR, max_value=2100)
    signed_on = forms.DateField(label=gettext_lazy("签订日期"), widget=_DATE)
    file = forms.FileField(label=gettext_lazy("签字扫描件（PDF）"),
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


# --- 帮扶单位 -------------------------------------------------------------------------------------------

def _county_get(user, county: str) -> OrgUnit:
    if not selectors.reaches_county(user, county):
        reach_code(user, county)  # OutOfReach: a 404 the audit records
    unit = OrgUnit.objects.filter(code=county, level=Level.COUNTY).first()
    if unit is None:
        raise Http404("no such county")
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def help_units(request, county: str):
    """A county's 帮扶单位 with their teams in post; the county adds and renames them here."""
    unit = _county_get(request.user, county)
    access = access_for(request.user)
    can_manage = may_manage_help_units(access) and access.reaches_code(unit.code)
    form = HelpUnitForm()
    if request.method == "POST":
        require(can_manage, _("帮扶单位由县级管理员维护。"))
        form = HelpUnitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if data["unit_id"]:
                call = lambda: services.help_unit_update(unit_id=data["unit_id"], name=data["name"],  # noqa: E731
                                                         level=data["level"], acting_user=request.user)
            else:
                call = lambda: services.help_unit_create(county=unit, name=data["name"], level=data["level"],  # noqa: E731
                                                         acting_user=request.user)
            ok, _unit = attempt(request, call, _("已保存帮扶单位。"), form=form, errors=PeopleError)
            if ok:
                return redirect("assistance:help_units", county=unit.code)
    today = timezone.localdate()
    from django.db.models import Count, Q

    units = (selectors.help_units_for(access).filter(county=unit)
             .annotate(teams_n=Count("teams", filter=Q(teams__end__isnull=True) | Q(teams__end__gte=today))))
    return render(request, "assistance/people/help_units.html", {
        "county": unit, "units": units, "form": form, "can_manage": can_manage})


# --- 驻村工作队 -------------------------------------------------------------------------------------------

def _year(request) -> int:
    value = request.GET.get("year", "")
    today = timezone.localdate()
    return int(value) if value.isdigit() and 2014 <= int(value) <= today.year + 1 else today.year


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request, code: str):
    """The work teams of a unit's villages: village, sending unit, members with roles and phones, term,
    and the unit's figures (teams, members, first secretaries, cadres, letters, households paired)."""
    unit = registry_selectors.unit_get(request.user, code)
    access = access_for(request.user)
    can_manage = may_manage_helpers(access)
    form = StationForm(root=unit.code, county=unit.code[:6]) if can_manage else None
    if request.method == "POST":
        require(can_manage, _("驻村工作队由乡镇或县派驻。"))
        form = StationForm(request.POST, root=unit.code, county=unit.code[:6])
        if form.is_valid():
            data = form.cleaned_data
            ok, team = attempt(request, lambda: services.team_station(
                village=data["village"], help_unit=data["help_unit"] or None, start=data["start"],
                acting_user=request.user), _("已派驻驻村工作队。"), form=form, errors=PeopleError)
            if ok:
                return redirect("assistance:team_detail", team_id=team.pk)
    year = _year(request)
    rows = (selectors.teams_for(access).filter(subtree_q("village_id", unit.code)).prefetch_related("members"))
    columns = [Column(_("驻村"), "village", ("village_id",)), Column(_("派出单位"), "unit", ("help_unit__name",)),
               Column(_("队员（职务、电话）")), Column(_("任期"), "start", ("start",))]
    listing = Listing(request.GET, rows, columns, default_sort="village", tiebreak=("-start", "pk"),
                      title=_("驻村工作队"), unit=unit.name)
    teams = list(listing.page.object_list)
    if listing.printing:  # a printed list carries members' phone numbers: audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(teams), what="team_list_print",
              unit=unit.code)
    for team in teams:
        team.shown_members = [_member_shown(access, m) for m in sorted(team.members.all(), key=selectors.member_order)]
    summary = selectors.helpers_summary(access, unit.code, year) if may_view_unit_figures(access) else None
    return render(request, "assistance/people/team_list.html", {
        "unit": unit, "teams": teams, "listing": listing, "page": listing.page, "summary": summary, "year": year,
        "form": None if listing.printing else form, "can_manage": can_manage})


def _member_shown(access, member: WorkTeamMember) -> WorkTeamMember:
    member.phone_shown = access.mask_phone(member.phone)
    return member


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request, team_id: int):
    """One team: its members over time; those who manage add and end members and end the team's term."""
    access = access_for(request.user)
    team = get_in_reach(selectors.teams_for(access), pk=team_id)
    can_manage = may_manage_helpers(access)
    member_form, end_form = MemberForm(team=team), EndForm()
    if request.method == "POST":
        require(can_manage, _("驻村工作队由乡镇或县派驻。"))
        action = request.POST.get("action", "")
        if action == "add_member":
            member_form = MemberForm(request.POST, team=team)
            if member_form.is_valid():
                data = member_form.cleaned_data
                ok, _member = attempt(request, lambda: services.team_member_add(
                    team_id=team.pk, name=data["name"], role=data["role"], phone=data["phone"],
                    help_unit=data["help_unit"] or None, start=data["start"], user=data["user"] or None,
                    acting_user=request.user), _("已添加队员。"), form=member_form, errors=PeopleError)
                if ok:
                    return redirect("assistance:team_detail", team_id=team.pk)
        elif action in ("end_member", "end_team"):
            end_form = EndForm(request.POST)
            if end_form.is_valid():
                data = end_form.cleaned_data
                if action == "end_member":
                    call = lambda: services.team_member_end(member_id=data["member"] or 0, end=data["end"],  # noqa: E731
                                                            acting_user=request.user)
                    done = _("已办理离岗。")
                else:
                    call = lambda: services.team_end(team_id=team.pk, end=data["end"], acting_user=request.user)  # noqa: E731
                    done = _("已结束工作队任期。")
                ok, _result = attempt(request, call, done, form=end_form, errors=PeopleError)
                if ok:
                    return redirect("assistance:team_detail", team_id=team.pk)
        else:
            end_form.add_error(None, _("不认识的操作。"))
        team.refresh_from_db()
    members = [_member_shown(access, m) for m in sorted(selectors.members_of(team), key=selectors.member_order)]
    return render(request, "assistance/people/team_detail.html", {
        "team": team, "members": members, "can_manage": can_manage and team.end is None,
        "member_form": member_form, "end_form": end_form, "today": timezone.localdate()})


# --- 帮扶责任人 -------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def cadre_list(request, county: str):
    """The county's cadres with their households (those the user reaches) and whether this year's 帮扶责任书
    is in; the township and county record new cadres here."""
    access = access_for(request.user)
    require(may_view_unit_figures(access), _("帮扶责任人只能查看自己帮扶的户。"))
    unit = _county_get(request.user, county)
    can_manage = may_manage_helpers(access)
    form = CadreForm(county=unit.code) if can_manage else None
    if request.method == "POST":
        require(can_manage, _("帮扶责任人由乡镇或县维护。"))
        form = CadreForm(request.POST, county=unit.code)
        if form.is_valid():
            data = form.cleaned_data
            ok, cadre = attempt(request, lambda: services.cadre_create(
                county=unit, name=data["name"], work_unit=data["work_unit"], phone=data["phone"],
                user=data["user"] or None, acting_user=request.user), _("已添加帮扶责任人。"), form=form,
                errors=PeopleError)
            if ok:
                return redirect("assistance:cadre_detail", cadre_id=cadre.pk)
    year = _year(request)
    rows = selectors.cadres_with_counts(access, unit.code, year)
    columns = [Column(_("姓名"), "name", ("name",)), Column(_("帮扶单位"), "unit", ("work_unit",)),
               Column(_("联系电话")), Column(_("帮扶户数"), "households", ("households_n",), num=True),
               Column(_("%(y)s 年责任书") % {"y": year}, "letter", ("letter_n",))]
    listing = Listing(request.GET, rows, columns, default_sort="name", tiebreak=("pk",),
                      title=_("帮扶责任人"), unit=unit.name)
    cadres = list(listing.page.object_list)
    for cadre in cadres:
        cadre.phone_shown = access.mask_phone(cadre.phone)
    if listing.printing:  # a printed list carries phone numbers (masked as on the page): audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(cadres), what="cadre_list_print",
              unit=unit.code)
    return render(request, "assistance/people/cadre_list.html", {
        "county": unit, "cadres": cadres, "listing": listing, "page": listing.page, "year": year, "form": form,
        "can_manage": can_manage and not listing.printing, "total": rows.count(),
        "without_households": rows.filter(households_n=0).count(),
        "with_letter": selectors.cadres_for(access).filter(county_id=unit.code, letters__year=year).distinct().count()})


def _cadre_page(request, cadre: AssistanceCadre, *, edit_form=None, move_form=None, letter_form=None, status=200):
    access = access_for(request.user)
    can_manage = may_manage_helpers(access)
    households = list(selectors.cadre_households(access, cadre).order_by("code"))
    for household in households:
        household.phone_shown = access.mask_phone(household.phone)
    letters = list(cadre.letters.select_related("uploaded_by").order_by("-year"))
    for letter in letters:
        letter.versions = letter.history.count()
    if can_manage:
        edit_form = edit_form or CadreForm(county=cadre.county_id, cadre=cadre, initial={
            "name": cadre.name, "work_unit": cadre.work_unit, "phone": cadre.phone, "user": cadre.user_id or ""})
        move_form = move_form or AssignForm(cadres=selectors.cadres_for(access).filter(county_id=cadre.county_id),
                                            exclude=cadre.pk, label=_("接手的帮扶责任人"))
        letter_form = letter_form or LetterForm(initial={"year": timezone.localdate().year})
    return render(request, "assistance/people/cadre_detail.html", {
        "cadre": cadre, "phone_shown": access.mask_phone(cadre.phone), "households": households,
        "assignments": selectors.assignments_of_cadre(access, cadre)[:200], "letters": letters,
        "this_year": timezone.localdate().year, "can_manage": can_manage, "own": cadre.user_id == request.user.pk,
        "edit_form": edit_form, "move_form": move_form, "letter_form": letter_form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cadre_detail(request, cadre_id: int):
    """A cadre: their households now, their pairings over time, their 帮扶责任书 by year. Those who manage
    edit the cadre and move all their households to another cadre (a cadre who leaves)."""
    access = access_for(request.user)
    cadre = get_in_reach(selectors.cadres_for(access), pk=cadre_id)
    if request.method != "POST":
        return _cadre_page(request, cadre)
    require(may_manage_helpers(access), _("帮扶责任人由乡镇或县维护。"))
    action = request.POST.get("action", "")
    if action == "edit":
        form = CadreForm(request.POST, county=cadre.county_id, cadre=cadre)
        if form.is_valid():
            data = form.cleaned_data
            ok, _cadre = attempt(request, lambda: services.cadre_update(
                cadre_id=cadre.pk, name=data["name"], work_unit=data["work_unit"], phone=data["phone"],
                user=data["user"] or None, acting_user=request.user), _("已保存帮扶责任人。"), form=form,
                errors=PeopleError)
            if ok:
                return redirect("assistance:cadre_detail", cadre_id=cadre.pk)
        return _cadre_page(request, cadre, edit_form=form)
    form = AssignForm(request.POST, cadres=selectors.cadres_for(access).filter(county_id=cadre.county_id),
                      exclude=cadre.pk, label=_("接手的帮扶责任人"))
    if action == "move_all" and form.is_valid():
        data = form.cleaned_data
        ok, result = attempt(request, lambda: services.cadre_move_all(
            from_cadre_id=cadre.pk, to_cadre_id=data["cadre"], reason=data["reason"], acting_user=request.user),
            lambda counts: _("已将 %(n)d 户调整给新的帮扶责任人。") % {"n": counts[0]}, form=form, errors=PeopleError)
        if ok:
            return redirect("assistance:cadre_detail", cadre_id=cadre.pk)
    elif action != "move_all":
        form.add_error(None, _("不认识的操作。"))
    return _cadre_page(request, cadre, move_form=form)


@login_required
def my_households(request):
    """我的帮扶对象: a signed-in cadre's own page (their households, pairings and letters)."""
    access = access_for(request.user)
    require(access.active and access.cadre_only, _("这是帮扶责任人本人的页面。"))
    cadre = AssistanceCadre.objects.filter(user=request.user).first()
    if cadre is None:
        raise Http404("no cadre record for this user")
    return redirect("assistance:cadre_detail", cadre_id=cadre.pk)


# --- 帮扶责任书 -------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def letter_upload(request, cadre_id: int):
    """The upload form lives on the cadre's page (a GET goes there, once the cadre is found in reach)."""
    access = access_for(request.user)
    cadre = get_in_reach(selectors.cadres_for(access), pk=cadre_id)
    if request.method != "POST":
        return redirect("assistance:cadre_detail", cadre_id=cadre.pk)
    require(may_manage_helpers(access), _("帮扶责任书由乡镇或县上传。"))
    form = LetterForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        ok, _letter = attempt(request, lambda: services.letter_upload(
            cadre=cadre, year=data["year"], signed_on=data["signed_on"], file=data["file"],
            acting_user=request.user, ip=client_ip(request)), _("已上传帮扶责任书。"), form=form, field="file",
            errors=PeopleError)
        if ok:
            return redirect("assistance:cadre_detail", cadre_id=cadre.pk)
    return _cadre_page(request, cadre, letter_form=form, status=400)


@login_required
def letter_download(request, letter_id: int):
    """A signed 帮扶责任书 (PDF), for whoever sees its cadre; every download leaves an audit row."""
    access = access_for(request.user)
    letter = get_in_reach(ResponsibilityLetter.objects.filter(cadre__in=selectors.cadres_for(access)), pk=letter_id)
    audit(request, AuditEvent.Action.DOWNLOAD, f"cadre {letter.cadre_id}", count=1, what="responsibility_letter",
          letter=letter.pk, year=letter.year)
    response = FileResponse(letter.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{letter.cadre_id}-{letter.year}.pdf"'
    return response


# --- the household page: 帮扶责任人 ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def cadre_assign(request, code: str):
    """调整帮扶责任人 of one household: choose a cadre of its county and say why."""
    household = registry_selectors.household_get(request.user, code)
    access = access_for(request.user)
    require(may_manage_helpers(access), _("帮扶责任人由乡镇或县调整。"))
    cadres = selectors.cadres_for(access).filter(county_id=household.code[:6])
    form = AssignForm(request.POST or None, cadres=cadres, exclude=household.cadre_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _assignment = attempt(request, lambda: services.cadre_assign(
            household=household, cadre=data["cadre"], reason=data["reason"], acting_user=request.user),
            _("已调整帮扶责任人。"), form=form, errors=PeopleError)
        if ok:
            return redirect(reverse("registry:household_detail", args=[household.code]) + "#cadre")
    return render(request, "assistance/people/cadre_assign.html", {
        "household": household, "form": form, "assignments": selectors.assignments_of_household(household),
        "cadre_phone_shown": access.mask_phone(household.cadre.phone) if household.cadre else ""})


def household_cadre_section(sender, *, household, user, access, **kwargs) -> list[dict]:
    """The household page's 帮扶责任人 section: the current cadre and the pairings over time, with 调整 for
    those who may. The page has the household in reach; the cadre's phone is masked as on the page."""
    assignments = list(selectors.assignments_of_household(household)[:50])
    cadre = household.cadre
    return [{"id": "cadre", "template": "assistance/people/_household_cadre.html", "order": 5, "context": {
        "household": household, "cadre": cadre, "assignments": assignments,
        "phone_shown": access.mask_phone(cadre.phone) if cadre else "",
        "can_assign": may_manage_helpers(access),
        "can_open_cadre": cadre is not None and selectors.cadres_for(access).filter(pk=cadre.pk).exists(),
    }}]
