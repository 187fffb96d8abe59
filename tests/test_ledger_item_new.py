"""登记 one item by hand (the county admin's page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.supervision.models import Item

from .ledger_helpers import ledger_build

pytestmark = pytest.mark.django_db
URL = "/supervision/items/new/"


def test_the_county_registers_an_item_and_lands_on_its_page(world, client):
    ledger = ledger_build(world)
    client.force_login(world.county_admin)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"kind": "task", "source": "meeting", "title": "完成安全饮水巩固提升",
                                 "aspect": "饮水安全", "agency": ledger.township.pk, "deadline": "2030-06-30"})
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:item_detail", args=[item.pk])
    assert (item.county_id, item.state, item.kind, item.agency) == ("140826", "draft", "task", ledger.township)


def test_bad_input_is_shown_and_nothing_is_made(world, client):
    ledger = ledger_build(world)
    client.force_login(world.county_admin)
    for data in ({"kind": "problem", "source": "other", "title": ""},
                 {"kind": "problem", "source": "other", "title": "x", "agency": ledger.outsider_dept.pk},
                 {"kind": "bogus", "source": "other", "title": "x"},
                 {"kind": "problem", "source": "other", "title": "x", "deadline": "2030-02-30"}):
        response = client.post(URL, data)
        assert response.status_code == 400 and "填写有误" in response.content.decode()
    assert not Item.objects.exists()


def test_only_the_county_registers(world, client):
    for user in (world.township_officer, world.village_clerk, world.department, world.analyst, world.cadre):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"kind": "problem", "source": "other", "title": "x"}).status_code == 403
    assert not Item.objects.exists()


def test_above_a_county_the_county_is_asked_first(world, client):
    client.force_login(world.sysadmin)
    assert 'id="county-pick"' in client.get(URL).content.decode()
    assert "没有这个县" in client.get(URL, {"county": "140899"}).content.decode()
    assert 'id="item-form"' in client.get(URL, {"county": "140826"}).content.decode()
