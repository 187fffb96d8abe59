-- code: Q25
-- name: 经营收入无支出
-- level: household
-- category: 收入
-- severity: 疑点
-- fix: 核实生产经营的成本（种子、化肥、饲料、农机等），填写生产经营性支出；生产经营性收入应为毛收入。
-- 生产经营性收入 > 0 and 生产经营性支出 0 or blank.
SELECT code AS household, NULL AS person,
       '生产经营性收入 ' || business_income || ' 元，生产经营性支出为 0' AS message
FROM household_facts
WHERE active AND business_income > 0 AND coalesce(business_expense, 0) = 0
