"""Survey results from a spreadsheet (assessment.services.imports): xlsx and CSV (UTF-8, GBK), every kind of
error, all or nothing, re-import refused, who may import, hostile files."""

from __future__ import annotations

import datetime
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.accounts.models import AuditEvent
from jingzhun.assessment.models import Assessment, Case, CaseEvent
from jingzhun.assessment.results_format import columns, results_template
from jingzhun.assessment.services.imports import results_import
from jingzhun.orgunits.permissions import OutOfReach

from . import hostile_files
from .results_files import HEADERS, csv_file, good_rows, results_world, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(world):
    return results_world(world)


def _import(rw, path, user=None):
    return results_import(assessment_id=rw.assessment.pk, file=path, acting_user=user or rw.hq)


def _nothing_stored(rw):
    assert not Case.objects.filter(assessment=rw.assessment).exclude(state=Case.State.ASSIGNED).exists()
    assert not CaseEvent.objects.exists()
    assert not Case.objects.exclude(answers={}).exists()


def test_a_workbook_stores_each_questionnaire_with_its_verdict_and_paradata(rw, tmp_path):
    report = _import(rw, workbook(tmp_path / "结果.xlsx", good_rows(rw)))
    assert report.ok, report.issues
    assert (report.imported, report.skipped, report.wrong_exit, report.missed, report.disapproving) == (3, 0, 1, 1, 1)
    exited, monitored, screened = (Case.objects.get(pk=c.pk) for c in (rw.exited, rw.monitored, rw.screened))
    assert {c.state for c in (exited, monitored, screened)} == {Case.State.COMPLETED}
    assert exited.wrong_exit is True and exited.answers["wage"] == "4000.00" and exited.persons == 3
    assert exited.answers["policies"] == ["低保兜底", "健康帮扶"] and exited.answers["food_clothing"] is True
    assert exited.duration_seconds == 40 * 60 and exited.interviewer == rw.hq
    assert exited.started_at == datetime.datetime(2026, 7, 1, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    assert monitored.wrong_exit is None and monitored.approves is True and "approve_exit" not in monitored.answers
    assert monitored.answers["transfer"] == "1200.50"
    assert screened.missed is True and screened.approves is False and screened.started_at is None
    event = CaseEvent.objects.get(case=exited)
    assert (event.from_state, event.to_state, event.actor, event.reason) == ("assigned", "completed", rw.hq, "导入调查结果")
    audit = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, detail__what="assessment_results")
    assert audit.detail["imported"] == 3


def test_a_supervisor_imports_too_but_not_an_enumerator_nor_the_county(rw, world, tmp_path):
    path = workbook(tmp_path / "结果.xlsx", good_rows(rw))
    for user in (rw.enumerator, world.county_admin, world.analyst):
        with pytest.raises(PermissionDenied):
            _import(rw, path, user)
    _nothing_stored(rw)
    assert _import(rw, path, rw.supervisor).ok


def test_an_assessment_out_of_reach_is_not_found(world, tmp_path):
    other = results_world(world, county="140829")
    with pytest.raises(OutOfReach):
        results_import(assessment_id=other.assessment.pk, file=tmp_path / "x.xlsx", acting_user=world.evaluator)


def test_a_csv_in_utf8_or_gbk_imports_like_the_workbook(rw, tmp_path):
    rows = good_rows(rw)
    assert _import(rw, csv_file(tmp_path / "结果.csv", rows[:1])).ok
    report = _import(rw, csv_file(tmp_path / "结果-gbk.csv", rows[1:], encoding="gbk"))
    assert report.ok, report.issues
    assert Case.objects.get(pk=rw.screened.pk).answers["notes"] == "大病无医保"


def test_blank_rows_of_the_template_are_skipped(rw, tmp_path):
    rows = good_rows(rw)
    rows[1] = [2, rw.monitored.household_id, "赵德福"] + [""] * (len(HEADERS) - 3)
    report = _import(rw, workbook(tmp_path / "结果.xlsx", rows))
    assert report.ok and (report.imported, report.skipped) == (2, 1)
    assert Case.objects.get(pk=rw.monitored.pk).state == Case.State.ASSIGNED


