"""Empty templates to download (issue 13 defect 12): the exchange template on 导入数据 and each comparison
format on 部门比对 — the headers, dropdowns and explanations the reader and the checks use."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.compare.kinds import KINDS, ColumnKind
from jingzhun.compare.services import dataset_load
from jingzhun.exchange.models import ImportJob
from jingzhun.exchange.template import SHEETS, Kind, headers
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member

from .people import XIAGAOCHI, id_number


def _workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _dropdowns(sheet) -> dict[str, list[str]]:
    """{header: the values of the list validation over its column}."""
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    lists = {}
    for dv in sheet.data_validations.dataValidation:
        assert dv.type == "list"
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        assert str(dv.sqref) == f"{letter}2:{letter}1048576"  # every row below the header
        lists[header[letter]] = dv.formula1.strip('"').split(",")
    return lists


@pytest.mark.django_db
def test_the_exchange_template_has_the_importers_headers_and_its_vocabularies_as_dropdowns(world, client):
    client.force_login(world.village_clerk)
    page = client.get(reverse("exchange:import_start")).content.decode()
    assert reverse("exchange:template_download") in page
    book = _workbook(client.get(reverse("exchange:template_download")))
    assert book.sheetnames == ["村表", "户表", "人员表", "填写说明"]
    explained = {(r[0], r[1]): r for r in book["填写说明"].iter_rows(values_only=True) if r[0] in SHEETS}
    for name, columns in SHEETS.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == headers(name) and sheet.max_row == 1  # empty below the header
        lists = _dropdowns(sheet)
        expected = {c.header: list(c.choices) for c in columns if c.choices}
        expected |= {c.header: [vocab.YES, vocab.NO] for c in columns if c.kind == Kind.BOOL}
        assert lists == expected, name  # exactly the values the importer accepts, for exactly those columns
        for c in columns:
            assert explained[(name, c.header)][2] == ("是" if c.required else "否")
            assert explained[(name, c.header)][3]
    # the same vocabularies the registry stores
    households = _dropdowns(book["户表"])
    assert households["脱贫状态"] == list(vocab.PovertyStatus.values)
    assert households["主要致贫原因"] == list(vocab.PovertyCause.values)
    assert _dropdowns(book["人员表"])["与户主关系"] == list(vocab.Relation.values)
    assert "前 12 位应与村代码相同" in explained[("户表", "村代码")][3]
    # codes and ID numbers are text columns: Excel keeps their digits
    assert book["户表"].column_dimensions["A"].number_format == "@"


def _fill(book: openpyxl.Workbook, household: dict, member: dict) -> bytes:
    for name, row in (("户表", household), ("人员表", member)):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        sheet.append([row.get(h) for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_downloaded_template_filled_with_one_household_is_imported(world, client,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(world.village_clerk)
    book = _workbook(client.get(reverse("exchange:template_download")))
    pick = {**_dropdowns(book["户表"]), **_dropdowns(book["人员表"])}  # the first value each dropdown offers
    head_id = id_number("140826", "19700101", 77)
    code = f"{XIAGAOCHI}0077"
    # the template is version 2: 户类别 is required (脱贫户, the first value offered, keeps the 建档立卡 fields)
    household = {"户编号": code, "村代码": XIAGAOCHI, "户主姓名": "孙有田", "户主身份证号": head_id, "户类别": pick["户类别"][0],
                 "识别标准": pick["识别标准"][0], "贫困户属性": pick["贫困户属性"][0], "脱贫状态": pick["脱贫状态"][0],
                 "识别年度": "2016", "主要致贫原因": pick["主要致贫原因"][0], "收入年度": "2025", "工资性收入": "8000",
                 "生产经营性收入": "1000", "财产性收入": "0", "转移性收入": "1200", "生产经营性支出": "300",
                 "饮水安全": pick["饮水安全"][0]}
    member = {"户编号": code, "姓名": "孙有田", "身份证号": head_id, "与户主关系": pick["与户主关系"][0],
              "性别": pick["性别"][0], "健康状况": pick["健康状况"][0], "劳动技能": pick["劳动技能"][0],
              "城乡居民基本医疗保险": pick["城乡居民基本医疗保险"][0]}
    content = _fill(book, household, member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import_start"),
                               {"files": [SimpleUploadedFile("模板.xlsx", content)]})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.DONE, job.issues
    stored = Household.objects.get(code=code)
    assert (stored.status, stored.attribute, stored.head_name) == ("未脱贫", "一般贫困户", "孙有田")
    assert Member.objects.get(household=stored).relation == "户主"
    # and a value outside a dropdown is what the importer refuses
    book = _workbook(client.get(reverse("exchange:template_download")))
    content = _fill(book, dict(household, 户编号=f"{XIAGAOCHI}0078"),
                    dict(member, 户编号=f"{XIAGAOCHI}0078", 健康状况="良好"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import_start"), {"files": [SimpleUploadedFile("模板.xlsx", content)]})
    refused = ImportJob.objects.exclude(pk=job.pk).get()
    assert refused.status == ImportJob.Status.REFUSED
    assert [i["header"] for i in refused.issues] == ["健康状况"] and "不在可选值中" in refused.issues[0]["message"]


@pytest.mark.django_db
def test_each_comparison_format_downloads_with_its_headers_dropdowns_and_explanations(world, client):
    client.force_login(world.county_admin)
    page = client.get(reverse("compare:home")).content.decode()
    for code, kind in KINDS.items():
        url = reverse("compare:format_download", args=[code])
        assert url in page
        book = _workbook(client.get(url))
        assert book.sheetnames == [kind.label, "填写说明"]
        sheet = book[kind.label]
        assert [c.value for c in sheet[1]] == [c.header for c in kind.columns]
        expected = {c.header: list(c.choices) for c in kind.columns if c.choices}
        expected |= {c.header: ["男", "女"] for c in kind.columns if c.kind == ColumnKind.SEX}
        assert _dropdowns(sheet) == expected, code
        explained = {r[1]: r for r in book["填写说明"].iter_rows(values_only=True) if r[0] == kind.label}
        assert set(explained) == {c.header for c in kind.columns}
        assert all(explained[c.header][2] == ("是" if c.required else "否") for c in kind.columns)
        notes = " ".join(str(r[0]) for r in book["填写说明"].iter_rows(values_only=True) if r[0])
        assert kind.signal_rule in notes and kind.source in notes
    assert client.get(reverse("compare:format_download", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
def test_a_filled_comparison_format_loads(world, client, tmp_path):
    client.force_login(world.county_admin)
    book = _workbook(client.get(reverse("compare:format_download", args=["vehicle"])))
    sheet = book["机动车登记"]
    header = [c.value for c in sheet[1]]
    row = {"姓名": "王建国", "身份证号": world.home.head_id_number, "号牌号码": "晋M12345",
           "车辆类型": _dropdowns(sheet)["车辆类型"][0], "购置价格": "86000", "初次登记日期": "2024-05-01"}
    sheet.append([row.get(h) for h in header])
    path = tmp_path / "机动车登记.xlsx"
    book.save(path)
    report = dataset_load(kind=KINDS["vehicle"], paths=[path], acting_user=world.county_admin)
    assert not report.issues and report.batch.rows == 1
