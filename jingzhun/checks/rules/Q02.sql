-- code: Q02
-- name: 身份证号出生日期无效
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿核对身份证号第 7–14 位的出生日期（年月日），改正身份证号。
-- The shape is right (Q01 reports the rest) but digits 7–14 are no real date, or a date after the as-of
-- date or before 1900-01-01.
SELECT household_id AS household, id_number AS person,
       '身份证号“{id:id_number}”中的出生日期“{id:birth}”'
       || CASE WHEN id_birth IS NULL THEN '不是有效日期'
               WHEN id_birth > as_of THEN '晚于统计日期 ' || strftime(as_of, '%Y-%m-%d')
               ELSE '早于 1900 年' END AS message,
       json_object('id_number', id_number, 'birth', substr(id_number, 7, 8)) AS detail
FROM member_facts
WHERE active AND id_shape_ok AND NOT id_date_ok
