-- code: YJ02
-- name: 住院个人自付达到预警金额
-- kind: medical
-- risk_type: 因病
-- form: absolute
-- A person's 住院 out-of-pocket cost summed over the file at or above inpatient_monitored (脱贫 and
-- monitored people) or inpatient_others (everyone else); strictly above when the pack says strict = true
-- (西安 words its amounts as "超过").
WITH person AS (
    SELECT person_key, min(record_id) AS record_id, any_value(grp) AS grp,
           sum(out_of_pocket) AS out_of_pocket, count(*) AS visits
    FROM records WHERE visit_type = '住院' GROUP BY person_key
), judged AS (
    SELECT p.*, t.medical_strict AS strict,
           CASE WHEN p.grp = 'monitored' THEN t.medical_inpatient_monitored ELSE t.medical_inpatient_others END
               AS threshold
    FROM person p CROSS JOIN thresholds t
    WHERE t.medical_form = 'absolute'
)
SELECT record_id,
       json_object('out_of_pocket', round(out_of_pocket, 2), 'visits', visits, 'threshold', threshold,
                   'strict', strict) AS figures
FROM judged
WHERE CASE WHEN strict THEN out_of_pocket > threshold ELSE out_of_pocket >= threshold END
