-- code: Q36
-- name: 监测户缺少监测对象类别或纳入时间
-- level: household
-- category: 监测
-- severity: 错误
-- fix: 按纳入监测的审定结果填写监测对象类别（脱贫不稳定户、边缘易致贫户或突发严重困难户）和纳入监测时间。
-- 户类别 监测户 with 监测对象类别 blank or 纳入监测时间 blank; one row per household naming both when both
-- are missing. Whether the risk is eliminated does not matter: the class and date stay on record.
SELECT code AS household, NULL AS person,
       concat_ws('；', CASE WHEN coalesce(monitoring_class, '') = '' THEN '户类别为监测户，未填写监测对象类别' END,
                       CASE WHEN monitoring_since IS NULL THEN '户类别为监测户，未填写纳入监测时间' END) AS message
FROM household_facts
WHERE active AND category = '监测户' AND (coalesce(monitoring_class, '') = '' OR monitoring_since IS NULL)
