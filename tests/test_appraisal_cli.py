"""`jingzhun appraise --year Y --org CODE [--docx FILE] [--format json]`: the scores and ranking as a table or
JSON, the 通报 written to a file (audited as an export); bad input is a Chinese message and exit status 2."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from jingzhun.accounts.models import AuditEvent
from jingzhun.cli import main
from jingzhun.orgunits.models import OrgUnit
from jingzhun.supervision.models import Agency, ManualScore
from jingzhun.supervision.services.agencies import agency_for_org

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def county(world):
    a = agency_for_org(OrgUnit.objects.get(code="140826100"))
    b = agency_for_org(OrgUnit.objects.get(code="140826101"))
    dept = Agency.objects.create(county_id="140826", kind="department", name="县民政局")
    for agency, item, points, note in ((a, "T09", 9, "组织有力"), (b, "T09", 6, "作风一般"), (dept, "D03", 30, "实绩"),
                                       (b, "TV2", 1, "发生重大安全责任事故")):
        ManualScore.objects.create(county_id="140826", year=YEAR, agency=agency, item=item, points=points, note=note,
                                   scored_by=world.county_admin)
    return {"a": a, "b": b, "dept": dept}


def test_appraise_prints_the_scores_as_json(county, capsys):
    assert main(["appraise", "--year", str(YEAR), "--org", "140826", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == YEAR and out["scheme_origin"] == "default" and out["as_of"] == "2025-12-31"
    township, department = out["groups"]
    rows = {r["name"]: r for r in township["rows"]}
    assert rows[county["a"].name]["rank"] == 1 and not rows[county["a"].name]["vetoed"]
    assert rows[county["b"].name]["vetoed"] and rows[county["b"].name]["total"] == "0.00"
    assert rows[county["b"].name]["vetoes"][0]["reason"] == "发生重大安全责任事故"
    assert [i["code"] for i in rows[county["a"].name]["items"]][-1] == "T09"
    assert rows[county["a"].name]["items"][-1]["points"] == "9.00"
    # no indicators refreshed: T01–T04 0; nothing due: T06 (missing = full) 15, T07 (none overdue) 10;
    # no spot check or assessment: T05 and T08 full (10 + 10); T09 9 → 54
    assert rows[county["a"].name]["total"] == "54.00"
    # D01 nothing due (full) 40, D02 nothing overdue 20, D03 30
    assert department["rows"][0]["name"] == "县民政局" and department["rows"][0]["total"] == "90.00"


def test_appraise_prints_a_table_and_the_places(county, capsys):
    assert main(["appraise", "--year", str(YEAR), "--org", "140826"]) == 0
    out = capsys.readouterr().out
    assert "乡镇考评得分排名" in out and f"{county['b'].name}因发生重大安全责任事故被一票否决" in out
    assert "按系统默认办法" in out


def test_appraise_writes_the_bulletin_and_audits_it(county, tmp_path, capsys):
    path = tmp_path / "通报.docx"
    assert main(["appraise", "--year", str(YEAR), "--org", "140826", "--docx", str(path)]) == 0
    xml = zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("word/document.xml").decode()
    assert "关于2025年度脱贫攻坚绩效考评情况的通报" in xml and county["a"].name in xml
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__what="appraisal_report").exists()


@pytest.mark.parametrize("argv, words", [
    (["--year", "2025", "--org", "999999"], "没有区划代码为“999999”的单位"),
    (["--year", "2025", "--org", "140826100"], "不是县级区划代码"),
    (["--year", "1900", "--org", "140826"], "年度应在 2000 到 2100 之间"),
])
def test_bad_arguments_are_explained_with_status_2(county, capsys, argv, words):
    assert main(["appraise", *argv]) == 2
    assert words in capsys.readouterr().err


def test_a_missing_year_is_an_argument_error(capsys):
    assert main(["appraise", "--org", "140826"]) == 2
    assert "缺少参数 --year" in capsys.readouterr().err
