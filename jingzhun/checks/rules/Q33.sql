-- code: Q33
-- name: 未脱贫户无帮扶责任人
-- level: household
-- category: 帮扶
-- severity: 错误
-- fix: 报乡镇为该户落实帮扶责任人，填写帮扶责任人姓名、单位和电话。
-- 未脱贫 or 返贫 and 帮扶责任人 blank.
SELECT code AS household, NULL AS person,
       '脱贫状态为' || status || '，未填写帮扶责任人' AS message
FROM household_facts
WHERE active AND status IN ('未脱贫', '返贫') AND coalesce(trim(cadre_name), '') = ''
