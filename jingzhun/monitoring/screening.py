"""排查名单: a village's households not yet monitored, riskiest first, with the model's three reasons.

The model is the one `jingzhun risk train --org CODE` stored for the village's county (or city, province);
the page says so when there is none. What the score can and cannot tell is in docs/risk-model.md: it
orders the first visits, it decides nothing — every household still goes through 入户核实.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingzhun.analytics import get_engine
from jingzhun.analytics.risk import load, screening_list
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import get_in_reach, may_screen, require
from jingzhun.orgunits.roles import Role
from jingzhun.registry.models import Household

#: How many households the page lists (the riskiest); the rest are counted.
SHOWN = 100


def risk_directory() -> Path:
    """Where `jingzhun risk train` keeps the models (one per org unit)."""
    return Path(settings.JINGZHUN_HOME) / "risk"


@login_required
@require_GET
def screening(request):
    access = access_for(request.user)
    require(may_screen(access), _("排查名单供村级信息员和乡镇、县级人员使用。"))
    villages = access.filter_units(OrgUnit.objects.filter(level=Level.VILLAGE)).order_by("code")
    code = request.GET.get("village", "")[:12] or (request.user.org_unit_id or "")
    village = None
    if len(code) == 12:
        village = get_in_reach(villages, code=code)
    rows, total, model = None, 0, None
    if village is not None:
        model = load(risk_directory(), village.code)
        if model is not None:
            with get_engine("duckdb", threads=2) as engine:
                ranked = screening_list(engine, village.code, directory=risk_directory(),
                                        mask_personal=not access.sees_full_ids) or []
            total = len(ranked)
            rows = ranked[:SHOWN]
            households = Household.objects.in_bulk([r["code"] for r in rows])
            for row in rows:
                household = households.get(row["code"])
                row["head_name"] = household.head_name if household else ""
                row["category"] = household.get_category_display() if household else ""
                row["percent"] = round(100 * row["score"], 1)
    choices = list(villages.values_list("code", "name")[:2000]) if access.role != Role.VILLAGE_CLERK else []
    metrics = (model.metadata.get("metrics") or {}) if model is not None else {}
    return render(request, "monitoring/screening.html", {
        "village": village, "villages": choices, "rows": rows, "total": total, "shown": SHOWN,
        "model": model.metadata if model is not None else None, "metrics": metrics,
    })
