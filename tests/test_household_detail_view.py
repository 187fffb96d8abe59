"""The household page: personal numbers in its facts and its change history are masked for the role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.orgunits.access import mask_id_number
from jingzhun.registry import services
from jingzhun.registry.models import Household

from .people import PASSWORD, id_number

pytestmark = pytest.mark.django_db

NEW_PHONE = "13755556666"


@pytest.fixture
def changed(world):
    """The home household after a clerk changed its head's ID number and its phone."""
    old_id = world.home.head_id_number
    new_id = id_number("140826", "19650304", 777)
    services.household_update(code=world.home.code, acting_user=world.village_clerk,
                              data={"head_id_number": new_id, "phone": NEW_PHONE}, reason="更正")
    return world, old_id, new_id


def _page(client, user, code) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("registry:household_detail", args=[code])).content.decode()


@pytest.mark.parametrize("who", ["analyst", "evaluator", "cadre"])
def test_history_and_phones_are_masked_for_read_only_roles(changed, client, who):
    world, old_id, new_id = changed
    page = _page(client, getattr(world, who), world.home.code)
    assert "变更记录" in page and mask_id_number(old_id) in page and mask_id_number(new_id) in page
    assert old_id not in page and new_id not in page
    assert NEW_PHONE not in page and "137****6666" in page
    assert "13912345678" not in page and "139****5678" in page  # the cadre's phone


def test_record_keepers_see_history_and_phones_in_full(changed, client):
    world, old_id, new_id = changed
    page = _page(client, world.village_clerk, world.home.code)
    assert old_id in page and new_id in page and NEW_PHONE in page and "13912345678" in page
    assert Household.objects.get(code=world.home.code).phone == NEW_PHONE


def test_sections_from_the_apps_above_appear_in_order(world, client, settings):
    """`household_sections` receivers add sections; they are rendered by `order` after the members."""
    from pathlib import Path

    from jingzhun.registry.signals import household_sections

    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}]

    def later(sender, household, user, access, **kwargs):
        return [{"id": "b", "template": "registry/_test_section.html", "context": {"text": "乙段" + household.code},
                 "order": 20}]

    def earlier(sender, household, user, access, **kwargs):
        assert access.role == user.role
        return [{"id": "a", "template": "registry/_test_section.html", "context": {"text": "甲段"}, "order": 10}]

    household_sections.connect(later, dispatch_uid="test-later")
    household_sections.connect(earlier, dispatch_uid="test-earlier")
    try:
        page = _page(client, world.village_clerk, world.home.code)
    finally:
        household_sections.disconnect(dispatch_uid="test-later")
        household_sections.disconnect(dispatch_uid="test-earlier")
    assert page.index("家庭成员") < page.index("甲段") < page.index("乙段" + world.home.code) < page.index("变更记录")
