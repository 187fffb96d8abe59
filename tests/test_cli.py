"""The `jingzhun` command, run as a person would: a fresh $JINGZHUN_HOME, a real process."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _jingzhun(*args, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "JINGZHUN_HOME": str(home)}
    # The CLI's own embedded database, never the test run's PostgreSQL.
    env.pop("JINGZHUN_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    exe = shutil.which("jingzhun", path=os.path.dirname(sys.executable))
    command = [exe] if exe else [sys.executable, "-m", "jingzhun.cli"]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=300)


def _rows_of_every_table(database: Path) -> dict[str, list[tuple]]:
    import sqlite3

    with sqlite3.connect(database) as db:
        # sqlite_sequence only counts ids handed out (the refused import's audit row takes one)
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if t != "sqlite_sequence"]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def test_init_then_synth_141130_runs_clean(tmp_path):
    home = tmp_path / "home"
    result = _jingzhun("init", home=home)
    assert result.returncode == 0, result.stderr
    assert "行政区划 26598 个" in result.stdout
    assert (home / "jingzhun.sqlite3").exists()
    out = tmp_path / "x"
    result = _jingzhun("synth", "--county", "141130", "--households", "2000", "--seed", "1", "--out", str(out),
                       home=home)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    with open(out / "户表.csv", encoding="utf-8-sig", newline="") as fh:
        households = list(csv.DictReader(fh))
    assert len(households) == 2000
    assert all(h["户编号"].startswith("141130") for h in households)


def test_synth_of_a_reference_day_has_the_last_full_years_incomes(tmp_path):
    out = tmp_path / "x"
    result = _jingzhun("synth", "--county", "140826", "--households", "30", "--as-of", "2026-03-16", "--out", str(out),
                       home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    with open(out / "户表.csv", encoding="utf-8-sig", newline="") as fh:
        assert {h["收入年度"] for h in csv.DictReader(fh)} == {"2025"}
    refused = _jingzhun("synth", "--county", "140826", "--households", "3", "--as-of", "2019-01-01", "--year", "2020",
                        "--out", str(out), home=tmp_path / "home")
    assert refused.returncode == 2 and "基准日" in refused.stderr and "Traceback" not in refused.stderr


def test_synth_refuses_a_county_without_villages_in_chinese(tmp_path):
    result = _jingzhun("synth", "--county", "110101", "--households", "10", "--out", str(tmp_path / "y"),
                       home=tmp_path / "home")
    assert result.returncode == 2
    assert "错误" in result.stderr and "Traceback" not in result.stderr


def test_demo_without_serving_loads_jiangxian_and_prints_credentials(tmp_path):
    home = tmp_path / "home"
    result = _jingzhun("demo", "--no-serve", "--households", "300", home=home)
    assert result.returncode == 0, result.stderr
    for username in ("admin", "county", "township", "village", "analyst", "evaluator", "cadre"):
        assert f"用户名 {username}" in result.stdout
    assert "演示县 140826：" in result.stdout and "户 300 户" in result.stdout
    assert "待办：" in result.stdout  # the procedures and problems waiting for the roles
    database = home / "jingzhun.sqlite3"
    before = {t: len(rows) for t, rows in _rows_of_every_table(database).items()
              if t.startswith(("workflows_", "checks_", "registry_"))}
    again = _jingzhun("demo", "--no-serve", home=home)
    assert again.returncode == 0 and "已有数据，跳过生成" in again.stdout and "待办：" not in again.stdout
    after = {t: len(rows) for t, rows in _rows_of_every_table(database).items()
             if t.startswith(("workflows_", "checks_", "registry_"))}
    assert after == before and before["workflows_procedure"] > 0  # a second run duplicates nothing


def test_import_export_round_trip_and_errors_on_the_command_line(tmp_path):
    import json

    home = tmp_path / "home"
    assert _jingzhun("init", home=home).returncode == 0
    data = tmp_path / "data"
    assert _jingzhun("synth", "--county", "140826", "--households", "50", "--seed", "3", "--out", str(data),
                     home=home).returncode == 0
    first = _jingzhun("import", str(data), home=home)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "导入完成" in first.stdout
    again = _jingzhun("import", str(data), "--format", "json", home=home)
    summary = json.loads(again.stdout)["summary"]
    assert summary["户"] == {"created": 0, "updated": 0, "unchanged": 50}

    # export → import is a no-op
    out = tmp_path / "export.xlsx"
    exported = _jingzhun("export", "--org", "140826", "--out", str(out), home=home)
    assert exported.returncode == 0 and "户 50 户" in exported.stdout
    back = json.loads(_jingzhun("import", str(out), "--format", "json", home=home).stdout)
    assert back["ok"] and all(v["created"] == v["updated"] == 0 for v in back["summary"].values())

    # a bad cell: every error listed, exit status 1, nothing written, no traceback
    rows = (data / "户表.csv").read_text(encoding="utf-8-sig").splitlines()
    rows[1] = rows[1].replace("已脱贫", "脱贫啦", 1).replace("未脱贫", "脱贫啦", 1)
    (data / "户表.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    database = home / "jingzhun.sqlite3"
    before = _rows_of_every_table(database)
    bad = _jingzhun("import", str(data), "--format", "json", home=home)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    issue = json.loads(bad.stdout)["issues"][0]
    assert (issue["sheet"], issue["row"], issue["header"]) == ("户表", 2, "脱贫状态")
    # nothing written but the audit row of the refused import
    after = _rows_of_every_table(database)
    audit = after.pop("accounts_auditevent")
    assert len(audit) == len(before.pop("accounts_auditevent")) + 1 and after == before

    garbage = tmp_path / "registry.xlsx"
    garbage.write_bytes(b"\x00garbage" * 100)
    result = _jingzhun("import", str(garbage), home=home)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "registry.xlsx" in result.stdout


def test_check_on_the_command_line(tmp_path):
    import json

    home = tmp_path / "home"
    assert _jingzhun("init", home=home).returncode == 0
    data = tmp_path / "data"
    _jingzhun("synth", "--county", "140826", "--households", "80", "--seed", "4", "--errors", "0.05",
              "--out", str(data), home=home)
    assert _jingzhun("import", str(data), home=home).returncode == 0
    result = _jingzhun("check", "--org", "140826", "--as-of", "2020-12-31", "--format", "json", home=home)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert findings and set(findings[0]) == {"rule", "household", "person", "org", "message", "detail"}
    assert all(f["org"] == f["household"][:12] for f in findings)
    assert any(f["person"] is None for f in findings) or any(f["person"] for f in findings)
    subset = json.loads(_jingzhun("check", "--rules", "Q01,Q05", "--as-of", "2020-12-31", "--format", "json",
                                  "--no-store", home=home).stdout)
    assert {f["rule"] for f in subset} <= {"Q01", "Q05"}
    table = _jingzhun("check", "--org", "140826", "--as-of", "2020-12-31", "--out", str(tmp_path / "t.txt"),
                      home=home)
    assert table.returncode == 0 and "发现问题" in (tmp_path / "t.txt").read_text(encoding="utf-8")
    import sqlite3

    with sqlite3.connect(home / "jingzhun.sqlite3") as db:  # a file written leaves an audit row, like a download
        written = db.execute("SELECT target, detail FROM accounts_auditevent WHERE action = 'export'").fetchall()
    assert [t for t, detail in written if json.loads(detail)["source"] == "cli"] == [str(tmp_path / "t.txt")]
    for bad in (["--org", "999999"], ["--rules", "Q99"], ["--as-of", "2020-02-30"]):
        refused = _jingzhun("check", *bad, home=home)
        assert refused.returncode == 2 and "错误" in refused.stderr and "Traceback" not in refused.stderr


def test_indicators_on_the_command_line(tmp_path):
    import json

    from jingzhun.indicators.catalog import indicator_catalog

    home = tmp_path / "home"
    assert _jingzhun("init", home=home).returncode == 0
    data = tmp_path / "data"
    _jingzhun("synth", "--county", "140826", "--households", "60", "--seed", "8", "--out", str(data), home=home)
    assert _jingzhun("import", str(data), home=home).returncode == 0
    result = _jingzhun("indicators", "--org", "140826", "--as-of", "2020-12-31", "--format", "json", home=home)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert set(values) == set(indicator_catalog()) | {"CAUSES", "EXITS_BY_YEAR", "INCOME", "RISKS", "MEASURES", "FUNDS"}
    assert values["HH_REG"] + values["HH_REMOVED"] == 60 and sum(values["CAUSES"].values()) == values["HH_REG"]
    # the 帮扶 indicators are there (an imported county has no measure yet: all of it without one)
    assert values["ASST_NO_MEASURE_HH"] == values["ASST_BASE_HH"] > 0 and values["FUND_RATE"] is None
    table = _jingzhun("indicators", "--org", "140826", "--as-of", "2020-12-31", home=home)
    assert table.returncode == 0 and "帮扶措施覆盖率" in table.stdout and "衔接资金执行率" in table.stdout
    refused = _jingzhun("indicators", "--org", "999999", home=home)
    assert refused.returncode == 2 and "错误" in refused.stderr and "Traceback" not in refused.stderr


def test_refresh_on_the_command_line_stores_every_unit(tmp_path):
    home = tmp_path / "home"
    assert _jingzhun("init", home=home).returncode == 0
    data = tmp_path / "data"
    _jingzhun("synth", "--county", "140826", "--households", "30", "--seed", "3", "--out", str(data), home=home)
    assert _jingzhun("import", str(data), home=home).returncode == 0
    result = _jingzhun("refresh", "--as-of", "2020-12-31", home=home)
    assert result.returncode == 0, result.stderr
    assert "指标已更新" in result.stdout and "基准日 2020-12-31" in result.stdout
    refused = _jingzhun("refresh", "--as-of", "31/12/2020", home=home)
    assert refused.returncode == 2 and "错误" in refused.stderr and "Traceback" not in refused.stderr


def test_synth_draws_ordinary_rural_households_on_request_and_refuses_a_bad_share(tmp_path):
    out = tmp_path / "x"
    result = _jingzhun("synth", "--county", "140826", "--households", "400", "--ordinary", "0.25",
                       "--as-of", "2026-03-16", "--out", str(out), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    with open(out / "户表.csv", encoding="utf-8-sig", newline="") as fh:
        categories = [h["户类别"] for h in csv.DictReader(fh)]
    assert 60 <= categories.count("一般农户") <= 140 and "脱贫户" in categories
    refused = _jingzhun("synth", "--county", "140826", "--households", "10", "--ordinary", "1.5",
                        "--out", str(out), home=tmp_path / "home")
    assert refused.returncode == 2 and "一般农户比例" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.slow
def test_synth_writes_department_alert_files_that_load_and_raise_alerts(tmp_path):
    """`jingzhun synth --alerts`: 医保费用, 民政救助 and 灾害损失 files about the registry's people (some written
    with errors, some without ID numbers) and about strangers; imported with the registry, they load whole
    and raise alerts."""
    home, out = tmp_path / "home", tmp_path / "x"
    assert _jingzhun("init", home=home).returncode == 0
    result = _jingzhun("synth", "--county", "140826", "--households", "600", "--seed", "3", "--as-of", "2026-11-30",
                       "--alerts", "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    folder = out / "部门预警"
    assert sorted(p.name for p in folder.iterdir()) == ["医保费用.csv", "民政救助.csv", "灾害损失.csv"]
    with open(folder / "医保费用.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and any(not r["身份证号"] and r["出生日期"] for r in rows)  # some without an ID number
    assert any(not r["身份证号"].startswith("140826") for r in rows if r["身份证号"])  # strangers
    assert _jingzhun("import", str(out), home=home).returncode == 0
    import json

    counts = {}
    for kind in ("医保费用", "民政救助", "灾害损失"):
        loaded = _jingzhun("alerts", kind, str(folder / f"{kind}.csv"), "--org", "140826", "--format", "json",
                           home=home)
        assert loaded.returncode == 0, loaded.stderr
        report = json.loads(loaded.stdout)
        assert report["ok"], report
        counts[kind] = report["counts"]
    assert counts["医保费用"]["hits"] > 0 and counts["民政救助"]["hits"] > 0
    assert counts["医保费用"]["fuzzy"] > 0  # rows without an ID number found by name, birth date and village
