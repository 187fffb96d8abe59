-- code: Q09
-- name: 在校生状况与年龄不符
-- level: member
-- category: 教育
-- severity: 疑点
-- fix: 按学籍核对在校生状况，并核对身份证号中的出生日期，改正错误的一项。
-- Age from a valid ID; the bands are inclusive: 学前教育 up to 7, 小学 5–16, 七/八/九年级 10–18,
-- 高中/中职 13–22, 高职/大专及以上 from 15.
SELECT household_id AS household, id_number AS person,
       age || ' 岁，在校生状况为“' || schooling || '”' AS message
FROM member_facts
WHERE active AND age IS NOT NULL AND (
       (schooling = '学前教育' AND age > 7)
    OR (schooling = '小学' AND age NOT BETWEEN 5 AND 16)
    OR (schooling IN ('七年级', '八年级', '九年级') AND age NOT BETWEEN 10 AND 18)
    OR (schooling IN ('高中', '中职') AND age NOT BETWEEN 13 AND 22)
    OR (schooling IN ('高职', '大专及以上') AND age < 15))
