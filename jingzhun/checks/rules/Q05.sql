-- code: Q05
-- name: 身份证号重复
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 核实是否同一人重复登记：保留其实际所在户的记录，其他户中的记录改为迁出或更正身份证号。
-- The same 身份证号 on more than one active member (正常 or blank 人员状态, household not 清退), within
-- one household or across households; every such member is reported. Members who are 死亡/迁出 or in
-- 清退 households are left out of the comparison: a person who moved from one household to another
-- legitimately leaves a 迁出 record behind. IDs are compared ignoring surrounding blanks and the case of
-- a trailing x; blank IDs are not compared. Whatever its validity, a repeated ID is reported.
WITH keyed AS (
    SELECT household_id, id_number, upper(trim(id_number)) AS id_key
    FROM member_facts
    WHERE active AND trim(id_number) <> ''
), repeated AS (
    SELECT id_key, count(*) AS times, count(DISTINCT household_id) AS households,
           string_agg(DISTINCT household_id, '、' ORDER BY household_id) AS household_list
    FROM keyed
    WHERE id_key IN (SELECT id_key FROM keyed GROUP BY id_key HAVING count(*) > 1)
    GROUP BY id_key
)
SELECT k.household_id AS household, k.id_number AS person,
       '身份证号“' || k.id_number || '”登记了 ' || r.times || ' 次'
       || CASE WHEN r.households > 1 THEN '，涉及户 ' || r.household_list ELSE '，均在本户' END AS message
FROM keyed k
JOIN repeated r ON r.id_key = k.id_key
