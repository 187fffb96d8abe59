"""Every URL pattern of the site, as every role: nothing out of scope is ever shown.

The walk fills each pattern's parameters with every household, member and unit of the test world, so a
new view is covered the day it is added; a parameter name the walk does not know fails the test.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from django.utils import timezone

from jingzhun.checks.models import CheckRun, Problem
from jingzhun.exchange.issues import ImportIssue
from jingzhun.orgunits.access import access_for
from jingzhun.exchange.models import ImportJob
from jingzhun.workflows.models import LedgerEvent, Objection, Procedure, PublicityBatch, StepRecord

from .people import PASSWORD

#: Namespaces of our own apps; the admin is Django's and is closed to everyone but the sysadmin.
OWN_NAMESPACES = {"registry", "accounts", "exchange", "checks", "dashboard", "workflows", "compare", "monitoring"}
#: Pages open to everyone without signing in (the public report page shows nothing of the registry).
PUBLIC = {"monitoring:report"}


def _patterns(resolver: URLResolver, namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in OWN_NAMESPACES and entry.name:
            yield f"{namespace}:{entry.name}", entry


def _urls(world, name: str, pattern: URLPattern):
    """(url, household code the url is about or None) for every way to fill the pattern."""
    params = set(pattern.pattern.regex.groupindex)
    if not params:
        yield reverse(name), None
    elif params == {"code"} and ("division" in name or name.startswith("dashboard:")):
        for h in world.households:
            for code in (h.code[:6], h.code[:9], h.code[:12]):
                yield reverse(name, kwargs={"code": code}), h.code
    elif params == {"code"}:
        for h in world.households:
            yield reverse(name, kwargs={"code": h.code}), h.code
    elif params == {"code", "member_id"}:
        for h in world.households:
            for m in h.members.all():
                yield reverse(name, kwargs={"code": h.code, "member_id": m.pk}), h.code
            # a forged URL: a member of another household under this household's code
            stranger = next(o for o in world.households if o != h).members.first()
            yield reverse(name, kwargs={"code": h.code, "member_id": stranger.pk}), "forged"
    elif params == {"problem_id"}:
        for problem in Problem.objects.all():
            yield reverse(name, kwargs={"problem_id": problem.pk}), problem.household
    elif params == {"run_id"}:
        for run in CheckRun.objects.all():
            yield reverse(name, kwargs={"run_id": run.pk}), f"run:{run.org}"
    elif params == {"compare_run_id"}:
        # a comparison run over a unit is open to users below it too (each sees only their part):
        # what matters is that no page shows another household's pairs
        from jingzhun.compare.models import CompareRun

        for run in CompareRun.objects.all():
            yield reverse(name, kwargs={"compare_run_id": run.pk}), None
    elif params == {"job_id"}:
        for job in ImportJob.objects.all():
            yield reverse(name, kwargs={"job_id": job.pk}), f"job:{job.triggered_by.username}"
    elif params == {"procedure_id"}:
        for procedure in Procedure.objects.all():
            yield reverse(name, kwargs={"procedure_id": procedure.pk}), procedure.household_id
    elif params == {"batch_id"}:
        for batch in PublicityBatch.objects.all():
            yield reverse(name, kwargs={"batch_id": batch.pk}), batch.procedures_listed.get().household_id
    elif params == {"objection_id"}:
        for objection in Objection.objects.all():
            yield reverse(name, kwargs={"objection_id": objection.pk}), objection.procedure.household_id
    elif params == {"record_id"}:
        for record in StepRecord.objects.all():
            yield reverse(name, kwargs={"record_id": record.pk}), record.procedure.household_id
    elif params == {"photo_id"}:
        from jingzhun.workflows.models import NoticePhoto

        for photo in NoticePhoto.objects.all():
            yield reverse(name, kwargs={"photo_id": photo.pk}), photo.batch.procedures_listed.get().household_id
    elif params == {"kind"}:  # the empty comparison formats: about no one
        from jingzhun.compare.kinds import KINDS

        for kind in KINDS:
            yield reverse(name, kwargs={"kind": kind}), None
    elif params == {"county"}:  # the public report page of each county: no one's data
        for county in sorted({h.code[:6] for h in world.households}):
            yield reverse(name, kwargs={"county": county}), None
    elif params == {"lead_id"}:
        from jingzhun.monitoring.models import Lead

        for lead in Lead.objects.all():
            yield reverse(name, kwargs={"lead_id": lead.pk}), lead.household_id
    elif params == {"evidence_id"}:
        from jingzhun.monitoring.models import LeadEvidence

        for item in LeadEvidence.objects.select_related("lead"):
            yield reverse(name, kwargs={"evidence_id": item.pk}), item.lead.household_id
    elif params == {"unit"}:
        for code in sorted({h.code[:n] for h in world.households for n in (6, 12)}):
            yield reverse(name, kwargs={"unit": code}), f"unit:{code}"
    elif params == {"prefix"}:  # an API token (the system administrator's token pages): about no household
        from jingzhun.accounts.tokens import token_create

        yield reverse(name, kwargs={"prefix": token_create(user=world.county_admin, days=5)[0].prefix}), None
    else:
        pytest.fail(f"the scope walk does not know how to fill {name} {sorted(params)}: teach it")


def _text(response) -> str:
    """The page, or every cell of a downloaded workbook, as text."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/pdf"):
        # The notice PDF's text is CID-encoded: only its status is checked here (the HTML print view
        # of the same rows is read as text).
        return response.content.decode("latin-1")
    return response.content.decode()


