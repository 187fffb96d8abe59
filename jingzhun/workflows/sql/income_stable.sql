-- 收入稳定超过监测线: per household, the income verifications from the anchor — the latest one on or
-- before stable_params.since (the day six months before as_of) — to as_of, each against the monitoring
-- line of its own year. A household without an anchor has verifications covering less than six months.
-- Inputs: verifications(household, verified_on, per_capita), lines(year, line), stable_params(as_of, since).
WITH v AS (
    SELECT v.household, v.verified_on, v.per_capita, l.line
    FROM verifications AS v
    LEFT JOIN lines AS l ON l.year = year(v.verified_on)
    WHERE v.verified_on <= (SELECT as_of FROM stable_params)
),
anchor AS (
    SELECT household, max(verified_on) AS anchor
    FROM v
    WHERE verified_on <= (SELECT since FROM stable_params)
    GROUP BY household
),
covered AS (
    SELECT v.*
    FROM v
    JOIN anchor AS a ON a.household = v.household AND v.verified_on >= a.anchor
),
summary AS (
    SELECT household,
           count(*) AS n,
           min(verified_on) AS window_start,
           max(verified_on) AS window_end,
           min(per_capita) AS min_per_capita,
           arg_max(line, verified_on) AS last_line,
           list(DISTINCT year(verified_on)) FILTER (WHERE line IS NULL) AS years_without_line,
           list(verified_on ORDER BY verified_on) FILTER (WHERE line IS NOT NULL AND per_capita <= line) AS below_on,
           list(per_capita ORDER BY verified_on) FILTER (WHERE line IS NOT NULL AND per_capita <= line) AS below_value,
           list(line ORDER BY verified_on) FILTER (WHERE line IS NOT NULL AND per_capita <= line) AS below_line
    FROM covered
    GROUP BY household
),
households AS (
    SELECT household, min(verified_on) AS first_on FROM v GROUP BY household
)
SELECT h.household, h.first_on, a.anchor, s.n, s.window_start, s.window_end, s.min_per_capita, s.last_line,
       s.years_without_line, s.below_on, s.below_value, s.below_line
FROM households AS h
LEFT JOIN anchor AS a ON a.household = h.household
LEFT JOIN summary AS s ON s.household = h.household
ORDER BY h.household
