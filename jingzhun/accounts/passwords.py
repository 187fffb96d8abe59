"""Password rules beyond Django's (等保 2.0 level 3): character classes, and no guessable words.

"Jiangxian1" passed Django's validators: ten characters, three classes, not in the common list. It is the
county's name in pinyin and a digit, the first thing anyone guesses. So a password must mix at least three
of the four classes and carry a symbol unless it is long (≥ 12), and must not contain the username, the
person's name in pinyin, or the pinyin of a division above the user (province down to village).
"""

from __future__ import annotations

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

#: Administrative suffixes dropped to get the name people put in passwords (绛县 → jiangxian and jiang).
_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "街道", "自治县", "自治州", "特别行政区",
             "省", "市", "县", "区", "镇", "乡", "村", "旗")
_SHORTEST = 4  # letters: shorter stems ("li", "wang") are in too many strong passwords to refuse


class CharacterClassValidator:
    """At least three of upper case, lower case, digits and symbols; a symbol unless 12 characters or more."""

    def __init__(self, min_classes: int = 3, long_length: int = 12):
        self.min_classes, self.long_length = min_classes, long_length

    @staticmethod
    def _classes(password: str) -> dict[str, bool]:
        return {"upper": any(c.isupper() for c in password), "lower": any(c.islower() for c in password),
                "digit": any(c.isdigit() for c in password),
                "symbol": any(not c.isalnum() for c in password)}

    def validate(self, password: str, user=None) -> None:
        classes = self._classes(password)
        if sum(classes.values()) < self.min_classes or (not classes["symbol"] and len(password) < self.long_length):
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少三类，且须含有符号（长度达到 %(n)d 位时可不含）。") % {
            "n": self.long_length}


def _letters(text: str) -> str:
    return re.sub(f"[^{string.ascii_lowercase}]", "", text.lower())


def _name_words(name: str) -> set[str]:
    words = {name}
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            words.add(name[: -len(suffix)])
    return {_letters("".join(lazy_pinyin(w))) for w in words}


def guessable_words(user) -> set[str]:
    """The words a password of `user` must not contain (lower-case letters only)."""
    words = {_letters(user.get_username())} if user is not None else set()
    if user is None:
        return words
    if getattr(user, "full_name", ""):
        words |= _name_words(user.full_name)
    unit = getattr(user, "org_unit", None) if getattr(user, "org_unit_id", None) else None
    if unit is not None:
        for division in [*unit.ancestors(), unit]:
            words |= _name_words(division.name)
            words |= _name_words(division.short_name)
    return {w for w in words if len(w) >= _SHORTEST}


class GuessableWordsValidator:
    """No username, no name in pinyin, no division name in pinyin of the user's own units."""

    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        if any(word in letters for word in guessable_words(user)):
            raise ValidationError(_("密码不能包含用户名、姓名拼音或所在地区（省、市、县、乡镇、村）名称的拼音。"),
                                  code="password_guessable")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名、姓名拼音或所在地区名称的拼音。")
