"""jingzhun.exchange.readers: uploads (xlsx, CSV, folders) into string tables; hostile input into issues.

No database needed.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
import xlsxwriter

from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import SheetData, column_index, column_letter, read_sources, scan_sheet_xml
from jingzhun.synth import generate, write

HH = ["户编号", "村代码", "户主姓名", "户主身份证号", "工资性收入"]
ID = "14082619900101123X"


def make_xlsx(path: Path, sheets: dict, build=None) -> Path:
    """A workbook whose sheets hold `rows` as strings (None = no cell); `build(workbook, sheets)` adds more."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    worksheets = {}
    for name, rows in sheets.items():
        ws = worksheets[name] = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write_string(r, c, value)
    if build:
        build(workbook, worksheets)
    workbook.close()
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read(*paths, **kwargs):
    return read_sources([Path(p) for p in paths], **kwargs)


def only(issues: list[ImportIssue], text: str) -> ImportIssue:
    hits = [i for i in issues if text in i.message]
    assert len(hits) == 1, issues
    return hits[0]


def values(data: SheetData) -> dict[str, list[str]]:
    return data.table.to_pydict()


# ---- well-formed input ------------------------------------------------------------------------------


def test_xlsx_strings_and_numeric_codes(tmp_path):
    def build(wb, ws):
        sheet = ws["户表"]
        sheet.write_number(1, 0, 1408261002330001)  # 户编号 stored as a number
        sheet.write_number(1, 1, 140826100233)
        sheet.write_number(1, 4, 3520.5)
        sheet.write_number(2, 4, 3520)

    path = make_xlsx(tmp_path / "registry.xlsx", {
        "户表": [[" 户编号 ", *HH[1:]], [None, None, "  张三 ", ID], ["0140826100230002", "014082610023", "李四", ID]],
        "说明": [["anything"]]}, build)
    sheets, issues = read(path)
    assert issues == []
    assert list(sheets) == ["户表"]
    data = sheets["户表"]
    assert (data.sheet, data.source) == ("户表", "registry.xlsx")
    assert data.table.schema == pa.schema([(h, pa.string()) for h in HH])
    assert values(data) == {"户编号": ["1408261002330001", "0140826100230002"], "村代码": ["140826100233", "014082610023"],
                            "户主姓名": ["张三", "李四"], "户主身份证号": [ID, ID], "工资性收入": ["3520.5", "3520"]}
    assert data.rows.type == pa.int32() and data.rows.to_pylist() == [2, 3]


def test_csv_utf8_quoted_fields_and_leading_zeros(tmp_path):
    text = '户编号,户主姓名,帮扶单位\n0140826100230001,"王,五","县\n教育局"\n0140826100230002, 赵六 ,""\n'
    sheets, issues = read(write_csv(tmp_path / "户表.csv", text))
    assert issues == []
    data = sheets["户表"]
    assert values(data) == {"户编号": ["0140826100230001", "0140826100230002"], "户主姓名": ["王,五", "赵六"],
                            "帮扶单位": ["县\n教育局", ""]}
    assert data.rows.to_pylist() == [2, 3]


def test_csv_utf8_bom(tmp_path):
    sheets, issues = read(write_csv(tmp_path / "村表.csv", "\ufeff村代码,户籍人口\n014082610023,12\n"))
    assert issues == []
    assert values(sheets["村表"]) == {"村代码": ["014082610023"], "户籍人口": ["12"]}


def test_csv_gb18030(tmp_path):
    path = write_csv(tmp_path / "人员表.csv", "户编号,姓名,民族\n0140826100230001,欧阳䶮,汉族\n", "gb18030")
    sheets, issues = read(path)
    assert issues == []
    assert values(sheets["人员表"]) == {"户编号": ["0140826100230001"], "姓名": ["欧阳䶮"], "民族": ["汉族"]}


def test_csv_unknown_encoding(tmp_path):
    path = tmp_path / "户表.csv"
    path.write_bytes(b"\x80\xff\xfe\x81,abc\n\xff\xff\n")
    sheets, issues = read(path)
    assert sheets == {}
    issue = only(issues, "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV")
    assert (issue.source, issue.sheet) == ("户表.csv", "户表")


