"""帮扶 in the demo county: synthetic measures, visits, loans, teams and projects (synth/assistance.py), and
the demo's sign-in users of the help side — the cadre (`cadre`, already the 帮扶责任人 of households in
下高池村) and a member of 下高池村's 驻村工作队 (`workteam`), who becomes its 第一书记.

Visits of the demo cadre's households are recorded by the demo cadre; the others by `synth-visits`, an
account that cannot sign in (a visit needs a user; the generated cadres have none).

The synthetic loans are all repaid on time; two loans in trouble are planted in 下高池村 through the loan
service, as the bank's contracts list them (`PLANTED_LOANS`): one 逾期 35 days (rule Q42) and one 不良, 120
days late (Q43) — so a clean demo's problems stay the planted ones, all in 下高池村.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from jingzhun.accounts.models import Role, User
from jingzhun.assistance.models import Loan, WorkTeamMember
from jingzhun.assistance.services.loans import loan_create, loans_refresh_status
from jingzhun.assistance.vocab import TeamRole
from jingzhun.orgunits.models import OrgUnit

from .assistance import SynthAssistance, assistance_load
from .demo import DEMO_COUNTY, DEMO_VILLAGE, age_on

#: The loans in trouble planted in 下高池村: case → (days the unpaid installment is late, the rules it trips).
PLANTED_LOANS: dict[str, tuple[int, tuple[str, ...]]] = {"loan_npl": (120, ("Q43",)), "loan_overdue": (35, ("Q42",))}

VISITOR = "synth-visits"
WORK_TEAM_USER = "workteam"


def demo_visitor(county: str = DEMO_COUNTY) -> User:
    """The account that records the synthetic visits of cadres without an account (cannot sign in)."""
    user = User.objects.filter(username=VISITOR).first()
    if user is None:
        user = User(username=VISITOR, role=Role.CADRE, org_unit=OrgUnit.objects.get(code=county),
                    full_name="合成走访记录（演示数据）", is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def demo_assistance_load(*, day: datetime.date, seed: int = 2020, county: str = DEMO_COUNTY) -> SynthAssistance | None:
    """The demo county's 帮扶 as of `day`, unless it has some already (a second `jingzhun demo`: then None).
    Needs the demo users (demo.demo_users_reset) first: the demo cadre's visits are their own."""
    county_admin = User.objects.get(username="county")
    made = assistance_load(county=county, seed=seed, as_of=day, acting_user=county_admin,
                           visitor=demo_visitor(county), late_share=0.0)
    if made is not None:
        demo_loans_in_trouble(day=day, acting_user=county_admin)
    demo_team_member_link()
    return made


def _years_later(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def demo_loans_in_trouble(*, day: datetime.date, acting_user) -> list[Loan]:
    """Plant `PLANTED_LOANS` in 下高池村: a 2-year loan to a household without one (the borrower aged 18–65),
    its first installment unpaid for the case's days, the second not yet due; then the loans' states as of
    `day` (the services judge them, as the rules do)."""
    from jingzhun.registry.models import Household

    # the last households by 户编号 (the monitoring demo takes the first ones), not 清退
    households = iter(Household.objects.filter(village_id=DEMO_VILLAGE, loans__isnull=True).exclude(status="清退")
                      .order_by("-code").prefetch_related("members"))
    planted = []
    amount, interest = Decimal("30000"), Decimal("1035.00")  # 3.45 % a year on the amount, paid by the 贴息
    for case, (days, _rules) in PLANTED_LOANS.items():
        first_due = day - datetime.timedelta(days=days)
        disbursed = _years_later(first_due, -1)
        for household in households:  # the borrower: the head, else another member of working age
            borrower = next((m for m in sorted(household.members.all(), key=lambda m: m.relation != "户主")
                             if m.status == "正常" and 18 <= age_on(m.id_number, disbursed) <= 65), None)
            if borrower is not None:
                break
        else:  # a registry too small to have one (the tests' 800-household county): plant fewer
            break
        planted.append(loan_create(
            household=household, borrower=borrower, acting_user=acting_user, bank="绛县农商银行",
            contract_no=f"DEMO-{case}", amount=amount, term_months=24, annual_rate=Decimal("3.45"),
            disbursed_on=disbursed, purpose="发展养殖", schedule="given",
            installments=[(first_due, amount / 2, interest), (_years_later(first_due, 1), amount / 2, interest / 2)]))
    loans_refresh_status(as_of=day, acting_user=acting_user)
    return planted


def demo_team_member_link() -> WorkTeamMember | None:
    """Make the demo work-team user the 第一书记 (or first member) of 下高池村's team, once."""
    user = User.objects.filter(username=WORK_TEAM_USER).first()
    if user is None:
        return None
    linked = WorkTeamMember.objects.filter(user=user).first()
    if linked is not None:
        return linked
    free = WorkTeamMember.objects.filter(team__village_id=DEMO_VILLAGE, user__isnull=True).order_by("id")
    member = free.filter(role=TeamRole.FIRST_SECRETARY).first() or free.first()
    if member is None:
        return None
    member.user = user
    member.save(update_fields=["user"])
    if user.full_name != member.name:
        user.full_name = member.name
        user.save(update_fields=["full_name"])
    return member
