-- code: Q10
-- name: 文化程度与年龄不符
-- level: member
-- category: 教育
-- severity: 疑点
-- fix: 核对文化程度（已完成的最高学历）和身份证号中的出生日期，改正错误的一项。
-- Age from a valid ID: 学龄前儿童 up to 7; 初中 from 11, 高中 from 14, 大专及以上 from 17.
SELECT household_id AS household, id_number AS person,
       age || ' 岁，文化程度为“' || education || '”' AS message
FROM member_facts
WHERE active AND age IS NOT NULL AND (
       (education = '学龄前儿童' AND age > 7)
    OR (education = '初中' AND age < 11)
    OR (education = '高中' AND age < 14)
    OR (education = '大专及以上' AND age < 17))