def test_blank_rows_are_dropped_but_numbering_keeps_counting(tmp_path):
    def build(wb, ws):
        ws["户表"].write_string(6, 0, "   ")  # whitespace only: blank; also trailing
        ws["户表"].write_string(8, 1, "")

    path = make_xlsx(tmp_path / "a.xlsx", {"户表": [["户编号", "户主姓名"], ["1", "甲"], [], [None, "丙"], ["", ""]]},
                     build)
    sheets, issues = read(path)
    assert issues == []
    assert values(sheets["户表"]) == {"户编号": ["1", ""], "户主姓名": ["甲", "丙"]}
    assert sheets["户表"].rows.to_pylist() == [2, 4]

    csv_path = write_csv(tmp_path / "人员表.csv", '姓名,性别\n甲,男\n\n,\n"多\n行",女\n , \n乙,女\n\n\n')
    sheets, issues = read(csv_path)
    assert issues == []
    assert values(sheets["人员表"]) == {"姓名": ["甲", "多\n行", "乙"], "性别": ["男", "女", "女"]}
    assert sheets["人员表"].rows.to_pylist() == [2, 5, 7]


def test_folder_ignores_other_files(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    write_csv(folder / "户表.csv", "户编号\n0001\n")
    write_csv(folder / "人员表.csv", "姓名\n甲\n")
    write_csv(folder / "errors-manifest.csv", "kind,row\nx,1\n")
    (folder / "readme.txt").write_text("hello")
    (folder / "~$registry.xlsx").write_bytes(b"lock")
    sheets, issues = read(folder)
    assert issues == []
    assert sorted(sheets) == ["人员表", "户表"]
    assert sheets["户表"].source == "户表.csv"

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "errors-manifest.csv").write_text("kind\n")
    sheets, issues = read(empty)
    assert sheets == {}
    assert only(issues, "文件夹“empty”中没有可导入的文件").source == "empty"


def test_display_names(tmp_path):
    upload = tmp_path / "tmpa1b2c3"
    make_xlsx(upload, {"村表": [["村代码"], ["140826100233"]]})
    sheets, issues = read(upload, display_names={upload: "我的登记表.xlsx"})
    assert issues == []
    assert sheets["村表"].source == "我的登记表.xlsx"

    bad = tmp_path / "tmpzzz"
    bad.write_bytes(b"")
    sheets, issues = read(bad, display_names={bad: "户表.csv"})
    assert only(issues, "文件是空的").source == "户表.csv"


def test_synthetic_registry_round_trip(tmp_path):
    registry = generate(county="141130", households=40, seed=1)
    write(registry, tmp_path / "csv", fmt="csv")
    write(registry, tmp_path / "xlsx", fmt="xlsx")
    for source in (tmp_path / "csv", tmp_path / "xlsx" / "registry.xlsx"):
        sheets, issues = read(source)
        assert issues == []
        assert sorted(sheets) == sorted(registry.tables)
        for sheet, table in registry.tables.items():
            expected = {name: ["" if v is None else v.strip() for v in table.column(name).to_pylist()]
                        for name in table.column_names}
            got = sheets[sheet]
            assert got.table.column_names == table.column_names
            assert values(got) == expected
            assert got.rows.to_pylist() == list(range(2, table.num_rows + 2))


# ---- hostile cells ----------------------------------------------------------------------------------


def test_id_number_stored_as_number(tmp_path):
    def build(wb, ws):
        ws["户表"].write_number(1, 3, 140826199001011234)
        ws["户表"].write_number(2, 3, 140826900101123)  # 15 digits: exact, but still a number
        ws["人员表"].write_number(1, 1, 1.40826199001e17)

    path = make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, ["1", "2", "甲"], ["3", "4", "乙"]],
                                           "人员表": [["户编号", "身份证号"], ["1"]]}, build)
    sheets, issues = read(path)
    message = "身份证号被 Excel 存成了数字（如 1.40826199001e+17），末几位已丢失；请把该列设为文本格式后重新录入"
    assert [(i.source, i.sheet, i.row, i.header, i.value) for i in issues if i.message == message] == [
        ("r.xlsx", "户表", 2, "户主身份证号", "1.408261990010112e+17"),
        ("r.xlsx", "户表", 3, "户主身份证号", "140826900101123"),
        ("r.xlsx", "人员表", 2, "身份证号", "1.40826199001e+17")]
    assert len(issues) == 3


def test_code_beyond_float_precision(tmp_path):
    def build(wb, ws):
        ws["户表"].write_number(1, 0, 14082610023300011)  # 17 digits: more than a float holds

    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, [None, "1"]]}, build))
    issue = only(issues, "被 Excel 存成了数字")
    assert (issue.sheet, issue.row, issue.header) == ("户表", 2, "户编号")
    assert "末几位已丢失" in issue.message


