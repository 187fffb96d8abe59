"""The division tree: loading the shipped list and answering subtree questions by code."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.orgunits.models import Level, OrgUnit, subtree_q
from jingzhun.orgunits.divisions import DIVISIONS_CSV, read_divisions
from jingzhun.orgunits.services import divisions_load


def test_shipped_list_has_shanxi_down_to_villages_and_the_seed_villages():
    rows = dict(read_divisions(DIVISIONS_CSV))
    assert sum(1 for code in rows if len(code) == 12 and code.startswith("14")) == 21895
    assert sum(1 for code in rows if len(code) == 6) == 2978  # every county of China
    assert rows["140826"] == "绛县" and rows["140829"] == "平陆县" and rows["141130"] == "交口县"
    assert rows["140826100233"] == "下高池村委会"
    assert rows["140826101201"] == "横东村委会"
    assert rows["140829102210"] == "张郭村委会"


@pytest.mark.django_db
def test_loading_shanxi_builds_the_tree_and_is_repeatable():
    first = divisions_load(prefix="14")
    # 1 province, 11 cities, 121 county-level units, 1,352 townships, 21,895 villages
    assert first == OrgUnit.objects.count() == 1 + 11 + 121 + 1352 + 21895
    assert OrgUnit.objects.filter(level=Level.VILLAGE).count() == 21895
    assert divisions_load(prefix="14") == first  # a second load updates in place
    village = OrgUnit.objects.get(code="140826100233")
    assert village.level == Level.VILLAGE and village.parent_id == "140826100"
    assert [a.code for a in village.ancestors()] == ["14", "1408", "140826", "140826100"]
    assert village.short_name == "下高池村"


@pytest.mark.django_db
def test_subtree_is_one_range_query_not_a_walk():
    divisions_load(prefix="1408")
    county = OrgUnit.objects.get(code="140826")
    with CaptureQueriesContext(connection) as queries:
        codes = list(county.descendants().values_list("code", flat=True))
    assert len(queries) == 1
    assert all(code.startswith("140826") for code in codes)
    assert sum(1 for c in codes if len(c) == 9) == 11  # 绛县's eight towns, two townships, one zone
    assert "140829" not in codes and "1408261" not in codes
    assert OrgUnit.objects.filter(subtree_q("code", "140826100")).filter(level=Level.VILLAGE).count() == \
        len([c for c in codes if c.startswith("140826100") and len(c) == 12])
