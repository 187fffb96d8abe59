-- code: Q43
-- name: 户有不良小额信贷
-- level: household
-- category: 小额信贷
-- severity: 错误
-- fix: 逾期超过不良认定天数的贷款已成不良：核实家庭还款能力，按防止返贫监测程序纳入监测并落实帮扶；协调银行和风险补偿金办理展期、续贷或代偿；已还款的登记实还日期和金额。
-- A loan not 结清 with an installment still unpaid at the as-of date (as Q42 counts) more than
-- loans.npl_days days after its due date: the loan is 不良 (non-performing; the banks' 五级分类 puts a loan
-- overdue beyond 90 days below 正常 and 关注). One row per household naming each such loan.
WITH unpaid AS (
    SELECT i.loan_id, i.due_on, i.principal + i.interest - CASE WHEN i.paid_on IS NULL OR i.paid_on > a.as_of
               THEN 0 ELSE coalesce(i.paid_amount, 0) END AS owed,
           date_diff('day', i.due_on, a.as_of) AS days
    FROM loan_installments i CROSS JOIN params a
    WHERE i.due_on < a.as_of
), late AS (
    SELECT l.id, l.household_id, l.bank, p.overdue_grace_days, p.npl_days,
           max(u.days) AS days, sum(u.owed) AS owed
    FROM loans l
    JOIN unpaid u ON u.loan_id = l.id AND u.owed > 0
    JOIN loan_policy p ON p.county = substr(l.household_id, 1, 6)
    WHERE l.status <> 'settled'
    GROUP BY l.id, l.household_id, l.bank, p.overdue_grace_days, p.npl_days
)
SELECT household_id AS household, NULL AS person,
       string_agg(bank || ' 的贷款逾期 ' || CAST(days AS VARCHAR) || ' 天，已成不良，未还 ' || CAST(owed AS VARCHAR) || ' 元',
                  '；' ORDER BY days DESC, id) AS message
FROM late
WHERE days > npl_days
GROUP BY household_id
