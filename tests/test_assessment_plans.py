"""services.plans: the design checked, the draw done once and kept, the same sample from the same seed and
frame (also redrawn from the stored Parquet file), PPS villages, oversampled monitoring objects, the
purposive screen, 三回避 and two-person teams, and who may do it.

transactional: the frame comes from a registry snapshot read through its own connection.
"""

from __future__ import annotations

import datetime
import hashlib

import pyarrow.parquet as pq
import pytest

from jingzhun.alerts.models import AlertBatch, AlertRecord
from jingzhun.assessment.models import Assessment, Case, SampledVillage, Staff, Stratum, Team
from jingzhun.assessment.services import plans
from jingzhun.assessment.services.plans import PlanError
from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.registry.models import Household, VillageProfile

from .people import PASSWORD, make_household

pytestmark = pytest.mark.django_db(transaction=True)

#: households per village: (已脱贫, 未脱贫, 监测户) for six villages of 绛县 besides the world's own.
LAYOUT = [(12, 2, 4), (6, 1, 2), (20, 0, 6), (9, 3, 1), (15, 2, 3), (4, 1, 2)]


def build_county(world) -> list[str]:
    """Six more villages of 绛县 with households of every frame; the first two are 贫困村. Returns them."""
    taken = {h.village_id for h in world.households}
    villages = [c for c in OrgUnit.objects.filter(code__startswith="140826", level=Level.VILLAGE)
                .order_by("code").values_list("code", flat=True) if c not in taken][:len(LAYOUT)]
    for i, (village, (exited, poor, monitored)) in enumerate(zip(villages, LAYOUT)):
        VillageProfile.objects.create(village_id=village, registered_population=300, registered_households=100,
                                      is_poor_village=i < 2)
        serial = 1
        for status, n in (("已脱贫", exited), ("未脱贫", poor), ("已脱贫", monitored)):
            for _ in range(n):
                h = make_household(village, serial, f"户主{i}{serial}", status=status)
                serial += 1
                if n == monitored and status == "已脱贫" and serial > exited + poor + 1:
                    Household.objects.filter(pk=h.pk).update(category="监测户", monitoring_class="脱贫不稳定户",
                                                              monitoring_since=datetime.date(2024, 3, 1))
    return villages


def evaluator(name: str, county: str = "140829"):
    return user_create(username=name, password=PASSWORD, role=Role.EVALUATOR,
                       org_unit=OrgUnit.objects.get(code=county), full_name=name, check_password=False)


DESIGN = {"strata": "poor_village", "villages_per_stratum": 3,
          "per_village": {"exited": 4, "not_exited": 1, "monitored": 3}, "screen": True}


def _plan(world, **design):
    return plans.assessment_create(county="140826", year=2026, kind="post", title="", design={**DESIGN, **design},
                                   seed=20260101, acting_user=world.county_admin)


@pytest.mark.parametrize("design,words", [
    ({"strata": "county"}, "分层依据"),
    ({"per_village": {"exited": 0, "not_exited": 0, "monitored": 0}}, "至少要从一个抽样框"),
    ({"per_village": {"poor": 3}}, "不认识的抽样框"),
    ({"margin": 0}, "目标误差"),
    ({"deff": "两倍"}, "设计效应"),
    ({"villages_per_stratum": 0}, "每层抽取村数"),
    ({"sample": 3}, "不认识的项"),
])
def test_a_wrong_design_is_refused_in_chinese_and_nothing_is_created(world, design, words):
    with pytest.raises(PlanError) as refused:
        _plan(world, **design)
    assert words in refused.value.message
    assert not Assessment.objects.exists()


def test_the_plan_records_its_seed_and_a_random_one_when_none_is_given(world):
    given = _plan(world)
    assert given.seed == 20260101 and given.design["per_village"]["monitored"] == 3 and given.state == "draft"
    assert "绛县" in given.title
    drawn = plans.assessment_create(county="140826", year=2026, kind="exit", title="退出评估", design=DESIGN,
                                    seed=None, acting_user=world.county_admin)
    assert 0 < drawn.seed <= plans.SEED_MAX


