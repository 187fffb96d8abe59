"""归集 pages: the gather forms (preview, create, add to an item, bad input), an item's gathered problems and
leads (masked, paged, in reach), and the include an item's page shows."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.monitoring.services import lead_create
from jingzhun.supervision.models import Item
from jingzhun.supervision.services.gather import LeadFilter, ProblemFilter, item_gather_leads, item_gather_problems
from jingzhun.supervision.views.gather import gathered_context

from .people import HENGDONG, XIAGAOCHI, ZHANGGUO

pytestmark = pytest.mark.django_db
GATHER = reverse("supervision:gather_problems")
GATHER_LEADS = reverse("supervision:gather_leads")


def _problem(household, rule: str = "Q04", *, person: str = "", message: str = "问题",
             status: str = Problem.Status.OPEN) -> Problem:
    run = CheckRun.objects.filter(org=household.code[:6]).first() or CheckRun.objects.create(
        org=household.code[:6], as_of=timezone.localdate(), status=CheckRun.Status.DONE)
    now = timezone.now()
    return Problem.objects.create(rule=rule, household=household.code, person=person, village=household.village_id,
                                  message=message, status=status, first_run=run, last_run=run, first_seen=now,
                                  last_seen=now)


def _with_id(world) -> Problem:
    """A Q04 of the home household naming the daughter's full ID in its person and message."""
    daughter = world.home.members.order_by("pk").last()
    return _problem(world.home, person=daughter.id_number, message=f"身份证号“{daughter.id_number}”第 17 位表示男")


def test_the_county_admin_previews_the_count_by_village_and_rule(client, world):
    for n in range(3):
        _problem(world.home, "Q04", person=f"P{n}")
    _problem(world.other_township, "Q20")
    _problem(world.other_county, "Q04")  # another county: never counted
    client.force_login(world.county_admin)
    page = client.get(GATHER).content.decode()
    assert "可归集未整改问题数据 4 条，涉及 2 个村" in page
    page = client.get(GATHER, {"county": "140826", "township": "140826100", "village": XIAGAOCHI}).content.decode()
    assert "可归集未整改问题数据 3 条，涉及 1 个村" in page and "下高池村" in page
    assert not Item.objects.exists()  # a preview writes nothing


def test_gathering_from_the_form_creates_the_item_and_shows_its_problems(client, world):
    for n in range(3):
        _problem(world.home, "Q04", person=f"P{n}")
    client.force_login(world.county_admin)
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = client.post(GATHER, {"county": "140826", "village": XIAGAOCHI, "deadline": deadline}, follow=True)
    item = Item.objects.get()
    assert response.redirect_chain[-1][0] == reverse("supervision:item_problems", kwargs={"item_id": item.pk})
    assert item.title == "下高池村 3 条问题数据整改" and item.deadline.isoformat() == deadline
    page = response.content.decode()
    assert "已归集到事项" in page and "归集问题数据 3 条，未整改（含情况属实待审核）3 条" in page
    # a second time: nothing left, said on the form, nothing made
    page = client.post(GATHER, {"county": "140826", "village": XIAGAOCHI}).content.decode()
    assert "已全部归集到未销号的台账事项中（3 条）" in page and Item.objects.count() == 1


def test_more_problems_join_an_open_item_from_the_form(client, world):
    _problem(world.home, "Q04")
    item = item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter())
    _problem(world.other_township, "Q20")
    client.force_login(world.county_admin)
    client.post(GATHER, {"county": "140826", "into": str(item.pk)})
    assert item.problems.count() == 2 and Item.objects.count() == 1


@pytest.mark.parametrize("data, words", [
    ({"county": "14082"}, "县的区划代码是 6 位数字"),
    ({"county": "140829"}, "该县不在您的管辖范围内"),
    ({"county": "140826", "village": ZHANGGUO}, "不在您的范围内"),
    ({"county": "140826", "rule": "<script>"}, 'href="#id_rule"'),
    ({"county": "140826", "deadline": "明天"}, 'href="#id_deadline"'),
    ({"county": "140826", "agency": "999999"}, 'href="#id_agency"'),
    ({"county": "140826", "into": "abc"}, 'href="#id_into"'),
])
def test_bad_input_gets_a_chinese_message_and_changes_nothing(client, world, data, words):
    _problem(world.home)
    client.force_login(world.county_admin)
    response = client.post(GATHER, data)
    assert response.status_code == 200 and words in response.content.decode()
    assert not Item.objects.exists()


def test_others_are_refused_the_gather_pages(client, world):
    _problem(world.home)
    for user in (world.village_clerk, world.township_officer, world.analyst, world.evaluator, world.department,
                 world.cadre, world.work_team):
        client.force_login(user)
        for url in (GATHER, GATHER_LEADS):
            assert client.get(url).status_code == 403, user.username
            assert client.post(url, {"county": "140826"}).status_code == 403
    assert not Item.objects.exists()


