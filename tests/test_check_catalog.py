"""The rule catalog: shipped rules, a county's own folder, and files that cannot be used."""

from __future__ import annotations

import pytest

from jingzhun.checks.catalog import RuleFileError, load_catalog, parse_rule

LOCAL = """-- code: X_LOCAL1
-- name: 户主姓名为单字
-- level: household
-- category: 人口信息
-- severity: 疑点
-- fix: 核对户口簿上的户主姓名。
SELECT code AS household, NULL AS person, '户主姓名“' || head_name || '”只有一个字' AS message
FROM household_facts WHERE active AND length(head_name) < 2
"""


def test_shipped_catalog_has_the_contracted_codes():
    codes = set(load_catalog())
    # Q36–Q38: the monitoring fields of template v2 (issue 14); Q39–Q43: 小额信贷 (issue 15)
    assert codes == {f"Q{n:02d}" for n in [*range(1, 15), *range(20, 44)]}


def test_a_county_folder_adds_rules_and_may_replace_a_shipped_one(tmp_path):
    (tmp_path / "X_LOCAL1.sql").write_text(LOCAL, encoding="utf-8")
    (tmp_path / "Q06.sql").write_text(
        LOCAL.replace("X_LOCAL1", "Q06").replace("户主姓名为单字", "年龄超过 105 岁"), encoding="utf-8")
    catalog = load_catalog([tmp_path])
    assert catalog["X_LOCAL1"].level == "household" and catalog["X_LOCAL1"].severity == "疑点"
    assert catalog["Q06"].name == "年龄超过 105 岁" and catalog["Q06"].path.parent == tmp_path


@pytest.mark.parametrize("broken,words", [
    (LOCAL.replace("-- level: household\n", ""), "缺少 level"),
    (LOCAL.replace("level: household", "level: village"), "level 应为"),
    (LOCAL.replace("severity: 疑点", "severity: 严重"), "severity 应为"),
    (LOCAL.replace("code: X_LOCAL1", "code: x1"), "code 应为"),
    ("\n".join(line for line in LOCAL.splitlines() if line.startswith("--")), "没有 SQL"),
])
def test_unusable_rule_files_are_named(tmp_path, broken, words):
    path = tmp_path / "bad.sql"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RuleFileError, match=words) as error:
        parse_rule(path)
    assert "bad.sql" in str(error.value)
