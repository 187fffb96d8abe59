"""考评办法 as TOML: the one door the scheme text goes through before it is stored or read.

`scheme_validate` is what `services.schemes.scheme_save` calls: a sane size of text, then the scoring
engine's own checks (`scoring.scheme_errors`, docs/appraisal.md). `manual_items` lists what the county
scores by hand (the manual-scores page), from the engine's parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jingzhun.indicators.catalog import indicator_catalog

from . import scoring

#: A scheme is a page or two of rules; anything larger is not one.
SCHEME_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class ManualItem:
    """A scheme item scored by the county by hand (工作作风, 群众评议 …)."""

    code: str
    name: str
    max: Decimal | None


def scheme_validate(text: str) -> list[str]:
    """What is wrong with the scheme text, in Chinese, one line each; [] when it may be stored: a sane
    size of UTF-8 text, then everything the scoring engine checks (scoring.scheme_errors: unknown keys,
    points that do not sum to the group's total, unknown indicators, repeated codes …)."""
    if not text.strip():
        return [_("考评办法内容为空，请粘贴或上传 TOML 文本。")]
    if len(text.encode("utf-8")) > SCHEME_MAX_BYTES:
        return [_("考评办法超过 %(kb)d KB，请检查是否上传了正确的文件。") % {"kb": SCHEME_MAX_BYTES // 1024}]
    if "\x00" in text:
        return [_("考评办法不是文本文件（含有二进制内容），请上传 UTF-8 编码的 TOML 文本。")]
    return scoring.scheme_errors(text, indicators=set(indicator_catalog()))


def manual_items(text: str) -> list[ManualItem]:
    """The scheme's items the county scores by hand: its items of source "manual" (with their points as
    the highest score) and its vetoes of source "manual" (marked by a score above 0, the note being the
    reason). [] for a text that is not a valid scheme."""
    try:
        scheme = scoring.scheme_parse(text)
    except scoring.SchemeError:
        return []
    found: dict[str, ManualItem] = {}
    for group in scheme.groups:
        for item in group.items:
            if item.source == "manual" and item.code not in found:
                found[item.code] = ManualItem(code=item.code, name=item.name, max=item.points)
        for veto in group.vetoes:
            if veto.source == "manual" and veto.code not in found:
                found[veto.code] = ManualItem(code=veto.code, name=veto.name, max=None)
    return list(found.values())
