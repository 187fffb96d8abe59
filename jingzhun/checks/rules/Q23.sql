-- code: Q23
-- name: 人均纯收入计算不符
-- level: household
-- category: 收入
-- severity: 错误
-- fix: 按公式（工资性 + 生产经营性 + 财产性 + 转移性收入 − 生产经营性支出）÷ 家庭人口数重新计算年人均纯收入，或核对各项收入和人口。
-- 年人均纯收入 given and more than 1 yuan from net_income ÷ member_count (exactly 1 yuan is fine).
-- Compared exactly, without dividing: |declared × members − net| > members. A household without 正常 members has no per-capita
-- income to compare (Q20 reports it); a blank income item makes the formula unknown (not compared).
SELECT code AS household, NULL AS person,
       '年人均纯收入填报 ' || declared_per_capita_income || ' 元，按 ' || member_count || ' 人计算应为 '
       || printf('%.2f', per_capita_income) || ' 元' AS message
FROM household_facts
WHERE active AND declared_per_capita_income IS NOT NULL AND member_count > 0 AND net_income IS NOT NULL
  AND abs(declared_per_capita_income * member_count - net_income) > member_count
