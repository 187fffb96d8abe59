-- code: Q06
-- name: 年龄超过 110 岁
-- level: member
-- category: 人口信息
-- severity: 疑点
-- fix: 核实该人员是否健在：已去世的将人员状态改为死亡，否则按户口簿改正身份证号中的出生日期。
-- Age in full years at the as-of date from a valid ID; 110 is allowed, 111 is not.
SELECT household_id AS household, id_number AS person,
       '年龄 ' || age || ' 岁（出生日期 ' || strftime(id_birth, '%Y-%m-%d') || '）' AS message
FROM member_facts
WHERE active AND age > 110