def test_only_the_county_and_the_system_administrator_plan_and_only_counties_in_reach(world):
    for person in (world.evaluator, world.analyst, world.village_clerk, world.township_officer):
        with pytest.raises(Refused):
            plans.assessment_create(
                county="140826", year=2026, kind="post", title="", design=DESIGN, seed=1, acting_user=person)
    with pytest.raises(OutOfReach):
        plans.assessment_create(county="140826", year=2026, kind="post", title="", design=DESIGN, seed=1,
                                acting_user=world.outsider)
    with pytest.raises(PlanError):
        plans.assessment_create(county="140826100", year=2026, kind="post", title="", design=DESIGN, seed=1,
                                acting_user=world.county_admin)
    assert not Assessment.objects.exists()


def test_the_draw_keeps_the_frame_strata_villages_and_cases_and_is_done_once(world):
    villages = build_county(world)
    plan = _plan(world)
    drawn = plans.assessment_draw(assessment_id=plan.pk, acting_user=world.county_admin)
    assert drawn.state == Assessment.State.FIELDWORK and drawn.drawn_by == world.county_admin
    content = drawn.frame.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == drawn.frame_sha256 and drawn.frame_as_of is not None
    strata = {s.code: s for s in Stratum.objects.filter(assessment=drawn)}
    assert set(strata) == {"poor", "non_poor"}
    assert strata["poor"].villages_in_frame == 2 and strata["poor"].villages_drawn == 2  # whole: only two
    # non-poor: the four new villages and the world's three 绛县 villages with households
    assert strata["non_poor"].villages_in_frame == 7 and strata["non_poor"].villages_drawn == 3
    assert set(villages[:2]) <= set(SampledVillage.objects.filter(assessment=drawn).values_list("village", flat=True))
    cases = Case.objects.filter(assessment=drawn)
    assert cases.count() > 0 and not cases.exclude(state=Case.State.ASSIGNED).exists()
    assert all(c.history.exists() for c in cases.exclude(frame=Case.Frame.SCREEN)[:3])
    with pytest.raises(PlanError) as again:
        plans.assessment_draw(assessment_id=plan.pk, acting_user=world.county_admin)
    assert "不再重抽" in again.value.message
    assert Case.objects.filter(assessment=drawn).count() == cases.count()


def _stored(assessment) -> list[tuple]:
    return list(Case.objects.filter(assessment=assessment).exclude(frame=Case.Frame.SCREEN).order_by("order")
                .values_list("order", "village", "frame", "household_id"))


def test_the_same_seed_and_frame_give_the_same_sample_also_from_the_stored_file(world):
    build_county(world)
    first = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    second = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    assert first.frame_sha256 == second.frame_sha256
    assert _stored(first) == _stored(second)
    redrawn = plans.sample_redraw(first.frame.open("rb").read(), design=first.design, seed=first.seed)
    assert [(h["order"], h["village"], h["frame"], h["household"]) for h in redrawn.households.iter_rows(named=True)] \
        == _stored(first)
    weights = dict(Case.objects.filter(assessment=first).exclude(household=None).values_list("household_id", "weight"))
    assert all(weights[h["household"]] == pytest.approx(h["weight"]) for h in redrawn.households.iter_rows(named=True))
    other = plans.sample_redraw(first.frame.open("rb").read(), design=first.design, seed=first.seed + 1)
    assert [h["household"] for h in other.households.iter_rows(named=True)] != [s[3] for s in _stored(first)]


def _pps(sizes: dict[str, int], n: int) -> dict[str, float]:
    """Inclusion probabilities of PPS without replacement: n·size/total, a village at or above the sampling
    interval taken with certainty and the rest spread over what remains (worked out here by hand)."""
    certain: set[str] = set()
    while True:
        rest = {v: s for v, s in sizes.items() if v not in certain}
        left = n - len(certain)
        more = {v for v, s in rest.items() if left * s / sum(rest.values()) >= 1}
        if not more:
            return {v: 1.0 if v in certain else left * s / sum(rest.values()) for v, s in sizes.items()}
        certain |= more


