"""The estimates page, the report (.docx) and 结束评估: who sees what, and what they say."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from jingzhun.accounts.models import AuditEvent
from jingzhun.assessment.models import Assessment, Case

from .estimate_world import exit_assessment
from .people import CHENGNEI

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry(monkeypatch):
    """The registry's counts as the indicators would give them (the snapshot reads committed rows only)."""
    monkeypatch.setattr("jingzhun.indicators.services.indicators_compute", lambda *, org, as_of: {
        "POP_POOR": 10, "POP_EXITED": 1000, "RURAL_POP": 5000})


def _page(client, user, assessment):
    client.force_login(user)
    return client.get(reverse("assessment:estimates", args=[assessment.pk]))


def test_county_admin_sees_the_rates_with_interval_verdict_and_confidence(world, client):
    assessment = exit_assessment(world)
    response = _page(client, world.county_admin, assessment)
    assert response.status_code == 200
    page = response.content.decode()
    for words in ("错退率", "2.96%", "95% 置信区间", "漏评率", "立意样本，仅供参考", "群众认可度", "综合贫困发生率",
                  "把握低于 2.00%", "把握高于 90.00%", "一票否决", "评估组已审核", "阶段结果（评估尚未结束）"):
        assert words in page, words
    rates = {r["key"]: r for r in response.context["rates"]}
    assert rates["missed_rate"]["verdict"] == "fail" and rates["wrong_exit_rate"]["households"] == 20
    assert dict(response.context["states"])["评估组已审核"] == 29
    assert 'id="close"' not in page  # the county is not headquarters
    chart = response.context["chart"]
    assert chart["labels"] == ["错退率", "漏评率", "综合贫困发生率"]  # 认可度 (near 100%) stays in the table
    assert chart["point"][0] == pytest.approx(100 * 120 / 4050, abs=1e-3) and chart["threshold"][0] == 2.0
    assert 'id="estimate-chart-data"' in page and "<script>" not in page  # data by json_script, no inline JS


def test_the_village_table_shows_counts_of_sampled_households(world, client):
    response = _page(client, world.county_admin, exit_assessment(world))
    rows = {v["village"]: v for v in response.context["villages"]}
    assert rows[CHENGNEI]["guarantees"][4] == "6 / 7" and rows[CHENGNEI]["approves"] == 6
    assert "样本村调查结果" in response.content.decode()


def test_outsider_and_village_clerk_get_404(world, client):
    assessment = exit_assessment(world)
    assert _page(client, world.outsider, assessment).status_code == 404
    assert _page(client, world.village_clerk, assessment).status_code == 404
    assert _page(client, world.township_officer, assessment).status_code == 404


def test_report_is_a_gongwen_docx_with_the_plan_and_estimates_and_is_audited(world, client):
    assessment = exit_assessment(world)
    client.force_login(world.evaluator)
    response = client.get(reverse("assessment:report", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("word/document.xml").decode()
    for words in ("绛县退出评估评估报告", "随机种子 20260101", "错退率：2.96%", "方正小标宋简体", "一票否决"):
        assert words in xml, words
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="assessment_report").exists()


def test_headquarters_sees_the_close_button_and_closes(world, client):
    assessment = exit_assessment(world)
    Case.objects.filter(assessment=assessment, state=Case.State.COMPLETED).update(state=Case.State.REJECTED)
    page = _page(client, world.evaluator, assessment).content.decode()
    assert 'id="close"' in page
    response = client.post(reverse("assessment:close", args=[assessment.pk]), follow=True)
    assert "评估已结束" in response.content.decode() and "最终结果" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.CLOSED


def test_close_refused_while_cases_await_review_says_why(world, client):
    assessment = exit_assessment(world)
    client.force_login(world.evaluator)
    response = client.post(reverse("assessment:close", args=[assessment.pk]), follow=True)
    assert "1 户问卷等待审核" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.FIELDWORK


def test_close_by_others_is_forbidden_and_a_get_is_not_allowed(world, client):
    assessment = exit_assessment(world, hq=world.sysadmin)
    Case.objects.filter(assessment=assessment, state=Case.State.COMPLETED).update(state=Case.State.REJECTED)
    url = reverse("assessment:close", args=[assessment.pk])
    for user in (world.county_admin, world.evaluator, world.analyst):
        client.force_login(user)
        assert client.post(url).status_code == 403
    client.force_login(world.sysadmin)
    assert client.get(url).status_code == 405
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.FIELDWORK

