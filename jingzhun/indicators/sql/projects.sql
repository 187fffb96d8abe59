-- Additive components of the project and fund indicators, one row per county (DuckDB dialect).
-- 项目库 and 衔接资金 are registered per county (a project may serve several villages, and its money is
-- the county's), so these figures exist for counties and the units above them — a city or province is
-- the sum of its counties — and not for townships or villages. The projects are those of the year of
-- params.as_of; spending counts payments made on or before as_of. 衔接资金 is every source but 其他资金.
-- The same figures as the 衔接资金执行 page (assistance.selectors.projects.fund_execution).
WITH p AS (
    SELECT id, county_id, state FROM projects, params WHERE year = as_of_year
), pc AS (
    SELECT county_id AS county,
           count(*) AS projects,
           count(*) FILTER (WHERE state = 'listed') AS proj_listed,
           count(*) FILTER (WHERE state = 'publicised') AS proj_publicised,
           count(*) FILTER (WHERE state = 'underway') AS proj_underway,
           count(*) FILTER (WHERE state = 'completed') AS proj_completed,
           count(*) FILTER (WHERE state = 'accepted') AS proj_accepted,
           count(*) FILTER (WHERE state = 'cancelled') AS proj_cancelled
    FROM p GROUP BY 1
), fc AS (
    -- a terminated (终止) project's unpaid plan went back: it counts as planned only what it spent (below)
    SELECT p.county_id AS county, coalesce(sum(f.amount) FILTER (WHERE f.source <> 'other'), 0) AS fund_planned
    FROM project_funds f JOIN p ON p.id = f.project_id WHERE p.state <> 'cancelled' GROUP BY 1
), sc AS (
    SELECT p.county_id AS county, coalesce(sum(s.amount) FILTER (WHERE s.source <> 'other'), 0) AS fund_spent,
           coalesce(sum(s.amount) FILTER (WHERE s.source <> 'other' AND p.state = 'cancelled'), 0) AS cancelled_spent
    FROM project_spending s JOIN p ON p.id = s.project_id CROSS JOIN params WHERE s.paid_on <= as_of GROUP BY 1
)
SELECT pc.county AS county,
       projects AS projects, proj_listed AS proj_listed, proj_publicised AS proj_publicised,
       proj_underway AS proj_underway, proj_completed AS proj_completed, proj_accepted AS proj_accepted,
       proj_cancelled AS proj_cancelled,
       coalesce(fund_planned, 0) + coalesce(cancelled_spent, 0) AS fund_planned, coalesce(fund_spent, 0) AS fund_spent
FROM pc
LEFT JOIN fc ON fc.county = pc.county
LEFT JOIN sc ON sc.county = pc.county
