-- code: Q31
-- name: 致贫原因与家庭情况矛盾
-- level: household
-- category: 逻辑
-- severity: 疑点
-- fix: 核对主要致贫原因和家庭成员的健康状况、在校生状况、劳动技能，改正与实际不符的一项。
-- The 主要致贫原因 against the 正常 members: 因病 and nobody 长期慢性病 or 患有大病; 因残 and nobody 残疾;
-- 因学 and nobody with 在校生状况 other than blank/非在校生 (学前教育 counts as at school); 缺劳力 and two or
-- more members aged 16–60 (valid ID) with 普通/技能劳动力. 其他致贫原因 are secondary and not checked.
SELECT code AS household, NULL AS person,
       '主要致贫原因为' || main_cause || '，' ||
       CASE main_cause WHEN '因病' THEN '但户内无长期慢性病或患有大病的人员'
                       WHEN '因残' THEN '但户内无残疾人员'
                       WHEN '因学' THEN '但户内无在校生'
                       ELSE '但户内有 ' || labourer_count || ' 名 16–60 岁劳动力' END AS message
FROM household_facts
WHERE active AND (
       (main_cause = '因病' AND ill_count = 0)
    OR (main_cause = '因残' AND disabled_count = 0)
    OR (main_cause = '因学' AND student_count = 0)
    OR (main_cause = '缺劳力' AND labourer_count >= 2))
