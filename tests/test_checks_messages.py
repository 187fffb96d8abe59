"""Problem messages are built when shown: numbers masked for the role, households named only in reach.

Issue 12 item 2: Q04, Q05 and Q21 wrote full ID numbers into their messages (page and export), and Q05
named households the viewer may not reach (another county's, a cadre's other households).
"""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.checks.messages import MessageRenderer, legacy_detail
from jingzhun.checks.models import Problem
from jingzhun.checks.services import check_run_execute
from jingzhun.orgunits.access import mask_id_number
from jingzhun.registry.models import Household, Member

from .people import PASSWORD, World, id_number

AS_OF = datetime.date(2024, 6, 30)


@pytest.fixture
def checked(transactional_db):
    """The world with a Q04, a Q05 across two counties and a Q21 on the home household, checked."""
    world = World()
    daughter = world.home.members.get(relation="之女")
    Member.objects.filter(pk=daughter.pk).update(sex="男")  # Q04: the ID says 女
    shared = world.other_county.head_id_number
    # Q05: the same person registered in the home household and in another county's household
    Member.objects.create(household=world.home, name="张守业", id_number=shared, relation="其他", sex="男",
                          ethnicity="汉族", education="初中", schooling="非在校生", health="健康", labour="普通劳动力",
                          medical_insurance=True)
    wrong_head = id_number("140826", "19650304", 901)
    Household.objects.filter(code=world.home.code).update(head_id_number=wrong_head)  # Q21
    check_run_execute(org="", as_of=AS_OF, rule_codes=["Q04", "Q05", "Q21"])
    return world, daughter, shared, wrong_head


def _login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def _export_text(client) -> str:
    response = client.get(reverse("checks:problem_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(" ".join(str(c) for c in row if c) for row in book.active.iter_rows(values_only=True))


def _messages(response) -> list[str]:
    return [p.message_shown for p in response.context["page"].object_list]


@pytest.mark.django_db(transaction=True)
def test_stored_messages_carry_no_number_the_detail_does(checked):
    world, daughter, shared, wrong_head = checked
    for problem in Problem.objects.filter(rule__in=["Q04", "Q05", "Q21"]):
        assert not re.search(r"[0-9]{15}", problem.message), problem.message
        assert problem.detail
    q05 = Problem.objects.get(rule="Q05", household=world.home.code)
    assert q05.detail == {"id_number": shared, "households": sorted([world.home.code, world.other_county.code])}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["analyst", "evaluator", "cadre"])
def test_masked_roles_see_no_full_id_in_messages_on_the_page_or_in_the_export(checked, client, who):
    world, daughter, shared, wrong_head = checked
    _login(client, getattr(world, who))
    response = client.get(reverse("checks:problem_list"))
    body = response.content.decode()
    export = _export_text(client)
    for full in (daughter.id_number, shared, wrong_head, world.home.members.get(relation="户主").id_number):
        assert full not in body and full not in export
    assert any(mask_id_number(daughter.id_number) in m for m in _messages(response))
    assert mask_id_number(wrong_head) in export


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["village_clerk", "county_admin", "cadre"])
def test_q05_names_only_households_in_reach_and_counts_the_rest(checked, client, who):
    world, daughter, shared, wrong_head = checked
    _login(client, getattr(world, who))
    response = client.get(reverse("checks:problem_list"), {"rule": "Q05"})
    (message,) = _messages(response)
    assert world.home.code in message and "另有 1 户不在您的范围内" in message
    assert world.other_county.code not in response.content.decode()
    assert world.other_county.code not in _export_text(client)


@pytest.mark.django_db(transaction=True)
def test_who_reaches_both_sees_both_and_record_keepers_see_the_number(checked, client):
    world, daughter, shared, wrong_head = checked
    _login(client, world.analyst)
    messages = _messages(client.get(reverse("checks:problem_list"), {"rule": "Q05"}))
    assert len(messages) == 2
    assert all(world.home.code in m and world.other_county.code in m and "另有" not in m for m in messages)
    assert all(mask_id_number(shared) in m for m in messages)
    _login(client, world.village_clerk)
    messages = _messages(client.get(reverse("checks:problem_list"), {"rule": "Q21"}))
    assert messages == [f"户表中户主身份证号为“{wrong_head}”，人员表中户主身份证号为“"
                        f"{world.home.members.get(relation='户主').id_number}”"]


def test_placeholders_are_filled_only_from_the_detail():
    full = MessageRenderer.full()
    assert full.render("姓名“{id:x}”含有字符", {}) == "姓名“{id:x}”含有字符"
    assert full.render("联系电话“{phone:phone}”格式不对", {"phone": "1391234567"}) == "联系电话“1391234567”格式不对"


def test_records_stored_before_detail_are_converted_and_masked():
    message, detail = legacy_detail("Q05", "身份证号“14082619650304001X”登记了 2 次，涉及户 1408261002330001、1408291022100001")
    assert message == "身份证号“{id:v1}”登记了 2 次，涉及户 {households:households}"
    assert detail == {"v1": "14082619650304001X", "households": ["1408261002330001", "1408291022100001"]}
    assert legacy_detail("Q35", "联系电话“139123456”格式不对") == ("联系电话“{phone:v1}”格式不对", {"v1": "139123456"})
    assert legacy_detail("Q14", "姓名“王”不足 2 个字") == ("姓名“王”不足 2 个字", {})


@pytest.mark.django_db
def test_a_number_written_into_a_message_is_masked_anyway(world):
    shown = MessageRenderer.for_user(world.evaluator)
    text = shown.render("县里自定规则：14082619650304001X 与 13912345678，户 1408261002330001", {})
    assert text == "县里自定规则：140826********001X 与 139****5678，户 1408261002330001"
