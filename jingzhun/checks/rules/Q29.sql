-- code: Q29
-- name: 已脱贫户存在失学辍学
-- level: household
-- category: 教育
-- severity: 错误
-- fix: 核实户内适龄儿童就学情况，按实际改正在校生状况；确属失学辍学的报乡镇组织劝返复学。
-- 已脱贫 and some 正常 member is a dropout in the sense of Q08 (member_facts.is_dropout).
SELECT code AS household, NULL AS person,
       '户内有 ' || dropout_count || ' 名义务教育阶段儿童失学辍学' AS message
FROM household_facts
WHERE active AND status = '已脱贫' AND dropout_count > 0
