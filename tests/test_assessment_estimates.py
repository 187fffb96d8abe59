"""assessment.services.estimates: 三率一度 from the headquarters-approved cases only, the fieldwork counts,
per-village results, 结束评估 by headquarters; and `jingzhun assess estimate`."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.analytics.survey import estimate as est
from jingzhun.assessment.models import Assessment, Case
from jingzhun.assessment.services.estimates import assessment_close, assessment_estimates, report_paragraphs
from jingzhun.cli import main as jingzhun

from .estimate_world import exit_assessment
from .people import CHENGNEI, XIAGAOCHI

pytestmark = pytest.mark.django_db
REGISTRY = {"remaining_poor": 10, "exited_persons": 1000, "rural_population": 5000}


def test_only_headquarters_approved_cases_enter_the_estimates(world):
    result = assessment_estimates(exit_assessment(world), registry=REGISTRY)
    wrong = result.estimates.wrong_exit_rate
    # one wrongly exited household (3 persons, weight 40) of 20 exited households: 120 ÷ (15·(40+50+80+100))
    assert wrong.point == pytest.approx(120 / 4050)
    assert (wrong.households, wrong.persons, wrong.cases, wrong.villages) == (20, 60, 1, 4)
    assert wrong.method == est.TAYLOR and wrong.se > 0 and wrong.lower < wrong.point < wrong.upper
    assert result.estimates.approval.point == pytest.approx(1 - 12.5 / 1485)
    assert result.estimates.missed_rate.point == 1.0 and result.estimates.missed_rate.method == est.PURPOSIVE
    assert result.approved == 29 and result.drawn == 32
    assert result.states[Case.State.ASSIGNED] == result.states[Case.State.COMPLETED] == 1
    assert result.frames == {"exited": 23, "not_exited": 8, "screen": 1}


def test_the_incidence_adds_the_estimated_wrongly_exited_and_the_missed_to_the_registry(world):
    result = assessment_estimates(exit_assessment(world), registry=REGISTRY)
    inc = result.estimates.incidence
    assert inc.point == pytest.approx((10 + 120 / 4050 * 1000 + 3) / 5000)
    assert inc.se == pytest.approx(result.estimates.wrong_exit_rate.se * 1000 / 5000)


def test_thresholds_come_from_the_policy_pack(world):
    result = assessment_estimates(exit_assessment(world), registry=REGISTRY)
    rates = {r.key: r for r in result.estimates.rates()}
    assert rates["wrong_exit_rate"].threshold == pytest.approx(0.02)
    assert rates["approval"].threshold == pytest.approx(0.90) and not rates["approval"].below
    assert rates["missed_rate"].verdict == est.FAIL and result.estimates.vetoed


def test_the_registry_counts_come_from_the_indicators(world, monkeypatch):
    asked = []

    def compute(*, org, as_of):
        asked.append(org)
        return {"POP_POOR": 12, "POP_EXITED": 900, "RURAL_POP": 4000, "INCIDENCE": 0.3}

    monkeypatch.setattr("jingzhun.indicators.services.indicators_compute", compute)
    result = assessment_estimates(exit_assessment(world))
    assert asked == ["140826"]
    assert result.registry == {"remaining_poor": 12, "exited_persons": 900, "rural_population": 4000}
    assert result.estimates.incidence.point == pytest.approx((12 + 120 / 4050 * 900 + 3) / 4000)


def test_no_approved_case_is_no_data(world):
    assessment = exit_assessment(world)
    Case.objects.filter(assessment=assessment).update(state=Case.State.SUPERVISOR_APPROVED)
    result = assessment_estimates(assessment, registry=REGISTRY)
    assert result.estimates.wrong_exit_rate.verdict == est.NO_DATA and result.villages == []
    assert result.approved == 0


def test_per_village_results_count_the_guarantees_of_approved_households(world):
    result = assessment_estimates(exit_assessment(world), registry=REGISTRY)
    rows = {v["village"]: v for v in result.villages}
    assert rows[CHENGNEI]["households"] == 7 and rows[CHENGNEI]["water_met"] == 6
    assert rows[CHENGNEI]["water_asked"] == 7 and rows[CHENGNEI]["approves"] == 6
    assert rows[XIAGAOCHI]["wrong_exit"] == 1 and rows[XIAGAOCHI]["exited"] == 5


def test_report_paragraphs_state_the_plan_the_counts_and_the_estimates(world):
    text = "\n".join(report_paragraphs(assessment_estimates(exit_assessment(world), registry=REGISTRY)))
    for words in ("20260101", "ab" * 32, "贫困村", "评估组已审核 29 户", "错退率：2.96%", "立意样本", "一票否决"):
        assert words in text


def test_headquarters_closes_and_the_estimates_become_final(world):
    assessment = exit_assessment(world)
    Case.objects.filter(assessment=assessment, state=Case.State.COMPLETED).update(state=Case.State.REJECTED)
    closed = assessment_close(assessment_id=assessment.pk, acting_user=world.evaluator)
    assert closed.state == Assessment.State.CLOSED and closed.closed_at is not None
    assert closed.history.first().history_change_reason == "评估组结束评估"
    assert assessment_estimates(closed, registry=REGISTRY).final


def test_closing_is_refused_while_a_questionnaire_awaits_review(world):
    assessment = exit_assessment(world)
    with pytest.raises(ValidationError, match="1 户问卷等待审核"):
        assessment_close(assessment_id=assessment.pk, acting_user=world.evaluator)
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.FIELDWORK


def test_only_headquarters_may_close(world):
    assessment = exit_assessment(world, hq=world.sysadmin)
    with pytest.raises(PermissionDenied):
        assessment_close(assessment_id=assessment.pk, acting_user=world.evaluator)
    with pytest.raises(PermissionDenied):
        assessment_close(assessment_id=assessment.pk, acting_user=world.county_admin)
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.FIELDWORK


def test_cli_prints_the_estimates_as_json(world, capsys):
    assessment = exit_assessment(world)
    assert jingzhun(["assess", "estimate", "--assessment", str(assessment.pk), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assessment"] == assessment.pk and data["approved"] == 29
    rate = data["rates"]["wrong_exit_rate"]
    assert rate["point"] == pytest.approx(120 / 4050) and rate["lower"] < rate["point"] < rate["upper"]
    assert data["states"]["hq_approved"] == 29 and data["vetoed"] is True


def test_cli_prints_a_table_and_refuses_an_unknown_assessment(world, capsys):
    assessment = exit_assessment(world)
    assert jingzhun(["assess", "estimate", "--assessment", str(assessment.pk)]) == 0
    out = capsys.readouterr().out
    assert "错退率" in out and "评估组已审核 29 户" in out
    assert jingzhun(["assess", "estimate", "--assessment", "99999"]) == 2
    assert "99999" in capsys.readouterr().err
