-- code: Q27
-- name: 已脱贫户住房不安全
-- level: household
-- category: 住房饮水
-- severity: 错误
-- fix: 核实住房鉴定等级：已改造或鉴定有误的按新鉴定结果改正；仍为危房的报乡镇落实危房改造。
-- 已脱贫 and 危房等级 C or D.
SELECT code AS household, NULL AS person,
       '危房等级为 ' || housing_grade || ' 级' AS message
FROM household_facts
WHERE active AND status = '已脱贫' AND housing_grade IN ('C', 'D')
