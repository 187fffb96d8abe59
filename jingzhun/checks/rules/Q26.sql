-- code: Q26
-- name: 已脱贫户人均纯收入低于标准
-- level: household
-- category: 收入
-- severity: 错误
-- fix: 入户核实收入：收入填报有误的改正；确实低于标准的报乡镇研判是否返贫或纳入监测，落实帮扶措施。
-- 已脱贫 and per-capita net income below the poverty line of its 收入年度 (equal to the line is fine;
-- compared exactly as net < line × members). Not checked when the line of that year is unknown (no row
-- in poverty_lines) or when the household has no 正常 members (no per-capita income; Q20 reports it).
-- The message cuts the per-capita income to the cent rather than rounding it, so 3999.995 reads
-- 3999.99, not a misleading 4000.00.
-- A household already under monitoring (户类别 监测户, risk not eliminated: a 脱贫不稳定户) is left out:
-- the fix — 研判 and 纳入监测 — is done, and its income is followed by the monitoring. Households without
-- 脱贫状态 (一般农户, non-建档立卡 监测户) never fire: the rule is about 已脱贫 households.
SELECT code AS household, NULL AS person,
       income_year || ' 年家庭纯收入 ' || net_income || ' 元、' || member_count || ' 人，年人均纯收入 '
       || printf('%.2f', floor(per_capita_income * 100) / 100) || ' 元，低于当年标准 ' || poverty_line || ' 元' AS message
FROM household_facts
WHERE active AND status = '已脱贫' AND NOT monitored AND member_count > 0 AND poverty_line IS NOT NULL
  AND net_income < poverty_line * member_count
