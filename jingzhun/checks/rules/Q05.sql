-- code: Q05
-- name: 身份证号重复
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 核实是否同一人重复登记：保留其实际所在户的记录，其他户中的记录改为迁出或更正身份证号。
-- partition: upper(id_number)
-- The same 身份证号 on more than one active member (正常 or blank 人员状态, household not 清退), within
-- one household or across households; every such member is reported. Members who are 死亡/迁出 or in
-- 清退 households are left out of the comparison: a person who moved from one household to another
-- legitimately leaves a 迁出 record behind. IDs are compared ignoring the case of a trailing x; blank
-- IDs are not compared. Whatever its validity, a repeated ID is reported.
-- Set-based: one GROUP BY over all active IDs finds the repeated ones, a semi-join picks their members,
-- and only those few are grouped again to name the households (up to 5; beyond that only their number,
-- so that a placeholder number shared by thousands does not make thousands of huge messages). The ID
-- number and the households go to `detail`: the message names them for each viewer as their role and
-- reach allow.
WITH candidates AS (
    SELECT household_id, id_number, upper(id_number) AS id_key
    FROM member_facts
    WHERE active AND id_number <> '' AND upper(id_number) IN (
        SELECT upper(id_number) FROM member_facts
        WHERE active AND id_number <> ''
        GROUP BY 1 HAVING count(*) > 1)
), repeated AS (
    SELECT id_key, count(*) AS times, count(DISTINCT household_id) AS households,
           list(DISTINCT household_id ORDER BY household_id) AS household_list
    FROM candidates
    GROUP BY id_key
)
SELECT c.household_id AS household, c.id_number AS person,
       '身份证号“{id:id_number}”登记了 ' || r.times || ' 次'
       || CASE WHEN r.households = 1 THEN '，均在本户'
               WHEN r.households <= 5 THEN '，涉及户 {households:households}'
               ELSE '，涉及 ' || r.households || ' 户' END AS message,
       json_object('id_number', c.id_number,
                   'households', CASE WHEN r.households BETWEEN 2 AND 5 THEN r.household_list END) AS detail
FROM candidates c
JOIN repeated r ON r.id_key = c.id_key
