"""Writes of 帮扶措施: record, change and end a household's measures, and attach their evidence.

Every function runs in one transaction, checks the writer through `may_edit_measures` (Refused) and the
household or measure through the user's reach (OutOfReach, a 404), validates the whole measure — the
type's details (data/measure_types.toml), the member for the types given to one person, the dates and
the year — and raises `MeasureError` (a Chinese message) having written nothing when it is wrong. The
history rows (simple_history) name the acting user.

A measure is not deleted: one that stopped is ended (结束日期), so the household's file keeps what it
received. A measure's natural key is (户, 受益人员, 年度, 措施类型, 措施名称, 开始日期): a second measure
with the same key is refused here and is an update when a file is imported (services/measures_exchange).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import get_in_reach, may_edit_measures, require
from jingzhun.registry.models import Household, Member

from ..models import Measure, MeasureEvidence
from ..vocab import Detail, MeasureType, measure_types

#: The first year of 精准扶贫 records; a measure's year before it is a typing error.
FIRST_YEAR = 2013
NAME_MAX = 128
UNIT_MAX = 128
NOTE_MAX = 1000
TEXT_DETAIL_MAX = 200
#: Amounts above this (yuan) are typing errors (a 小额信贷 is at most 5 万, a relocation some 10 万).
AMOUNT_MAX = Decimal("100000000")
#: Evidence: PDF, JPEG or PNG, decided by the content; at most this many bytes and files per measure.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_PER_MEASURE = 12
EVIDENCE_MAX_PIXELS = 60_000_000
#: Content type served for each kind of evidence (the kind the check found, never the name's suffix).
EVIDENCE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}

YES, NO = "是", "否"


class MeasureError(Exception):
    """A measure that cannot be written as asked; the message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- values -----------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value) -> datetime.date:
    """A date from a date, or text as YYYY-MM-DD (also 2024/3/1, 2024.3.1, 2024年3月1日); ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError(_("应为日期，如 2024-03-01"))
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(_("不是有效的日期")) from None


def parse_money(value) -> Decimal:
    """Yuan, ≥ 0, at most 2 decimals; ValueError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("应为金额（元），如 1200 或 1200.50")) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("金额不能为负数"))
    if amount >= AMOUNT_MAX:
        raise ValueError(_("金额过大，请检查单位是否为元"))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("金额最多保留两位小数"))
    return amount.quantize(Decimal("0.01"))


def parse_int(value) -> int:
    """A whole number ≥ 0 (also "3.0" as a spreadsheet writes it); ValueError."""
    if isinstance(value, bool):
        raise ValueError(_("应为整数"))
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{1,9}(\.0+)?", text):
            raise ValueError(_("应为不小于 0 的整数"))
        number = int(text.split(".")[0])
    if number < 0:
        raise ValueError(_("应为不小于 0 的整数"))
    return number


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text == YES:
        return True
    if text == NO:
        return False
    raise ValueError(_("应填写“是”或“否”"))


def detail_value(detail: Detail, value) -> Any:
    """One detail as stored in Measure.details (JSON): text/choice str, int int, money "12.50", date
    "2024-03-01", bool true/false; None for a blank value. ValueError (Chinese) when it does not fit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if detail.kind == "text":
        text = str(value).strip()
        if len(text) > TEXT_DETAIL_MAX:
            raise ValueError(_("不能超过 %(n)d 个字") % {"n": TEXT_DETAIL_MAX})
        return text
    if detail.kind == "int":
        return parse_int(value)
    if detail.kind == "money":
        return str(parse_money(value))
    if detail.kind == "date":
        return parse_date(value).isoformat()
    if detail.kind == "bool":
        return parse_yes_no(value)
    text = str(value).strip()
    if text not in detail.choices:
        raise ValueError(_("应为以下之一：%(choices)s") % {"choices": " / ".join(detail.choices)})
    return text


def detail_shown(detail: Detail, value) -> str:
    """A stored detail as a person reads it (and as an export writes it)."""
    if value is None or value == "":
        return ""
    if detail.kind == "bool":
        return YES if value else NO
    return str(value)


def details_clean(mtype: MeasureType, details: dict | None) -> dict:
    """The type's details, each checked (`detail_value`); MeasureError naming the detail otherwise."""
    details = dict(details or {})
    known = {d.key: d for d in mtype.details}
    unknown = sorted(set(details) - set(known))
    if unknown:
        raise MeasureError(_("措施类型“%(type)s”没有这些明细：%(keys)s") % {"type": mtype.name, "keys": "、".join(unknown)})
    out = {}
    for key, detail in known.items():
        try:
            value = detail_value(detail, details.get(key))
        except ValueError as exc:
            raise MeasureError(_("%(label)s：%(message)s") % {"label": detail.label, "message": exc}) from None
        if value is not None:
            out[key] = value
    return out


