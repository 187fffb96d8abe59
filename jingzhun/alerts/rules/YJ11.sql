-- code: YJ11
-- name: 失业或返乡未就业
-- kind: employment
-- risk_type: 因务工就业不稳
-- An unemployment registration of a listed category.
SELECT r.record_id,
       json_object('registration', r.registration, 'date', strftime(r.date, '%Y-%m-%d')) AS figures
FROM records r CROSS JOIN thresholds t
WHERE list_contains(t.employment_categories, r.registration)
