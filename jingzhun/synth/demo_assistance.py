"""帮扶 in the demo county: synthetic measures, visits, loans, teams and projects (synth/assistance.py), and
the demo's sign-in users of the help side — the cadre (`cadre`, already the 帮扶责任人 of households in
下高池村) and a member of 下高池村's 驻村工作队 (`workteam`), who becomes its 第一书记.

Visits of the demo cadre's households are recorded by the demo cadre; the others by `synth-visits`, an
account that cannot sign in (a visit needs a user; the generated cadres have none).
"""

from __future__ import annotations

import datetime

from jingzhun.accounts.models import Role, User
from jingzhun.assistance.models import WorkTeamMember
from jingzhun.assistance.vocab import TeamRole
from jingzhun.orgunits.models import OrgUnit

from .assistance import SynthAssistance, assistance_load
from .demo import DEMO_COUNTY, DEMO_VILLAGE

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
                           visitor=demo_visitor(county))
    demo_team_member_link()
    return made


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