def test_one_bad_row_and_nothing_is_stored_every_error_listed(rw, tmp_path):
    rows = good_rows(rw)
    rows[0][3] = "三"                # 家庭人口 not a number
    rows[0][16] = "还行"             # 政策认可 not a choice
    rows[1][10] = "可能"             # 吃穿不愁 not 是/否
    rows[1][18] = "认可"             # 退出认可 is not asked of a monitored household
    rows[2][15] = "低保兜底、发钱"    # 享受政策措施: an unknown choice
    rows[2][12] = ""                 # 基本医疗保障: required
    report = _import(rw, workbook(tmp_path / "错.xlsx", rows))
    assert not report.ok and report.imported == 0
    found = {(i.row, i.header): i.message for i in report.issues}
    assert {(2, "家庭人口"), (2, "政策认可"), (3, "吃穿不愁"), (3, "退出认可"), (4, "享受政策措施"),
            (4, "基本医疗保障")} == set(found)
    assert "不问这一题" in found[(3, "退出认可")] and "发钱" in found[(4, "享受政策措施")]
    assert all(i.source == "错.xlsx" and i.sheet == "调查结果" for i in report.issues)
    _nothing_stored(rw)


def test_cases_are_identified_by_order_and_household_code(rw, world, tmp_path):
    other = results_world(world, county="140829")
    other_case = Case.objects.create(assessment=other.assessment, village=world.other_county.village_id,
                                     frame=Case.Frame.EXITED, household=world.other_county, order=9)
    rows = good_rows(rw)
    rows[0][1] = world.neighbour.code                     # the household of another case of this assessment
    rows[1][0] = 7                                        # no such case
    rows[2][1] = world.home.code                          # a screened case has no 户编号
    extra = list(good_rows(rw)[1])
    extra[0], extra[1] = 9, other_case.household_id       # a case of another assessment
    again = list(good_rows(rw)[1])                        # the same case twice
    again[0] = 1
    again[1] = world.home.code
    missing = list(good_rows(rw)[1])
    missing[1] = ""                                       # a registry household needs its 户编号
    report = _import(rw, workbook(tmp_path / "序号.xlsx", rows + [extra, again, missing]))
    found = {(i.row, i.header): i.message for i in report.issues}
    assert "不符" in found[(2, "户编号")]
    assert "户编号 %s 的样本序号是 2" % world.neighbour.code in found[(3, "样本序号")]
    assert "户编号应留空" in found[(4, "户编号")]
    assert "另一次评估" in found[(5, "户编号")]
    assert "与第 2 行是同一样本户" in found[(6, "样本序号")]
    assert "请填写户编号" in found[(7, "户编号")]
    _nothing_stored(rw)


def test_times_are_checked(rw, tmp_path):
    rows = good_rows(rw)
    rows[0][21], rows[0][22] = "2026-07-01 10:30", "2026-07-01 09:00"  # ends before it starts
    rows[1][21] = "昨天上午"
    rows[2][22] = "2026-07-01 10:00"                                   # an end without a start
    rows[2][21] = ""
    report = _import(rw, workbook(tmp_path / "时间.xlsx", rows))
    found = {(i.row, i.header): i.message for i in report.issues}
    assert "不能早于" in found[(2, "结束时间")]
    assert "日期和时间" in found[(3, "开始时间")]
    assert "同时填写" in found[(4, "开始时间")]
    _nothing_stored(rw)


def test_excel_date_time_and_true_false_cells_are_taken_as_they_are(rw, tmp_path):
    rows = good_rows(rw)
    rows[0][21], rows[0][22] = datetime.datetime(2026, 7, 1, 9, 30), datetime.datetime(2026, 7, 1, 10, 0)
    rows[0][10] = True
    report = _import(rw, workbook(tmp_path / "单元格.xlsx", rows))
    assert report.ok, report.issues
    assert Case.objects.get(pk=rw.exited.pk).duration_seconds == 30 * 60


def test_completed_questionnaires_are_not_imported_again(rw, tmp_path):
    path = workbook(tmp_path / "结果.xlsx", good_rows(rw))
    assert _import(rw, path).ok
    again = _import(rw, path)
    assert not again.ok
    assert {(i.row, i.header) for i in again.issues} == {(2, "样本序号"), (3, "样本序号"), (4, "样本序号")}
    assert "已完成" in again.issues[0].message and "退回" in again.issues[0].message
    assert CaseEvent.objects.count() == 3


def test_a_questionnaire_sent_back_by_the_supervisor_takes_a_corrected_row(rw, tmp_path):
    assert _import(rw, workbook(tmp_path / "结果.xlsx", good_rows(rw))).ok
    Case.objects.filter(pk=rw.exited.pk).update(state=Case.State.REJECTED)
    row = good_rows(rw)[0]
    row[5] = "30000"
    report = _import(rw, workbook(tmp_path / "改.xlsx", [row]))
    assert report.ok and report.imported == 1 and report.wrong_exit == 0
    corrected = Case.objects.get(pk=rw.exited.pk)
    assert corrected.state == Case.State.COMPLETED and corrected.wrong_exit is False
    assert corrected.events.last().from_state == Case.State.REJECTED