def test_villages_are_drawn_with_probability_proportional_to_size(world):
    build_county(world)
    drawn = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    frame = pq.read_table(drawn.frame.path).to_pylist()
    sizes = {r["village"]: r["size"] for r in frame if r["row"] == "village" and r["stratum"] == "non_poor"
             and r["size"] > 0}
    assert sizes == {v: Household.objects.filter(village_id=v).count() for v in sizes}
    expected = _pps(sizes, 3)
    rows = list(SampledVillage.objects.filter(assessment=drawn, stratum__code="non_poor"))
    assert len(rows) == 3 and any(0 < v.probability < 1 for v in rows)
    for v in rows:
        assert v.size == sizes[v.village] and v.probability == pytest.approx(expected[v.village], rel=1e-9)


def test_monitoring_objects_are_oversampled_and_never_counted_twice(world):
    villages = build_county(world)
    drawn = plans.assessment_draw(assessment_id=_plan(world, per_village={"exited": 2, "not_exited": 1,
                                                                         "monitored": 6}).pk,
                                  acting_user=world.county_admin)
    village = villages[0]  # 12 已脱贫, 2 未脱贫, 4 监测户 (all of them drawn: 6 asked)
    cases = Case.objects.filter(assessment=drawn, village=village)
    by_frame = {f: cases.filter(frame=f).count() for f in ("exited", "not_exited", "monitored")}
    assert by_frame == {"exited": 2, "not_exited": 1, "monitored": 4}
    monitored = cases.filter(frame="monitored").first()
    exited = cases.filter(frame="exited").first()
    assert monitored.household.category == "监测户" and exited.household.category == "脱贫户"
    assert monitored.probability > exited.probability and monitored.weight < exited.weight
    assert len(set(cases.values_list("household_id", flat=True))) == cases.count()


def test_the_screen_takes_flagged_people_outside_the_registry_without_a_weight(world):
    villages = build_county(world)
    batch = AlertBatch.objects.create(kind="civil", source="民政", data_date=datetime.date(2026, 1, 1), org="140826")
    member = Household.objects.filter(village_id=villages[0]).first().members.first()
    AlertRecord.objects.create(batch=batch, row=1, name="孙无籍", village=villages[0], address="一组 3 号",
                               extra={"assistance": "低保"})
    AlertRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number, village=villages[0],
                               extra={"assistance": "低保"})  # in the registry: not a screen case
    AlertRecord.objects.create(batch=batch, row=3, name="钱临时", village=villages[0], extra={"assistance": "临时救助"})
    housing = AlertBatch.objects.create(kind="housing", source="住建", data_date=datetime.date(2026, 1, 1), org="140826")
    AlertRecord.objects.create(batch=housing, row=1, name="孙无籍", village=villages[0], extra={"grade": "D级"})
    drawn = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    screened = list(Case.objects.filter(assessment=drawn, frame=Case.Frame.SCREEN))
    assert [(c.head_name, c.village, c.address, c.household_id, c.weight, c.probability, c.screen_source)
            for c in screened] == [("孙无籍", villages[0], "一组 3 号", None, None, None, "低保、危房")]
    assert screened[0].order == Case.objects.filter(assessment=drawn).count()  # after the probability sample
    off = plans.assessment_draw(assessment_id=_plan(world, screen=False).pk, acting_user=world.county_admin)
    assert not Case.objects.filter(assessment=off, frame=Case.Frame.SCREEN).exists()


def test_an_enumerator_from_the_assessed_county_is_refused(world):
    plan = _plan(world)
    with pytest.raises(PlanError) as refused:
        plans.staff_add(assessment_id=plan.pk, user=evaluator("local", "140826"), duty="enumerator",
                        home_county="140826", acting_user=world.county_admin)
    assert "三回避" in refused.value.message
    with pytest.raises(PlanError):
        plans.staff_add(assessment_id=plan.pk, user=world.township_officer, duty="enumerator", home_county="140829",
                        acting_user=world.county_admin)
    with pytest.raises(PlanError):
        plans.staff_add(assessment_id=plan.pk, user=evaluator("nohome"), duty="enumerator", home_county="",
                        acting_user=world.county_admin)
    supervisor = plans.staff_add(assessment_id=plan.pk, user=evaluator("sv", "140826"), duty="supervisor",
                                 home_county="140826", acting_user=world.county_admin)
    assert supervisor.duty == "supervisor"
    assert Staff.objects.filter(assessment=plan).count() == 1


