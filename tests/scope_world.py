"""Records around the people of `World` for the permission and scope tests: for every household one of
each kind of record a URL can name (problems, procedures, records, notices, objections, ledger events),
a check run and a comparison run per county, and an import job of the village clerk's and the outsider's.

Writes go through the services where one exists, so the records are what the site itself would hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from jingzhun.alerts.models import AlertBatch, AlertHit, AlertRecord
from jingzhun.assistance.models import Loan, LoanInstallment, Measure, MeasureEvidence, Project
from jingzhun.assistance.services.loans import loan_create
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match
from jingzhun.exchange.errorbook import ERROR_WORKBOOK
from jingzhun.exchange.models import ImportJob
from jingzhun.monitoring.models import Lead, LeadEvidence
from jingzhun.monitoring.services import lead_create
from jingzhun.registry import services as registry_services
from jingzhun.workflows.models import LedgerEvent, NoticePhoto, Objection, Procedure, PublicityBatch, StepRecord

from .notice_photos import jpeg_bytes
from .people import XIAGAOCHI, World, id_number, make_household

PHOTO = jpeg_bytes()


@dataclass
class Records:
    """What was made for one household (or county): the objects a URL's parameters are filled with."""

    open_problem: dict[str, Problem] = field(default_factory=dict)
    pending_problem: dict[str, Problem] = field(default_factory=dict)
    procedure: dict[str, Procedure] = field(default_factory=dict)
    record: dict[str, StepRecord] = field(default_factory=dict)
    batch: dict[str, PublicityBatch] = field(default_factory=dict)
    objection: dict[str, Objection] = field(default_factory=dict)
    photo: dict[str, NoticePhoto] = field(default_factory=dict)
    check_run: dict[str, CheckRun] = field(default_factory=dict)
    compare_run: dict[str, CompareRun] = field(default_factory=dict)
    match: dict[str, Match] = field(default_factory=dict)
    alert_batch: dict[str, AlertBatch] = field(default_factory=dict)
    import_job: dict[str, ImportJob] = field(default_factory=dict)
    #: 防止返贫监测 leads per household: one waiting in its village, one a department's at its county,
    #: and a 承诺授权书 photo on the first.
    lead: dict[str, Lead] = field(default_factory=dict)
    county_lead: dict[str, Lead] = field(default_factory=dict)
    lead_evidence: dict[str, LeadEvidence] = field(default_factory=dict)
    #: ID numbers that problem messages of Q04, Q05 and Q21 spell out in full (issue 12 item 2).
    message_ids: set[str] = field(default_factory=set)
    #: The full ID a household's change history shows (a corrected member ID; issue 12 item 1).
    history_ids: set[str] = field(default_factory=set)
    # 帮扶措施 (assistance: measures): a member's measure per household, with a PDF as its evidence
    measure: dict[str, Measure] = field(default_factory=dict)
    measure_evidence: dict[str, MeasureEvidence] = field(default_factory=dict)
    # 一户一档 and 明白卡 (file): per household a loan and a visit, so the file and card show them
    file_records: dict[str, tuple] = field(default_factory=dict)
    #: the people who help (assistance/people): a 帮扶单位 per county, a 驻村工作队 in the villages of home,
    #: other_township and other_county (by household code), cadres (the world's, another of 绛县 with no
    #: account, one of 平陆县) and a 帮扶责任书 of each
    help_unit: dict = field(default_factory=dict)
    team: dict = field(default_factory=dict)
    helper_cadre: dict = field(default_factory=dict)
    helper_letter: dict = field(default_factory=dict)
    # 小额信贷 (loans): a loan per household of World.households, and its first installment
    loan: dict[str, Loan] = field(default_factory=dict)
    installment: dict[str, LoanInstallment] = field(default_factory=dict)
    # 走访 (assistance): per household a visit with a photo and an open edit conflict (the home's are the
    # cadre's own, so the cadre's POSTs there are real ones)
    visit: dict[str, object] = field(default_factory=dict)
    visit_photo: dict[str, object] = field(default_factory=dict)
    conflict: dict[str, object] = field(default_factory=dict)
    # 项目库 and 衔接资金 (projects and funds): per household, a project of its village (it benefits), 实施.
    project: dict[str, Project] = field(default_factory=dict)
    # 考核评估: an assessment per county (绛县's has the world's evaluator as an enumerator of its one team),
    # a case per household (completed, with answers), and a 随机抽查 per county with an item per household
    assessment: dict = field(default_factory=dict)
    case: dict = field(default_factory=dict)
    spot_check: dict = field(default_factory=dict)
    spot_item: dict = field(default_factory=dict)
    # 考核评估 findings: per county a screened household's 漏评 sent today (open to dispute) and another
    # disputed, its PDF evidence on file (for the decision and the download)
    finding: dict = field(default_factory=dict)
    disputed: dict = field(default_factory=dict)
    # 督查督办 (supervision): per county a batch, the units (agency["140826:dept"] = 县民政局 with the world's
    # department user as staff, agency[code] = a township's or village's unit), per household an item of its
    # village's unit touching it (办理中), per county a department's item (办理中), a township item of
    # 140826100's (办理中), a reported item (待复核) and a closed one (已销号) of the home village's unit
    ledger_batch: dict = field(default_factory=dict)
    agency: dict = field(default_factory=dict)
    ledger_item: dict = field(default_factory=dict)
    ledger_dept: dict = field(default_factory=dict)
    ledger_township: dict = field(default_factory=dict)
    ledger_reported: dict = field(default_factory=dict)
    ledger_closed: dict = field(default_factory=dict)
    # 考评 (area "letters"): per county a signed 目标责任书 (with a PDF) of the township's unit and of 县民政局,
    # keyed like `agency` (the township's code, "county:dept")
    letter: dict = field(default_factory=dict)
    appraisal: dict = field(default_factory=dict)  # 考评 (area "scoring"): a published appraisal per county
    # flow: per household a progress entry with a photo on its village's item (the evidence download)
    ledger_evidence: dict = field(default_factory=dict)
    # 重点项目 (supervision, area "tasks"): per county a key project (no batch, 办理中) of the township's unit
    # ("<county>:township") and of the department ("<county>:dept"), each with a milestone and a progress
    # entry carrying a photo (`ledger_photo`, the same keys)
    ledger_project: dict = field(default_factory=dict)
    ledger_photo: dict = field(default_factory=dict)