def _jobs(world) -> None:
    """Records that name households: a refused import of the village clerk's and one of the outsider's,
    a problem on every member of every household, and a check run per county."""
    now = timezone.now()
    runs = {code: CheckRun.objects.create(org=code, as_of=now.date()) for code in ("140826", "140829")}
    for household in world.households:
        for member in household.members.all():
            run = runs[household.code[:6]]
            Problem.objects.create(rule="Q03", household=household.code, person=member.id_number,
                                   village=household.code[:12], message=f"{household.head_name} {member.id_number}",
                                   first_run=run, last_run=run, first_seen=now, last_seen=now)
    for user, household in ((world.village_clerk, world.home), (world.outsider, world.other_county)):
        issue = ImportIssue("户表.csv", "户表", 2, "户主身份证号", household.head_id_number, "测试")
        ImportJob.objects.create(triggered_by=user, folder="/nonexistent", files=["户表.csv"],
                                 status=ImportJob.Status.REFUSED, issues=[issue.as_dict()], issue_count=1)
    _comparison_pairs(world)
    _leads(world)


def _leads(world) -> None:
    """A farmer's lead on every household (with the household's ID number and phone in the report) and a
    承诺授权书 photo on each."""
    from django.core.files.base import ContentFile

    from jingzhun.monitoring.models import LeadEvidence
    from jingzhun.monitoring.services import lead_create

    from .notice_photos import jpeg_bytes

    for household in world.households:
        lead = lead_create(channel="self_report", village=household.village, risk_type="illness",
                           description=household.head_name, name=household.head_name,
                           id_number=household.head_id_number)
        item = LeadEvidence(lead=lead, name="承诺书.jpg", content_type="image/jpeg", size=1, sha256="0" * 64,
                            uploaded_by=world.village_clerk)
        item.file.save("letter.jpg", ContentFile(jpeg_bytes()), save=True)


def _comparison_pairs(world) -> None:
    """A comparison run per county with a pending pair on every member (the external record named as the
    member is, so a page that showed a pair out of scope would show the member's secrets)."""
    from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match

    for county in ("140826", "140829"):
        batch = Batch.objects.create(kind="death", source="测试", data_date=timezone.localdate(), org=county)
        run = CompareRun.objects.create(kind="death", org=county, batch=batch, status=CompareRun.Status.DONE)
        for household in world.households:
            if not household.code.startswith(county):
                continue
            for member in household.members.all():
                record = ExternalRecord.objects.create(batch=batch, row=2, name=member.name,
                                                       id_number=member.id_number)
                Match.objects.create(run=run, record=record, member_id=member.pk, household=household.code,
                                     village=household.code[:12], person=member.id_number, member_name=member.name,
                                     method=Match.Method.FUZZY, match_weight=5.0, status=Match.Status.PENDING,
                                     agreements={"name": 5})


