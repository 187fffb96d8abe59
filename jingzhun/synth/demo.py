"""The demo county: 绛县 (140826) over its real townships and villages, one user per role."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Count

from jingzhun.accounts.models import Role, User
from jingzhun.accounts.services import user_create
from jingzhun.exchange.importer import import_sheets, sheets_from_tables
from jingzhun.registry.services import UpsertSummary
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import AssistanceCadre, Household

DEMO_COUNTY = "140826"  # 绛县, 运城市
#: (username, role, org code or None) — the township and village are those of seed 001/004's 下高池村.
DEMO_USERS = (
    ("admin", Role.SYSADMIN, None),
    ("county", Role.COUNTY_ADMIN, "140826"),
    ("township", Role.TOWNSHIP_OFFICER, "140826100"),
    ("village", Role.VILLAGE_CLERK, "140826100233"),
    ("analyst", Role.ANALYST, "1408"),
    ("evaluator", Role.EVALUATOR, "140826"),
    ("cadre", Role.CADRE, "140826"),
)


def demo_registry_load(*, county: str = DEMO_COUNTY, households: int = 3000, seed: int = 2020) -> UpsertSummary | None:
    """Generate the demo county and import it like a county file, unless it already has households."""
    from .generator import generate

    if Household.objects.filter(code__startswith=county).exists():
        return None
    registry = generate(county=county, households=households, seed=seed)
    report = import_sheets(sheets=sheets_from_tables(registry.tables, "演示数据"), via="jingzhun demo")
    if not report.ok:  # the generator writes well-formed files; this would be a bug worth a loud stop
        raise RuntimeError(f"demo data failed its own import check: {report.issues[:3]}")
    return report.summary


@transaction.atomic
def demo_users_reset() -> list[tuple[str, str, str, str]]:
    """Create (or reset the passwords of) one demo user per role; returns their credentials."""
    credentials = []
    for username, role, code in DEMO_USERS:
        unit = OrgUnit.objects.get(code=code) if code else None
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, role=role, org_unit=unit,
                               full_name=f"演示{Role(role).label}", check_password=False)
        else:
            user.set_password(password)
            user.role, user.org_unit = role, unit
            user.save()
        if role == Role.CADRE:
            _link_demo_cadre(user, code)
        credentials.append((username, password, str(Role(role).label), unit.name if unit else "全国"))
    return credentials


def _link_demo_cadre(user: User, county: str) -> None:
    """Give the cadre account the assistance cadre with the most households in the county."""
    if hasattr(user, "cadre"):
        return
    cadre = (AssistanceCadre.objects.filter(county_id=county, user__isnull=True)
             .annotate(n=Count("households")).order_by("-n", "pk").first())
    if cadre is not None:
        cadre.user = user
        cadre.save(update_fields=["user"])
