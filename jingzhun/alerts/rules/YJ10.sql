-- code: YJ10
-- name: 住房安全鉴定为危房
-- kind: housing
-- risk_type: 住房出现安全问题
-- A house appraised at a listed grade (C级, D级).
SELECT r.record_id,
       json_object('grade', r.grade, 'date', strftime(r.date, '%Y-%m-%d')) AS figures
FROM records r CROSS JOIN thresholds t
WHERE list_contains(t.housing_grades, r.grade)
