"""目标责任书: the targets a township or department undertakes for a year, and the signed document.

The county (may_appraise, the county in reach) registers and corrects a unit's letter; the signed text
is a PDF or a photo checked by its content (never by its name), stored under a name of ours with its
SHA-256, and every upload leaves an audit row. One letter per unit and year: saving again replaces the
targets (and the document, when a new one is given; without one the letter counts as not yet signed);
the model's history keeps the earlier versions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.services.measures import MeasureError, evidence_check
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_appraise, require

from ..models import Agency, Letter
from ..selectors import COUNTY_LENGTH
from ..selectors.appraisal import appraised_agency_get
from .items import LedgerError

#: The years a letter may be for.
YEAR_MIN, YEAR_MAX = 2000, 2100
#: Targets a letter holds at most (the catalog has a few dozen indicators).
TARGETS_MAX = 100
NOTE_MAX = 200


def require_appraiser(acting_user, county: str) -> None:
    """may_appraise and the county in reach, or Refused saying who may."""
    access = access_for(acting_user)
    require(may_appraise(access) and access.reaches_code(county),
            _("只有县级管理员可以登记目标责任书、考评办法和人工评分。"))


def county_check(county: str) -> str:
    """A county's division code, or LedgerError."""
    if len(county) != COUNTY_LENGTH or not OrgUnit.objects.filter(code=county).exists():
        raise LedgerError(_("“%(code)s”不是县级区划代码，请选择一个县。") % {"code": county[:20]})
    return county


def year_check(year: int) -> int:
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise LedgerError(_("年度应在 %(min)d 到 %(max)d 之间。") % {"min": YEAR_MIN, "max": YEAR_MAX})
    return year


def _number(value) -> int | float:
    """A target as JSON keeps it: an integer when whole, else a float of at most 4 decimals."""
    number = Decimal(str(value).strip())
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise InvalidOperation
    number = number.quantize(Decimal("0.0001")).normalize()
    return int(number) if number == number.to_integral_value() else float(number)


def targets_clean(targets: Iterable[Mapping]) -> list[dict]:
    """The targets as stored — [{"indicator", "target", "note"}, …] — or LedgerError naming each bad row."""
    catalog = indicator_catalog()
    cleaned, problems, seen = [], [], set()
    for n, row in enumerate(targets, start=1):
        code = str(row.get("indicator") or "").strip()
        raw = row.get("target")
        note = str(row.get("note") or "").strip()
        if not code and (raw is None or str(raw).strip() == "") and not note:
            continue  # an empty row of the form
        if code not in catalog:
            problems.append(_("第 %(n)d 行：指标“%(code)s”不是指标目录中的指标，请从列表中选择。") % {"n": n, "code": code[:40]})
            continue
        if code in seen:
            problems.append(_("第 %(n)d 行：指标“%(name)s”重复，每个指标只能有一个目标值。")
                            % {"n": n, "name": catalog[code].name_shown})
            continue
        try:
            target = _number(raw)
        except (InvalidOperation, ValueError, TypeError):
            problems.append(_("第 %(n)d 行：“%(name)s”的目标值应为数字。") % {"n": n, "name": catalog[code].name_shown})
            continue
        if len(note) > NOTE_MAX:
            problems.append(_("第 %(n)d 行：说明不能超过 %(max)d 字。") % {"n": n, "max": NOTE_MAX})
            continue
        seen.add(code)
        cleaned.append({"indicator": code, "target": target, "note": note})
    if problems:
        raise LedgerError(" ".join(problems))
    if not cleaned:
        raise LedgerError(_("请至少填写一个指标的目标值。"))
    if len(cleaned) > TARGETS_MAX:
        raise LedgerError(_("目标不能超过 %(max)d 项。") % {"max": TARGETS_MAX})
    return cleaned


@transaction.atomic
def letter_save(*, acting_user, agency_id: int, year: int, targets: Iterable[Mapping],
                signed_on: datetime.date | None, document=None, ip: str | None = None) -> Letter:
    """Register (or correct) a unit's 目标责任书 of a year: its targets, the date signed and, optionally,
    the signed document (a PDF or a photo)."""
    agency = appraised_agency_get(acting_user, agency_id)  # out of reach: a 404 before anything is said
    require_appraiser(acting_user, agency.county_id)
    year_check(year)
    cleaned = targets_clean(targets)
    if signed_on is None:
        raise LedgerError(_("请填写签订日期。"))
    if signed_on > timezone.localdate():
        raise LedgerError(_("签订日期不能晚于今天。"))
    if not year - 1 <= signed_on.year <= year:
        raise LedgerError(_("签订日期应在 %(year)d 年度内（或上一年年底）。") % {"year": year})
    info = None
    if document is not None:
        try:
            info = evidence_check(document)
        except MeasureError as error:
            raise LedgerError(error.message) from None
    # Two people saving the same unit's letter at once: locking the unit's row makes the second wait and
    # replace the first's targets whole (rather than both create the letter and one fail on the constraint).
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    letter = Letter.objects.filter(agency=agency, year=year).first()
    if letter is None:
        letter = Letter(county_id=agency.county_id, agency=agency, year=year, created_by=acting_user)
    letter.targets = cleaned
    letter.signed_on = signed_on
    if info is not None:
        letter.document.save(f"letter-{agency.pk}-{year}{info.suffix}", document, save=False)
        letter.document_sha256 = info.sha256
    try:
        letter.save()
        if info is not None:
            audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=f"letter {letter.pk}", ip=ip,
                         detail={"what": "target_letter", "letter": letter.pk, "agency": agency.pk, "year": year,
                                 "file": PurePath(document.name or "document").name[:200], "size": info.size,
                                 "sha256": info.sha256})
    except BaseException:
        if info is not None:
            letter.document.delete(save=False)  # the rows roll back: the new file must not stay behind
        raise
    # A replaced scan stays on disk: the history rows still name it.
    return letter
