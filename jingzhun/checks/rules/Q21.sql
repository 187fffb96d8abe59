-- code: Q21
-- name: 户主身份证号与人员表不符
-- level: household
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿核对户主身份证号，使户表中的户主身份证号与人员表中户主的身份证号一致。
-- Only for a household with exactly one head (Q20 reports the others); the numbers are compared as
-- stored, so a different case of a trailing x is a difference too; a blank 户主身份证号 differs.
SELECT code AS household, NULL AS person,
       '户表中户主身份证号为“{id:head_id_number}”，人员表中户主身份证号为“{id:head_member_id_number}”' AS message,
       json_object('head_id_number', coalesce(head_id_number, ''), 'head_member_id_number', head_member_id_number)
           AS detail
FROM household_facts
WHERE active AND head_count = 1 AND head_id_number IS DISTINCT FROM head_member_id_number