def test_an_assessment_not_in_fieldwork_takes_no_results(rw, tmp_path):
    Assessment.objects.filter(pk=rw.assessment.pk).update(state=Assessment.State.CLOSED)
    report = _import(rw, workbook(tmp_path / "结果.xlsx", good_rows(rw)))
    assert not report.ok and "不在调查阶段" in report.issues[0].message
    _nothing_stored(rw)


def test_unknown_and_missing_columns_are_errors(rw, tmp_path):
    headers = [h for h in HEADERS if h != "家庭人口"] + ["家庭住址"]
    report = _import(rw, workbook(tmp_path / "列.xlsx", [], headers=headers))
    assert {(i.row, i.header) for i in report.issues} == {(1, "家庭人口"), (1, "家庭住址")}


def test_a_file_with_no_questionnaire_filled_is_an_error(rw, tmp_path):
    report = _import(rw, workbook(tmp_path / "空.xlsx", [[1, rw.exited.household_id, "王建国"]]))
    assert not report.ok and "没有填写" in report.issues[0].message


def test_the_template_round_trips(rw, tmp_path):
    out = tmp_path / "模板.xlsx"
    assert results_template(rw.assessment, out) == 3
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["调查结果", "填写说明"]
    ws = book["调查结果"]
    header = [c.value for c in ws[1]]
    assert header == [c.header for c in columns()]
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == [1, 2, 3]
    assert ws.cell(2, 2).value == rw.exited.household_id and ws.cell(4, 2).value is None
    assert ws.cell(2, 3).value == "下高池村" and ws.cell(4, 5).value == "高风险未建档户（立意筛查）"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation}
    col = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(header, start=1)}
    assert lists[col["吃穿不愁"] + "2"] == '"是,否"' and "不认可" in lists[col["政策认可"] + "2"]
    # filled in and imported as it is
    answers = {"家庭人口": 2, "吃穿不愁": "是", "义务教育保障": "是", "基本医疗保障": "是", "住房安全保障": "是",
               "饮水安全保障": "是", "政策认可": "认可", "措施认可": "认可", "退出认可": "认可", "干部工作认可": "认可",
               "转移性收入": 20000}
    for header_text, value in answers.items():
        ws[f"{col[header_text]}2"] = value
    book.save(out)
    report = _import(rw, out)
    assert report.ok, report.issues
    assert (report.imported, report.skipped) == (1, 2)


@pytest.mark.parametrize("content, message", [
    (b"", "空的"),
    (b"not a zip at all", "不是有效的 Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ""),
])
def test_broken_files_are_issues_not_tracebacks(rw, tmp_path, content, message):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(content)
    report = _import(rw, path)
    assert not report.ok and message in report.issues[0].message
    _nothing_stored(rw)


def test_a_file_of_another_type_is_refused(rw, tmp_path):
    path = tmp_path / "结果.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    report = _import(rw, path)
    assert not report.ok and "不支持的文件类型" in report.issues[0].message


def test_a_formula_is_refused(rw, tmp_path):
    rows = good_rows(rw)
    rows[0][5] = "=1000*4"
    report = _import(rw, workbook(tmp_path / "公式.xlsx", rows))
    assert not report.ok
    assert (2, "工资性收入") in {(i.row, i.header) for i in report.issues}
    _nothing_stored(rw)


def test_zip_bombs_are_refused_before_they_are_read(rw, tmp_path, settings):
    report = _import(rw, hostile_files.cell_bomb(tmp_path / "bomb.xlsx", gigabytes=0.2))
    assert not report.ok and report.issues
    settings.JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB = 1
    path = workbook(tmp_path / "填充.xlsx", good_rows(rw))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/filler.xml", b"<a>" + b" " * (8 << 20) + b"</a>")
    report = _import(rw, path)
    assert not report.ok
    _nothing_stored(rw)


def test_a_huge_csv_is_refused(rw, tmp_path):
    path = tmp_path / "大.csv"
    row = f"1,{rw.exited.household_id},王建国\n".encode()
    with open(path, "wb") as f:
        f.write(",".join(HEADERS[:3]).encode() + b"\n")
        f.write(row * 30_000)
    report = _import(rw, path)
    assert not report.ok and "超过上限" in report.issues[0].message
    _nothing_stored(rw)


def test_every_question_has_a_column_of_its_own():
    from jingzhun.assessment import questionnaire

    headers = [c.header for c in columns()]
    assert len(set(headers)) == len(headers)
    assert {i.header for i in questionnaire.items().values()} <= set(headers)
    assert all(len(i.header) <= 8 for i in questionnaire.items().values())  # short: a spreadsheet's header
