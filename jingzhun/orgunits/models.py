"""The division tree (统计用区划代码): province → city → county → township → village."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村")


CODE_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


def subtree_q(field: str, code: str) -> Q:
    """Rows whose code field lies in the subtree of `code` (itself included).

    Codes of descendants start with the ancestor's code, so the subtree is a range of the string
    index: [code, code + ":"), ":" being the character after "9". A range uses the B-tree on SQLite
    and PostgreSQL alike, where LIKE 'code%' would not on SQLite. An empty code means everything.
    """
    if not code:
        return Q()
    return Q(**{f"{field}__gte": code, f"{field}__lt": code + ":"})


class OrgUnit(models.Model):
    """行政区划单位: one unit of the statistical division tree; its code is its identity."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return gettext("%(text)s（%(note)s）") % {"text": self.name, "note": self.code}

    @property
    def short_name(self) -> str:
        """The name as people say it: 下高池村委会 → 下高池村."""
        for suffix, replacement in (("村民委员会", "村"), ("村委会", "村"), ("居委会", "社区"),
                                    ("居民委员会", "社区")):
            if self.name.endswith(suffix) and len(self.name) > len(suffix):
                stem = self.name[: -len(suffix)]
                return stem if stem.endswith(replacement) else stem + replacement
        return self.name

    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, province first (derived from the code, no query)."""
        codes, code = [], self.code
        while len(code) in PARENT_LENGTH:
            code = code[: PARENT_LENGTH[len(code)]]
            codes.append(code)
        return list(reversed(codes))

    def ancestors(self) -> list[OrgUnit]:
        by_code = OrgUnit.objects.in_bulk(self.ancestor_codes())
        return [by_code[c] for c in self.ancestor_codes() if c in by_code]

    def descendants(self, *, include_self: bool = True) -> models.QuerySet[OrgUnit]:
        qs = OrgUnit.objects.filter(subtree_q("code", self.code))
        return qs if include_self else qs.exclude(code=self.code)

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)
