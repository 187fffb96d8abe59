"""What the registry tells the apps above it, without importing them (registry sits below the modules).

`registry_upserted` is sent by `registry_upsert` inside its transaction, after every table is written,
with `households` and `members` as (new, changed, existing) Arrow tables (None when not given),
`acting_user`, `reason` and `when`. A receiver that records something returns how many rows it wrote;
the dynamic-adjustment ledger (jingzhun.workflows) is connected in WorkflowsConfig.ready. A receiver that
raises rolls the whole upsert back.

`household_actions` is sent by the household page with `household` and `user`; a receiver returns a list
of {"label": …, "url": …} for what that user may start on the household now (the workflows offer the
procedures whose precondition holds, and a link to the one under way), so the page offers no action that
could only be refused.

`household_sections` is sent by the household page with `household`, `user` and `access`; a receiver
returns a list of {"id": …, "template": …, "context": {…}, "order": int} — a section of the page the app
above fills (the assistance module's measures, loans, visits), rendered in `order` after the members. The
receiver scopes and masks what it shows through the same access as the page.
"""

from __future__ import annotations

from django.dispatch import Signal

registry_upserted = Signal()
household_actions = Signal()
household_sections = Signal()
