-- code: Q42
-- name: 户有逾期小额信贷
-- level: household
-- category: 小额信贷
-- severity: 疑点
-- fix: 核实逾期原因：因病、因灾、产业失败等造成还款困难的，按防止返贫监测程序排查并落实帮扶措施，协调银行办理展期或续贷；已还款的登记实还日期和金额。
-- A loan not 结清 with an installment still unpaid at the as-of date (no payment, a payment after the
-- as-of date, or less paid than the principal and interest due) more than loans.overdue_grace_days days
-- after its due date, and no more than loans.npl_days days (beyond that the loan is 不良: Q43). One row
-- per household, naming each such loan's bank, days overdue and the amount unpaid.
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
       string_agg(bank || ' 的贷款逾期 ' || CAST(days AS VARCHAR) || ' 天，未还 ' || CAST(owed AS VARCHAR) || ' 元',
                  '；' ORDER BY days DESC, id) AS message
FROM late
WHERE days > overdue_grace_days AND days <= npl_days
GROUP BY household_id
