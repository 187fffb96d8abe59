-- code: Q35
-- name: 电话号码格式错误
-- level: household
-- category: 帮扶
-- severity: 疑点
-- fix: 核对联系电话和帮扶责任人电话：手机号为 1 开头的 11 位数字，固定电话为区号加号码（如 0359-6521234）。
-- A number given (blanks around it ignored) that is neither a mobile (1[3-9] and 9 more digits) nor a
-- landline (0, a 2–3 digit area code, an optional -, 7–8 digits). One row per household, naming both
-- numbers when both are wrong.
WITH phones AS (
    SELECT code, trim(phone) AS phone, trim(cadre_phone) AS cadre_phone
    FROM household_facts
    WHERE active
), judged AS (
    SELECT code, phone, cadre_phone,
           phone <> '' AND NOT regexp_full_match(phone, '1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}') AS phone_bad,
           cadre_phone <> '' AND NOT regexp_full_match(cadre_phone, '1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}')
               AS cadre_phone_bad
    FROM phones
)
SELECT code AS household, NULL AS person,
       concat_ws('；', CASE WHEN phone_bad THEN '联系电话“{phone:phone}”格式不对' END,
                       CASE WHEN cadre_phone_bad THEN '帮扶责任人电话“{phone:cadre_phone}”格式不对' END) AS message,
       json_object('phone', phone, 'cadre_phone', cadre_phone) AS detail
FROM judged
WHERE phone_bad OR cadre_phone_bad