def _workflow_records(world) -> None:
    """A procedure at a step, its record with evidence, a notice, an objection and a ledger event for
    every household of the world."""
    from django.core.files.base import ContentFile

    today = timezone.localdate()
    for household in world.households:
        clerk = world.village_clerk if household.code.startswith(world.home.code[:12]) else world.outsider
        procedure = Procedure.objects.create(kind="return", step="township_approval", village_id=household.village_id,
                                             household=household, head_name=household.head_name, year=2020,
                                             opened_by=clerk)
        record = StepRecord(procedure=procedure, step="application", decision="applied", actor=clerk,
                            note=household.head_name, evidence_name="申请书.txt")
        record.evidence.save("申请书.txt", ContentFile(household.head_id_number.encode()), save=False)
        record.save()
        batch = PublicityBatch.objects.create(kind="exit", step="village_publicity", unit_id=household.village_id,
                                              title=f"{household.head_name}公示", start=today, end=today,
                                              created_by=clerk)
        batch.procedures_listed.add(procedure)
        Objection.objects.create(batch=batch, procedure=procedure, received_on=today, content=household.head_name,
                                 recorded_by=clerk)
        LedgerEvent.objects.create(type="exit", effective=today, household=household.code,
                                   village=household.village_id, head_name=household.head_name,
                                   persons=2, source="workflow", procedure=procedure)


def _secrets_of(household) -> list[str]:
    """Strings that would betray a household: its code, head name and every member's ID number."""
    values = [household.code, household.head_name, household.head_id_number]
    values += [m.id_number for m in household.members.all()]
    values += [m.id_number[:6] + "********" + m.id_number[-4:] for m in household.members.all()]
    return values


@pytest.mark.django_db
def test_every_url_as_every_role_shows_nothing_out_of_scope(world, client):
    _jobs(world)
    _workflow_records(world)
    patterns = list(_patterns(get_resolver()))
    assert {"registry:household_detail", "registry:member_edit", "registry:division"} <= {n for n, _ in patterns}
    checked = 0
    for user in world.users:
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        visible = world.visible_to(user)
        hidden = [h for h in world.households if h.code not in visible]
        for name, pattern in patterns:
            if name == "accounts:logout":
                continue
            for url, about in _urls(world, name, pattern):
                response = client.get(url, follow=True)
                # The page may echo the URL the person typed (the language switch's "next"): not a leak.
                body = _text(response).replace(url, "")
                if about and about.startswith("job:"):
                    if about != f"job:{user.username}":
                        assert response.status_code == 404, f"{user.username} got {url}"
                elif about and about.startswith("unit:"):
                    if not access_for(user).reaches_code(about[5:]):
                        assert response.status_code in (403, 404), f"{user.username} got {url}"
                elif about and about.startswith("run:"):
                    if not about[4:].startswith(access_for(user).prefix):
                        assert response.status_code in (403, 404), f"{user.username} got {url}"
                elif about == "forged" or (about is not None and about not in visible and "division" not in name):
                    assert response.status_code in (403, 404), f"{user.username} got {url}: {response.status_code}"
                for household in hidden:
                    for secret in _secrets_of(household):
                        assert secret not in body, f"{user.username} saw {secret} of {household.code} at {url}"
                checked += 1
    assert checked > 200


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_everywhere(world, client):
    _jobs(world)
    _workflow_records(world)
    for name, pattern in _patterns(get_resolver()):
        if name.startswith("accounts:") or name in PUBLIC:
            continue
        for url, _about in _urls(world, name, pattern):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
