-- code: Q20
-- name: 户主缺失或重复
-- level: household
-- category: 人口信息
-- severity: 错误
-- fix: 核对人员表中的与户主关系：每户应有且只有一名人员状态正常的户主；户主去世或迁出的，重新确定户主。
-- Not exactly one 正常 member with 与户主关系 户主; a household without any 正常 member has no head either.
SELECT code AS household, NULL AS person,
       CASE WHEN member_count = 0 THEN '户内没有人员状态正常的成员'
            WHEN head_count = 0 THEN '户内 ' || member_count || ' 名成员中没有户主'
            ELSE '户内有 ' || head_count || ' 名户主' END AS message
FROM household_facts
WHERE active AND head_count <> 1
