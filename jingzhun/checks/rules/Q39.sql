-- code: Q39
-- name: 小额信贷金额超过上限
-- level: household
-- category: 小额信贷
-- severity: 错误
-- fix: 核对借款合同的贷款金额；脱贫人口小额信贷单户贷款额度不超过政策包规定的上限（一般为 5 万元），超出部分不属于小额信贷，应按合同改正或注明。
-- A loan whose amount is above the county pack's loans.max_amount (exactly the limit is allowed); one row
-- per household listing every such loan. A county whose pack states no [loans] limits is not checked.
SELECT l.household_id AS household, NULL AS person,
       string_agg(l.bank || ' ' || strftime(l.disbursed_on, '%Y-%m-%d') || ' 放款的贷款金额 '
                  || CAST(l.amount AS VARCHAR) || ' 元，超过上限 ' || CAST(p.max_amount AS VARCHAR) || ' 元', '；'
                  ORDER BY l.disbursed_on, l.id) AS message
FROM loans l JOIN loan_policy p ON p.county = substr(l.household_id, 1, 6)
WHERE l.amount > p.max_amount
GROUP BY l.household_id
