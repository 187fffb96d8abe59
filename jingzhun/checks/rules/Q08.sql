-- code: Q08
-- name: 义务教育阶段失学辍学
-- level: member
-- category: 教育
-- severity: 错误
-- fix: 入户核实该儿童就学情况：在校的按实际年级填写在校生状况；确属失学辍学的报乡镇组织劝返复学。
-- member_facts.is_dropout: aged 7–15 (both included) with 在校生状况 blank, 非在校生 or 学前教育, and
-- 健康状况 not 残疾 (disabled children may be schooled at home, 送教上门).
SELECT household_id AS household, id_number AS person,
       age || ' 岁，在校生状况' || CASE WHEN coalesce(schooling, '') = '' THEN '未填写' ELSE '为“' || schooling || '”' END
       AS message
FROM member_facts
WHERE active AND is_dropout
