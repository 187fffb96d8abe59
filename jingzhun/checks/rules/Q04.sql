-- code: Q04
-- name: 性别与身份证号不符
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿核对性别和身份证号（第 17 位奇数为男、偶数为女），改正错误的一项。
-- Only valid IDs (Q01–Q03 report the others); a blank 性别 is not compared.
SELECT household_id AS household, id_number AS person,
       '性别为“' || sex || '”，身份证号“{id:id_number}”第 17 位表示' || id_sex AS message,
       json_object('id_number', id_number) AS detail
FROM member_facts
WHERE active AND id_valid AND sex <> id_sex
