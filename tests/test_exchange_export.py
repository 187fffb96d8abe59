"""Export in exactly the exchange template: the service, the CLI command and the download page."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse

from jingzhun import cli
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.importer import sheets_from_tables, typed_table
from jingzhun.exchange.validate import check
from jingzhun.exchange.export import export_tables, registry_export
from jingzhun.exchange.template import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEETS, VILLAGE_SHEET, headers
from jingzhun.orgunits.access import mask_id_number
from jingzhun.registry.models import Household, Member, VillageProfile

from .people import CHENGNEI, HENGDONG, PASSWORD, XIAGAOCHI, ZHANGGUO

SHEET_ORDER = [VILLAGE_SHEET, HOUSEHOLD_SHEET, MEMBER_SHEET]


def read_xlsx(path) -> dict[str, list[list[str]]]:
    """Every sheet as rows of cell text (blank cells as ""), header row first."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in workbook.worksheets}
    finally:
        workbook.close()


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def by_key(rows: list[list[str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in records(rows)}


@pytest.fixture
def enriched(world):
    """The world plus what the plain fixture leaves blank: other causes, a declared income, a 村情."""
    Household.objects.filter(code=world.home.code).update(
        other_cause_1="因病", other_cause_2="缺资金", declared_per_capita_income=Decimal("5250.5"),
        electricity=False, relocated=True, phone="13800001111")
    Household.objects.filter(code=world.neighbour.code).update(other_cause_2="因学")
    Member.objects.filter(household=world.home, relation="之女").update(status="迁出", dibao=True)
    VillageProfile.objects.create(village_id=XIAGAOCHI, registered_population=1520, registered_households=460,
                                  is_poor_village=True, exit_year=2019, collective_income=Decimal("0"),
                                  paved_road=True, bus_service=False)
    return world


def export(tmp_path, user, name="out.xlsx", **filters):
    out = tmp_path / name
    result = registry_export(acting_user=user, out=out, source="test", **filters)
    return result, (read_xlsx(out) if name.endswith(".xlsx") else None)


# --- the template: headers and cells --------------------------------------------------------------


@pytest.mark.django_db
def test_workbook_has_the_three_sheets_with_exactly_the_template_headers_in_order(enriched, tmp_path):
    _, book = export(tmp_path, enriched.county_admin)
    assert list(book) == SHEET_ORDER
    for sheet in SHEET_ORDER:
        assert book[sheet][0] == headers(sheet)
        assert [c.header for c in SHEETS[sheet]] == book[sheet][0]


@pytest.mark.django_db
def test_csv_folder_has_bom_and_the_template_headers(enriched, tmp_path):
    result, _ = export(tmp_path, enriched.county_admin, name="csv-out")
    assert sorted(p.name for p in result.paths) == sorted(f"{s}.csv" for s in SHEET_ORDER)
    for sheet in SHEET_ORDER:
        raw = (tmp_path / "csv-out" / f"{sheet}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == headers(sheet)
    households = list(csv.DictReader(io.StringIO((tmp_path / "csv-out" / "户表.csv").read_text("utf-8-sig"))))
    assert {h["户编号"] for h in households} == enriched.visible_to(enriched.county_admin)
    assert next(h for h in households if h["户编号"] == enriched.home.code)["工资性收入"] == "12000.00"


@pytest.mark.django_db
def test_household_cells_are_canonical_template_text(enriched, tmp_path):
    """Codes, names and choices as text; money, years and counts as numbers (defect 11 of issue 13)."""
    _, book = export(tmp_path, enriched.county_admin)
    home = by_key(book[HOUSEHOLD_SHEET], "户编号")[enriched.home.code]
    assert home == {
        "户编号": enriched.home.code, "村代码": XIAGAOCHI, "户主姓名": "王建国",
        "户主身份证号": enriched.home.head_id_number, "识别标准": "国家标准", "贫困户属性": "一般贫困户",
        "脱贫状态": "已脱贫", "识别年度": 2014, "脱贫年度": 2018, "主要致贫原因": "缺技术",
        "其他致贫原因": "因病、缺资金", "收入年度": 2020, "工资性收入": 12000, "生产经营性收入": 3000,
        "财产性收入": 0, "转移性收入": 1500, "生产经营性支出": 500, "年人均纯收入": 5250.5,
        "住房面积": 80, "危房等级": "B", "饮水安全": "是", "通生活用电": "否", "易地扶贫搬迁": "是",
        "帮扶责任人": "李帮扶", "帮扶单位": "绛县农业农村局", "帮扶责任人电话": "13912345678",
        "联系电话": "13800001111",
        # version 2: a 脱贫户 not monitored, nothing known of its last 12 months or its assets
        "户类别": "脱贫户", "监测对象类别": "", "纳入监测时间": "", "主要风险类型": "", "其他风险类型": "",
        "风险是否消除": "否", "风险消除日期": "", "近12个月家庭纯收入": "", "收入核实日期": "",
        "近12个月合规自付支出": "", "家用车辆数": "", "最贵车辆价值": "", "城镇购房套数": "", "登记市场主体数": "",
    }
    neighbour = by_key(book[HOUSEHOLD_SHEET], "户编号")[enriched.neighbour.code]
    assert neighbour["其他致贫原因"] == "因学"  # a blank first cause leaves no stray 、
    assert neighbour["年人均纯收入"] == neighbour["通生活用电"] == neighbour["易地扶贫搬迁"] == ""
    assert neighbour["帮扶责任人"] == neighbour["帮扶单位"] == neighbour["帮扶责任人电话"] == ""
    other_township = by_key(book[HOUSEHOLD_SHEET], "户编号")[enriched.other_township.code]
    assert other_township["脱贫状态"] == "未脱贫" and other_township["脱贫年度"] == ""


@pytest.mark.django_db
def test_member_and_village_cells_are_canonical_template_text(enriched, tmp_path):
    _, book = export(tmp_path, enriched.county_admin)
    members = [m for m in records(book[MEMBER_SHEET]) if m["户编号"] == enriched.home.code]
    assert [m["与户主关系"] for m in members] == ["户主", "之女"]
    head, daughter = members
    assert head["身份证号"] == enriched.home.head_id_number
    assert head["城乡居民基本医疗保险"] == "是" and head["大病保险"] == "" and head["务工时间"] == ""
    assert head["人员状态"] == "正常"
    assert daughter["人员状态"] == "迁出" and daughter["享受低保"] == "是"  # every member, whatever the status
    # 村表: only villages of the exported households that have a 村情.
    assert records(book[VILLAGE_SHEET]) == [{
        "村代码": XIAGAOCHI, "户籍人口": 1520, "户籍户数": 460, "是否贫困村": "是", "贫困村退出年度": 2019,
        "村集体经济收入": 0, "通硬化路": "是", "通客车": "否", "通宽带": "", "卫生室达标": "", "文化活动场所": "",
    }]


@pytest.mark.django_db
def test_every_cell_reads_back_through_the_template_unchanged(enriched):
    """What the importer makes of each exported cell is the stored value itself."""
    tables = export_tables(Household.objects.all())
    assert check(sheets_from_tables(tables, "export"), village_codes=set, existing_households=set) == []
    typed = {sheet: typed_table(sheet, data) for sheet, data in sheets_from_tables(tables, "export").items()}
    home = next(r for r in typed[HOUSEHOLD_SHEET].to_pylist() if r["code"] == enriched.home.code)
    stored = Household.objects.get(code=enriched.home.code)
    for name, value in home.items():
        if hasattr(stored, name) and not name.startswith("cadre"):  # all but the cadre columns
            assert value == getattr(stored, name), name
    member = next(r for r in typed[MEMBER_SHEET].to_pylist() if r["id_number"] == enriched.home.head_id_number)
    stored_member = Member.objects.get(household=enriched.home, relation="户主")
    for name, value in member.items():
        assert value == getattr(stored_member, name), name


@pytest.mark.django_db
def test_money_with_an_exponent_is_written_as_plain_decimals(world):
    Household.objects.filter(code=world.home.code).update(property_income=Decimal("0E-2"),
                                                          wage_income=Decimal("1E+3"))
    table = export_tables(Household.objects.filter(code=world.home.code))[HOUSEHOLD_SHEET]
    row = table.to_pylist()[0]
    assert "E" not in row["财产性收入"] + row["工资性收入"]
    assert Decimal(row["财产性收入"]) == 0 and Decimal(row["工资性收入"]) == 1000


@pytest.mark.django_db
def test_export_of_no_households_still_has_the_headers(world, tmp_path):
    result, book = export(tmp_path, world.village_clerk, status="返贫")
    assert (result.villages, result.households, result.members) == (0, 0, 0)
    assert {sheet: rows for sheet, rows in book.items()} == {s: [headers(s)] for s in SHEET_ORDER}


# --- scope, masking, reach -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["village_clerk", "township_officer", "county_admin", "analyst", "evaluator",
                                 "cadre", "sysadmin", "outsider"])
def test_export_holds_exactly_the_households_in_reach(world, tmp_path, who):
    user = getattr(world, who)
    result, book = export(tmp_path, user)
    expected = world.visible_to(user)
    assert {r["户编号"] for r in records(book[HOUSEHOLD_SHEET])} == expected
    assert {r["户编号"] for r in records(book[MEMBER_SHEET])} == expected
    assert (result.households, result.members) == (len(expected), 2 * len(expected))


@pytest.mark.django_db
def test_village_clerk_export_holds_only_their_household(world, tmp_path):
    _, book = export(tmp_path, world.village_clerk)
    assert [r["户编号"] for r in records(book[HOUSEHOLD_SHEET])] == [world.home.code]


@pytest.mark.django_db
def test_outsider_export_holds_only_their_county(world, tmp_path):
    _, book = export(tmp_path, world.outsider)
    assert [r["户编号"] for r in records(book[HOUSEHOLD_SHEET])] == [world.other_county.code]
    assert all(r["户编号"].startswith("140829") for r in records(book[MEMBER_SHEET]))


@pytest.mark.django_db
def test_read_only_roles_get_masked_id_numbers(world, tmp_path):
    result, book = export(tmp_path, world.analyst)
    assert result.masked
    households = by_key(book[HOUSEHOLD_SHEET], "户编号")
    for household in world.households:
        shown = households[household.code]["户主身份证号"]
        assert shown == mask_id_number(household.head_id_number) and "*" in shown
    for member in records(book[MEMBER_SHEET]):
        assert "*" in member["身份证号"]
    assert not any(m.id_number in {r["身份证号"] for r in records(book[MEMBER_SHEET])} for m in Member.objects.all())


@pytest.mark.django_db
def test_record_keepers_get_full_id_numbers(world, tmp_path):
    result, book = export(tmp_path, world.village_clerk)
    assert not result.masked
    assert records(book[HOUSEHOLD_SHEET])[0]["户主身份证号"] == world.home.head_id_number


@pytest.mark.django_db
@pytest.mark.parametrize("who, org", [("village_clerk", CHENGNEI), ("township_officer", HENGDONG),
                                      ("outsider", "140826"), ("county_admin", "999999")])
def test_org_out_of_reach_is_404_and_writes_nothing(world, tmp_path, who, org):
    with pytest.raises(Http404):
        export(tmp_path, getattr(world, who), org=org)
    assert not (tmp_path / "out.xlsx").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.django_db
def test_filters_narrow_the_export_like_the_household_list(world, tmp_path):
    _, book = export(tmp_path, world.county_admin, org="140826100")
    assert {r["户编号"] for r in records(book[HOUSEHOLD_SHEET])} == {world.home.code, world.neighbour.code}
    _, book = export(tmp_path, world.county_admin, status="未脱贫")
    assert [r["户编号"] for r in records(book[HOUSEHOLD_SHEET])] == [world.other_township.code]
    _, book = export(tmp_path, world.county_admin, text="赵德福")
    assert [r["户编号"] for r in records(book[HOUSEHOLD_SHEET])] == [world.neighbour.code]


# --- audit -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_export_is_audited_with_counts_and_filter(world, tmp_path):
    export(tmp_path, world.township_officer, name="a.xlsx")
    export(tmp_path, world.county_admin, name="b", org="140826100", status="已脱贫")
    first, second = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("id")
    assert (first.actor, first.username, first.target) == (world.township_officer, "township_officer", "a.xlsx")
    assert first.detail["filter"] == {}
    assert (first.detail["households"], first.detail["members"], first.detail["source"]) == (2, 4, "test")
    assert second.actor == world.county_admin and second.target == "b"
    assert second.detail["filter"] == {"org": "140826100", "status": "已脱贫"}
    assert (second.detail["households"], second.detail["members"]) == (2, 4)


# --- the CLI ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_export_writes_every_household_of_the_unit(world, tmp_path, capsys):
    out = tmp_path / "all.xlsx"
    assert cli.main(["export", "--org", "1408", "--out", str(out)]) == 0
    assert f"已导出 户 4 户、人 8 人、村 0 个 → {out}" in capsys.readouterr().out
    book = read_xlsx(out)
    assert {r["户编号"] for r in records(book[HOUSEHOLD_SHEET])} == {h.code for h in world.households}
    households = by_key(book[HOUSEHOLD_SHEET], "户编号")
    assert households[world.home.code]["户主身份证号"] == world.home.head_id_number  # the system sees IDs in full
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.username, event.target) == (None, "system", "all.xlsx")
    assert event.detail["filter"] == {"org": "1408"} and event.detail["source"] == "cli"


