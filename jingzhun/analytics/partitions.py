"""The registry in partitions: the counties under an org code, each read as a snapshot of its own.

A province or national run reads one county at a time (`registry_snapshot(county)`), so that the memory
an engine needs follows the largest county rather than the whole registry.
"""

from __future__ import annotations

from django.db import connections

#: Length of a county's code: a household's 户编号 and a village's code start with it.
COUNTY_LENGTH = 6

# Every table that puts rows under a county: households (and through them members, 帮扶 and spot checks),
# village profiles and projects.
_COUNTIES = """
    SELECT substr(code, 1, 6) FROM registry_household WHERE code >= %(lo)s AND code < %(hi)s
    UNION SELECT substr(village_id, 1, 6) FROM registry_villageprofile WHERE village_id >= %(lo)s AND village_id < %(hi)s
    UNION SELECT substr(county_id, 1, 6) FROM assistance_project WHERE county_id >= %(lo)s AND county_id < %(hi)s
    ORDER BY 1"""


def registry_counties(org: str = "", *, alias: str = "default") -> list[str]:
    """The codes of the counties with registry rows under `org` ("" = all); [org's county] below a county."""
    if org and not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    if len(org) >= COUNTY_LENGTH:
        return [org[:COUNTY_LENGTH]]
    with connections[alias].cursor() as cursor:
        cursor.execute(_COUNTIES, {"lo": org, "hi": f"{org}:" if org else "~"})
        return [row[0] for row in cursor.fetchall()]
