-- code: YJ01
-- name: 医保自付超过上年农村居民人均可支配收入的规定比例
-- kind: medical
-- risk_type: 因病
-- form: income_share
-- A person's out-of-pocket cost after 基本医保, 大病保险 and 医疗救助, summed over the file, strictly above
-- share × the province's previous-year rural per-capita disposable income: share_monitored for 脱贫 and
-- monitored people, share_others for everyone else (阳原县: 50% and 100%).
WITH person AS (
    SELECT person_key, min(record_id) AS record_id, any_value(grp) AS grp,
           sum(out_of_pocket) AS out_of_pocket, count(*) AS visits
    FROM records GROUP BY person_key
), judged AS (
    SELECT p.*, t.rural_income, t.rural_income_year,
           CASE WHEN p.grp = 'monitored' THEN t.medical_share_monitored ELSE t.medical_share_others END AS share
    FROM person p CROSS JOIN thresholds t
    WHERE t.medical_form = 'income_share' AND t.rural_income IS NOT NULL
)
SELECT record_id,
       json_object('out_of_pocket', round(out_of_pocket, 2), 'visits', visits, 'rural_income', rural_income,
                   'rural_income_year', rural_income_year, 'share', share,
                   'threshold', round(share * rural_income, 2)) AS figures
FROM judged
WHERE out_of_pocket > share * rural_income
