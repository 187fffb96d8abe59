"""考评办法: a county's scoring scheme of a year, stored as the TOML text with its SHA-256.

The text is validated (`scheme_format.scheme_validate`) before anything is stored; a refused text
changes nothing. Saving again replaces the year's scheme, and the model's history keeps the earlier
texts. Without a scheme of its own a county is appraised on the shipped default
(supervision/data/schemes/default.toml), when there is one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.orgunits.models import OrgUnit

from ..models import Scheme
from ..scheme_format import SCHEME_MAX_BYTES, scheme_validate
from .items import LedgerError
from .letters import county_check, require_appraiser, year_check

DEFAULT_SCHEME = Path(__file__).resolve().parent.parent / "data" / "schemes" / "default.toml"


class SchemeError(LedgerError):
    """A scheme that cannot be stored; `problems` lists each reason (the message joins them)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SchemeText:
    """The scheme a county's year is appraised on: its text, digest and whether it is the shipped default."""

    text: str
    sha256: str
    default: bool
    scheme: Scheme | None = None


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scheme_text_of(upload) -> str:
    """The text of an uploaded scheme file: UTF-8 (a BOM allowed) and not too large, else SchemeError."""
    if upload.size > SCHEME_MAX_BYTES:
        raise SchemeError([_("上传的文件超过 %(kb)d KB，不是考评办法文本。") % {"kb": SCHEME_MAX_BYTES // 1024}])
    upload.seek(0)
    raw = upload.read(SCHEME_MAX_BYTES + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError([_("上传的文件不是 UTF-8 编码的文本，请以 UTF-8 保存 TOML 文本后再上传。")]) from None


@transaction.atomic
def scheme_save(*, acting_user, county: str, year: int, text: str) -> Scheme:
    """Store the county's scheme of a year after validating it (SchemeError lists what is wrong)."""
    require_appraiser(acting_user, county)
    county_check(county)
    year_check(year)
    text = text.replace("\r\n", "\n")
    problems = scheme_validate(text)
    if problems:
        raise SchemeError(problems)
    # Two people saving the year's scheme at once: locking the county's row makes the second wait and
    # replace the first's text whole (rather than both create it and one fail on the constraint).
    OrgUnit.objects.select_for_update().filter(code=county).first()
    scheme = Scheme.objects.filter(county_id=county, year=year).first()
    if scheme is None:
        scheme = Scheme(county_id=county, year=year)
    scheme.text = text
    scheme.sha256 = sha256_of(text)
    scheme.created_by = acting_user
    scheme.save()
    return scheme


def scheme_for(county: str, year: int) -> SchemeText | None:
    """The scheme the county's year is appraised on: its own, else the shipped default, else None."""
    scheme = Scheme.objects.filter(county_id=county, year=year).first()
    if scheme is not None:
        return SchemeText(text=scheme.text, sha256=scheme.sha256, default=False, scheme=scheme)
    if DEFAULT_SCHEME.is_file():
        text = DEFAULT_SCHEME.read_text(encoding="utf-8")
        return SchemeText(text=text, sha256=sha256_of(text), default=True)
    return None
