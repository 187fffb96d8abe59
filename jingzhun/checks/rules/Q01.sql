-- code: Q01
-- name: 身份证号格式错误
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿核对身份证号，应为 17 位数字加最后 1 位数字或大写 X。
SELECT household_id AS household, id_number AS person,
       '身份证号“{id:id_number}”不是 17 位数字加 1 位数字或 X' AS message,
       json_object('id_number', id_number) AS detail
FROM member_facts
WHERE active AND NOT id_shape_ok
