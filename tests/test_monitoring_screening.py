"""排查名单 (monitoring/screening.py): a village's households not yet monitored, ordered by the stored risk
model with its reasons; scoped, masked for roles that may not see health, and honest without a model."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.analytics.risk import save, train
from jingzhun.registry.models import Household

from .people import CHENGNEI, XIAGAOCHI
from .risk_data import panel_set

pytestmark = pytest.mark.django_db(transaction=True)  # the ranking reads a committed snapshot


@pytest.fixture
def model_home(settings, tmp_path):
    settings.JINGZHUN_HOME = tmp_path
    _panel, features, labels = panel_set(households=4_000, seed=5)
    model = train(features, labels.column("label").to_numpy(), seed=1, threads=1, metadata={"org": "140826"})
    save(model, tmp_path / "risk", "140826")
    return tmp_path


def _page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("monitoring:screening"), query)


def test_without_a_model_the_page_says_how_to_train_one(world, client, settings, tmp_path):
    settings.JINGZHUN_HOME = tmp_path
    response = _page(client, world.village_clerk)
    assert response.status_code == 200 and response.context["village"].code == XIAGAOCHI
    assert "jingzhun risk train --org 140826" in response.content.decode()


def test_the_village_clerk_sees_their_households_ranked_with_reasons(world, client, model_home):
    response = _page(client, world.village_clerk)
    rows = response.context["rows"]
    watched = set(Household.objects.filter(village_id=XIAGAOCHI).values_list("code", flat=True))
    assert rows and {r["code"] for r in rows} <= watched
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert all(len(r["reasons"]) == 3 for r in rows)
    assert "模型训练于" in response.content.decode()


def test_a_township_officer_picks_a_village_in_reach_and_gets_404_out_of_reach(world, client, model_home):
    response = _page(client, world.township_officer, village=CHENGNEI)
    assert response.status_code == 200 and response.context["village"].code == CHENGNEI
    assert CHENGNEI in dict(response.context["villages"])
    assert _page(client, world.township_officer, village="140826101201").status_code == 404  # 横水镇
    assert _page(client, world.village_clerk, village=CHENGNEI).status_code == 404


@pytest.mark.parametrize("who", ["evaluator", "cadre", "analyst"])
def test_read_only_roles_and_cadres_are_refused(world, client, model_home, who):
    assert _page(client, getattr(world, who)).status_code == 403
