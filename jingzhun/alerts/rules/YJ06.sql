-- code: YJ06
-- name: 高中阶段教育费用达到预警金额
-- kind: education
-- risk_type: 因学
-- A 高中阶段 (普通高中, 中职) cost for the year at or above cost_min.
SELECT r.record_id,
       json_object('stage', r.stage, 'cost', r.cost, 'threshold', t.education_cost_min) AS figures
FROM records r CROSS JOIN thresholds t
WHERE r.situation = '高中阶段费用' AND r.cost >= t.education_cost_min
