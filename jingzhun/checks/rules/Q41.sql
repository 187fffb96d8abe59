-- code: Q41
-- name: 小额信贷借款人年龄不符
-- level: member
-- category: 小额信贷
-- severity: 错误
-- fix: 核对借款人及其身份证号；放款时借款人年龄应在政策包规定的范围内（一般为 18 至 65 周岁），借款人登记错误的改为实际借款的家庭成员。
-- The borrower's age in full years on the day of disbursement (from the birth date in the ID number; a
-- 29 February birthday falls on 28 February in a common year, as sql/id_numbers.sql counts) outside
-- loans.min_age … loans.max_age, both inclusive: a borrower on their 18th or their 65th birthday passes,
-- one who turned 66 that day does not. Invalid ID numbers are Q01/Q02's to report.
WITH aged AS (
    SELECT l.id, l.household_id, l.borrower_id_number, l.bank, l.disbursed_on, p.min_age, p.max_age,
           (year(l.disbursed_on) * 10000 + month(l.disbursed_on) * 100 + day(l.disbursed_on)
            - (year(m.id_birth) * 10000 + month(m.id_birth) * 100 + day(m.id_birth))) // 10000
           + CASE WHEN month(l.disbursed_on) = 2 AND day(l.disbursed_on) = 28 AND month(m.id_birth) = 2
                       AND day(m.id_birth) = 29
                       AND NOT (year(l.disbursed_on) % 4 = 0 AND (year(l.disbursed_on) % 100 <> 0
                                OR year(l.disbursed_on) % 400 = 0)) THEN 1 ELSE 0 END AS age
    FROM loans l
    JOIN member_ids m ON m.id = l.borrower_id
    JOIN loan_policy p ON p.county = substr(l.household_id, 1, 6)
    WHERE m.id_valid
)
SELECT household_id AS household, borrower_id_number AS person,
       string_agg(bank || ' ' || strftime(disbursed_on, '%Y-%m-%d') || ' 放款时借款人 ' || CAST(age AS VARCHAR)
                  || ' 周岁，不在 ' || CAST(min_age AS VARCHAR) || '–' || CAST(max_age AS VARCHAR) || ' 周岁之间', '；'
                  ORDER BY disbursed_on, id) AS message
FROM aged
WHERE age < min_age OR age > max_age
GROUP BY household_id, borrower_id_number
