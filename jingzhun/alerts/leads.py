"""What became of each alert: the leads (线索) the monitoring app made of the hits.

The monitoring app (its `lead_create`) is not on this branch yet: until it is, hits stay as this
app's own rows with no lead, and `lead_states` has nothing to report.
"""

from __future__ import annotations


def lead_states(lead_ids: list[int]) -> dict[int, str]:
    """{lead id: its status and result, in words} of the given leads (none until monitoring exists)."""
    return {}
