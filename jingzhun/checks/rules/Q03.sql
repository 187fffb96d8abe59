-- code: Q03
-- name: 身份证号校验码错误
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿逐位核对身份证号，前 17 位或末位校验码有误，改正后重新保存。
-- Shape and birth date are right, but the GB 11643 check character (18th) does not match digits 1–17.
SELECT household_id AS household, id_number AS person,
       '身份证号“{id:id_number}”末位校验码为“' || substr(id_number, 18, 1) || '”，按前 17 位应为“'
       || id_check_char || '”' AS message, json_object('id_number', id_number) AS detail
FROM member_facts
WHERE active AND id_shape_ok AND id_date_ok AND NOT id_valid
