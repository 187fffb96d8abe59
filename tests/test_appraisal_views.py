"""考评 pages: the live scores with the data behind them (county level), publishing (the county admin),
a published appraisal (also the county's townships and departments) and its 通报 download (audited)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision.models import Agency, Appraisal, ManualScore, Scheme
from jingzhun.supervision.services.agencies import agency_for_org
from jingzhun.supervision.services.appraisal import appraisal_publish
from jingzhun.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    """绛县's two townships and 县民政局; 城关's manual veto; the shipped scheme."""
    year = timezone.localdate().year
    a = agency_for_org(OrgUnit.objects.get(code="140826100"))
    b = agency_for_org(OrgUnit.objects.get(code="140826101"))
    dept = Agency.objects.create(county_id="140826", kind="department", name="县民政局")
    ManualScore.objects.create(county_id="140826", year=year, agency=b, item="TV2", points=1,
                               note="发生重大安全责任事故", scored_by=world.county_admin)
    ManualScore.objects.create(county_id="140826", year=year, agency=a, item="T09", points=9,
                               note="组织有力", scored_by=world.county_admin)
    return {"a": a, "b": b, "dept": dept, "year": year}


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_the_county_admin_sees_live_scores_with_the_data_behind_them(client, world, county):
    response = _get(client, world.county_admin, "supervision:appraisal")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="group-township"' in page and 'id="group-department"' in page
    assert "组织有力" in page  # the manual score's note behind the points
    assert "发生重大安全责任事故" in page and "一票否决" in page
    assert 'id="publish"' in page
    assert "按系统默认办法计算" in page


def test_an_analyst_picks_the_county_and_sees_scores_but_cannot_publish(client, world, county):
    page = _get(client, world.analyst, "supervision:appraisal", county="140826").content.decode()
    assert 'id="group-township"' in page and 'id="publish"' not in page


@pytest.mark.parametrize("who", ["township_officer", "department"])
def test_a_township_or_department_sees_only_published_results(client, world, county, who):
    response = _get(client, getattr(world, who), "supervision:appraisal")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="group-township"' not in page and 'id="published-only"' in page
    appraisal = appraisal_publish(acting_user=world.county_admin, county="140826", year=county["year"])
    page = _get(client, getattr(world, who), "supervision:appraisal").content.decode()
    assert reverse("supervision:appraisal_detail", args=[appraisal.pk]) in page
    detail = _get(client, getattr(world, who), "supervision:appraisal_detail", appraisal.pk)
    assert detail.status_code == 200 and county["a"].name in detail.content.decode()


@pytest.mark.parametrize("who", ["village_clerk", "cadre", "work_team"])
def test_village_clerks_and_helpers_are_refused(client, world, county, who):
    assert _get(client, getattr(world, who), "supervision:appraisal").status_code == 403


def test_publishing_freezes_the_result_and_opens_its_page(client, world, county):
    client.force_login(world.county_admin)
    response = client.post(reverse("supervision:appraisal_publish"), {"county": "140826", "year": county["year"]})
    appraisal = Appraisal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:appraisal_detail",
                                                                             args=[appraisal.pk])
    page = client.get(response["Location"]).content.decode()
    assert "发生重大安全责任事故" in page and appraisal.scheme_sha256[:12] in page


@pytest.mark.parametrize("data, words", [({"county": "140826", "year": "二〇二五"}, "年度应为"),
                                         ({"county": "140826100", "year": "2025"}, "不是县级区划代码"),
                                         ({"county": "140829", "year": "2025"}, None)])
def test_bad_publish_input_changes_nothing_and_says_why(client, world, county, data, words):
    client.force_login(world.county_admin)
    response = client.post(reverse("supervision:appraisal_publish"), data, follow=True)
    assert not Appraisal.objects.exists()
    if words is None:  # another county's: refused
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and words in response.content.decode()


def test_a_broken_county_scheme_shows_its_errors_instead_of_scores(client, world, county):
    Scheme.objects.create(county_id="140826", year=county["year"], text="[[group]]\nkind = 'township'",
                          sha256="0" * 64, created_by=world.county_admin)
    page = _get(client, world.county_admin, "supervision:appraisal").content.decode()
    assert 'id="scheme-error"' in page and "缺少 total" in page and 'id="publish"' not in page


def test_a_bad_year_is_explained_not_a_500(client, world, county):
    response = _get(client, world.county_admin, "supervision:appraisal", year="abc")
    assert response.status_code == 200 and 'id="year-error"' in response.content.decode()


def test_the_bulletin_downloads_as_a_docx_and_is_audited(client, world, county):
    appraisal = appraisal_publish(acting_user=world.county_admin, county="140826", year=county["year"])
    response = _get(client, world.township_officer, "supervision:appraisal_report", appraisal.pk)
    assert response.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("word/document.xml").decode()
    assert f"关于{county['year']}年度脱贫攻坚绩效考评情况的通报" in xml
    assert f"{county['b'].name}因发生重大安全责任事故被一票否决" in xml
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, detail__what="appraisal_report").exists()


def test_another_countys_appraisal_is_not_found(client, world, county):
    appraisal = appraisal_publish(acting_user=world.county_admin, county="140826", year=county["year"])
    for name in ("supervision:appraisal_detail", "supervision:appraisal_report"):
        assert _get(client, world.outsider, name, appraisal.pk).status_code == 404