def _clerk_of(world: World, household):
    return world.village_clerk if household.village_id == XIAGAOCHI else world.outsider


def _problems(world: World, records: Records) -> None:
    """One open and one pending problem per household, with messages worded as the rules' SQL words them."""
    now = timezone.now()
    for county in ("140826", "140829"):
        records.check_run[county] = CheckRun.objects.create(org=county, as_of=now.date(), status=CheckRun.Status.DONE)
    for household in world.households:
        run = records.check_run[household.code[:6]]
        head, daughter = household.members.order_by("pk")
        # Q04 (member) names the member's ID; Q21 (household) both head IDs (Q05 the repeated one likewise)
        q04 = f"性别为“{daughter.sex}”，身份证号“{daughter.id_number}”第 17 位表示男"
        q21 = f"户表中户主身份证号为“{household.head_id_number}”，人员表中户主身份证号为“{head.id_number}”"
        records.message_ids |= {daughter.id_number, household.head_id_number, head.id_number}
        common = {"household": household.code, "village": household.village_id, "first_run": run, "last_run": run,
                  "first_seen": now, "last_seen": now}
        records.open_problem[household.code] = Problem.objects.create(
            rule="Q04", person=daughter.id_number, message=q04, **common)
        records.pending_problem[household.code] = Problem.objects.create(
            rule="Q21", person="", message=q21, status=Problem.Status.EXCEPTION_PENDING,
            exception_reason="户口簿正在更正", exception_by=_clerk_of(world, household), **common)