@pytest.mark.django_db
def test_cli_export_filters_and_writes_csv(world, tmp_path, capsys):
    out = tmp_path / "poor"
    assert cli.main(["export", "--org", "140826", "--status", "未脱贫", "--out", str(out)]) == 0
    assert "已导出 户 1 户、人 2 人、村 0 个" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO((out / "户表.csv").read_text("utf-8-sig"))))
    assert [r["户编号"] for r in rows] == [world.other_township.code]


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--org", "149999"], ["--org", "1408", "--status", "脱贫了"]])
def test_cli_export_refuses_bad_arguments_in_chinese(world, tmp_path, capsys, args):
    out = tmp_path / "x.xlsx"
    assert cli.main(["export", *args, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "错误" in captured.err and "Traceback" not in captured.err
    assert not out.exists()


# --- the download page -----------------------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def temp_dir(tmp_path, monkeypatch) -> Path:
    """Where the view's temporary files go during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _download(response) -> bytes:
    # Reading the streaming content to its end closes the response the way the test client wants
    # (without closing the test's database connection).
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_web_export_is_an_xlsx_attachment_of_the_filtered_households(world, client, tmp_path, temp_dir):
    _login(client, world.county_admin)
    response = client.get(reverse("exchange:household_export"), {"status": "已脱贫", "township": "140826100"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote("贫困户-140826100-") in disposition
    assert list(temp_dir.iterdir())  # written to a temporary file…
    content = _download(response)
    assert not list(temp_dir.iterdir())  # …that goes once the response is closed
    (tmp_path / "dl.xlsx").write_bytes(content)
    book = read_xlsx(tmp_path / "dl.xlsx")
    assert list(book) == SHEET_ORDER
    assert book[HOUSEHOLD_SHEET][0] == headers(HOUSEHOLD_SHEET)
    assert {r["户编号"] for r in records(book[HOUSEHOLD_SHEET])} == {world.home.code, world.neighbour.code}
    assert len(records(book[MEMBER_SHEET])) == 4
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.county_admin and event.detail["source"] == "web"
    assert event.detail["filter"] == {"org": "140826100", "status": "已脱贫"}
    assert event.ip == "127.0.0.1"


@pytest.mark.django_db
def test_web_export_keeps_the_user_scope(world, client, tmp_path):
    _login(client, world.village_clerk)
    response = client.get(reverse("exchange:household_export"))
    assert response.status_code == 200
    assert quote(f"贫困户-{XIAGAOCHI}-") in response["Content-Disposition"]
    content = _download(response)
    (tmp_path / "dl.xlsx").write_bytes(content)
    book = read_xlsx(tmp_path / "dl.xlsx")
    assert [r["户编号"] for r in records(book[HOUSEHOLD_SHEET])] == [world.home.code]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"status": "脱贫了"}, {"village": ZHANGGUO}, {"township": "140829102"}])
def test_web_export_with_a_bad_filter_is_400_in_chinese(world, client, query):
    _login(client, world.township_officer)
    response = client.get(reverse("exchange:household_export"), query)
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.django_db
def test_web_export_needs_a_signed_in_user(world, client):
    response = client.get(reverse("exchange:household_export"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.django_db
def test_household_list_links_to_the_export_with_its_filters(world, client):
    _login(client, world.county_admin)
    response = client.get(reverse("registry:household_list"), {"status": "未脱贫"})
    expected = reverse("exchange:household_export") + "?status=" + quote("未脱贫")
    assert f'href="{expected}"' in response.content.decode()


@pytest.mark.django_db
def test_read_only_roles_get_masked_phone_numbers(enriched, tmp_path):
    """联系电话 and 帮扶责任人电话 are masked like ID numbers for roles that see those masked (issue 12 item 4)."""
    _, book = export(tmp_path, enriched.analyst)
    home = by_key(book[HOUSEHOLD_SHEET], "户编号")[enriched.home.code]
    assert home["联系电话"] == "138****1111"
    assert home["帮扶责任人电话"] == "139****5678"
    _, book = export(tmp_path, enriched.county_admin, name="full.xlsx")
    home = by_key(book[HOUSEHOLD_SHEET], "户编号")[enriched.home.code]
    assert (home["联系电话"], home["帮扶责任人电话"]) == ("13800001111", "13912345678")
