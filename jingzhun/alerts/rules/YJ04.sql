-- code: YJ04
-- name: 新纳入低保、特困或临时救助
-- kind: civil
-- risk_type: 其他
-- A 低保, 特困 or 临时救助 (those the pack lists) that started within new_within_days before the file's
-- data date (and not after it).
SELECT r.record_id,
       json_object('assistance', r.assistance, 'start_date', strftime(r.start_date, '%Y-%m-%d'),
                   'amount', r.amount, 'within_days', t.civil_new_within_days) AS figures
FROM records r CROSS JOIN thresholds t
WHERE list_contains(t.civil_categories, r.assistance)
  AND r.start_date <= t.data_date AND r.start_date > t.data_date - t.civil_new_within_days::INTEGER
