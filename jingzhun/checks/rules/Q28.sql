-- code: Q28
-- name: 已脱贫户饮水不安全
-- level: household
-- category: 住房饮水
-- severity: 错误
-- fix: 核实饮水情况：已解决的改为“是”；仍不安全的报乡镇落实饮水安全措施。
-- 已脱贫 and 饮水安全 = 否 (blank is unknown, not reported).
SELECT code AS household, NULL AS person,
       '饮水安全为“否”' AS message
FROM household_facts
WHERE active AND status = '已脱贫' AND safe_water = false
