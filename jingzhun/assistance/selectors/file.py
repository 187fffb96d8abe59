"""一户一档 and 明白卡: everything about one household gathered for its file, and what its card shows.

Both are reads of a household the user reaches (`household_get`: out of reach is a 404), masked through
the same `Access` as the household page: ID numbers and phones in full only for the record keepers.
The 明白卡 hangs on the household's wall, so it carries no ID number and no health detail at all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.monitoring.models import LeadEvidence
from jingzhun.monitoring.selectors import leads_for
from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import sees_card_phone
from jingzhun.registry import selectors as registry_selectors
from jingzhun.registry import vocab as registry_vocab
from jingzhun.registry.models import Household
from jingzhun.workflows.models import IncomeVerification, NoticePhoto, Procedure, StepRecord
from jingzhun.workflows.selectors import batches_for, procedures_for

from ..models import (CadreAssignment, Loan, Measure, MeasureEvidence, Project, ResponsibilityLetter, Visit,
                      VisitPhoto, WorkTeam)
from ..vocab import measure_types

#: 健康帮扶: a measure whose name and details tell an illness; the card shows only its type and amount.
HEALTH_TYPES = frozenset({"health"})


# --- 一户一档 -------------------------------------------------------------------------------------------

@dataclass
class EvidenceItem:
    """One evidence file: its name, date, what it belongs to, and the audited download ("" when none exists)."""

    name: str
    at: datetime.date | datetime.datetime | None
    of: str
    url: str = ""


@dataclass
class EvidenceGroup:
    kind: str
    items: list[EvidenceItem]


@dataclass
class HouseholdFile:
    """What 一户一档 shows of one household, already masked for the reader."""

    household: Household
    access: Access
    members: list
    member_count: int
    per_capita: Decimal | None
    head_id_shown: str
    phone_shown: str
    cadre_phone_shown: str
    income_verifications: list
    procedures: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    measure_years: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    loans: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    evidence: list[EvidenceGroup] = field(default_factory=list)
    printed_at: datetime.datetime | None = None


def type_name(measure: Measure) -> str:
    """The measure type's name (data/measure_types.toml), translated where the catalogue has it."""
    return _(measure.get_type_display())


def measure_details(measure: Measure) -> str:
    """The type's details of a measure as "label：value；…", in the order of measure_types.toml."""
    spec = measure_types().get(measure.type)
    if spec is None or not measure.details:
        return ""
    shown = []
    for detail in spec.details:
        value = measure.details.get(detail.key)
        if value in (None, ""):
            continue
        if detail.kind == "bool":
            value = _("是") if value else _("否")
        shown.append(_("%(label)s：%(value)s") % {"label": _(detail.label), "value": value})
    return _("；").join(shown)


def _procedures(user, household: Household) -> list[Procedure]:
    procedures = list(procedures_for(user).filter(household=household).select_related("opened_by")
                      .prefetch_related(Prefetch("records", queryset=StepRecord.objects.select_related("actor")
                                                 .order_by("at", "id")))
                      .order_by("opened_at", "id"))
    for procedure in procedures:
        procedure.steps_shown = list(procedure.records.all())
    return procedures


def _leads(user, household: Household, access: Access) -> list:
    leads = list(leads_for(user).filter(household=household).prefetch_related("events", "evidence")
                 .order_by("created_at", "id"))
    for lead in leads:
        lead.id_shown = access.mask_id(lead.id_number)
        lead.phone_shown = access.mask_phone(lead.phone)
        # 困难描述 and 核实说明 tell of illness and hospital bills: for those who verify and decide only,
        # as on the lead's own page (monitoring.views._narrative)
        lead.description_shown = lead.description if access.sees_full_ids or not lead.description \
            else _("（仅办理人员可见）")
        lead.reason_shown = lead.result_reason if access.sees_full_ids or not lead.result_reason \
            else _("（仅办理人员可见）")
    return leads


def _measure_years(household: Household) -> list[dict]:
    """[{year, types: [{name, measures}]}], newest year first, types in the file's order."""
    order = {code: i for i, code in enumerate(measure_types())}
    measures = sorted(household.measures.select_related("member").prefetch_related("evidence"),
                      key=lambda m: (-m.year, order.get(m.type, len(order)), m.start, m.pk))
    years = []
    for year, in_year in groupby(measures, key=lambda m: m.year):
        in_year = list(in_year)
        for m in in_year:
            m.details_shown = measure_details(m)
        types = [{"name": type_name(group[0]), "measures": group}
                 for group in (list(g) for _code, g in groupby(in_year, key=lambda m: m.type))]
        years.append({"year": year, "types": types,
                      "total": sum((m.amount or Decimal(0) for m in in_year), Decimal(0))})
    return years


