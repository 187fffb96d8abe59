"""Reads of a plan's page: its sampled villages with their names and counts per frame, its teams, and the
households planned or drawn per frame (for the precision table)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import Level, OrgUnit

from ..models import Assessment, Case, SampledVillage, Staff, Team

#: The probability frames (services.plans.FRAMES; selectors do not import services).
FRAMES = (Case.Frame.EXITED.value, Case.Frame.NOT_EXITED.value, Case.Frame.MONITORED.value)


def unit_names(codes) -> dict[str, str]:
    return dict(OrgUnit.objects.filter(code__in=set(codes)).values_list("code", "name"))


def frame_counts(assessment: Assessment) -> dict[str, int]:
    """Cases per frame (screen included)."""
    counts = dict.fromkeys((*FRAMES, Case.Frame.SCREEN.value), 0)
    counts.update(dict(Case.objects.filter(assessment=assessment).values_list("frame").annotate(n=Count("pk"))
                       .values_list("frame", "n")))
    return counts


def households_for_precision(assessment: Assessment) -> tuple[dict[str, int], bool]:
    """(households per probability frame, drawn?): the drawn sample, or before the draw what the design
    plans at most (strata × villages per stratum × households per village)."""
    if assessment.drawn_at is not None:
        return frame_counts(assessment), True
    design = assessment.design
    if design.get("strata") == "township":
        strata = OrgUnit.objects.filter(code__startswith=assessment.county, level=Level.TOWNSHIP).count()
    else:
        strata = 2
    per = design.get("villages_per_stratum")
    villages = sum(int(v) for v in per.values()) if isinstance(per, dict) else strata * int(per or 0)
    per_village = design.get("per_village") or {}
    return {f: villages * int(per_village.get(f, 0)) for f in FRAMES}, False


def sampled_villages(assessment: Assessment) -> list[dict]:
    """The sampled villages in draw order: name, stratum, size, probability, cases per frame, team."""
    villages = list(SampledVillage.objects.filter(assessment=assessment).select_related("stratum").order_by("order"))
    names = unit_names(v.village for v in villages)
    counts: dict[str, dict[str, int]] = {}
    teams: dict[str, set[str]] = {}
    for village, frame, team, n in (Case.objects.filter(assessment=assessment)
                                    .values_list("village", "frame", "team__name").annotate(n=Count("pk"))
                                    .values_list("village", "frame", "team__name", "n")):
        counts.setdefault(village, {})[frame] = counts.get(village, {}).get(frame, 0) + n
        if team:
            teams.setdefault(village, set()).add(team)
    return [{"order": v.order, "code": v.village, "name": names.get(v.village, v.village), "stratum": v.stratum.name,
             "size": v.size, "probability": v.probability, "counts": [counts.get(v.village, {}).get(f, 0)
                                                                      for f in (*FRAMES, "screen")],
             "team": _("、").join(sorted(teams.get(v.village, ())))} for v in villages]


def teams_of(assessment: Assessment) -> list[dict]:
    """Each team with its members, its villages and its cases."""
    names = {}
    out = []
    for team in Team.objects.filter(assessment=assessment).order_by("pk"):
        villages = sorted(set(Case.objects.filter(team=team).values_list("village", flat=True)))
        names.update(unit_names(villages))
        out.append({"name": team.name,
                    "members": _("、").join(s.user.get_full_name() or s.user.get_username()
                                            for s in team.members.select_related("user").order_by("user__username")),
                    "villages": _("、").join(names.get(v, v) for v in villages),
                    "cases": Case.objects.filter(team=team).count()})
    return out


def staff_of(assessment: Assessment):
    return Staff.objects.filter(assessment=assessment).select_related("user", "team").order_by("duty", "user__username")
