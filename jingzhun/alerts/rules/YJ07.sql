-- code: YJ07
-- name: 灾害损失较大
-- kind: emergency
-- risk_type: 因灾
-- A disaster loss at or above loss_min, or a house damaged as the pack lists (严重损坏, 倒塌).
SELECT r.record_id,
       json_object('disaster', r.disaster, 'date', strftime(r.date, '%Y-%m-%d'), 'loss', r.loss,
                   'house_damage', r.house_damage, 'threshold', t.emergency_loss_min) AS figures
FROM records r CROSS JOIN thresholds t
WHERE r.loss >= t.emergency_loss_min OR list_contains(t.emergency_house_damage, r.house_damage)
