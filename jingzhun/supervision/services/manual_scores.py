"""人工评分: the points the county gives a unit by hand for a scheme's manual item (工作作风, 群众评议 …).

Every score carries a note saying why (the 通报 and a unit's objection read it); points are never
negative, nor above the item's highest points when the scheme states one. One score per unit, year and
item: scoring again replaces it, and the model's history keeps every earlier score with who gave it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Agency, ManualScore
from ..scheme_format import ManualItem, manual_items
from ..selectors.appraisal import appraised_agency_get
from .items import LedgerError
from .letters import require_appraiser, year_check
from .schemes import scheme_for

NOTE_MAX = 500
POINTS_MAX = Decimal("9999.99")


def manual_items_for(county: str, year: int) -> list[ManualItem]:
    """The manual items of the scheme the county's year is appraised on ([] without a scheme)."""
    scheme = scheme_for(county, year)
    return manual_items(scheme.text) if scheme is not None else []


def _points(value) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise LedgerError(_("得分应为数字。")) from None
    if not points.is_finite():
        raise LedgerError(_("得分应为数字。"))
    if points < 0:
        raise LedgerError(_("得分不能为负数；扣分请按考评办法的扣分规则办理。"))
    if points > POINTS_MAX or points != points.quantize(Decimal("0.01")):
        raise LedgerError(_("得分最多保留两位小数，且不能超过 %(max)s。") % {"max": POINTS_MAX})
    return points


@transaction.atomic
def manual_score_set(*, acting_user, agency_id: int, year: int, item: str, points, note: str) -> ManualScore:
    """Give (or change) a unit's score for a manual item of the year's scheme, with the reason."""
    agency = appraised_agency_get(acting_user, agency_id)  # out of reach: a 404 before anything is said
    require_appraiser(acting_user, agency.county_id)
    year_check(year)
    points = _points(points)
    note = (note or "").strip()
    if not note:
        raise LedgerError(_("请填写评分说明（依据什么给出这个分数）。"))
    if len(note) > NOTE_MAX:
        raise LedgerError(_("评分说明不能超过 %(max)d 字。") % {"max": NOTE_MAX})
    items = {i.code: i for i in manual_items_for(agency.county_id, year)}
    if not items:
        raise LedgerError(_("%(year)d 年度的考评办法中没有人工评分项目；请先在“考评办法”中上传含人工评分项目的办法。")
                          % {"year": year})
    spec = items.get(item)
    if spec is None:
        raise LedgerError(_("“%(item)s”不是 %(year)d 年度考评办法中的人工评分项目。") % {"item": str(item)[:40], "year": year})
    if spec.max is not None and points > spec.max:
        raise LedgerError(_("“%(name)s”最高 %(max)s 分，得分不能超过它。") % {"name": spec.name, "max": spec.max})
    # Two people scoring the same unit at once: locking the unit's row makes the second wait and replace
    # the first (both kept in the history) rather than both create the score and one fail on the constraint.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    score = ManualScore.objects.filter(agency=agency, year=year, item=item).first()
    if score is None:
        score = ManualScore(county_id=agency.county_id, agency=agency, year=year, item=item)
    elif score.points == points and score.note == note:
        return score
    score.points = points
    score.note = note
    score.scored_by = acting_user
    score.save()
    return score
