-- The risk model's features: one row per watched household of year t (DuckDB dialect; transpiled).
--
-- Reads only year t's registry (households, members, villages and the derived views member_facts and
-- household_facts built over them), year t−1's households (households_before: last year's incomes) and
-- the 动态调整台账 events recorded by then (events: household, type, effective; ledger_events()).
-- It never reads year t+1: the label is made elsewhere (labels.sql) from a table this script cannot see.
-- Every column is documented, with why it does not leak the label, in risk/features.py FEATURES and
-- docs/risk-model.md. {watched} is the population the model scores (risk/features.py WATCHED).
WITH member_risk AS (
    SELECT household_id,
           count(*) FILTER (WHERE normal AND age >= 65) AS elderly_count,
           count(*) FILTER (WHERE normal AND age < 16) AS child_count,
           count(*) FILTER (WHERE normal AND health = '患有大病') AS serious_ill_count,
           count(*) FILTER (WHERE normal AND health = '长期慢性病' AND age >= 50) AS older_chronic_count,
           count(*) FILTER (WHERE normal AND coalesce(migrant_months, 0) > 0) AS migrant_count,
           count(*) FILTER (WHERE normal AND migrant_months BETWEEN 1 AND 5) AS short_migrant_count,
           avg(migrant_months) FILTER (WHERE normal AND migrant_months > 0) AS migrant_months_mean
    FROM member_facts
    GROUP BY household_id
), past AS (
    SELECT e.household AS code,
           count(*) FILTER (WHERE e.type = 'return') AS past_returns
    FROM events e
    CROSS JOIN params p
    WHERE e.effective <= p.as_of
    GROUP BY e.household
), before AS (
    SELECT code,
           CAST(wage_income + business_income + property_income + transfer_income - business_expense AS DOUBLE)
               AS net_income,
           CAST(wage_income AS DOUBLE) AS wage_income
    FROM households_before
)
SELECT h.code,
       h.village_id,
       CAST(h.per_capita_income AS DOUBLE) AS per_capita_income,
       CASE WHEN b.net_income > 0 AND h.net_income IS NOT NULL
            THEN CAST(h.net_income AS DOUBLE) / b.net_income - 1 END AS income_change,
       CASE WHEN b.wage_income > 0 AND h.wage_income IS NOT NULL
            THEN CAST(h.wage_income AS DOUBLE) / b.wage_income - 1 END AS wage_change,
       CASE WHEN h.net_income > 0 THEN CAST(h.wage_income AS DOUBLE) / h.net_income END AS wage_share,
       CASE WHEN h.net_income > 0 THEN CAST(h.transfer_income AS DOUBLE) / h.net_income END AS transfer_share,
       h.member_count,
       h.labourer_count,
       CASE WHEN h.member_count > 0 THEN 1 - h.labourer_count / h.member_count END AS dependency_ratio,
       coalesce(r.elderly_count, 0) AS elderly_count,
       coalesce(r.child_count, 0) AS child_count,
       h.student_count,
       coalesce(r.serious_ill_count, 0) AS serious_ill_count,
       h.ill_count,
       coalesce(r.older_chronic_count, 0) AS older_chronic_count,
       h.disabled_count,
       h.uninsured_count,
       coalesce(r.migrant_count, 0) AS migrant_count,
       coalesce(r.short_migrant_count, 0) AS short_migrant_count,
       r.migrant_months_mean,
       h.head_age,
       CASE WHEN h.exit_year IS NOT NULL THEN p.as_of_year - h.exit_year END AS years_since_exit,
       coalesce(e.past_returns, 0) AS past_returns,
       CAST(coalesce(h.housing_grade IN ('C', 'D'), false) AS INTEGER) AS unsafe_housing,
       CAST(coalesce(h.safe_water = false, false) AS INTEGER) AS unsafe_water,
       CAST(h.dibao_count + h.tekun_count > 0 AS INTEGER) AS social_assistance,
       CAST(coalesce(h.main_cause IN ('因病', '因残'), false) AS INTEGER) AS past_cause_health,
       CAST(coalesce(v.is_poor_village, false) AS INTEGER) AS poor_village
FROM household_facts h
CROSS JOIN params p
LEFT JOIN member_risk r ON r.household_id = h.code
LEFT JOIN before b ON b.code = h.code
LEFT JOIN past e ON e.code = h.code
LEFT JOIN villages v ON v.village_id = h.village_id
WHERE ({watched})
ORDER BY h.code;
