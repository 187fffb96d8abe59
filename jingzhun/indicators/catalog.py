"""The indicator catalog (catalog.toml) and its components (sql/components.sql): data, not code.

An indicator's name, unit and words are translatable data: catalog.toml keeps the Chinese, which is the
msgid, and pages show them through gettext (`Indicator.name_shown`, `heading`); `scripts/data_strings.py`
lists them in `strings_i18n.py` for makemessages, which reads no TOML.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext, pgettext

HERE = Path(__file__).resolve().parent
CATALOG_TOML = HERE / "catalog.toml"
COMPONENTS_SQL = HERE / "sql" / "components.sql"
#: The per-county components of the project and fund indicators (`source = "county"` in the catalog).
PROJECTS_SQL = HERE / "sql" / "projects.sql"
#: The longest org code that county-sourced indicators have (a county's); below it they are None.
COUNTY_LENGTH = 6
#: The fields people read, translated when shown, with the context of their msgids: "户" the unit is
#: not "户" the household.
UNIT_CONTEXT = "unit"
TRANSLATED = {"name": None, "unit": UNIT_CONTEXT, "words": None}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    value: str  # a SQL expression over the summed components
    words: str
    #: "village": over the summed components of sql/components.sql (every level); "county": over those of
    #: sql/projects.sql (counties and above; None for townships and villages).
    source: str = "village"

    @property
    def name_shown(self) -> str:
        """The name in the active language."""
        return gettext(self.name)

    @property
    def unit_shown(self) -> str:
        return pgettext(UNIT_CONTEXT, self.unit) if self.unit else ""

    @property
    def words_shown(self) -> str:
        return gettext(self.words)

    @property
    def heading(self) -> str:
        """A column heading: "建档立卡户数（户）" (the name alone when the indicator has no unit)."""
        if not self.unit:
            return self.name_shown
        return gettext("%(name)s（%(unit)s）") % {"name": self.name_shown, "unit": self.unit_shown}


@lru_cache(maxsize=1)
def indicator_catalog() -> dict[str, Indicator]:
    doc = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))
    return {code: Indicator(code=code, **spec) for code, spec in doc.items()}


@lru_cache(maxsize=1)
def components_sql() -> str:
    return COMPONENTS_SQL.read_text(encoding="utf-8").strip().rstrip(";")


@lru_cache(maxsize=1)
def projects_sql() -> str:
    return PROJECTS_SQL.read_text(encoding="utf-8").strip().rstrip(";")


def _selected(sql: str, key: str) -> list[str]:
    """The columns named with AS in the final SELECT of `sql`, but `key`."""
    final_select = sql.rsplit("SELECT", 1)[1].split("FROM", 1)[0]
    return [name for name in re.findall(r"AS (\w+)", final_select) if name != key]


@lru_cache(maxsize=1)
def component_names() -> list[str]:
    """The additive columns of components.sql (everything it selects but the village)."""
    return _selected(components_sql(), "village")


@lru_cache(maxsize=1)
def county_component_names() -> list[str]:
    """The additive columns of projects.sql (everything it selects but the county)."""
    return _selected(projects_sql(), "county")


def village_indicators() -> dict[str, Indicator]:
    return {code: i for code, i in indicator_catalog().items() if i.source == "village"}


def county_indicators() -> dict[str, Indicator]:
    return {code: i for code, i in indicator_catalog().items() if i.source == "county"}