def _procedures(world: World, records: Records) -> None:
    """A 返贫 procedure at 乡镇审批 per household, its application record (with evidence), a village notice
    it is listed on, an objection to it and a ledger event."""
    today = timezone.localdate()
    for household in world.households:
        clerk = _clerk_of(world, household)
        procedure = Procedure.objects.create(kind="return", step="township_approval", village_id=household.village_id,
                                             household=household, head_name=household.head_name, year=2020,
                                             opened_by=clerk)
        record = StepRecord(procedure=procedure, step="application", decision="applied", actor=clerk,
                            note=household.head_name, evidence_name="申请书.txt")
        record.evidence.save("申请书.txt", ContentFile(f"{household.head_name}的申请书".encode()), save=False)
        record.save()
        batch = PublicityBatch.objects.create(kind="exit", step="village_publicity", unit_id=household.village_id,
                                              title=f"{household.head_name}公示", start=today, end=today,
                                              created_by=clerk)
        batch.procedures_listed.add(procedure)
        records.objection[household.code] = Objection.objects.create(
            batch=batch, procedure=procedure, received_on=today, content=household.head_name, recorded_by=clerk)
        photo = NoticePhoto(batch=batch, name="公示.jpg", content_type="image/jpeg", size=len(PHOTO), width=640,
                            height=480, sha256="0" * 64, uploaded_by=clerk)
        photo.image.save("photo.jpg", ContentFile(PHOTO), save=False)
        photo.save()
        records.photo[household.code] = photo
        LedgerEvent.objects.create(type="exit", effective=today, household=household.code,
                                   village=household.village_id, head_name=household.head_name, persons=2,
                                   source="import")
        records.procedure[household.code], records.record[household.code] = procedure, record
        records.batch[household.code] = batch


def _comparisons(world: World, records: Records) -> None:
    """A comparison run per county with a pending pair on every member (the external record named as the
    member is, so a page that showed a pair out of reach would show the member's ID)."""
    for county in ("140826", "140829"):
        batch = Batch.objects.create(kind="death", source="测试", data_date=timezone.localdate(), org=county)
        run = CompareRun.objects.create(kind="death", org=county, batch=batch, status=CompareRun.Status.DONE)
        records.compare_run[county] = run
        for household in (h for h in world.households if h.code.startswith(county)):
            for member in household.members.all():
                record = ExternalRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number)
                match = Match.objects.create(run=run, record=record, member_id=member.pk, household=household.code,
                                             village=household.village_id, person=member.id_number,
                                             member_name=member.name, method=Match.Method.FUZZY, match_weight=5.0,
                                             status=Match.Status.PENDING, agreements={"name": 5})
                records.match.setdefault(household.code, match)


def _alerts(world: World, records: Records) -> None:
    """A 医保 alert batch per county with a hit on every member (named and numbered as the member is)."""
    for county in ("140826", "140829"):
        batch = AlertBatch.objects.create(kind="medical", source="测试", data_date=timezone.localdate(), org=county,
                                          rows=1, counts={"exact": 1, "fuzzy": 0, "hits": 1})
        records.alert_batch[county] = batch
        for household in (h for h in world.households if h.code.startswith(county)):
            for member in household.members.all():
                record = AlertRecord.objects.create(batch=batch, row=2, name=member.name, id_number=member.id_number,
                                                    member_id=member.pk, household=household.code, method="exact")
                AlertHit.objects.create(batch=batch, record=record, rule="YJ02", risk_type="因病",
                                        village=household.village_id, household=household.code, member_id=member.pk,
                                        person=member.id_number, person_name=member.name, group="monitored",
                                        figures={"out_of_pocket": 6000.0, "threshold": 5000})


def _imports(world: World, records: Records) -> None:
    """A refused import of the village clerk's and of the outsider's, each with its error workbook (which
    repeats the bad rows, ID numbers and all, for their uploader only)."""
    for user, household in ((world.village_clerk, world.home), (world.outsider, world.other_county)):
        job = ImportJob(triggered_by=user, files=["户表.csv"], status=ImportJob.Status.REFUSED, issues=[], issue_count=1)
        folder = Path(settings.UPLOAD_ROOT) / str(job.id)
        folder.mkdir(parents=True)
        book = openpyxl.Workbook()
        book.active.append(["户编号", "户主身份证号", "错误"])
        book.active.append([household.code, household.head_id_number, "测试"])
        book.save(folder / ERROR_WORKBOOK)
        job.folder = str(folder)
        job.save()
        records.import_job[user.username] = job


def _corrected_id(world: World, records: Records) -> None:
    """A member's ID corrected through the service: the household's history then holds the old and new ID."""
    daughter = world.home.members.order_by("pk").last()
    corrected = id_number(XIAGAOCHI[:6], "19920611", 998)
    registry_services.member_update(household_code=world.home.code, member_id=daughter.pk,
                                    acting_user=world.village_clerk, data={"id_number": corrected}, reason="更正")
    records.history_ids |= {daughter.id_number, corrected}