def test_leads_are_gathered_from_their_page(client, world):
    lead_create(channel="self_report", village=world.home.village, risk_type="illness", description="看病",
                household=world.home)
    client.force_login(world.county_admin)
    assert "可归集待核实线索 1 条，涉及 1 个村" in client.get(GATHER_LEADS).content.decode()
    response = client.post(GATHER_LEADS, {"county": "140826", "village": XIAGAOCHI}, follow=True)
    item = Item.objects.get()
    assert item.leads.count() == 1 and item.source == "monitoring"
    assert "归集监测线索 1 条，待核实 1 条" in response.content.decode()


# --- an item's gathered problems --------------------------------------------------------------------------


def test_the_problem_list_masks_id_numbers_for_read_only_roles(client, world):
    problem = _with_id(world)
    item = item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter())
    url = reverse("supervision:item_problems", kwargs={"item_id": item.pk})
    client.force_login(world.county_admin)
    assert problem.person in client.get(url).content.decode()
    for user in (world.analyst, world.evaluator):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert problem.person not in page and problem.person[:6] in page, user.username
        printed = client.get(url, {"print": "1"}).content.decode()
        assert problem.person not in printed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="ledger_item_problems_print").exists()


def test_the_problem_list_is_in_reach_and_links_back_to_each_problem(client, world):
    _problem(world.home, "Q04")
    _problem(world.other_township, "Q20")
    item = item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter())
    url = reverse("supervision:item_problems", kwargs={"item_id": item.pk})
    client.force_login(world.county_admin)
    page = client.get(url).content.decode()
    assert f"?q={world.home.code}&amp;rule=Q04" in page and f"?q={world.other_township.code}&amp;rule=Q20" in page
    # the clerk of 下高池村 reads the item (it touches the village) and only its own village's problem
    client.force_login(world.village_clerk)
    page = client.get(url).content.decode()
    assert world.home.code in page and world.other_township.code not in page and "您的范围内 1 条" in page
    for user in (world.outsider, world.cadre, world.work_team, world.department):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username


def test_the_list_pages_through_many_problems(client, world):
    for n in range(60):
        _problem(world.home, "Q04", person=f"P{n:03d}")
    item = item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter())
    client.force_login(world.county_admin)
    url = reverse("supervision:item_problems", kwargs={"item_id": item.pk})
    first, second = client.get(url, {"per": "50"}), client.get(url, {"per": "50", "page": "2"})
    assert first.context["page"].paginator.count == 60 and len(second.context["page"].object_list) == 10
    assert client.get(url, {"sort": "nonsense"}).status_code == 200


def test_the_lead_list_of_an_item(client, world):
    lead = lead_create(channel="self_report", village=world.home.village, risk_type="illness", description="看病",
                       household=world.home)
    item = item_gather_leads(acting_user=world.county_admin, county="140826", which=LeadFilter())
    client.force_login(world.township_officer)
    page = client.get(reverse("supervision:item_leads", kwargs={"item_id": item.pk})).content.decode()
    assert reverse("monitoring:lead_detail", kwargs={"lead_id": lead.pk}) in page
    client.force_login(world.outsider)
    assert client.get(reverse("supervision:item_leads", kwargs={"item_id": item.pk})).status_code == 404


def test_the_include_shows_the_problems_and_warns_when_they_came_back(rf, world):
    problem = _with_id(world)
    item = item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter())
    html = render_to_string("supervision/_gathered.html", {"gathered": gathered_context(world.analyst, item)})
    assert "问题数据 1 条，未整改（含情况属实待审核）1 条" in html and problem.person not in html
    assert "已重新出现" not in html
    Item.objects.filter(pk=item.pk).update(state="closed")
    item.refresh_from_db()
    html = render_to_string("supervision/_gathered.html", {"gathered": gathered_context(world.county_admin, item)})
    assert "归集的问题数据已重新出现：1 条" in html
    Problem.objects.filter(pk=problem.pk).update(status="fixed")
    html = render_to_string("supervision/_gathered.html", {"gathered": gathered_context(world.county_admin, item)})
    assert "已重新出现" not in html
    # an item that gathered nothing shows nothing
    plain = Item.objects.create(county_id="140826", title="手工登记", source="other", created_by=world.county_admin)
    assert render_to_string("supervision/_gathered.html",
                            {"gathered": gathered_context(world.county_admin, plain)}).strip() == ""


def test_a_sysadmin_names_the_county(client, world):
    _problem(world.other_county)
    client.force_login(world.sysadmin)
    assert "可归集" not in client.get(GATHER).content.decode()  # no county yet: no preview
    client.post(GATHER, {"county": "140829"})
    assert Item.objects.get().county_id == "140829"


def test_a_township_filter_outside_the_county_is_refused(client, world):
    _problem(world.other_township)
    client.force_login(world.county_admin)
    page = client.post(GATHER, {"county": "140826", "township": HENGDONG[:9], "village": XIAGAOCHI}).content.decode()
    assert "不在您的范围内" in page or "不属于" in page
    assert not Item.objects.exists()


def test_the_problem_list_offers_the_county_to_gather_what_it_filtered(client, world):
    _problem(world.home)
    client.force_login(world.county_admin)
    page = client.get(reverse("checks:problem_list"), {"rule": "Q04"}).content.decode()
    assert f'href="{GATHER}?rule=Q04"' in page
    client.force_login(world.village_clerk)
    assert GATHER not in client.get(reverse("checks:problem_list")).content.decode()
