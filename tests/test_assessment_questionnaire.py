"""The questionnaire as data: answers checked item by item (Chinese messages naming the question), and the
verdict each household gets (错退 for the exited, 漏评 for the screened, 认可 for all)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingzhun.assessment import questionnaire as q

LINE = Decimal("4000")
GOOD = {"persons": "3", "wage": "9000", "business": "4000", "transfer": "1200", "costs": "1000",
        "food_clothing": "是", "education": "是", "medical": "是", "housing": "是", "water": "是",
        "policies": "产业帮扶、公益岗位", "approve_policy": "认可", "approve_measures": "基本认可",
        "approve_exit": "认可", "approve_cadres": "认可"}


def test_the_file_lists_every_question_the_verdict_reads():
    keys = set(q.items())
    assert {"persons", *q.INCOME_ITEMS, "costs", *q.GUARANTEES, *q.APPROVAL_ITEMS} <= keys


def test_good_answers_are_cleaned_to_json_values():
    answers, errors = q.clean_answers(GOOD, frame="exited")
    assert errors == {}
    assert answers["persons"] == 3 and answers["wage"] == "9000.00" and answers["food_clothing"] is True
    assert answers["policies"] == ["产业帮扶", "公益岗位"]


@pytest.mark.parametrize(("key", "value", "words"), [
    ("persons", "0", "应在 1 到"), ("persons", "三", "应为整数"), ("wage", "-5", "应在 0 到"),
    ("wage", "abc", "应为金额"), ("wage", "NaN", "应在 0 到"), ("water", "也许", "请答“是”或“否”"),
    ("approve_policy", "很好", "应为：认可、基本认可、不认可"), ("policies", "产业帮扶、买彩票", "“买彩票”不是可选项"),
])
def test_a_wrong_answer_is_named_with_its_question(key, value, words):
    _answers, errors = q.clean_answers({**GOOD, key: value}, frame="exited")
    assert set(errors) == {key}
    assert words in errors[key]


def test_a_missing_required_answer_and_an_unknown_column_are_errors():
    raw = {k: v for k, v in GOOD.items() if k != "housing"} | {"hosuing": "是"}
    _answers, errors = q.clean_answers(raw, frame="exited")
    assert set(errors) == {"housing", "hosuing"}
    assert "请回答" in errors["housing"] and "问卷中没有" in errors["hosuing"]


def test_the_exit_question_is_asked_of_exited_households_only():
    raw = {k: v for k, v in GOOD.items() if k != "approve_exit"}
    assert "approve_exit" in q.clean_answers(raw, frame="exited")[1]
    answers, errors = q.clean_answers(raw, frame="monitored")
    assert errors == {} and "approve_exit" not in answers


def test_an_exited_household_above_the_line_with_every_guarantee_is_not_wrongly_exited():
    answers, _ = q.clean_answers(GOOD, frame="exited")
    verdict = q.verdict(answers, frame="exited", line=LINE)
    # (9000 + 4000 + 1200 - 1000) / 3 = 4400
    assert verdict.income_per_person == Decimal("4400.00")
    assert verdict.wrong_exit is False and verdict.missed is None and verdict.approves is True
    assert verdict.reasons == []


def test_income_below_the_line_or_one_failed_guarantee_makes_a_wrong_exit_with_its_reason():
    answers, _ = q.clean_answers({**GOOD, "wage": "6000"}, frame="exited")
    low = q.verdict(answers, frame="exited", line=LINE)
    assert low.wrong_exit is True and [r["kind"] for r in low.reasons] == ["income"]
    answers, _ = q.clean_answers({**GOOD, "housing": "否"}, frame="exited")
    unsafe = q.verdict(answers, frame="exited", line=LINE)
    assert unsafe.wrong_exit is True and [r["kind"] for r in unsafe.reasons] == ["housing"]


def test_a_screened_household_below_the_line_is_missed_and_exits_are_not_judged_there():
    raw = {k: v for k, v in GOOD.items() if k != "approve_exit"} | {"wage": "3000"}
    answers, _ = q.clean_answers(raw, frame="screen")
    verdict = q.verdict(answers, frame="screen", line=LINE)
    assert verdict.missed is True and verdict.wrong_exit is None


def test_one_disapproval_makes_the_household_not_approve():
    answers, _ = q.clean_answers({**GOOD, "approve_cadres": "不认可"}, frame="not_exited")
    verdict = q.verdict(answers, frame="not_exited", line=LINE)
    assert verdict.approves is False and verdict.wrong_exit is None and verdict.missed is None
    assert [r["kind"] for r in verdict.reasons] == ["approval"]