def _evidence(user, household: Household, procedures: list[Procedure], leads: list, measure_years: list[dict],
              visits: list, letters: list) -> list[EvidenceGroup]:
    """The household's evidence files by kind, each linked to its audited download where one exists."""
    steps = [EvidenceItem(r.evidence_name or r.evidence.name, r.at, f"{p.get_kind_display()}·{r.step_label}",
                          reverse("workflows:evidence", args=[r.pk]))
             for p in procedures for r in p.steps_shown if r.evidence]
    # 公示照片 of the notices that listed the household, where the reader reaches the notice (a cadre
    # reaches none: a notice lists other households too)
    photos = [EvidenceItem(ph.name, ph.uploaded_at, ph.batch.title, reverse("workflows:notice_photo", args=[ph.pk]))
              for ph in NoticePhoto.objects.filter(batch__in=batches_for(user),
                                                   batch__procedures_listed__in=[p.pk for p in procedures])
              .select_related("batch").distinct().order_by("uploaded_at", "id")]
    measures = [EvidenceItem(e.name, e.uploaded_at, f"{m.year} {type_name(m)}·{m.name}",
                             reverse("assistance:measure_evidence", args=[e.pk]))
                for y in measure_years for t in y["types"] for m in t["measures"] for e in m.evidence.all()]
    visit_photos = [EvidenceItem(ph.name, v.visited_on, _("%(day)s 走访") % {"day": v.visited_on.isoformat()},
                                 reverse("assistance:visit_photo", args=[ph.pk]))
                    for v in visits for ph in v.photos.all()]
    lead_items = [EvidenceItem(e.name, e.at, str(lead), reverse("monitoring:lead_evidence", args=[e.pk]))
                  for lead in leads for e in lead.evidence.all()]
    letter_items = [EvidenceItem(letter.name, letter.signed_on, _("%(year)s 年度帮扶责任书（%(name)s）")
                                 % {"year": letter.year, "name": letter.cadre.name},
                                 reverse("assistance:letter_download", args=[letter.pk])) for letter in letters]
    return [
        EvidenceGroup(_("程序步骤佐证材料"), steps),
        EvidenceGroup(_("公示照片"), photos),
        EvidenceGroup(_("帮扶措施佐证材料"), measures),
        EvidenceGroup(_("走访照片"), visit_photos),
        EvidenceGroup(_("监测线索佐证材料（承诺授权书）"), lead_items),
        EvidenceGroup(_("帮扶责任书"), letter_items),
    ]


def household_file(user, code: str) -> HouseholdFile:
    """一户一档 of a household in reach (404 otherwise), masked for `user`."""
    household = registry_selectors.household_get(user, code)
    access = access_for(user)
    members = list(household.members.all())
    for member in members:
        member.id_shown = access.mask_id(member.id_number)
    normal = sum(1 for m in members if m.status == registry_vocab.MemberStatus.NORMAL)
    cadre = household.cadre
    hf = HouseholdFile(
        household=household, access=access, members=members, member_count=normal,
        per_capita=household.per_capita_income(normal), head_id_shown=access.mask_id(household.head_id_number),
        phone_shown=access.mask_phone(household.phone),
        cadre_phone_shown=access.mask_phone(cadre.phone) if cadre else "",
        income_verifications=list(IncomeVerification.objects.filter(household=household).order_by("verified_on", "id")),
        printed_at=timezone.localtime())
    hf.procedures = _procedures(user, household)
    hf.leads = _leads(user, household, access)
    hf.measure_years = _measure_years(household)
    hf.visits = list(Visit.objects.filter(household=household).select_related("visitor")
                     .prefetch_related("photos").order_by("-visited_on", "-id"))
    hf.loans = list(Loan.objects.filter(household=household).select_related("borrower")
                    .prefetch_related("installments").order_by("-disbursed_on", "id"))
    hf.projects = list(Project.objects.filter(beneficiaries=household).order_by("-year", "code"))
    hf.assignments = list(CadreAssignment.objects.filter(household=household).select_related("cadre")
                          .order_by("-start", "-id"))
    hf.letters = list(ResponsibilityLetter.objects.filter(cadre=cadre).select_related("cadre")
                      .order_by("-year")) if cadre else []
    hf.evidence = _evidence(user, household, hf.procedures, hf.leads, hf.measure_years, hf.visits, hf.letters)
    return hf


# --- 明白卡 -----------------------------------------------------------------------------------------------

@dataclass
class CardLine:
    """A measure or policy the household enjoys in the year, as the card words it."""

    kind: str
    name: str
    who: str
    amount: Decimal | None


