-- 公民身份号码 (GB 11643): what an ID number says, for the rows of any relation with an id_number column.
-- The one SQL definition of ID validity: the engine instantiates it over a relation (`Engine.id_view`,
-- which puts the relation's name in place of id_source) — the registry's members for the rules and
-- indicators (member_facts), a department's records for the comparison. Needs params (as_of).
--
-- An ID is valid when it is 17 digits and a digit or X, its digits 7–14 are a real date between
-- 1900-01-01 and the as-of date, and its GB 11643 check character is right; age exists only then.
--
-- Columns added to id_source.*:
--   id_shape_ok                   17 digits and a digit or X
--   id_birth                      digits 7–14 as a date (when the shape is right and it is a real date)
--   id_date_ok                    id_birth exists and lies in 1900-01-01 … as_of
--   as_of                         the as-of date
--   id_check_char                 the GB 11643 check character digits 1–17 call for (right shape only)
--   id_valid                      shape, date and check character right
--   age                           full years at as_of, valid IDs only
--   id_sex                        男 / 女 from the 17th digit (odd = 男), valid IDs only
WITH reference AS (
    -- the as-of date also as the integer YYYYMMDD, and whether it is 28 February of a common year
    SELECT as_of,
           year(as_of) * 10000 + month(as_of) * 100 + day(as_of) AS as_of_ymd,
           month(as_of) = 2 AND day(as_of) = 28 AND NOT (year(as_of) % 4 = 0 AND (year(as_of) % 100 <> 0
               OR year(as_of) % 400 = 0)) AS as_of_feb28_common
    FROM params
), shaped AS (
    SELECT s.*, regexp_full_match(s.id_number, '[0-9]{17}[0-9X]') AS id_shape_ok
    FROM id_source s
), bodied AS (
    -- digits 1–17 as one integer: the date and the checksum come from it by integer arithmetic, which
    -- is many times faster over millions of rows than cutting and parsing the string
    SELECT s.*, CASE WHEN s.id_shape_ok THEN CAST(substr(s.id_number, 1, 17) AS BIGINT) END AS id_body
    FROM shaped s
), split AS (
    SELECT b.*,
           b.id_body // 1000 % 100000000 AS id_ymd,
           b.id_body // 10000000 % 10000 AS id_y,
           b.id_body // 100000 % 100 AS id_m,
           b.id_body // 1000 % 100 AS id_d
    FROM bodied b
), dated AS (
    SELECT t.*,
           t.id_m BETWEEN 1 AND 12 AND t.id_d >= 1 AND t.id_d <= CASE
               WHEN t.id_m IN (1, 3, 5, 7, 8, 10, 12) THEN 31
               WHEN t.id_m IN (4, 6, 9, 11) THEN 30
               WHEN t.id_y % 4 = 0 AND (t.id_y % 100 <> 0 OR t.id_y % 400 = 0) THEN 29
               ELSE 28 END AS id_real_date
    FROM split t
), checked AS (
    SELECT d.* EXCLUDE (id_y, id_m, id_d, id_real_date),
           CASE WHEN d.id_real_date THEN make_date(d.id_y, d.id_m, d.id_d) END AS id_birth,
           coalesce(d.id_real_date AND d.id_ymd >= 19000101 AND d.id_ymd <= a.as_of_ymd, false) AS id_date_ok,
           CASE WHEN d.id_shape_ok THEN substr('10X98765432', ((
                 d.id_body // 10000000000000000 % 10 * 7 + d.id_body // 1000000000000000 % 10 * 9
               + d.id_body // 100000000000000 % 10 * 10 + d.id_body // 10000000000000 % 10 * 5
               + d.id_body // 1000000000000 % 10 * 8 + d.id_body // 100000000000 % 10 * 4
               + d.id_body // 10000000000 % 10 * 2 + d.id_body // 1000000000 % 10 * 1
               + d.id_body // 100000000 % 10 * 6 + d.id_body // 10000000 % 10 * 3
               + d.id_body // 1000000 % 10 * 7 + d.id_body // 100000 % 10 * 9
               + d.id_body // 10000 % 10 * 10 + d.id_body // 1000 % 10 * 5
               + d.id_body // 100 % 10 * 8 + d.id_body // 10 % 10 * 4
               + d.id_body % 10 * 2) % 11) + 1, 1) END AS id_check_char,
           a.as_of, a.as_of_ymd, a.as_of_feb28_common
    FROM dated d CROSS JOIN reference a
), validated AS (
    SELECT c.*, c.id_date_ok AND c.id_check_char = substr(c.id_number, 18, 1) AS id_valid
    FROM checked c
)
SELECT v.* EXCLUDE (id_body, id_ymd, as_of_ymd, as_of_feb28_common),
       -- full years: (YYYYMMDD − YYYYMMDD) ÷ 10000; someone born on 29 February has the birthday on
       -- 28 February in a common year (as DuckDB's date_sub('year', …) counts)
       CASE WHEN v.id_valid THEN (v.as_of_ymd - v.id_ymd) // 10000
            + CASE WHEN v.as_of_feb28_common AND v.id_ymd % 10000 = 229 THEN 1 ELSE 0 END END AS age,
       CASE WHEN v.id_valid THEN CASE WHEN v.id_body % 2 = 1 THEN '男' ELSE '女' END END AS id_sex
FROM validated v
