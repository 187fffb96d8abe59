-- code: Q12
-- name: 劳动技能与年龄不符
-- level: member
-- category: 务工
-- severity: 疑点
-- fix: 核对劳动技能：未满 16 岁的应为无劳动力；16–60 岁健康且不在校的，按实际填写普通劳动力或技能劳动力。
-- Age from a valid ID. 普通/技能劳动力 under 16; or 无劳动力 aged 16–60 (inclusive), 健康, and 在校生状况
-- blank or 非在校生 (students, including 学前教育, are exempt).
SELECT household_id AS household, id_number AS person,
       age || ' 岁，' || CASE WHEN labour = '无劳动力' THEN '健康、不在校，' ELSE '' END
       || '劳动技能为“' || labour || '”' AS message
FROM member_facts
WHERE active AND age IS NOT NULL AND (
       (able_bodied AND age < 16)
    OR (labour = '无劳动力' AND age BETWEEN 16 AND 60 AND health = '健康' AND NOT in_school))
