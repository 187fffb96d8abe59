"""Loading department alert files (alerts.services.alert_batch_load): all or nothing with row-level
Chinese errors, persons matched to the registry with the comparison's linkage, hits kept with the
figures behind them, the batch kept with who loaded it and when."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.alerts.models import AlertBatch, AlertHit, AlertRecord
from jingzhun.alerts.services import alert_batch_load
from jingzhun.orgunits.permissions import Refused
from jingzhun.registry.models import Household

from .people import XIAGAOCHI
from .test_compare_import import write_csv

DAY = datetime.date(2026, 11, 30)
GOOD = {
    "medical": {"就诊类别": "住院", "就诊日期": "2026-03-01", "出院日期": "2026-03-10", "医疗总费用": "30000",
                "个人自付": "6000"},
    "civil": {"救助类别": "低保", "开始日期": "2026-06-01"},
    "education": {"预警情形": "疑似辍学", "学段": "初中", "日期": "2026-10-09"},
    "emergency": {"灾害类型": "洪涝", "发生日期": "2026-07-20", "直接经济损失": "12000"},
    "police": {"事件类型": "死亡", "发生日期": "2026-08-01"},
    "disability": {"残疾类别": "肢体", "残疾等级": "二级", "发证日期": "2026-03-01"},
    "housing": {"鉴定等级": "D级", "鉴定日期": "2026-05-01"},
    "employment": {"登记类别": "失业登记", "登记日期": "2026-06-01"},
}


def _head(world, **extra) -> dict:
    head = world.home.members.get(relation="户主")
    return {"姓名": head.name, "身份证号": head.id_number, "性别": "男", "村代码": XIAGAOCHI, **extra}


def _load(world, tmp_path, kind, rows, user=None, **kwargs):
    path = tmp_path / f"{ALERT_KINDS[kind].label}.csv"
    write_csv(path, rows)
    return alert_batch_load(kind=ALERT_KINDS[kind], paths=[path], acting_user=user or world.county_admin,
                            data_date=kwargs.pop("data_date", DAY), via="测试", **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_registry_member_above_the_line_raises_a_hit_and_a_stranger_below_the_others_line_does_not(
        world, tmp_path):
    stranger = {"姓名": "陌生人", "性别": "女", "出生日期": "1980-01-01", **GOOD["medical"]}
    report = _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"]), stranger], source="县医保局")
    assert report.ok, report.issues
    batch = report.batch
    assert (batch.kind, batch.source, batch.data_date, batch.loaded_by, batch.rows, batch.org) == (
        "medical", "县医保局", DAY, world.county_admin, 2, "140826")
    assert batch.counts == {"exact": 1, "fuzzy": 0, "hits": 1, "leads_new": 1, "leads_joined": 0, "leads_none": 0}
    hit = AlertHit.objects.get(batch=batch)
    assert (hit.rule, hit.household, hit.village, hit.group, hit.risk_type) == (
        "YJ02", world.home.code, XIAGAOCHI, "monitored", "因病")
    assert hit.figures["out_of_pocket"] == 6000 and hit.figures["threshold"] == 5000
    assert hit.record.method == "exact" and hit.record.member_id is not None
    assert batch.policy["titles"][0] == "国家精准扶贫默认政策" and batch.policy["alerts"]["medical"]["example"] is True
    assert AuditEvent.objects.filter(action="import", detail__what="alert_batch", detail__batch=batch.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_member_with_a_mistyped_id_is_matched_on_name_birth_date_and_village(world, tmp_path):
    daughter = world.home.members.get(relation="之女")
    wrong = daughter.id_number[:-4] + ("0000" if daughter.id_number[-4:] != "0000" else "1111")
    row = {"姓名": daughter.name, "身份证号": wrong, "性别": "女", "出生日期": "1992-06-11", "村代码": XIAGAOCHI,
           **GOOD["medical"]}
    report = _load(world, tmp_path, "medical", [row])
    assert report.ok, report.issues
    record = AlertRecord.objects.get(batch=report.batch)
    assert (record.method, record.member_id, record.household) == ("fuzzy", daughter.pk, world.home.code)
    assert AlertHit.objects.get(batch=report.batch).group == "monitored"


@pytest.mark.django_db(transaction=True)
def test_a_registry_member_out_of_the_loaders_county_counts_as_others(world, tmp_path):
    """The outsider's county (140829) does not hold 王建国's household: he is judged as anyone else."""
    report = _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"])], user=world.outsider)
    assert report.ok, report.issues
    assert report.batch.counts["hits"] == 0
    assert AlertRecord.objects.get(batch=report.batch).method == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(ALERT_KINDS))
def test_each_kind_loads_a_good_file_and_its_rules_fire(world, tmp_path, kind):
    report = _load(world, tmp_path, kind, [_head(world, **GOOD[kind])])
    assert report.ok, report.issues
    assert report.batch.counts["hits"] >= 1
    assert AlertHit.objects.filter(batch=report.batch, household=world.home.code).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind, changes, header, message", [
    ("medical", {"出院日期": ""}, "出院日期", "“就诊类别”为“住院”时必填"),
    ("medical", {"个人自付": "40000"}, "个人自付", "不能大于“医疗总费用”"),
    ("medical", {"就诊类别": "急诊"}, "就诊类别", "不在可选值中"),
    ("education", {"预警情形": "高中阶段费用"}, "年度费用", "时必填"),
    ("emergency", {"直接经济损失": "-5"}, "直接经济损失", "应为金额"),
    ("disability", {"发证日期": "2026-02-30"}, "发证日期", "应为日期"),
])
def test_a_bad_row_is_reported_in_chinese_and_nothing_is_kept(world, tmp_path, kind, changes, header, message):
    rows = [_head(world, **GOOD[kind]), _head(world, **GOOD[kind]) | changes]
    report = _load(world, tmp_path, kind, rows)
    assert not report.ok
    assert any(i.row == 3 and i.header == header and message in i.message for i in report.issues), report.issues
    assert not AlertBatch.objects.exists() and not AlertRecord.objects.exists() and not AlertHit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_income_share_without_the_years_income_figure_is_refused_in_words(world, tmp_path, settings):
    settings.JINGZHUN_POLICY_DIRS = [tmp_path]
    (tmp_path / "140826.toml").write_text('[alerts.medical]\nform = "income_share"\n', encoding="utf-8")
    report = _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"])], data_date=datetime.date(2023, 6, 30))
    assert not report.ok and "农村居民人均可支配收入" in report.issues[0].message
    assert not AlertBatch.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["village_clerk", "township_officer", "analyst", "evaluator", "cadre"])
def test_only_county_roles_load_alert_files(world, tmp_path, who):
    with pytest.raises(Refused):
        _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"])], user=getattr(world, who))
    assert not AlertBatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_each_hit_becomes_a_department_lead_and_a_second_file_joins_the_open_lead(world, tmp_path):
    from jingzhun.monitoring.models import Lead

    first = _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"])])
    hit = AlertHit.objects.get(batch=first.batch)
    lead = Lead.objects.get(pk=hit.lead_id)
    assert (lead.channel, lead.risk_type, lead.household_id, lead.village_id) == (
        "department", "illness", world.home.pk, XIAGAOCHI)
    assert "YJ02" in lead.description and "6,000.00" in lead.description
    from jingzhun.monitoring.selectors import with_source

    assert list(with_source(Lead.objects.all(), f"部门预警批次 {first.batch.pk}：")) == [lead]
    second = _load(world, tmp_path, "medical", [_head(world, **GOOD["medical"])])
    assert second.batch.counts["leads_joined"] == 1
    assert AlertHit.objects.get(batch=second.batch).lead_id == lead.pk
    lead.refresh_from_db()
    assert lead.reports == 2


@pytest.mark.django_db(transaction=True)
def test_a_hit_without_a_village_stays_a_hit_and_says_why(world, tmp_path):
    stranger = {"姓名": "陌生人", "出生日期": "1980-01-01", "事件类型": "死亡", "发生日期": "2026-08-01"}
    report = _load(world, tmp_path, "police", [stranger])
    hit = AlertHit.objects.get(batch=report.batch)
    assert hit.lead_id is None and "村代码" in hit.lead_error
    assert report.batch.counts["leads_none"] == 1


@pytest.mark.django_db(transaction=True)
def test_with_household_categories_only_exited_and_monitored_households_get_the_lower_line(world, tmp_path):
    """户类别 (registry v2) decides the group: a 一般农户's member is judged by the others' line."""
    Household.objects.filter(pk=world.home.pk).update(
        category="一般农户", standard="", attribute="", status="", identified_year=None, exit_year=None, main_cause="")
    neighbour = world.neighbour.members.get(relation="户主")
    rows = [_head(world, **GOOD["medical"]),
            {"姓名": neighbour.name, "身份证号": neighbour.id_number, **GOOD["medical"]}]
    report = _load(world, tmp_path, "medical", rows)
    assert report.ok, report.issues
    hit = AlertHit.objects.get(batch=report.batch)  # 6000 ≥ 5000 for the 脱贫户, < 20000 for the 一般农户
    assert (hit.household, hit.group) == (world.neighbour.code, "monitored")
    assert AlertRecord.objects.get(batch=report.batch, household=world.home.code).method == "exact"
