-- code: Q24
-- name: 收入异常
-- level: household
-- category: 收入
-- severity: 疑点
-- fix: 入户核实家庭各项收入和生产经营性支出，按实际改正；确属如此的写明情况。
-- Net income ≤ 0 (whatever the number of members), or per-capita net income above 100,000 (exactly
-- 100,000 is fine; compared as net > 100,000 × members). A household without 正常 members has no
-- per-capita income, so only the net-income test applies to it (Q20 reports the missing members).
SELECT code AS household, NULL AS person,
       CASE WHEN net_income <= 0 THEN '家庭纯收入为 ' || net_income || ' 元'
            ELSE '家庭纯收入 ' || net_income || ' 元、' || member_count || ' 人，年人均纯收入 '
                 || printf('%.2f', per_capita_income) || ' 元，超过 10 万元' END AS message
FROM household_facts
WHERE active AND (net_income <= 0 OR (member_count > 0 AND net_income > 100000 * member_count))
