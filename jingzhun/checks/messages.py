"""Problem messages, built when shown from the rule's words and the problem's structured detail.

A rule's `message` may hold placeholders `{id:KEY}`, `{phone:KEY}` and `{households:KEY}` that name
entries of its `detail` (a JSON object): an ID number, a phone number, a list of 户编号. They are
filled for the viewer: numbers as the viewer's role sees them (`Access.mask_id`, `Access.mask_phone`),
households named only when in the viewer's reach and the rest counted ("另有 1 户不在您的范围内"). So
the stored message carries no number, and a placeholder-looking text typed into the registry (a
name, say) can only ever show the problem's own detail, masked for the viewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.utils.translation import ngettext

from jingzhun.orgunits.access import Access, access_for
from jingzhun.registry.selectors import households_for

PLACEHOLDER = re.compile(r"\{(id|phone|households):(\w+)\}")
_CHUNK = 2000
#: An ID number (18 characters, or the old 15 digits) or a mobile number written into a message; 户编号
#: (16 digits) and 村代码 (12) are not.
_ID_RUN = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
_PHONE_RUN = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class MessageRenderer:
    """Fills problem messages for one viewer; `prepare` looks up the reach of named households at once."""

    def __init__(self, *, access: Access | None, reach: Callable[[set[str]], set[str]]):
        self._access = access
        self._reach = reach
        self._known: dict[str, bool] = {}

    @classmethod
    def for_user(cls, user) -> MessageRenderer:
        def reach(codes: set[str]) -> set[str]:
            found: set[str] = set()
            ordered = sorted(codes)
            for start in range(0, len(ordered), _CHUNK):
                found.update(households_for(user).filter(code__in=ordered[start:start + _CHUNK])
                             .values_list("code", flat=True))
            return found

        return cls(access=access_for(user), reach=reach)

    @classmethod
    def full(cls) -> MessageRenderer:
        """For the system (the CLI): numbers in full, every household named."""
        return cls(access=None, reach=lambda codes: set(codes))

    def prepare(self, problems: Iterable[tuple[str, dict | None]]) -> None:
        """Look up, in one go, the reach of every household the (message, detail) pairs name."""
        wanted = set()
        for message, detail in problems:
            for kind, key in PLACEHOLDER.findall(message or ""):
                if kind == "households" and isinstance((detail or {}).get(key), list):
                    wanted.update(str(code) for code in detail[key])
        wanted -= self._known.keys()
        if wanted:
            reached = self._reach(wanted)
            self._known.update({code: code in reached for code in wanted})

    def render(self, message: str, detail: dict | None) -> str:
        detail = detail or {}

        def fill(match: re.Match) -> str:
            kind, key = match.groups()
            if key not in detail:
                return match.group(0)
            value = detail[key]
            if kind == "households":
                return self._households(value if isinstance(value, list) else [])
            value = "" if value is None else str(value)
            if self._access is None:
                return value
            return self._access.mask_id(value) if kind == "id" else self._access.mask_phone(value)

        text = PLACEHOLDER.sub(fill, message or "")
        if self._access is not None and not self._access.sees_full_ids:
            # A county's own rule (or a record older than `detail`) may still write a number in: mask it.
            text = _ID_RUN.sub(lambda m: self._access.mask_id(m.group()), text)
            text = _PHONE_RUN.sub(lambda m: self._access.mask_phone(m.group()), text)
        return text

    def _households(self, codes: list) -> str:
        codes = [str(c) for c in codes]
        if any(c not in self._known for c in codes):
            self.prepare([("{households:h}", {"h": codes})])
        shown = [c for c in codes if self._known[c]]
        hidden = len(codes) - len(shown)
        text = "、".join(shown)
        if hidden:
            text += ("，" if shown else "") + ngettext("另有 %(n)d 户不在您的范围内", "另有 %(n)d 户不在您的范围内",
                                                      hidden) % {"n": hidden}
        return text


# --- problem records written before messages had a detail ------------------------------------------

_QUOTED = re.compile(r"“([^”]*)”")
_HOUSEHOLD_LIST = re.compile(r"涉及户 ([0-9]+(?:、[0-9]+)*)")


def legacy_detail(rule: str, message: str) -> tuple[str, dict]:
    """A message stored with its numbers written in, as words with placeholders and the detail.

    Every quoted value with six or more digits becomes an ID placeholder (a phone one for Q35, whose
    quoted values are phone numbers) and Q05's list of households a household placeholder; the
    next run of the rule writes the rule's own words and detail over these.
    """
    detail: dict = {}

    def quoted(match: re.Match) -> str:
        value = match.group(1)
        if sum(ch.isdigit() for ch in value) < 6:
            return match.group(0)
        key = f"v{len(detail) + 1}"
        detail[key] = value
        return "“{%s:%s}”" % ("phone" if rule == "Q35" else "id", key)

    message = _QUOTED.sub(quoted, message)

    def households(match: re.Match) -> str:
        detail["households"] = match.group(1).split("、")
        return "涉及户 {households:households}"

    return _HOUSEHOLD_LIST.sub(households, message), detail
