-- code: Q22
-- name: 户主不满 16 岁
-- level: household
-- category: 人口信息
-- severity: 疑点
-- fix: 核实户主：未成年人一般不作户主，按户口簿核对户主的身份证号或重新确定户主。
-- The one head's age in full years at the as-of date, from a valid ID (16 exactly is fine).
SELECT code AS household, NULL AS person,
       '户主年龄 ' || head_age || ' 岁' AS message
FROM household_facts
WHERE active AND head_age < 16