def _leads(world: World, records: Records) -> None:
    """Through lead_create (a farmer's report and a department's alert per household); the evidence row
    directly, since the other county has no village clerk to upload it."""
    for household in world.households:
        lead = lead_create(channel="self_report", village=household.village, risk_type="illness",
                           description="看病自付多", household=household)
        records.lead[household.code] = lead
        records.county_lead[household.code] = lead_create(
            channel="department", village=household.village, risk_type="housing", description="住建：危房",
            household=household, source_ref="住建 批次 1 第 2 行", details={"grade": "D"})
        evidence = LeadEvidence(lead=lead, name="承诺书.jpg", content_type="image/jpeg", size=len(PHOTO),
                                sha256="0" * 64, uploaded_by=world.village_clerk)
        evidence.file.save("letter.jpg", ContentFile(PHOTO), save=True)
        records.lead_evidence[household.code] = evidence


def _measures(world: World, records: Records) -> None:
    """帮扶措施 (assistance: measures): rows made directly (the other county has no village clerk in the
    world), one 公益岗位 of the daughter per household, and its evidence."""
    year = timezone.localdate().year
    for household in world.households:
        daughter = household.members.order_by("pk")[1]
        measure = Measure.objects.create(household=household, member=daughter, year=year, type="public_post",
                                         name="保洁员", amount=6000, start=timezone.localdate().replace(month=1, day=1),
                                         details={"post": "村道保洁", "months": 12})
        records.measure[household.code] = measure
        evidence = MeasureEvidence(measure=measure, name="合同.pdf", uploaded_by=world.sysadmin)
        evidence.file.save("measure.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        records.measure_evidence[household.code] = evidence


def _helpers(world: World, records: Records) -> None:
    """The people who help (assistance/people): written directly (the services are tested on their own)."""
    import datetime

    from jingzhun.assistance.models import HelpUnit, ResponsibilityLetter, WorkTeam, WorkTeamMember
    from jingzhun.registry.models import AssistanceCadre

    from .helper_people import pdf_bytes

    start = datetime.date(2025, 3, 1)
    for county in ("140826", "140829"):
        records.help_unit[county] = HelpUnit.objects.create(county_id=county, name=f"{county}帮扶单位")
    for household in (world.home, world.other_township, world.other_county):
        team = WorkTeam.objects.create(village_id=household.village_id, help_unit=records.help_unit[household.code[:6]],
                                       start=start)
        WorkTeamMember.objects.create(team=team, name="矩阵书记", role="secretary", phone="13655550000", start=start)
        records.team[household.code] = team
    records.helper_cadre = {
        "own": world.cadre_record,
        "other": AssistanceCadre.objects.create(county_id="140826", name="孙帮扶", work_unit="绛县教育局",
                                                phone="13922223333"),
        "far": AssistanceCadre.objects.create(county_id="140829", name="平陆帮扶", work_unit="平陆县水利局",
                                              phone="13922224444"),
    }
    for key, cadre in records.helper_cadre.items():
        letter = ResponsibilityLetter(cadre=cadre, year=2026, signed_on=start, name="责任书.pdf",
                                      uploaded_by=world.sysadmin)
        letter.file.save("letter.pdf", ContentFile(pdf_bytes()), save=True)
        records.helper_letter[key] = letter


def _loans(world: World, records: Records) -> None:
    """小额信贷 (loans): one loan per household through loan_create (by the system administrator, who reaches all)."""
    import datetime

    for n, household in enumerate(world.households, start=1):
        loan = loan_create(household=household, borrower=household.members.order_by("pk").first(),
                           acting_user=world.sysadmin, bank="绛县农商银行", contract_no=f"LOAN-SCOPE-{n}", amount=30000,
                           term_months=36, annual_rate=4.35, disbursed_on=datetime.date(2025, 1, 10))
        records.loan[household.code] = loan
        records.installment[household.code] = loan.installments.order_by("due_on").first()


def records_build(world: World) -> Records:
    """Every record of the module docstring; also a poor household in the village clerk's village."""
    records = Records()
    _corrected_id(world, records)
    world.poor = make_household(XIAGAOCHI, 2, "钱有粮", status="未脱贫")
    _problems(world, records)
    _procedures(world, records)
    _comparisons(world, records)
    _alerts(world, records)
    _imports(world, records)
    _leads(world, records)
    _measures(world, records)
    _file(world, records)
    _helpers(world, records)
    _loans(world, records)  # 小额信贷 (loans)
    _visits(world, records)
    _projects(world, records)
    _assessments(world, records)
    _findings(world, records)
    _ledger(world, records)
    _letters(world, records)
    _appraisals(world, records)
    _gathered(world, records)
    return records


def _ledger(world: World, records: Records) -> None:
    """Directly, as the flow would leave them (see the Records comment)."""
    import datetime

    from jingzhun.orgunits.models import OrgUnit
    from jingzhun.supervision.models import Agency, Batch as LedgerBatch, Item, ItemEvent
    from jingzhun.supervision.services.agencies import agency_for_org

    today = timezone.localdate()
    for county, admin in (("140826", world.county_admin), ("140829", world.outsider)):
        batch = LedgerBatch.objects.create(county_id=county, name=f"{county} 省督导组反馈问题（第1批）",
                                           source="inspection", received_on=today, created_by=admin,
                                           deadline=today + datetime.timedelta(days=30))
        records.ledger_batch[county] = batch
        dept = Agency.objects.create(county_id=county, kind="department", name="县民政局")
        records.agency[f"{county}:dept"] = dept
        if county == "140826":
            dept.staff.add(world.department)

        def item(agency, number, state=Item.State.DOING, **extra):
            made = Item.objects.create(county_id=county, batch=batch, source="inspection", number=number,
                                       aspect="精准识别", title=f"问题{number}", agency=agency, state=state,
                                       deadline=batch.deadline, created_by=admin, responsible="张三",
                                       assigned_at=timezone.now(), **extra)
            ItemEvent.objects.create(item=made, kind="assign", state_after=made.state, actor=admin)
            return made

        records.ledger_dept[county] = item(dept, 1)
        number = 2
        for household in (h for h in world.households if h.code.startswith(county)):
            village = agency_for_org(household.village)
            records.agency[household.village_id] = village
            made = item(village, number)
            made.affected_units.add(household.village_id)
            made.households.add(household)
            records.ledger_item[household.code] = made
            progress = ItemEvent(item=made, kind="progress", note="现场照片", state_after=made.state, actor=admin,
                                 evidence_name="现场.jpg")
            progress.evidence.save(f"item-{made.pk}.jpg", ContentFile(jpeg_bytes()), save=False)
            progress.save()
            records.ledger_evidence[household.code] = progress
            number += 1
        township = agency_for_org(OrgUnit.objects.get(code=world.home.village_id[:9]
                                                      if county == "140826" else world.other_county.village_id[:9]))
        records.agency[township.org_id] = township
        records.ledger_township[county] = item(township, number)
        village = records.agency[world.home.village_id if county == "140826" else world.other_county.village_id]
        other = world.township_officer if county == "140826" else None
        records.ledger_reported[county] = item(village, number + 1, state=Item.State.REPORTED, reported_by=other,
                                               reported_at=timezone.now())
        records.ledger_closed[county] = item(village, number + 2, state=Item.State.CLOSED, closed_on=today,
                                             closed_by=admin)
        _key_projects(county, admin, {"township": township, "dept": dept}, records)


def _key_projects(county, admin, agencies, records) -> None:
    """重点项目 (area "tasks"): see the Records comment."""
    import datetime

    from jingzhun.supervision.models import Item, ItemEvent, Milestone

    today = timezone.localdate()
    for key, agency in agencies.items():
        project = Item.objects.create(county_id=county, kind="project", source="other", title=f"{county} 重点项目",
                                      agency=agency, state=Item.State.DOING, investment=1200, percent=30,
                                      deadline=today + datetime.timedelta(days=60), created_by=admin,
                                      assigned_at=timezone.now())
        Milestone.objects.create(item=project, name="主体完工", due=today + datetime.timedelta(days=20))
        photo = ItemEvent(item=project, kind="progress", note="现场照片", percent=30, state_after=project.state,
                          actor=admin, evidence_name="现场.jpg")
        photo.evidence.save("item.jpg", ContentFile(jpeg_bytes()), save=False)
        photo.save()
        records.ledger_project[f"{county}:{key}"] = project
        records.ledger_photo[f"{county}:{key}"] = photo


def _letters(world: World, records: Records) -> None:
    """Directly: a signed 目标责任书 of this year per township unit and department of the ledger above."""
    from jingzhun.supervision.models import Letter

    from .helper_people import pdf_bytes

    today = timezone.localdate()
    for key, agency in records.agency.items():
        if agency.kind not in ("township", "department"):
            continue
        admin = world.county_admin if agency.county_id == "140826" else world.outsider
        letter = Letter(county_id=agency.county_id, year=today.year, agency=agency, signed_on=today, created_by=admin,
                        targets=[{"indicator": "HH_POOR", "target": 0, "note": ""}], document_sha256="0" * 64)
        letter.document.save(f"letter-{agency.pk}.pdf", ContentFile(pdf_bytes()), save=False)
        letter.save()
        records.letter[key] = letter


def _appraisals(world: World, records: Records) -> None:
    """Per county this year's appraisal published by its county admin (the shipped scheme, the ledger's units)."""
    from jingzhun.supervision.services.appraisal import appraisal_publish

    for county, admin in (("140826", world.county_admin), ("140829", world.outsider)):
        records.appraisal[county] = appraisal_publish(acting_user=admin, county=county,
                                                      year=timezone.localdate().year)


def _gathered(world: World, records: Records) -> None:
    """归集 (supervision, area "gather"): the closed item of each county gathered the problems of the home
    (other county's) household, whose Q04 names a member's full ID; the open one is "back" after 销号."""
    for county, household in (("140826", world.home), ("140829", world.other_county)):
        records.ledger_closed[county].problems.add(records.open_problem[household.code],
                                                   records.pending_problem[household.code])


def _findings(world: World, records: Records) -> None:
    """Per county two screened households (outside the registry) found 漏评 by headquarters and sent to the
    county today, in the team's village: one open to dispute, one disputed with a PDF."""
    from jingzhun.assessment.models import Case, Dispute

    for county, assessment in records.assessment.items():
        team = assessment.teams.first()
        village = next(h.village_id for h in world.households if h.code.startswith(county))

        def case(order: int, name: str) -> Case:
            return Case.objects.create(assessment=assessment, village=village, frame=Case.Frame.SCREEN, order=order,
                                       head_name=name, screen_source="民政低保", team=team, persons=2,
                                       state=Case.State.HQ_APPROVED, missed=True, approves=True,
                                       reasons=[{"kind": "income", "text": "人均纯收入 2,000 元，低于标准"}],
                                       notified_at=timezone.now())

        records.finding[county] = case(100, "漏评甲")
        disputed = case(101, "漏评乙")
        dispute = Dispute(case=disputed, reason="已纳入低保，收入达标", evidence_name="证明.pdf",
                          filed_by=world.county_admin if county == "140826" else world.outsider)
        dispute.evidence.save(f"case-{disputed.pk}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        dispute.save()
        records.disputed[county] = disputed


def _file(world: World, records: Records) -> None:
    """一户一档 and 明白卡 (file): a loan to the head and a visit per household, made with the ORM (their
    services are written elsewhere), so every file and card has rows in those sections. (No measure: the
    measure types' names are not yet in the translation catalogue, which tests/test_english.py would flag.)"""
    import datetime
    import uuid
    from decimal import Decimal

    from jingzhun.assistance.models import Loan, Visit

    today = timezone.localdate()
    for n, household in enumerate(world.households, start=1):
        head = household.members.order_by("pk").first()
        loan = Loan.objects.create(household=household, borrower=head, bank="农商银行", contract_no=f"SCOPE-{n}",
                                   amount=Decimal("30000"), term_months=36, annual_rate=Decimal("3.45"),
                                   disbursed_on=datetime.date(today.year, 1, 15),
                                   due_on=datetime.date(today.year + 3, 1, 15), balance=Decimal("30000"))
        visit = Visit.objects.create(household=household, visitor=_clerk_of(world, household), visited_on=today,
                                     met=household.head_name, recorded_at=timezone.now(), client_id=uuid.uuid4())
        records.file_records[household.code] = (loan, visit)


def _visits(world: World, records: Records) -> None:
    """走访: a visit (with a photo) and an open conflict per household; the home's by the cadre, the others'
    by the record keeper of their place. Directly, as a phone's sync would have stored them."""
    import uuid

    from jingzhun.assistance.models import EditConflict, Visit, VisitPhoto

    for household in world.households:
        author = world.cadre if household.code == world.home.code else _clerk_of(world, household)
        visit = Visit.objects.create(household=household, visitor=author, visited_on=timezone.localdate(),
                                     needs="想学养殖技术", latitude="35.491234", longitude="111.568765",
                                     recorded_at=timezone.now())
        photo = VisitPhoto(visit=visit, name=f"{uuid.uuid4()}.jpg")
        photo.image.save(photo.name, ContentFile(PHOTO), save=False)
        photo.save()
        records.visit[household.code], records.visit_photo[household.code] = visit, photo
        records.conflict[household.code] = EditConflict.objects.create(
            client_id=uuid.uuid4(), household=household, base={"housing_grade": "A"},
            phone_values={"housing_grade": "C"}, server_values={"housing_grade": household.housing_grade},
            author=author, recorded_at=timezone.now())


# --- 项目库 and 衔接资金 (projects and funds) ---------------------------------------------------------------
def _projects(world: World, records: Records) -> None:
    """Through the services, by each county's admin: one project per household's village, with that household
    as its beneficiary, its funds planned, publicised and 实施 (so every action of its page applies)."""
    from .project_helpers import make_project

    for n, household in enumerate(world.households, start=1):
        county = household.code[:6]
        records.project[household.code] = make_project(
            world, code=f"2025-{n:03d}", name=f"{household.village.name}产业项目", villages=(household.village_id,),
            beneficiaries=[household.code], county=county, state="underway",
            by=world.county_admin if county == "140826" else world.outsider)


# --- 考核评估 (assessment) ------------------------------------------------------------------------------------
SCOPE_ANSWERS = {"persons": 3, "wage": "24000", "food_clothing": True, "education": True, "medical": True,
                 "housing": True, "water": True, "approve_policy": "认可", "approve_measures": "认可",
                 "approve_exit": "认可", "approve_cadres": "基本认可"}


def _assessments(world: World, records: Records) -> None:
    """Directly (as a drawn plan would leave them): per county an assessment in fieldwork with one stratum,
    its households' villages, one team; a completed case per household; a spot check per county with an
    item per household. 绛县's assessment has the world's evaluator as the team's enumerator."""
    import datetime

    from jingzhun.assessment.models import Assessment, Case, SampledVillage, SpotCheck, SpotCheckItem, Staff, Stratum, Team

    now = timezone.now()
    for county, admin in (("140826", world.county_admin), ("140829", world.outsider)):
        assessment = Assessment.objects.create(county=county, year=now.year, title=f"{county} 巩固成果后评估",
                                               kind=Assessment.Kind.POST, state=Assessment.State.FIELDWORK, seed=1,
                                               created_by=admin, drawn_by=admin, drawn_at=now,
                                               frame_as_of=datetime.date(now.year, 1, 1))
        stratum = Stratum.objects.create(assessment=assessment, code="all", name="全部村", villages_in_frame=3,
                                         villages_drawn=3)
        team = Team.objects.create(assessment=assessment, name="第1组")
        if county == "140826":
            Staff.objects.create(assessment=assessment, user=world.evaluator, duty=Staff.Duty.ENUMERATOR,
                                 home_county="140829", team=team)
        records.assessment[county] = assessment
        spot = SpotCheck.objects.create(unit=county, n=2, seed=7, frame_size=2, frame_sha256="0" * 64, drawn_by=admin)
        records.spot_check[county] = spot
        households = [h for h in world.households if h.code.startswith(county)]
        for order, household in enumerate(households, start=1):
            SampledVillage.objects.get_or_create(
                assessment=assessment, village=household.village_id,
                defaults={"stratum": stratum, "size": 10, "probability": 0.5, "order": order})
            records.case[household.code] = Case.objects.create(
                assessment=assessment, village=household.village_id, frame=Case.Frame.EXITED, household=household,
                head_name=household.head_name, weight=20.0, probability=0.05, order=order, team=team,
                state=Case.State.COMPLETED, answers=dict(SCOPE_ANSWERS), started_at=now, ended_at=now,
                duration_seconds=1200, interviewer=world.evaluator if county == "140826" else None, persons=3,
                wrong_exit=False, approves=True)
            records.spot_item[household.code] = SpotCheckItem.objects.create(spot_check=spot, household=household,
                                                                              order=order)