@dataclass
class Problem:
    """One thing wrong with a measure: the model field it concerns and why."""

    field: str
    message: str


def measure_problems(*, household: Household, mtype: MeasureType | None, year: int | None, name: str,
                     start: datetime.date | None, end: datetime.date | None, member: Member | None,
                     today: datetime.date | None = None) -> list[Problem]:
    """What is wrong with a measure's common fields taken together (each field already of its type)."""
    today = today or timezone.localdate()
    problems = []
    if mtype is None:
        problems.append(Problem("type", _("请选择措施类型")))
    if year is None or not FIRST_YEAR <= year <= today.year + 1:
        problems.append(Problem("year", _("年度应在 %(first)d 到 %(last)d 之间")
                                % {"first": FIRST_YEAR, "last": today.year + 1}))
    if not name.strip():
        problems.append(Problem("name", _("请填写措施名称")))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", _("措施名称不能超过 %(n)d 个字") % {"n": NAME_MAX}))
    if start is None:
        problems.append(Problem("start", _("请填写开始日期")))
    elif start.year < 2000 or (year is not None and start > datetime.date(year, 12, 31)):
        problems.append(Problem("start", _("开始日期应在 2000 年之后，且不晚于措施年度的年底")))
    if start is not None and end is not None and end < start:
        problems.append(Problem("end", _("结束日期不能早于开始日期")))
    if mtype is not None:
        if mtype.member and member is None:
            problems.append(Problem("member", _("“%(type)s”落实到人，请选择受益人员") % {"type": mtype.name}))
        elif not mtype.member and member is not None:
            problems.append(Problem("member", _("“%(type)s”是对整户的措施，不选受益人员") % {"type": mtype.name}))
    if member is not None and member.household_id != household.pk:
        problems.append(Problem("member", _("受益人员不是本户成员")))
    return problems


# --- writes -----------------------------------------------------------------------------------------

def _type_of(code: str) -> MeasureType:
    mtype = measure_types().get(code or "")
    if mtype is None:
        raise MeasureError(_("没有这种措施类型：%(type)s") % {"type": code or _("（空）")})
    return mtype


def _member_of(household: Household, member_id) -> Member | None:
    if member_id in (None, ""):
        return None
    member = household.members.filter(pk=member_id).first()
    if member is None:
        raise MeasureError(_("受益人员不是本户成员"))
    return member


def _locked_household(acting_user, code: str) -> Household:
    require(may_edit_measures(acting_user), _("帮扶措施由村、乡镇、县的信息员登记。"))
    # select_for_update: a second person may be adding the same measure to this household right now;
    # the duplicate check below must see their row.
    return get_in_reach(access_for(acting_user).filter_households(Household.objects.select_for_update()), code=code)


def _locked_measure(acting_user, measure_id: int) -> Measure:
    require(may_edit_measures(acting_user), _("帮扶措施由村、乡镇、县的信息员登记。"))
    scoped = Measure.objects.select_for_update(of=("self",)).filter(access_for(acting_user).household_q("household__"))
    measure = get_in_reach(scoped, pk=measure_id)
    # Lock the household as well: the duplicate check of an edit reads its other measures.
    Household.objects.select_for_update().filter(pk=measure.household_id).first()
    return measure


