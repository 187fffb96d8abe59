"""One household's full assistance record for the 一户一档 and 明白卡 tests, made with the ORM directly
(the measures, loans, visits and projects services are written elsewhere): measures of two years (one of
them 健康帮扶, which a card must not tell), a loan with installments, a visit with a photo, a project,
two cadre assignments, a 帮扶责任书, a work team, an income verification, and a procedure, notice and lead
with their evidence files."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jingzhun.assistance.models import (CadreAssignment, HelpUnit, Loan, LoanInstallment, Measure, MeasureEvidence,
                                        Project, ResponsibilityLetter, Visit, VisitPhoto, WorkTeam)
from jingzhun.monitoring.models import LeadEvidence
from jingzhun.monitoring.services import lead_create
from jingzhun.registry.models import AssistanceCadre
from jingzhun.workflows.models import IncomeVerification, NoticePhoto, Procedure, PublicityBatch, StepRecord

from .notice_photos import jpeg_bytes

YEAR = timezone.localdate().year
#: Amounts a card of YEAR must show (and their total).
PUBLIC_POST_PAY = Decimal("9600.00")
INDUSTRY_AMOUNT = Decimal("3000.00")
HEALTH_AMOUNT = Decimal("1250.00")
DISEASE = "尘肺病"  # the 健康帮扶 measure's 病种: never on a card


@dataclass
class Filled:
    record: StepRecord
    photo: NoticePhoto
    lead_evidence: LeadEvidence
    measure_evidence: MeasureEvidence
    visit_photo: VisitPhoto
    letter: ResponsibilityLetter
    loan: Loan


def fill(world, household=None) -> Filled:
    household = household or world.home
    clerk = world.village_clerk
    head, daughter = household.members.order_by("pk")
    photo_bytes = jpeg_bytes()

    unit = HelpUnit.objects.create(county_id="140826", name="运城市水务局", level="市直")
    WorkTeam.objects.create(village_id=household.village_id, help_unit=unit, start=datetime.date(YEAR - 1, 3, 1))
    IncomeVerification.objects.create(household=household, verified_on=datetime.date(YEAR, 1, 5),
                                      income_12m=Decimal("24000"), persons=2, recorded_by=clerk)

    # measures: this year (产业, 公益岗位 for the daughter, 健康 for the head) and last year (教育)
    industry = Measure.objects.create(household=household, year=YEAR, type="industry", name="养牛产业奖补",
                                      amount=INDUSTRY_AMOUNT, start=datetime.date(YEAR, 3, 1),
                                      responsible_unit="绛县农业农村局", details={"project": "肉牛养殖", "scale": "3 头"})
    Measure.objects.create(household=household, member=daughter, year=YEAR, type="public_post", name="村保洁员",
                           amount=PUBLIC_POST_PAY, start=datetime.date(YEAR, 1, 1),
                           details={"post": "保洁员", "months": 12, "monthly_pay": "800"})
    Measure.objects.create(household=household, member=head, year=YEAR, type="health", name=f"{DISEASE}慢病管理",
                           amount=HEALTH_AMOUNT, start=datetime.date(YEAR, 2, 1),
                           details={"chronic_care": True, "disease": DISEASE})
    Measure.objects.create(household=household, member=daughter, year=YEAR - 1, type="education", name="雨露计划补助",
                           amount=Decimal("3000"), start=datetime.date(YEAR - 1, 9, 1),
                           details={"programme": "雨露计划"})
    measure_evidence = MeasureEvidence(measure=industry, name="奖补发放表.pdf", uploaded_by=clerk)
    measure_evidence.file.save("m.pdf", ContentFile(b"%PDF-1.4"), save=True)

    loan = Loan.objects.create(household=household, borrower=head, bank="绛县农商银行", contract_no="XD-001",
                               amount=Decimal("50000"), term_months=36, annual_rate=Decimal("3.450"),
                               disbursed_on=datetime.date(YEAR - 1, 4, 1), due_on=datetime.date(YEAR + 2, 4, 1),
                               balance=Decimal("40000"), purpose="养殖")
    LoanInstallment.objects.create(loan=loan, due_on=datetime.date(YEAR, 4, 1), principal=Decimal("10000"),
                                   interest=Decimal("1725"), paid_on=datetime.date(YEAR, 3, 30),
                                   paid_amount=Decimal("11725"))

    visit = Visit.objects.create(household=household, visitor=world.cadre, visited_on=datetime.date(YEAR, 5, 6),
                                 met=household.head_name, situation="养牛三头，长势良好", needs="饲料款", done="联系合作社",
                                 recorded_at=timezone.now(), client_id=uuid.uuid4())
    visit_photo = VisitPhoto(visit=visit, name="入户照片.jpg")
    visit_photo.image.save("v.jpg", ContentFile(photo_bytes), save=True)

    project = Project.objects.create(county_id="140826", code="XM-2026-01", name="下高池村肉牛养殖基地", category="industry",
                                     year=YEAR, responsible_unit="绛县农业农村局", mechanism="入股分红")
    project.beneficiaries.add(household)

    earlier = AssistanceCadre.objects.create(county_id="140826", name="周前任", work_unit="绛县教育局")
    CadreAssignment.objects.create(household=household, cadre=earlier, start=datetime.date(2016, 1, 1),
                                   end=datetime.date(2020, 12, 31), reason="工作调动")
    if household.cadre:
        CadreAssignment.objects.create(household=household, cadre=household.cadre, start=datetime.date(2021, 1, 1))
        letter = ResponsibilityLetter(cadre=household.cadre, year=YEAR, signed_on=datetime.date(YEAR, 1, 10),
                                      name="帮扶责任书.pdf", uploaded_by=clerk)
        letter.file.save("l.pdf", ContentFile(b"%PDF-1.4"), save=True)
    else:
        letter = None

    procedure = Procedure.objects.create(kind="return", step="township_approval", village_id=household.village_id,
                                         household=household, head_name=household.head_name, year=YEAR,
                                         opened_by=clerk)
    record = StepRecord(procedure=procedure, step="application", decision="applied", actor=clerk, note="因病返贫申请",
                        evidence_name="返贫申请书.txt")
    record.evidence.save("a.txt", ContentFile("申请书".encode()), save=False)
    record.save()
    batch = PublicityBatch.objects.create(kind="return", step="village_publicity", unit_id=household.village_id,
                                          title="下高池村返贫公示", start=timezone.localdate(), end=timezone.localdate(),
                                          created_by=clerk)
    batch.procedures_listed.add(procedure)
    photo = NoticePhoto(batch=batch, name="公示张贴.jpg", content_type="image/jpeg", size=len(photo_bytes), width=640,
                        height=480, sha256="0" * 64, uploaded_by=clerk)
    photo.image.save("p.jpg", ContentFile(photo_bytes), save=True)

    lead = lead_create(channel="self_report", village=household.village, risk_type="illness",
                       description="住院自付三万元", household=household)
    lead_evidence = LeadEvidence(lead=lead, name="承诺授权书.jpg", content_type="image/jpeg", size=len(photo_bytes),
                                 sha256="0" * 64, uploaded_by=clerk)
    lead_evidence.file.save("e.jpg", ContentFile(photo_bytes), save=True)
    return Filled(record, photo, lead_evidence, measure_evidence, visit_photo, letter, loan)