def test_scientific_id_in_csv(tmp_path):
    sheets, issues = read(write_csv(tmp_path / "人员表.csv", f"姓名,身份证号\n甲,1.40826E+17\n乙,{ID}\n"))
    issue = only(issues, "身份证号被 Excel 存成了数字")
    assert (issue.sheet, issue.row, issue.header, issue.value) == ("人员表", 2, "身份证号", "1.40826E+17")


def test_bool_cell(tmp_path):
    def build(wb, ws):
        ws["户表"].write_boolean(2, 2, True)

    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, ["1"], ["2"]]}, build))
    issue = only(issues, "应填写文字，不应是 TRUE/FALSE")
    assert (issue.source, issue.sheet, issue.row, issue.header, issue.value) == ("r.xlsx", "户表", 3, "户主姓名", "TRUE")


def test_date_cell(tmp_path):
    def build(wb, ws):
        ws["户表"].write_datetime(1, 4, dt.datetime(2020, 1, 2), wb.add_format({"num_format": "yyyy-mm-dd"}))

    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, ["1"]]}, build))
    issue = only(issues, "单元格是日期格式（Excel 把它存成了日期序号），请设为文本或常规格式后重新填写")
    assert (issue.sheet, issue.row, issue.header, issue.value) == ("户表", 2, "工资性收入", "2020-01-02")


def test_formula_cells(tmp_path):
    def build(wb, ws):
        ws["户表"].write_formula(2, 4, "=SUM(1,2)", None, 3)
        ws["户表"].write_formula(3, 2, '="张"&"三"', None, "张三")

    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, ["1"], ["2"], ["3"]]}, build))
    hits = [i for i in issues if "单元格含公式，请复制后“选择性粘贴—数值”再导入" in i.message]
    assert [(i.sheet, i.row, i.header, i.value) for i in hits] == [
        ("户表", 3, "工资性收入", "=SUM(1,2)"), ("户表", 4, "户主姓名", '="张"&"三"')]
    assert values(sheets["户表"])["工资性收入"] == ["", "3", ""]  # the cached value is still read


def test_merged_cells(tmp_path):
    def build(wb, ws):
        ws["户表"].merge_range(1, 1, 2, 2, "合并")

    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"户表": [HH, ["1"], ["2"]]}, build))
    issue = only(issues, "存在合并单元格 B2:C3，请取消合并并逐格填写")
    assert (issue.sheet, issue.row, issue.header, issue.value) == ("户表", 2, "村代码", "B2:C3")