def _check(measure: Measure, mtype: MeasureType) -> None:
    problems = measure_problems(household=measure.household, mtype=mtype, year=measure.year, name=measure.name,
                                start=measure.start, end=measure.end, member=measure.member)
    if len(measure.responsible_unit) > UNIT_MAX:
        problems.append(Problem("responsible_unit", _("责任单位不能超过 %(n)d 个字") % {"n": UNIT_MAX}))
    if len(measure.note) > NOTE_MAX:
        problems.append(Problem("note", _("备注不能超过 %(n)d 个字") % {"n": NOTE_MAX}))
    if problems:
        raise MeasureError("；".join(p.message for p in problems))
    twin = Measure.objects.filter(household=measure.household, member=measure.member, year=measure.year,
                                  type=measure.type, name=measure.name, start=measure.start)
    if measure.pk:
        twin = twin.exclude(pk=measure.pk)
    if twin.exists():
        raise MeasureError(_("该户已登记同一措施（同一年度、类型、名称、受益人员和开始日期），请修改那一条。"))


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_money(value)
    except ValueError as exc:
        raise MeasureError(_("金额：%(message)s") % {"message": exc}) from None


@transaction.atomic
def measure_create(*, acting_user, household_code: str, type: str, year: int, name: str,
                   start: datetime.date, end: datetime.date | None = None, amount=None, member_id: int | None = None,
                   responsible_unit: str = "", continues_after_exit: bool | None = None,
                   details: dict | None = None, note: str = "") -> Measure:
    """登记帮扶措施 for a household (or one of its members); `continues_after_exit` defaults from the type."""
    household = _locked_household(acting_user, household_code)
    mtype = _type_of(type)
    measure = Measure(household=household, member=_member_of(household, member_id), year=year, type=mtype.code,
                      name=(name or "").strip(), amount=_amount(amount), start=start, end=end,
                      responsible_unit=(responsible_unit or "").strip(),
                      continues_after_exit=mtype.continues if continues_after_exit is None else continues_after_exit,
                      details=details_clean(mtype, details), note=(note or "").strip(), created_by=acting_user)
    _check(measure, mtype)
    measure._history_user = acting_user
    measure._change_reason = _("登记帮扶措施")
    measure.save()
    return measure


#: What `measure_update` changes (the household is fixed: a measure moves to another household by being
#: ended there and recorded anew).
EDITABLE = ("type", "member_id", "year", "name", "amount", "start", "end", "responsible_unit",
            "continues_after_exit", "details", "note")


