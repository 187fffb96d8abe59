-- code: Q30
-- name: 已脱贫户存在未参保人员
-- level: household
-- category: 健康与保障
-- severity: 错误
-- fix: 核实户内人员参保情况，已参保的改为“是”；未参保的动员参加城乡居民基本医疗保险。
-- 已脱贫 and some 正常 member lacks medical insurance in the sense of Q11
-- (member_facts.lacks_medical_insurance).
SELECT code AS household, NULL AS person,
       '户内有 ' || uninsured_count || ' 人未参加城乡居民基本医疗保险' AS message
FROM household_facts
WHERE active AND status = '已脱贫' AND uninsured_count > 0
