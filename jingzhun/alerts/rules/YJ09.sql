-- code: YJ09
-- name: 新增残疾
-- kind: disability
-- risk_type: 因残
-- A disability certificate of a listed grade issued within new_within_days before the data date.
SELECT r.record_id,
       json_object('disability', r.disability, 'grade', r.grade, 'issued', strftime(r.issued, '%Y-%m-%d'),
                   'within_days', t.disability_new_within_days) AS figures
FROM records r CROSS JOIN thresholds t
WHERE list_contains(t.disability_grades, r.grade)
  AND r.issued <= t.data_date AND r.issued > t.data_date - t.disability_new_within_days::INTEGER
