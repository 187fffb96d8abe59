"""The exit evaluation pages show the third-party assessment's figures (through workflows.signals): the
county's 三率一度 with interval and "第三方评估（抽样估计）", a village's survey results apart."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.assessment.models import Assessment, Case

from .estimate_world import exit_assessment
from .people import CHENGNEI, XIAGAOCHI

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry(monkeypatch):
    monkeypatch.setattr("jingzhun.indicators.services.indicators_compute", lambda *, org, as_of: {
        "POP_POOR": 10, "POP_EXITED": 1000, "RURAL_POP": 5000, "INCIDENCE": 0.2})


def _county(client, user, year=None):
    client.force_login(user)
    response = client.get(reverse("workflows:county_exit", args=["140826"]), {"year": year or timezone.localdate().year})
    return response


def test_county_exit_page_shows_the_estimates_instead_of_no_data(world, client):
    exit_assessment(world)
    response = _county(client, world.county_admin)
    criteria = {c.key: c for c in response.context["criteria"]}
    assert criteria["wrong_exit_rate"].status == "fail"  # 2.96% ≥ 2%
    assert "2.96%，应低于 2.00%" in criteria["wrong_exit_rate"].data
    assert "第三方评估（抽样估计）" in criteria["wrong_exit_rate"].data and "～" in criteria["wrong_exit_rate"].data
    assert "立意样本，仅供参考" in criteria["missed_rate"].data
    assert criteria["approval"].status == "pass"
    assert criteria["incidence"].data.startswith("0.")  # (10 + 29.6 + 3) ÷ 5000 = 0.85%
    assert "第三方评估（抽样估计）" in criteria["incidence"].data
    assert "暂无数据" not in response.content.decode()


def test_county_exit_page_without_an_approved_exit_assessment_keeps_no_data(world, client):
    assessment = exit_assessment(world, kind=Assessment.Kind.POST)  # a 后评估 is not an exit assessment
    page = _county(client, world.county_admin).content.decode()
    assert page.count("暂无数据") >= 3
    Assessment.objects.filter(pk=assessment.pk).update(kind=Assessment.Kind.EXIT)
    Case.objects.filter(assessment=assessment).update(state=Case.State.SUPERVISOR_APPROVED)
    assert _county(client, world.county_admin).content.decode().count("暂无数据") >= 3


def test_county_exit_page_of_another_year_keeps_no_data(world, client):
    exit_assessment(world, year=2019)
    page = _county(client, world.county_admin, year=2020).content.decode()
    assert page.count("暂无数据") >= 3


def test_village_exit_page_shows_survey_results_labelled_as_such(world, client):
    exit_assessment(world)
    client.force_login(world.county_admin)
    response = client.get(reverse("workflows:village_exit", args=[CHENGNEI]), {"year": timezone.localdate().year})
    page = response.content.decode()
    assert "抽样调查结果（绛县退出评估）" in page and "只代表样本户" in page
    (section,) = response.context["survey_sections"]
    rows = {c.key: c for c in section["criteria"]}
    assert rows["survey_water"].status == "fail" and rows["survey_water"].data == "抽样调查：7 户中 6 户达标"
    assert rows["survey_food_clothing"].status == "pass"
    assert rows["survey_wrong_exit"].status == "pass"
    response = client.get(reverse("workflows:village_exit", args=[XIAGAOCHI]), {"year": timezone.localdate().year})
    (section,) = response.context["survey_sections"]
    assert {c.key: c for c in section["criteria"]}["survey_wrong_exit"].status == "fail"


def test_village_clerk_sees_no_survey_results(world, client):
    """Townships and villages read no assessment (selectors): its findings reach them as problem records."""
    exit_assessment(world)
    client.force_login(world.village_clerk)
    response = client.get(reverse("workflows:village_exit", args=[XIAGAOCHI]), {"year": timezone.localdate().year})
    assert response.status_code == 200 and response.context["survey_sections"] == []
