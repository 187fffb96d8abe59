"""`jingzhun assess plan`: creates and draws a plan, printing the counts and the seed; with --frame redraws the
same sample from the saved frame file without writing; bad input is a Chinese message and changes nothing."""

from __future__ import annotations

import json

import pytest

from jingzhun.assessment.models import Assessment, Case
from jingzhun.cli import main

from .test_assessment_plans import build_county

pytestmark = pytest.mark.django_db(transaction=True)

PLAN = ["assess", "plan", "--org", "140826", "--year", "2026", "--kind", "post", "--seed", "777",
        "--villages-per-stratum", "2", "--per-village", "exited=3,not_exited=1,monitored=2", "--user", "county_admin"]


def test_assess_plan_creates_and_draws_and_prints_the_counts_and_the_seed(world, capsys):
    build_county(world)
    assert main([*PLAN, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    plan = Assessment.objects.get()
    assert out["assessment"] == plan.pk and out["seed"] == 777 == plan.seed and out["frame_sha256"] == plan.frame_sha256
    assert plan.design["per_village"] == {"exited": 3, "not_exited": 1, "monitored": 2}
    assert plan.design["villages_per_stratum"] == 2 and plan.state == Assessment.State.FIELDWORK
    assert out["counts"]["exited"] == Case.objects.filter(assessment=plan, frame="exited").count() > 0
    assert out["villages"] == plan.villages.count() == 4  # two strata × 2


def test_assess_plan_with_the_frame_file_redraws_the_same_sample_without_writing(world, tmp_path, capsys):
    build_county(world)
    assert main(PLAN) == 0
    table = capsys.readouterr().out
    assert "随机种子 777" in table and "样本村 4 个" in table
    plan = Assessment.objects.get()
    path = tmp_path / "frame.parquet"
    path.write_bytes(plan.frame.open("rb").read())
    assert main(["assess", "plan", "--frame", str(path), "--seed", "777", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    stored = list(Case.objects.filter(assessment=plan).order_by("order").values_list("order", "village", "frame",
                                                                                     "household_id"))
    assert [(r["order"], r["village"], r["frame"], r["household"] or None) for r in out["sample"]] == stored
    assert out["frame_sha256"] == plan.frame_sha256 and out["county"] == "140826"
    assert Assessment.objects.count() == 1
    assert main(["assess", "plan", "--frame", str(path), "--seed", "778", "--format", "json"]) == 0
    other = json.loads(capsys.readouterr().out)
    assert [r["household"] for r in other["sample"]] != [r["household"] for r in out["sample"]]


def test_assess_plan_refuses_bad_input_in_chinese_and_writes_nothing(world, tmp_path, capsys):
    assert main([*PLAN[:-2]]) == 2
    assert "--user" in capsys.readouterr().err
    assert main([*PLAN[:-1], "evaluator"]) == 2
    assert "不能制定" in capsys.readouterr().err
    assert main([*PLAN[:-1], "outsider"]) == 2
    assert "管辖范围" in capsys.readouterr().err
    assert main(["assess", "plan", "--org", "140826", "--year", "2026", "--user", "county_admin",
                 "--per-village", "exited=0"]) == 2
    assert "至少要从一个抽样框" in capsys.readouterr().err
    assert main(["assess", "plan", "--per-village", "poor=3"]) == 2
    assert "抽样框=户数" in capsys.readouterr().err
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet")
    assert main(["assess", "plan", "--frame", str(junk), "--seed", "1"]) == 2
    assert "不是抽样框文件" in capsys.readouterr().err
    assert main(["assess", "plan", "--frame", str(junk)]) == 2
    assert "--seed" in capsys.readouterr().err
    assert not Assessment.objects.exists()
