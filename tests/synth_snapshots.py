"""Synthetic registries as snapshots of several counties, for the partitioned runs' tests."""

from __future__ import annotations

import pyarrow as pa

from jingzhun.analytics import Snapshot, conform
from jingzhun.exchange.importer import sheets_from_tables, typed_table
from jingzhun.synth import generate

COUNTIES = ["140826", "141130", "140105"]


def synth_snapshot(tables: dict[str, pa.Table], first_id: int = 1) -> Snapshot:
    """The generator's template tables as a snapshot (member ids from `first_id`)."""
    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(tables, "synth").items()}
    members = typed["人员表"]
    members = members.append_column("id", pa.array(range(first_id, first_id + members.num_rows), pa.int64()))
    return Snapshot("", {"households": conform("households", typed["户表"]), "members": conform("members", members),
                         "villages": conform("villages", typed["村表"])})


def county_snapshots(households: int = 300, errors: float = 0.05) -> dict[str, Snapshot]:
    """One snapshot per county of COUNTIES, member ids unique across them."""
    return {c: synth_snapshot(generate(county=c, households=households, seed=i + 41, errors=errors).tables,
                              i * 100_000 + 1) for i, c in enumerate(COUNTIES)}


def whole(snapshots: dict[str, Snapshot]) -> Snapshot:
    """The counties' snapshots as one."""
    return Snapshot("", {name: pa.concat_tables([s.tables[name] for s in snapshots.values()])
                         for name in next(iter(snapshots.values())).tables})
