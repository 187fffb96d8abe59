-- Derived views shared by data-quality rules and indicators (DuckDB dialect; transpiled for others).
-- Tables registered by the engine: households, members, villages (the snapshot), params (as_of,
-- as_of_year: the reference date of ages and years), poverty_lines (year, region, line).
--
-- A condition that more than one rule or indicator needs (a dropout, a member without medical
-- insurance, …) is a boolean column here, written once; the rules only filter and count on it.
--
-- member_facts and household_member_counts are materialized once per load (DROP + CREATE TABLE … AS,
-- which every target dialect has) instead of being views: validating the ID numbers and counting the
-- members costs seconds per pass over a province of ten million members, and some thirty rules plus
-- the indicators read them. household_facts stays a view over households and the counts (cheap).
-- The price is memory: member_facts holds a copy of the member columns (about 2.7 GB for 10M members
-- in DuckDB).

-- Every member with what the ID number says about them (the view member_ids, made by the engine from
-- id_numbers.sql before this script runs) and their household's state.
--
-- Columns added to member_ids.* (members.* and the ID columns id_shape_ok … id_sex of id_numbers.sql):
--   household_status, village_id  the household's 脱贫状态 and 村代码
--   normal                        人员状态 正常 or blank
--   active                        normal and the household is not 清退 (member rules look at these; the
--                                 members of 一般农户 and of non-建档立卡 监测户 are active too)
--   registered                    normal and the household is 建档立卡 (脱贫状态 未脱贫, 已脱贫 or 返贫): the
--                                 建档立卡人口 that the indicators count
--   in_school                     在校生状况 given and not 非在校生 (学前教育 counts as at school)
--   able_bodied                   劳动技能 普通劳动力 or 技能劳动力
--   is_dropout                    aged 7–15, 在校生状况 blank / 非在校生 / 学前教育, and not 残疾
--                                 (disabled children may be taught at home 送教上门: not dropouts)
--   lacks_medical_insurance       城乡居民基本医疗保险 = 否 and not 现役军人 (soldiers are insured by the
--                                 army); a blank cell is unknown, not 否
DROP TABLE IF EXISTS member_facts;
CREATE TABLE member_facts AS
WITH placed AS (
    SELECT m.*,
           h.status AS household_status,
           h.village_id,
           coalesce(m.status, '') IN ('正常', '') AS normal
    FROM member_ids m
    JOIN households h ON h.code = m.household_id
), aged AS (
    SELECT p.*,
           p.normal AND coalesce(p.household_status, '') <> '清退' AS active,
           p.normal AND coalesce(p.household_status, '') IN ('未脱贫', '已脱贫', '返贫') AS registered,
           coalesce(p.schooling, '') NOT IN ('', '非在校生') AS in_school,
           coalesce(p.labour IN ('普通劳动力', '技能劳动力'), false) AS able_bodied
    FROM placed p
)
SELECT a.*,
       coalesce(a.age BETWEEN 7 AND 15, false)
           AND coalesce(a.schooling, '') IN ('', '非在校生', '学前教育')
           AND coalesce(a.health, '') <> '残疾' AS is_dropout,
       coalesce(a.medical_insurance = false, false) AND coalesce(a.active_soldier, false) = false
           AS lacks_medical_insurance
FROM aged a;

