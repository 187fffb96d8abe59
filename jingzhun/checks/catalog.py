"""The rule catalog: one SQL file per rule, its metadata in a comment header.

    -- code: Q01
    -- name: 身份证号格式错误
    -- level: member                 (member or household)
    -- category: 身份信息
    -- severity: 错误                 (错误 or 疑点)
    -- fix: 按户口簿核对……
    -- partition: upper(id_number)   (optional, see below)
    SELECT household, person, message FROM …

A rule is a SELECT in DuckDB's dialect over the views of `jingzhun/analytics/sql/views.sql` that
returns one row per problem: `household` (户编号), `person` (the member's 身份证号 as stored; NULL for a
household rule) and `message` (Chinese). A rule whose message would name an ID number, a phone
number or other households also returns `detail` (a JSON object, `json_object(...)`) and writes
placeholders in the message instead — `{id:KEY}`, `{phone:KEY}`, `{households:KEY}` — which
`messages.MessageRenderer` fills for each viewer, masked and limited to their reach. The rules shipped
here live in `rules/`; a county adds its own files in the folders named by the setting
JINGZHUN_RULE_DIRS (a file with a shipped code replaces it).

A province or national run reads the registry one county at a time (`runner.run_rules_partitioned`).
A rule that looks only within one household is exact per county and says nothing. A rule that compares
households with each other (Q05, the same ID number in two households) names its `partition` key: an
expression over the rows it reads that is equal for every pair of rows it compares. Its rows are then
hash-partitioned on that key across all counties, so households of different counties still meet.

The words of a rule (name, category, severity, fix) are translatable data: the file keeps the Chinese,
which is the msgid, and pages show them through gettext (`Rule.name_shown`, …). makemessages reads no
SQL, so `scripts/data_strings.py` lists the shipped rules' words in `strings_i18n.py` for it; a county's
own rules show their words as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlglot
from django.utils.translation import gettext, pgettext

RULES_DIR = Path(__file__).resolve().parent / "rules"
LEVELS = ("member", "household")
SEVERITIES = ("错误", "疑点")
_REQUIRED = ("code", "name", "level", "category", "severity", "fix")
#: The fields of a rule that people read, translated when shown (scripts/data_strings.py lists them), with
#: the context of their msgids: a severity "错误" (an error) is not the "错误" (errors) of an import.
TRANSLATED = {"name": None, "category": None, "severity": "severity", "fix": None}
_HEADER = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: str
    category: str
    severity: str
    fix: str
    sql: str
    path: Path
    #: the key that brings together the rows a rule compares across households ("" = within a household)
    partition: str = ""

    @cached_property
    def columns(self) -> list[str] | None:
        """The names of the columns the rule returns, read from its SQL (None if sqlglot cannot parse it)."""
        try:
            return sqlglot.parse_one(self.sql, read="duckdb").named_selects
        except sqlglot.errors.ParseError:
            return None

    @property
    def name_shown(self) -> str:
        """The rule's name in the active language."""
        return gettext(self.name)

    @property
    def category_shown(self) -> str:
        return gettext(self.category)

    @property
    def severity_shown(self) -> str:
        return pgettext(TRANSLATED["severity"], self.severity)

    @property
    def fix_shown(self) -> str:
        """整改建议 in the active language."""
        return gettext(self.fix)


def parse_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    body: list[str] = []
    in_header = True
    for line in text.splitlines():
        match = _HEADER.match(line) if in_header else None
        if match:
            meta[match.group(1)] = match.group(2)
            continue
        if line.strip() and not line.lstrip().startswith("--"):
            in_header = False
        if not in_header:
            body.append(line)
    missing = [key for key in _REQUIRED if not meta.get(key)]
    if missing:
        raise RuleFileError(f"{path}: 规则文件缺少 {', '.join(missing)}")
    if meta["level"] not in LEVELS:
        raise RuleFileError(f"{path}: level 应为 {' / '.join(LEVELS)}")
    if meta["severity"] not in SEVERITIES:
        raise RuleFileError(f"{path}: severity 应为 {' / '.join(SEVERITIES)}")
    if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,15}", meta["code"]):
        raise RuleFileError(f"{path}: code 应为大写字母开头的编号，如 Q01 或 X_LOCAL1")
    sql = "\n".join(body).strip().rstrip(";")
    if not sql:
        raise RuleFileError(f"{path}: 没有 SQL 查询")
    if meta.get("partition"):
        try:
            sqlglot.parse_one(meta["partition"], read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise RuleFileError(f"{path}: partition 不是一个 SQL 表达式：{exc}") from exc
    return Rule(code=meta["code"], name=meta["name"], level=meta["level"], category=meta["category"],
                severity=meta["severity"], fix=meta["fix"], sql=sql, path=path, partition=meta.get("partition", ""))


def load_catalog(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, Rule]:
    """All rules by code, shipped ones first, then the county's own (which may replace a shipped one)."""
    rules: dict[str, Rule] = {}
    for folder in (RULES_DIR, *map(Path, extra_dirs)):
        for path in sorted(folder.glob("*.sql")):
            rule = parse_rule(path)
            rules[rule.code] = rule
    return dict(sorted(rules.items()))