@transaction.atomic
def measure_update(*, acting_user, measure_id: int, data: dict[str, Any], reason: str = "") -> list[str]:
    """Change a measure's fields (those of `EDITABLE` in `data`); returns the names of the fields changed."""
    measure = _locked_measure(acting_user, measure_id)
    mtype = _type_of(data.get("type", measure.type))
    values = dict(data)
    if "member_id" in values:
        member = _member_of(measure.household, values["member_id"])
        values["member_id"] = member.pk if member else None
    if "amount" in values:
        values["amount"] = _amount(values["amount"])
    for key in ("name", "responsible_unit", "note"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "details" in values or "type" in values:
        values["details"] = details_clean(mtype, values.get("details", measure.details))
    if values.get("continues_after_exit", False) is None:  # "by the type"
        values["continues_after_exit"] = mtype.continues
    changed = [key for key in EDITABLE if key in values and getattr(measure, key) != values[key]]
    if not changed:
        return []
    for key in changed:
        setattr(measure, key, values[key])
    _check(measure, mtype)
    measure._history_user = acting_user
    measure._change_reason = reason or _("修改帮扶措施")
    measure.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def measure_end(*, acting_user, measure_id: int, end: datetime.date, reason: str = "") -> Measure:
    """结束 a measure on `end` (not before its start); a measure is ended rather than deleted."""
    measure = _locked_measure(acting_user, measure_id)
    if end is None:
        raise MeasureError(_("请填写结束日期"))
    if end < measure.start:
        raise MeasureError(_("结束日期不能早于开始日期（%(start)s）") % {"start": measure.start.isoformat()})
    if end > timezone.localdate() + datetime.timedelta(days=366):
        raise MeasureError(_("结束日期不能晚于一年之后"))
    measure.end = end
    measure._history_user = acting_user
    measure._change_reason = reason or _("结束帮扶措施")
    measure.save(update_fields=["end", "updated_at"])
    return measure


# --- evidence ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceInfo:
    suffix: str
    size: int
    sha256: str


def _not_evidence(name: str) -> MeasureError:
    return MeasureError(_("“%(name)s”不是可以打开的 PDF、JPG 或 PNG 文件：佐证材料请上传 PDF 文件或照片（JPG、PNG）。")
                        % {"name": name})


def evidence_check(upload) -> EvidenceInfo:
    """What the file is by its content — a PDF (header and end-of-file marker) or a JPEG or PNG image
    that decodes completely, its pixels counted from the header before decoding — or MeasureError."""
    name = upload.name or _("文件")
    if not upload.size:
        raise MeasureError(_("“%(name)s”是空文件。") % {"name": name})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise MeasureError(_("“%(name)s”有 %(mb).1f MB，佐证材料不能超过 %(max)d MB。")
                           % {"name": name, "mb": upload.size / 2**20, "max": EVIDENCE_MAX_BYTES // 2**20})
    upload.seek(0)
    head = upload.read(1024)
    if head.startswith(b"%PDF-"):
        upload.seek(max(0, upload.size - 2048))
        if b"%%EOF" not in upload.read():
            raise MeasureError(_("“%(name)s”不是完整的 PDF 文件（可能下载或复制不完整），请重新生成后上传。")
                               % {"name": name})
        suffix = ".pdf"
    else:
        upload.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(upload, formats=["JPEG", "PNG"]) as image:
                    width, height = image.size
                    if width * height > EVIDENCE_MAX_PIXELS:
                        raise MeasureError(_("“%(name)s”的像素数超过上限，请缩小后上传。") % {"name": name})
                    suffix = ".jpg" if image.format == "JPEG" else ".png"
                    image.load()
        except MeasureError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MeasureError(_("“%(name)s”的像素数超过上限，请缩小后上传。") % {"name": name}) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
            raise _not_evidence(name) from None
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return EvidenceInfo(suffix=suffix, size=upload.size, sha256=digest.hexdigest())


def evidence_content_type(item: MeasureEvidence) -> str:
    """The content type a stored evidence file is served as (from the kind its check found)."""
    return EVIDENCE_TYPES.get(PurePath(item.file.name).suffix.lower(), "application/octet-stream")


@transaction.atomic
def measure_evidence_add(*, acting_user, measure_id: int, upload, ip: str | None = None) -> MeasureEvidence:
    """Attach a 佐证材料 (a contract, a payment list, a photo) to a measure, with an audit row."""
    measure = _locked_measure(acting_user, measure_id)
    if measure.evidence.count() >= EVIDENCE_PER_MEASURE:
        raise MeasureError(_("每项措施最多上传 %(n)d 个佐证材料。") % {"n": EVIDENCE_PER_MEASURE})
    info = evidence_check(upload)
    name = PurePath(upload.name or "evidence").name[:255]
    item = MeasureEvidence(measure=measure, name=name, uploaded_by=acting_user)
    # Stored under a name of ours with the suffix the content decided: a person's file name never
    # becomes a path, and "x.pdf.html" is not served as a page.
    item.file.save(f"measure{info.suffix}", upload, save=False)
    try:
        item.save()
        audit_record(action=AuditEvent.Action.UPLOAD, actor=acting_user, target=f"measure {measure.pk}", ip=ip,
                     detail={"what": "measure_evidence", "measure": measure.pk, "evidence": item.pk,
                             "household": measure.household_id, "file": name, "size": info.size,
                             "sha256": info.sha256})
    except BaseException:
        item.file.delete(save=False)  # the rows roll back: the file must not stay behind
        raise
    return item
