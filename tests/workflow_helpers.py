"""Shared pieces of the workflow tests: a candidate household and walking procedures step by step."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import Procedure, PublicityBatch

from .people import XIAGAOCHI, id_number


def candidate(head: str = "孙有田", seq: int = 701) -> tuple[dict, list[dict]]:
    """A candidate household of three, poor (per-capita income under any line)."""
    head_id = id_number("140826", "19700202", seq)
    household = {
        "head_name": head, "head_id_number": head_id, "standard": "国家标准", "attribute": "一般贫困户",
        "main_cause": "因病", "other_cause_1": "", "other_cause_2": "", "income_year": 2019,
        "wage_income": Decimal("3000"), "business_income": Decimal("1200"), "property_income": Decimal("0"),
        "transfer_income": Decimal("800"), "business_expense": Decimal("400"), "housing_area": Decimal("60"),
        "housing_grade": "B", "safe_water": True, "electricity": True, "relocated": False, "phone": "",
    }

    def member(name, ident, relation, sex):
        return {"name": name, "id_number": ident, "relation": relation, "sex": sex, "ethnicity": "汉族",
                "education": "初中", "schooling": "非在校生", "health": "健康", "labour": "普通劳动力",
                "migrant_work": "", "migrant_months": None, "medical_insurance": True,
                "serious_illness_insurance": None, "pension_insurance": None, "dibao": None, "tekun": None,
                "active_soldier": None}

    members = [member(head, head_id, "户主", "男"),
               member(head[0] + "桂兰", id_number("140826", "19720315", seq + 1), "配偶", "女"),
               member(head[0] + "小军", id_number("140826", "19950101", seq + 2), "之子", "男")]
    members[0]["health"] = "患有大病"
    return household, members


def past(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def period_ran(batch) -> None:
    """Let a 公示 period run its course: the batch published today moves back in time until its last day
    was yesterday (the service refuses to publish in the past and to close a period still running)."""
    length = batch.end - batch.start
    end = past(1)
    PublicityBatch.objects.filter(pk=batch.pk).update(start=end - length, end=end)
    batch.refresh_from_db()


def publish_and_run(world_user, procedure, step: str, kind: str = Kind.ENTRY):
    """Publish a 公示 of one procedure today, let its period run and confirm 公示期满."""
    batch = publicity.batch_open(acting_user=world_user, kind=kind, step=step, procedure_ids=[procedure.pk],
                                 start=timezone.localdate())
    period_ran(batch)
    publicity.batch_close(acting_user=world_user, batch_id=batch.pk)
    return batch


def entry_to_announcement(world, *, village: str = XIAGAOCHI, head: str = "孙有田", seq: int = 701,
                          year: int = 2018) -> Procedure:
    """Walk one 精准识别 from application to 县审定公告 with the world's three officers."""
    household, members = candidate(head, seq)
    p = services.entry_open(acting_user=world.village_clerk, village_code=village, household=household,
                            members=members, year=year, note="本人申请")
    for step in ("group_review", "village_review"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True,
                               note="同意")
    publish_and_run(world.village_clerk, p, "village_publicity")
    services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk, step="township_review",
                           approve=True, note="审核通过")
    publish_and_run(world.township_officer, p, "township_publicity")
    services.procedure_act(acting_user=world.county_admin, procedure_id=p.pk, step="comparison", approve=True,
                           data={"comparison": "车辆、房产、工商、财政供养均无比中"})
    publicity.batch_open(acting_user=world.county_admin, kind=Kind.ENTRY, step="county_announcement",
                         procedure_ids=[p.pk], start=timezone.localdate())
    p.refresh_from_db()
    return p


def exit_to_announcement(world, household, *, year: int = 2020, food_clothing: bool = True) -> Procedure:
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=household.code,
                                year=year, note="申请退出")
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="village_review",
                           approve=True, note="评议通过")
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="team_verification",
                           approve=True, note="入户核实", data={"food_clothing": food_clothing})
    services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step="household_consent",
                           approve=True, note="农户签字认可")
    publish_and_run(world.village_clerk, p, "village_publicity", Kind.EXIT)
    publicity.batch_open(acting_user=world.township_officer, kind=Kind.EXIT, step="announcement",
                         procedure_ids=[p.pk], start=timezone.localdate())
    p.refresh_from_db()
    return p
