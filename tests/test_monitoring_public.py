"""The public report page (农户自主申报): no sign-in, limits against bulk abuse, CSRF, and nothing of the
registry shown or confirmed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.monitoring import services
from jingzhun.monitoring.models import Lead, LeadReport
from jingzhun.monitoring.vocab import RiskType

from .people import XIAGAOCHI, ZHANGGUO, id_number

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:report", kwargs={"county": "140826"})
LIMIT_MESSAGE = "提交次数过多"


def _data(**overrides):
    return {"name": "孙大明", "phone": "13800001111", "id_number": id_number("140826", "19700101", 5),
            "village": XIAGAOCHI, "risk_type": RiskType.ILLNESS, "description": "父亲住院，自付 3 万元"} | overrides


def _post(client, address="203.0.113.7", **overrides):
    return client.post(URL, _data(**overrides), REMOTE_ADDR=address)


def test_the_page_offers_the_countys_villages_without_sign_in(world, client):
    page = client.get(URL).content.decode()
    assert "下高池村" in page and "横东村" in page and "张郭村" not in page
    assert client.get(reverse("monitoring:report", kwargs={"county": "140826100"})).status_code == 404


def test_too_many_reports_from_one_address_are_refused_and_nothing_is_written(world, client):
    for n in range(services.PUBLIC_LIMITS["client_ip"]):
        _post(client, id_number=id_number("140826", "19700101", 10 + n), phone=f"1380000{n:04d}")
    assert LeadReport.objects.count() == services.PUBLIC_LIMITS["client_ip"]
    response = _post(client, id_number=id_number("140826", "19700101", 99), phone="13900000000")
    assert LIMIT_MESSAGE in response.content.decode() and LeadReport.objects.count() == services.PUBLIC_LIMITS["client_ip"]
    # another address is still served
    assert "受理编号" in _post(client, address="198.51.100.2", id_number=id_number("140826", "19700101", 98),
                             phone="13900000001").content.decode()


def test_too_many_reports_naming_one_id_or_one_phone_are_refused_from_any_address(world, client):
    number = id_number("140826", "19700101", 5)
    for n in range(services.PUBLIC_LIMITS["id_number"]):
        _post(client, address=f"192.0.2.{n + 1}", phone=f"1380000{n:04d}")
    count = LeadReport.objects.count()
    assert LIMIT_MESSAGE in _post(client, address="192.0.2.200", phone="13700000000").content.decode()
    for n in range(services.PUBLIC_LIMITS["phone"]):
        _post(client, address=f"192.0.2.{50 + n}", phone="13911112222", id_number=id_number("140826", "19700101", 60 + n))
    assert LIMIT_MESSAGE in _post(client, address="192.0.2.201", phone="13911112222",
                                  id_number=id_number("140826", "19700101", 70)).content.decode()
    assert LeadReport.objects.count() == count + services.PUBLIC_LIMITS["phone"]
    assert LeadReport.objects.filter(id_number=number).count() == services.PUBLIC_LIMITS["id_number"]


def _without_reference(html: str) -> str:
    html = re.sub(r"XS\d{8}[A-Z0-9]{8}", "REF", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_the_answer_is_the_same_for_a_registered_household_an_unknown_person_and_a_repeat(world):
    def answer(**overrides):
        client = Client()
        return _without_reference(_post(client, **overrides).content.decode())

    registered = answer(name=world.home.head_name, id_number=world.home.head_id_number, phone="13800002222")
    unknown = answer(name="某某", id_number=id_number("140826", "19700101", 77), phone="13800003333")
    repeat = answer(name=world.home.head_name, id_number=world.home.head_id_number, phone="13800004444")
    assert registered == unknown == repeat
    assert world.home.code not in registered and "王建国" not in registered
    # behind the page the reports did find the household, and the repeat joined the first lead
    assert Lead.objects.get(household=world.home).reports == 2


@pytest.mark.parametrize("overrides, message", [
    ({"name": "长" * 33}, "户主姓名"),
    ({"description": "难" * 1001}, "困难描述"),
    ({"id_number": "14082619700101000X"}, "身份证号"),
    ({"village": ZHANGGUO}, "所在村"),
    ({"risk_type": "rumour"}, "风险类型"),
    ({"phone": ""}, "联系电话"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, client, overrides, message):
    response = _post(client, **overrides)
    assert response.status_code == 200 and message in response.content.decode()
    assert "受理编号" not in response.content.decode() and not LeadReport.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, _data(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403 and not LeadReport.objects.exists()
