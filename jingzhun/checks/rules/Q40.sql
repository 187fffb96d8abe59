-- code: Q40
-- name: 小额信贷期限超过上限
-- level: household
-- category: 小额信贷
-- severity: 错误
-- fix: 核对借款合同的贷款期限；脱贫人口小额信贷期限不超过政策包规定的上限（一般为 3 年，即 36 个月），续贷或展期的按新合同登记。
-- A loan whose term (months) is above the county pack's loans.max_term_months (exactly the limit is allowed).
SELECT l.household_id AS household, NULL AS person,
       string_agg(l.bank || ' ' || strftime(l.disbursed_on, '%Y-%m-%d') || ' 放款的贷款期限 '
                  || CAST(l.term_months AS VARCHAR) || ' 个月，超过上限 ' || CAST(p.max_term_months AS VARCHAR)
                  || ' 个月', '；' ORDER BY l.disbursed_on, l.id) AS message
FROM loans l JOIN loan_policy p ON p.county = substr(l.household_id, 1, 6)
WHERE l.term_months > p.max_term_months
GROUP BY l.household_id