@dataclass
class Card:
    """What a 明白卡 shows: no ID number, no health detail (it hangs on the wall)."""

    code: str
    year: int
    head_name: str
    village: str
    township: str
    county: str
    member_count: int
    cadre_name: str
    cadre_unit: str
    cadre_phone: str
    lines: list[CardLine]
    total: Decimal
    loans: list[dict]
    income_year: int
    income_items: list[tuple[str, Decimal]]
    net_income: Decimal
    per_capita: Decimal | None
    verified: IncomeVerification | None
    help_units: list[str]


def _card(household: Household, year: int, access: Access, teams: dict[str, list[WorkTeam]]) -> Card:
    members = [m for m in household.members.all() if m.status == registry_vocab.MemberStatus.NORMAL]
    lines = []
    order = {code: i for i, code in enumerate(measure_types())}
    for m in sorted(household.card_measures, key=lambda m: (order.get(m.type, len(order)), m.start, m.pk)):
        if m.type in HEALTH_TYPES:  # neither the illness (name, details) nor who has it
            lines.append(CardLine(type_name(m), "", "", m.amount))
        else:
            lines.append(CardLine(type_name(m), m.name, m.member.name if m.member else "", m.amount))
    loans = [{"bank": loan.bank, "amount": loan.amount, "term_months": loan.term_months,
              "subsidy_percent": loan.subsidy_percent, "disbursed_on": loan.disbursed_on, "due_on": loan.due_on}
             for loan in household.card_loans]
    cadre = household.cadre
    village = household.village
    township = village.parent
    units = []
    if cadre and cadre.work_unit:
        units.append(_("帮扶单位：%(unit)s") % {"unit": cadre.work_unit})
    for team in teams.get(village.code, []):
        if team.help_unit:
            units.append(_("驻村工作队派出单位：%(unit)s") % {"unit": team.help_unit.name})
    verified = household.card_verifications[-1] if household.card_verifications else None
    cadre_phone = ""
    if cadre and cadre.phone:
        cadre_phone = cadre.phone if sees_card_phone(access, cadre.user_id) else access.mask_phone(cadre.phone)
    return Card(
        code=household.code, year=year, head_name=household.head_name, village=village.name,
        township=township.name if township else "", county=township.parent.name if township and township.parent else "",
        member_count=len(members), cadre_name=cadre.name if cadre else "", cadre_unit=cadre.work_unit if cadre else "",
        cadre_phone=cadre_phone, lines=lines,
        total=sum((line.amount or Decimal(0) for line in lines), Decimal(0)), loans=loans,
        income_year=household.income_year,
        income_items=[(_("工资性收入"), household.wage_income), (_("生产经营性收入"), household.business_income),
                      (_("财产性收入"), household.property_income), (_("转移性收入"), household.transfer_income),
                      (_("生产经营性支出"), household.business_expense)],
        net_income=household.net_income, per_capita=household.per_capita_income(len(members)),
        verified=verified, help_units=units)


def _card_households(qs: QuerySet[Household], year: int) -> QuerySet[Household]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return qs.select_related("village__parent__parent", "cadre").prefetch_related(
        "members",
        Prefetch("measures", to_attr="card_measures",
                 queryset=Measure.objects.filter(year=year).select_related("member").order_by("type", "start", "id")),
        Prefetch("loans", to_attr="card_loans",
                 queryset=Loan.objects.filter(disbursed_on__lte=end, due_on__gte=start).order_by("disbursed_on", "id")),
        Prefetch("income_verifications", to_attr="card_verifications",
                 queryset=IncomeVerification.objects.filter(verified_on__year=year).order_by("verified_on", "id")))


def _teams(village_codes: set[str], year: int) -> dict[str, list[WorkTeam]]:
    """The 驻村工作队 stationed in each village during the year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    teams: dict[str, list[WorkTeam]] = {}
    for team in (WorkTeam.objects.filter(village_id__in=village_codes, start__lte=end)
                 .filter(Q(end__isnull=True) | Q(end__gte=start)).select_related("help_unit").order_by("start", "id")):
        teams.setdefault(team.village_id, []).append(team)
    return teams


def household_card(user, code: str, year: int) -> Card:
    """The 明白卡 of a household in reach (404 otherwise) for `year`."""
    household = registry_selectors.household_get(user, code)
    household = _card_households(Household.objects.filter(pk=household.pk), year).get()
    return _card(household, year, access_for(user), _teams({household.village_id}, year))


def village_cards(user, code: str, year: int) -> tuple[OrgUnit, list[Card]]:
    """A village in reach (404 otherwise, and for a unit that is not a village) and the cards of its
    households the user reaches (an assistance cadre: their own), in 户编号 order."""
    unit = registry_selectors.unit_get(user, code)
    if unit.level != Level.VILLAGE:
        raise Http404("not a village")
    access = access_for(user)
    households = _card_households(registry_selectors.households_for(user).filter(village_id=unit.code), year)
    teams = _teams({unit.code}, year)
    return unit, [_card(h, year, access, teams) for h in households.order_by("code")]
