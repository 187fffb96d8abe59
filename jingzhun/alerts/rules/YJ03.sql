-- code: YJ03
-- name: 门诊特病个人自付单月达到预警金额
-- kind: medical
-- risk_type: 因病
-- form: absolute
-- A person's 门诊特病 out-of-pocket cost in one calendar month (by 就诊日期) at or above
-- special_outpatient_monthly; one hit per person, for the month with the most.
WITH monthly AS (
    SELECT person_key, strftime(visit_date, '%Y-%m') AS month, min(record_id) AS record_id,
           sum(out_of_pocket) AS out_of_pocket, count(*) AS visits
    FROM records WHERE visit_type = '门诊特病' GROUP BY person_key, month
), judged AS (
    SELECT m.*, t.medical_special_outpatient_monthly AS threshold, t.medical_strict AS strict
    FROM monthly m CROSS JOIN thresholds t
    WHERE t.medical_form = 'absolute'
      AND CASE WHEN t.medical_strict THEN m.out_of_pocket > t.medical_special_outpatient_monthly
               ELSE m.out_of_pocket >= t.medical_special_outpatient_monthly END
)
SELECT record_id,
       json_object('month', month, 'out_of_pocket', round(out_of_pocket, 2), 'visits', visits,
                   'threshold', threshold) AS figures
FROM judged
QUALIFY row_number() OVER (PARTITION BY person_key ORDER BY out_of_pocket DESC, month) = 1
