-- code: Q07
-- name: 辈分年龄矛盾
-- level: member
-- category: 人口信息
-- severity: 疑点
-- fix: 按户口簿核对该人员与户主的关系和两人的身份证号（出生日期），改正错误的一项。
-- Birth dates compared with the head's (both IDs valid; the head is the one active member with 与户主关系
-- 户主 — none or several heads: nothing is compared, Q20 reports it). Children and children-in-law must
-- be born at least 15 years after the head, grandchildren at least 30; parents and parents-in-law at
-- least 15 years before, grandparents at least 30. Exactly 15 (30) years is fine. 户主 + N years is
-- calendar arithmetic (29 February + N years = 28 February when N years later is no leap year).
WITH ranked AS (
    SELECT m.household_id, m.id_number, m.relation, m.id_birth, h.head_birth,
           CASE WHEN m.relation IN ('之子', '之女', '之儿媳', '之女婿') THEN 15
                WHEN m.relation IN ('之孙子', '之孙女', '之外孙子', '之外孙女') THEN 30
                WHEN m.relation IN ('之父', '之母', '之岳父', '之岳母', '之公公', '之婆婆') THEN -15
                WHEN m.relation IN ('之祖父', '之祖母', '之外祖父', '之外祖母') THEN -30 END AS gap
    FROM member_facts m
    JOIN household_facts h ON h.code = m.household_id
    WHERE m.active AND m.id_valid AND h.head_birth IS NOT NULL
)
SELECT household_id AS household, id_number AS person,
       relation || '出生于 ' || strftime(id_birth, '%Y-%m-%d') || '，户主出生于 ' || strftime(head_birth, '%Y-%m-%d')
       || CASE WHEN gap > 0 THEN '，晚于户主不足 ' || gap || ' 年' ELSE '，早于户主不足 ' || (-gap) || ' 年' END
       AS message
FROM ranked
WHERE (gap > 0 AND id_birth < head_birth + to_years(gap))
   OR (gap < 0 AND id_birth > head_birth + to_years(gap))
