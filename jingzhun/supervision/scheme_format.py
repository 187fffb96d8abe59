"""考评办法 as TOML: the one door the scheme text goes through before it is stored or read.

`scheme_validate` is what `services.schemes.scheme_save` calls; until the scoring engine's own validator
(docs/appraisal.md) is merged it checks only that the text is UTF-8 TOML of a sane size with at least one
group or item table. The merge wires `scheme_validate` (and `manual_items`) to the scoring engine, so the
pages and services here need not change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

#: A scheme is a page or two of rules; anything larger is not one.
SCHEME_MAX_BYTES = 256 * 1024
#: The table names (arrays of tables) that make a scheme's items.
ITEM_TABLES = ("group", "groups", "item", "items")
CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


@dataclass(frozen=True)
class ManualItem:
    """A scheme item scored by the county by hand (工作作风, 群众评议 …)."""

    code: str
    name: str
    max: Decimal | None


def scheme_parse(text: str) -> dict:
    """The TOML document; tomllib.TOMLDecodeError or ValueError when it is not one."""
    return tomllib.loads(text)


def scheme_validate(text: str) -> list[str]:
    """What is wrong with the scheme text, in Chinese, one line each; [] when it may be stored."""
    if not text.strip():
        return [_("考评办法内容为空，请粘贴或上传 TOML 文本。")]
    if len(text.encode("utf-8")) > SCHEME_MAX_BYTES:
        return [_("考评办法超过 %(kb)d KB，请检查是否上传了正确的文件。") % {"kb": SCHEME_MAX_BYTES // 1024}]
    if "\x00" in text:
        return [_("考评办法不是文本文件（含有二进制内容），请上传 UTF-8 编码的 TOML 文本。")]
    try:
        doc = scheme_parse(text)
    except tomllib.TOMLDecodeError as error:
        return [_("考评办法不是有效的 TOML：%(error)s。请按格式说明修改后再保存。") % {"error": str(error)[:200]}]
    tables = [name for name in ITEM_TABLES if isinstance(doc.get(name), list) and doc[name]
              and all(isinstance(t, dict) for t in doc[name])]
    if not tables:
        return [_("考评办法中没有考评项目：至少要有一个 [[group]] 或 [[item]] 表。")]
    return []


def _items(doc: dict):
    """Every item table of the document, the items of groups included."""
    for name in ITEM_TABLES:
        for table in doc.get(name) or ():
            if not isinstance(table, dict):
                continue
            yield table
            for inner in ITEM_TABLES:
                for sub in table.get(inner) or ():
                    if isinstance(sub, dict):
                        yield sub


def manual_items(text: str) -> list[ManualItem]:
    """The scheme's items the county scores by hand: an item table whose `source` (or `kind`) is "manual",
    with its `code`, `name` and highest points (`max`, else `points`, else `weight`)."""
    try:
        doc = scheme_parse(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    found: dict[str, ManualItem] = {}
    for table in _items(doc):
        if "manual" not in (table.get("source"), table.get("kind")):
            continue
        code = str(table.get("code", ""))
        if not CODE_RE.match(code) or code in found:
            continue
        top = next((table[k] for k in ("max", "points", "weight") if isinstance(table.get(k), (int, float))), None)
        try:
            limit = Decimal(str(top)) if top is not None else None
        except InvalidOperation:
            limit = None
        found[code] = ManualItem(code=code, name=str(table.get("name", code)), max=limit)
    return list(found.values())
