-- The risk model's label (DuckDB dialect; transpiled): for each featured household of year t
-- (featured.code), 1 if year t+1's registry (households_after) has it 返贫 or has made it a 监测户 (纳入
-- 监测), else 0. Households absent from t+1 have no outcome and no row.
SELECT f.code,
       CAST(coalesce(a.status, '') = '返贫' OR coalesce(a.category, '') = '监测户' AS INTEGER) AS label
FROM featured f
JOIN households_after a ON a.code = f.code
ORDER BY f.code;
