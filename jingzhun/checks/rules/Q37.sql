-- code: Q37
-- name: 风险已消除未填消除日期
-- level: household
-- category: 监测
-- severity: 错误
-- fix: 按风险消除的审定结果填写风险消除日期；风险尚未消除的将风险是否消除改为“否”。
-- 风险是否消除 是 and 风险消除日期 blank; or a 风险消除日期 earlier than 纳入监测时间 (both given).
SELECT code AS household, NULL AS person,
       CASE WHEN risk_eliminated_on IS NULL THEN '风险是否消除为“是”，未填写风险消除日期'
            ELSE '风险消除日期 ' || strftime(risk_eliminated_on, '%Y-%m-%d') || ' 早于纳入监测时间 '
                 || strftime(monitoring_since, '%Y-%m-%d') END AS message
FROM household_facts
WHERE active AND coalesce(risk_eliminated, false)
  AND (risk_eliminated_on IS NULL OR risk_eliminated_on < monitoring_since)