def test_enumerators_are_paired_at_random_into_teams_of_two_and_cases_take_their_village_team(world):
    build_county(world)
    plan = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    with pytest.raises(PlanError):
        plans.teams_assign(assessment_id=plan.pk, acting_user=world.county_admin)  # no enumerators yet
    for i in range(5):
        plans.staff_add(assessment_id=plan.pk, user=evaluator(f"enum{i}", "140829" if i % 2 else "140828"),
                        duty="enumerator", home_county="140829" if i % 2 else "140828", acting_user=world.county_admin)
    teams = plans.teams_assign(assessment_id=plan.pk, acting_user=world.county_admin)
    sizes = sorted(t.members.count() for t in teams)
    assert sizes == [2, 3]  # five enumerators: a pair and a pair with the odd one
    first = {s.user.username: s.team.name for s in Staff.objects.filter(assessment=plan).select_related("user", "team")}
    for village in SampledVillage.objects.filter(assessment=plan).values_list("village", flat=True):
        assert Case.objects.filter(assessment=plan, village=village).values("team").distinct().count() == 1
    assert not Case.objects.filter(assessment=plan, team=None).exists()
    plans.teams_assign(assessment_id=plan.pk, acting_user=world.county_admin)  # the same seed: the same teams
    again = {s.user.username: s.team.name for s in Staff.objects.filter(assessment=plan).select_related("user", "team")}
    assert again == first and Team.objects.filter(assessment=plan).count() == 2


def test_teams_are_not_reassigned_once_fieldwork_has_begun(world):
    build_county(world)
    plan = plans.assessment_draw(assessment_id=_plan(world).pk, acting_user=world.county_admin)
    for i in range(2):
        plans.staff_add(assessment_id=plan.pk, user=evaluator(f"e{i}"), duty="enumerator", home_county="140829",
                        acting_user=world.county_admin)
    plans.teams_assign(assessment_id=plan.pk, acting_user=world.county_admin)
    Case.objects.filter(assessment=plan, order=1).update(state=Case.State.COMPLETED)
    with pytest.raises(PlanError) as refused:
        plans.teams_assign(assessment_id=plan.pk, acting_user=world.county_admin)
    assert "开始调查" in refused.value.message


def test_another_county_cannot_draw_or_staff_the_plan(world):
    plan = _plan(world)
    with pytest.raises(OutOfReach):
        plans.assessment_draw(assessment_id=plan.pk, acting_user=world.outsider)
    with pytest.raises(Refused):
        plans.assessment_draw(assessment_id=plan.pk, acting_user=world.evaluator)
    with pytest.raises(OutOfReach):
        plans.staff_add(assessment_id=plan.pk, user=evaluator("x"), duty="hq", home_county="",
                        acting_user=world.outsider)
    plan.refresh_from_db()
    assert plan.drawn_at is None and not Staff.objects.exists()


def test_the_precision_table_says_what_margin_each_frame_buys():
    design = plans.design_clean(DESIGN)
    rows = plans.precision(design, {"exited": 300, "not_exited": 50, "monitored": 150})
    assert [r.frame for r in rows] == ["exited", "not_exited", "monitored"]
    exited = rows[0]
    assert exited.margin == pytest.approx(1.959964 * (2.0 * 0.03 * 0.97 / 300) ** 0.5)
    assert exited.needed == plans.sample_size(p=0.03, margin=0.03, deff=2.0)


def test_townships_as_strata_draw_in_each_township_as_many_villages_as_asked(world):
    build_county(world)
    drawn = plans.assessment_draw(assessment_id=_plan(world, strata="township", villages_per_stratum={"140826100": 2}).pk,
                                  acting_user=world.county_admin)
    strata = {s.code: (s.name, s.villages_in_frame, s.villages_drawn) for s in Stratum.objects.filter(assessment=drawn)}
    assert strata["140826100"][0] == OrgUnit.objects.get(code="140826100").name and strata["140826100"][2] == 2
    assert strata["140826101"][2] == 0  # a township not named draws nothing
    sampled = list(SampledVillage.objects.filter(assessment=drawn).values_list("village", flat=True))
    assert len(sampled) == 2 and all(v.startswith("140826100") for v in sampled)