-- Every household with its members counted (正常 only), income worked out, and its year's line.
-- A province's own line (region = the 2-digit code) wins over the national one ("CN"). The counts are
-- the table household_member_counts (one row per household that has member rows), made once per load.
--
-- Columns added to households.*:
--   member_count, head_count      正常 members, and those of them with 与户主关系 户主
--   head_member_id_number         the head's 身份证号 in 人员表, when there is exactly one head
--   head_birth, head_age          the head's birth date and age, when exactly one head with a valid ID
--   dropout_count                 正常 members with is_dropout
--   uninsured_count               正常 members with lacks_medical_insurance
--   ill_count                     正常 members 长期慢性病 or 患有大病
--   disabled_count                正常 members 残疾
--   student_count                 正常 members in_school
--   labourer_count                正常 members aged 16–60 (valid ID) who are able_bodied
--   dibao_count, tekun_count      正常 members 享受低保 / 特困供养
--   net_income                    工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出
--   per_capita_income             net_income ÷ member_count; NULL when the household has no members
--   poverty_line                  the line of income_year (NULL when no line is known for that year)
--   active                        not 清退 (household rules look at these, whatever the 户类别)
--   registered                    建档立卡: 脱贫状态 未脱贫, 已脱贫 or 返贫 (the 建档立卡户 the indicators count;
--                                 一般农户 and non-建档立卡 监测户 have no 脱贫状态)
--   monitored                     户类别 监测户 and its risk not eliminated (风险是否消除 否)
DROP TABLE IF EXISTS household_member_counts;
CREATE TABLE household_member_counts AS
SELECT household_id,
       count(*) FILTER (WHERE normal) AS member_count,
       count(*) FILTER (WHERE normal AND relation = '户主') AS head_count,
       any_value(id_number) FILTER (WHERE normal AND relation = '户主') AS any_head_id_number,
       any_value(CASE WHEN id_valid THEN id_birth END) FILTER (WHERE normal AND relation = '户主') AS any_head_birth,
       any_value(age) FILTER (WHERE normal AND relation = '户主') AS any_head_age,
       count(*) FILTER (WHERE normal AND is_dropout) AS dropout_count,
       count(*) FILTER (WHERE normal AND lacks_medical_insurance) AS uninsured_count,
       count(*) FILTER (WHERE normal AND health IN ('长期慢性病', '患有大病')) AS ill_count,
       count(*) FILTER (WHERE normal AND health = '残疾') AS disabled_count,
       count(*) FILTER (WHERE normal AND in_school) AS student_count,
       count(*) FILTER (WHERE normal AND able_bodied AND age BETWEEN 16 AND 60) AS labourer_count,
       count(*) FILTER (WHERE normal AND dibao) AS dibao_count,
       count(*) FILTER (WHERE normal AND tekun) AS tekun_count
FROM member_facts
GROUP BY household_id;

CREATE OR REPLACE VIEW household_facts AS
SELECT h.*,
       coalesce(c.member_count, 0) AS member_count,
       coalesce(c.head_count, 0) AS head_count,
       CASE WHEN c.head_count = 1 THEN c.any_head_id_number END AS head_member_id_number,
       CASE WHEN c.head_count = 1 THEN c.any_head_birth END AS head_birth,
       CASE WHEN c.head_count = 1 THEN c.any_head_age END AS head_age,
       coalesce(c.dropout_count, 0) AS dropout_count,
       coalesce(c.uninsured_count, 0) AS uninsured_count,
       coalesce(c.ill_count, 0) AS ill_count,
       coalesce(c.disabled_count, 0) AS disabled_count,
       coalesce(c.student_count, 0) AS student_count,
       coalesce(c.labourer_count, 0) AS labourer_count,
       coalesce(c.dibao_count, 0) AS dibao_count,
       coalesce(c.tekun_count, 0) AS tekun_count,
       h.wage_income + h.business_income + h.property_income + h.transfer_income - h.business_expense AS net_income,
       CASE WHEN coalesce(c.member_count, 0) > 0
            THEN (h.wage_income + h.business_income + h.property_income + h.transfer_income - h.business_expense)
                 / c.member_count END AS per_capita_income,
       coalesce(pl.line, nl.line) AS poverty_line,
       coalesce(h.status, '') <> '清退' AS active,
       coalesce(h.status, '') IN ('未脱贫', '已脱贫', '返贫') AS registered,
       coalesce(h.category, '') = '监测户' AND NOT coalesce(h.risk_eliminated, false) AS monitored
FROM households h
LEFT JOIN household_member_counts c ON c.household_id = h.code
LEFT JOIN poverty_lines pl ON pl.year = h.income_year AND pl.region = substr(h.code, 1, 2)
LEFT JOIN poverty_lines nl ON nl.year = h.income_year AND nl.region = 'CN';
