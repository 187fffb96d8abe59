-- code: Q34
-- name: 年度逻辑错误
-- level: household
-- category: 逻辑
-- severity: 错误
-- fix: 按识别、脱贫的公告核对识别年度和脱贫年度：识别年度在 2014 年至今之间，脱贫年度不早于识别年度、不晚于今年，未脱贫户不填脱贫年度。
-- 识别年度 before 2014 or after the as-of year; 脱贫年度 before 识别年度 or after the as-of year; or 未脱贫
-- with a 脱贫年度. All problems of a household are listed in one row.
SELECT code AS household, NULL AS person, message
FROM (
    SELECT h.code, concat_ws('；',
           CASE WHEN h.identified_year < 2014 THEN '识别年度 ' || h.identified_year || ' 早于 2014 年' END,
           CASE WHEN h.identified_year > p.as_of_year
                THEN '识别年度 ' || h.identified_year || ' 晚于 ' || p.as_of_year || ' 年' END,
           CASE WHEN h.exit_year < h.identified_year
                THEN '脱贫年度 ' || h.exit_year || ' 早于识别年度 ' || h.identified_year END,
           CASE WHEN h.exit_year > p.as_of_year THEN '脱贫年度 ' || h.exit_year || ' 晚于 ' || p.as_of_year || ' 年' END,
           CASE WHEN h.status = '未脱贫' AND h.exit_year IS NOT NULL
                THEN '未脱贫户填有脱贫年度 ' || h.exit_year END) AS message
    FROM household_facts h CROSS JOIN params p
    WHERE h.active
) checked
WHERE message <> ''
