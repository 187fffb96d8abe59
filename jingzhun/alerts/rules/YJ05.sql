-- code: YJ05
-- name: 疑似辍学
-- kind: education
-- risk_type: 因学
-- Every suspected dropout the education bureau reports, when the pack keeps the switch on.
SELECT r.record_id,
       json_object('stage', r.stage, 'school', r.school, 'date', strftime(r.date, '%Y-%m-%d')) AS figures
FROM records r CROSS JOIN thresholds t
WHERE r.situation = '疑似辍学' AND t.education_dropout