def test_error_value_cell(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "村表"
    ws.append(["村代码", "户籍人口"])
    ws.append(["140826100233", "#N/A"])  # openpyxl stores error codes as error cells
    workbook.save(tmp_path / "r.xlsx")
    sheets, issues = read(tmp_path / "r.xlsx")
    issue = only(issues, "单元格是错误值")
    assert (issue.sheet, issue.row, issue.header, issue.value) == ("村表", 2, "户籍人口", "#N/A")


def test_scan_across_chunk_boundaries():
    cells = []
    expected = []
    for r in range(1, 3001):
        row = [f'<c r="A{r}" t="s"><v>{r}</v></c>']
        if r % 7 == 0:
            row.append(f'<c r="B{r}"><f>SUM(A1:A{r})</f><v>1</v></c>')
            expected.append(("formula", "B", r, f"SUM(A1:A{r})"))
        if r % 11 == 0:
            row.append(f'<x:c r="C{r}" s="2"><x:f t="shared" si="0"/><x:v>2</x:v></x:c>')
            expected.append(("formula", "C", r, ""))
        if r % 13 == 0:
            row.append(f'<c r="D{r}" t="e"><v>#DIV/0!</v></c>')
            expected.append(("error", "D", r, "#DIV/0!"))
        cells.append(f'<row r="{r}">{"".join(row)}</row>')
    merges = '<mergeCells count="2"><mergeCell ref="E5:F6"/><mergeCell ref="A3000:B3000"/></mergeCells>'
    validation = "<extLst><xm:f>Sheet2!A1</xm:f></extLst>"  # a formula outside any cell: not reported
    xml = f'<worksheet><sheetData>{"".join(cells)}</sheetData>{merges}{validation}</worksheet>'
    expected += [("merge", "E5:F6"), ("merge", "A3000:B3000")]
    data = xml.encode()
    for size in (97, 997, 8192, 65_536, len(data) + 1):
        assert list(scan_sheet_xml(io.BytesIO(data), chunk_size=size)) == expected, size


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert all(column_index(column_letter(i)) == i for i in range(2000))


# ---- hostile headers and sizes ----------------------------------------------------------------------


def test_ten_thousand_columns(tmp_path):
    def build(wb, ws):
        ws["户表"].write_row(0, 0, [f"列{i}" for i in range(10_000)])
        ws["户表"].write_row(1, 0, ["x"] * 10_000)

    sheets, issues = read(make_xlsx(tmp_path / "wide.xlsx", {"户表": []}, build))
    assert sheets == {}
    assert len(issues) == 1
    issue = only(issues, "表格有 10000 列，超过模板允许的 100 列，请删除多余的列")
    assert (issue.source, issue.sheet) == ("wide.xlsx", "户表")

    text = ",".join(f"列{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n"
    sheets, issues = read(write_csv(tmp_path / "人员表.csv", text))
    assert sheets == {}
    assert len(issues) == 1 and "表格有 10000 列" in issues[0].message and issues[0].sheet == "人员表"


def test_too_many_rows(tmp_path):
    text = "姓名\n" + "".join(f"人{i}\n" for i in range(11))
    sheets, issues = read(write_csv(tmp_path / "人员表.csv", text), max_rows=10)
    assert sheets == {}
    assert only(issues, "表格有 11 行数据，超过上限 10 行").sheet == "人员表"

    path = make_xlsx(tmp_path / "r.xlsx", {"户表": [["户编号"]] + [[str(i)] for i in range(11)]})
    sheets, issues = read(path, max_rows=10)
    assert sheets == {} and only(issues, "超过上限 10 行").sheet == "户表"
    sheets, issues = read(path, max_rows=11)
    assert issues == [] and sheets["户表"].table.num_rows == 11


def test_blank_header_over_data(tmp_path):
    path = make_xlsx(tmp_path / "r.xlsx", {"户表": [["户编号", None, "户主姓名", None], ["1", "孤儿数据", "甲", None]]})
    sheets, issues = read(path)
    issue = only(issues, "B 列有数据但没有表头，请填写表头或删除该列")
    assert (issue.sheet, issue.row, issue.header) == ("户表", 1, "")
    assert len(issues) == 1
    assert sheets["户表"].table.column_names == ["户编号", "户主姓名"]


def test_duplicate_header(tmp_path):
    sheets, issues = read(write_csv(tmp_path / "户表.csv", "户编号,户主姓名,户编号\n1,甲,2\n"))
    issue = only(issues, "表头“户编号”重复出现（A 列和 C 列）")
    assert (issue.sheet, issue.row, issue.header) == ("户表", 1, "户编号")


def test_empty_header_row(tmp_path):
    path = make_xlsx(tmp_path / "r.xlsx", {"户表": [[], ["1", "甲"]], "人员表": []})
    sheets, issues = read(path)
    assert sheets == {}
    issue = only(issues, "第 1 行（表头）是空的")
    assert (issue.sheet, issue.row) == ("户表", 1)
    assert only(issues, "工作表是空的").sheet == "人员表"

    sheets, issues = read(write_csv(tmp_path / "村表.csv", ",,\n1,2,3\n"))
    assert sheets == {} and only(issues, "第 1 行（表头）是空的").sheet == "村表"


def test_ragged_csv(tmp_path):
    text = '户编号,户主姓名,帮扶单位\n1,甲,"多\n行"\n2,乙\n3,丙,单位,\n4,丁,单位,多余\n'
    sheets, issues = read(write_csv(tmp_path / "户表.csv", text))
    assert sheets == {}
    hits = [i for i in issues if "请检查是否多了或少了逗号、引号是否成对" in i.message]
    assert [(i.sheet, i.row) for i in hits] == [("户表", 3), ("户表", 5)]  # row 4's extra field is empty
    assert "这一行有 2 列，表头有 3 列" in hits[0].message


def test_unbalanced_quote_csv(tmp_path):
    sheets, issues = read(write_csv(tmp_path / "户表.csv", '户编号,户主姓名\n1,"甲\n2,乙\n'))
    assert sheets == {}
    issue = only(issues, "这一行有未配对的引号")
    assert (issue.source, issue.sheet, issue.row) == ("户表.csv", "户表", 2)
    assert len(issues) == 1


def test_csv_with_only_a_bom(tmp_path):
    path = tmp_path / "村表.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    sheets, issues = read(path)
    assert sheets == {} and only(issues, "文件中没有内容").sheet == "村表"


def test_header_only(tmp_path):
    sheets, issues = read(write_csv(tmp_path / "村表.csv", "村代码,户籍人口\n"),
                          make_xlsx(tmp_path / "r.xlsx", {"户表": [HH]}))
    assert issues == []
    assert sheets["村表"].table.num_rows == 0 and sheets["村表"].table.column_names == ["村代码", "户籍人口"]
    assert sheets["户表"].table.num_rows == 0 and sheets["户表"].table.column_names == HH
    assert len(sheets["户表"].rows) == 0


# ---- hostile files ----------------------------------------------------------------------------------


def test_encrypted_workbook(tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00junk" * 200)
    sheets, issues = read(path)
    assert sheets == {}
    issue = only(issues, "文件已加密（设置了打开密码），请取消密码后再导入")
    assert (issue.source, issue.row) == ("secret.xlsx", None)


def test_empty_file(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    write_csv(tmp_path / "户表.csv", "")
    sheets, issues = read(tmp_path / "a.xlsx", tmp_path / "户表.csv")
    assert sheets == {}
    assert [(i.source, i.sheet) for i in issues if "文件是空的（0 字节）" in i.message] == [("a.xlsx", ""), ("户表.csv", "户表")]


def test_garbage_with_xlsx_extension(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bytes(range(256)) * 10)
    sheets, issues = read(path)
    assert sheets == {}
    assert only(issues, "文件不是有效的 Excel 工作簿（.xlsx）").source == "a.xlsx"


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    sheets, issues = read(path)
    assert sheets == {}
    assert only(issues, "这个压缩文件不是 Excel 工作簿").source == "a.xlsx"


def test_truncated_workbook(tmp_path):
    good = make_xlsx(tmp_path / "good.xlsx", {"户表": [HH, ["1"]]})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:2000])
    sheets, issues = read(path)
    assert sheets == {}
    assert only(issues, "工作簿已损坏").source == "cut.xlsx"


def test_corrupt_sheet_xml(tmp_path):
    good = make_xlsx(tmp_path / "good.xlsx", {"户表": [HH, ["1"]]})
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:len(data) // 2] + b"<<<&&&\x00"
            dst.writestr(item, data)
    sheets, issues = read(path)
    assert "户表" not in sheets
    issue = only(issues, "已损坏")
    assert (issue.source, issue.sheet) == ("bad.xlsx", "户表")


def test_workbook_without_template_sheets(tmp_path):
    sheets, issues = read(make_xlsx(tmp_path / "r.xlsx", {"Sheet1": [["a"]], "Sheet2": []}))
    assert sheets == {}
    assert "（现有：Sheet1、Sheet2）" in only(issues, "工作簿中没有名为 村表、户表 或 人员表 的工作表").message


@pytest.mark.parametrize("name, text", [
    ("registry.xls", "旧版 Excel 文件（.xls）"),
    ("notes.txt", "不支持的文件类型（.txt）"),
    ("letter.docx", "不支持的文件类型（.docx）"),
    ("户表(1).csv", "CSV 文件应以表名命名"),
])
def test_wrong_kind_of_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(b"a,b\n1,2\n")
    sheets, issues = read(path)
    assert sheets == {}
    assert only(issues, text).source == name


def test_xlsx_renamed_to_csv(tmp_path):
    path = tmp_path / "户表.csv"
    path.write_bytes(make_xlsx(tmp_path / "x.xlsx", {"户表": [HH]}).read_bytes())
    sheets, issues = read(path)
    assert sheets == {} and only(issues, "扩展名却是 .csv").sheet == "户表"


def test_same_sheet_twice(tmp_path):
    workbook = make_xlsx(tmp_path / "registry.xlsx", {"户表": [HH, ["1"]], "人员表": [["姓名"], ["甲"]]})
    csv_path = write_csv(tmp_path / "户表.csv", "户编号\n2\n")
    sheets, issues = read(workbook, csv_path)
    issue = only(issues, "“户表”出现了不止一次（registry.xlsx 和 户表.csv），请只保留一份后再导入")
    assert (issue.source, issue.sheet) == ("户表.csv", "户表")
    assert sheets["户表"].source == "registry.xlsx" and "人员表" in sheets


def test_nonexistent_path(tmp_path):
    sheets, issues = read(tmp_path / "nowhere.xlsx")
    assert sheets == {}
    assert only(issues, "找不到文件或文件夹“nowhere.xlsx”").source == "nowhere.xlsx"


def test_no_paths():
    sheets, issues = read_sources([])
    assert sheets == {} and only(issues, "没有上传任何文件")
