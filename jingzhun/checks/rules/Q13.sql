-- code: Q13
-- name: 务工信息矛盾
-- level: member
-- category: 务工
-- severity: 疑点
-- fix: 核对务工状况和务工时间：外出务工的填写务工地点和 1–12 个月的务工时间；未外出务工的两项都不填。
-- 务工时间 outside 0–12; or 务工状况 given with 务工时间 blank or 0; or 务工状况 blank with 务工时间 > 0.
-- One row per member (the first matching problem names it).
SELECT household_id AS household, id_number AS person,
       CASE WHEN migrant_months < 0 OR migrant_months > 12
                THEN '务工时间 ' || migrant_months || ' 个月，不在 0–12 之间'
            WHEN coalesce(migrant_work, '') <> ''
                THEN '务工状况为“' || migrant_work || '”，务工时间'
                     || CASE WHEN migrant_months IS NULL THEN '未填写' ELSE '为 0' END
            ELSE '务工状况未填写，务工时间为 ' || migrant_months || ' 个月' END AS message
FROM member_facts
WHERE active AND (
       migrant_months < 0 OR migrant_months > 12
    OR (coalesce(migrant_work, '') <> '' AND coalesce(migrant_months, 0) = 0)
    OR (coalesce(migrant_work, '') = '' AND migrant_months > 0))
