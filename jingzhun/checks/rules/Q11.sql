-- code: Q11
-- name: 未参加基本医疗保险
-- level: member
-- category: 健康与保障
-- severity: 错误
-- fix: 核实参保情况：已参保的改为“是”；未参保的动员参加城乡居民基本医疗保险（贫困人口由政府资助参保）。
-- member_facts.lacks_medical_insurance: 城乡居民基本医疗保险 = 否 and not 现役军人 = 是 (soldiers are
-- covered by the army's own insurance). A blank cell is unknown, not 否, and is not reported.
SELECT household_id AS household, id_number AS person,
       '城乡居民基本医疗保险为“否”' AS message
FROM member_facts
WHERE active AND lacks_medical_insurance
