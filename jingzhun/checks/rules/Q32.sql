-- code: Q32
-- name: 贫困户属性与低保特困不符
-- level: household
-- category: 健康与保障
-- severity: 疑点
-- fix: 与民政部门核对低保、特困供养名单，改正贫困户属性或成员的享受低保、特困供养。
-- Among the 正常 members: 低保贫困户 and nobody 享受低保; 特困供养贫困户 and nobody 特困供养; 一般贫困户
-- and somebody 享受低保 or 特困供养.
SELECT code AS household, NULL AS person,
       '贫困户属性为' || attribute || '，' ||
       CASE attribute WHEN '低保贫困户' THEN '但户内无人享受低保'
                      WHEN '特困供养贫困户' THEN '但户内无人特困供养'
                      ELSE '但户内有 ' || (dibao_count + tekun_count) || ' 人次享受低保或特困供养' END AS message
FROM household_facts
WHERE active AND (
       (attribute = '低保贫困户' AND dibao_count = 0)
    OR (attribute = '特困供养贫困户' AND tekun_count = 0)
    OR (attribute = '一般贫困户' AND dibao_count + tekun_count > 0))
