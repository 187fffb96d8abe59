-- code: YJ08
-- name: 意外伤害、致残或死亡
-- kind: police
-- risk_type: 因意外事故
-- An injury, disability or death the police report, of the events the pack lists.
SELECT r.record_id,
       json_object('event', r.event, 'date', strftime(r.date, '%Y-%m-%d')) AS figures
FROM records r CROSS JOIN thresholds t
WHERE list_contains(t.police_events, r.event)
