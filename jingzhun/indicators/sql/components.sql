-- Additive components of the indicators, one row per village (DuckDB dialect).
-- Everything here is a count or a sum, so a township, county, city or province is the sum of its
-- villages; rates are formed only after summing (catalog.toml), never averaged.
-- The 建档立卡 figures count `registered` households and members (脱贫状态 未脱贫, 已脱贫 or 返贫), never
-- 一般农户 or non-建档立卡 监测户, which the registry holds too since template v2.
WITH hh AS (
    SELECT substr(code, 1, 12) AS village,
           count(*) FILTER (WHERE registered) AS hh_reg,
           count(*) FILTER (WHERE status IN ('未脱贫', '返贫')) AS hh_poor,
           count(*) FILTER (WHERE status = '已脱贫') AS hh_exited,
           count(*) FILTER (WHERE status = '返贫') AS hh_returned,
           count(*) FILTER (WHERE status = '清退') AS hh_removed,
           count(*) FILTER (WHERE registered AND housing_grade IN ('C', 'D')) AS unsafe_housing_hh,
           count(*) FILTER (WHERE registered AND safe_water = false) AS unsafe_water_hh,
           count(*) FILTER (WHERE status IN ('未脱贫', '返贫') AND coalesce(cadre_name, '') <> '') AS hh_poor_helped,
           coalesce(sum(net_income) FILTER (WHERE registered), 0) AS net_income_reg,
           -- 防止返贫监测: every 监测户 (whether or not 建档立卡), by class, and those whose risk is eliminated
           count(*) FILTER (WHERE category = '监测户') AS mon_hh,
           coalesce(sum(member_count) FILTER (WHERE category = '监测户'), 0) AS mon_pop,
           count(*) FILTER (WHERE category = '监测户' AND monitoring_class = '脱贫不稳定户') AS mon_unstable_hh,
           count(*) FILTER (WHERE category = '监测户' AND monitoring_class = '边缘易致贫户') AS mon_edge_hh,
           count(*) FILTER (WHERE category = '监测户' AND monitoring_class = '突发严重困难户') AS mon_sudden_hh,
           count(*) FILTER (WHERE category = '监测户' AND risk_eliminated) AS mon_eliminated_hh
    FROM household_facts GROUP BY 1
), pop AS (
    SELECT substr(household_id, 1, 12) AS village,
           count(*) FILTER (WHERE registered) AS pop_reg,
           count(*) FILTER (WHERE normal AND household_status IN ('未脱贫', '返贫')) AS pop_poor,
           count(*) FILTER (WHERE normal AND household_status = '已脱贫') AS pop_exited,
           count(*) FILTER (WHERE normal AND household_status = '返贫') AS pop_returned,
           count(*) FILTER (WHERE normal AND household_status = '清退') AS pop_removed,
           count(*) FILTER (WHERE registered AND (medical_insurance = true OR active_soldier = true)) AS med_insured,
           count(*) FILTER (WHERE registered AND age >= 16 AND NOT in_school) AS pension_base,
           count(*) FILTER (WHERE registered AND age >= 16 AND NOT in_school AND pension_insurance = true) AS pension_insured,
           count(*) FILTER (WHERE registered AND is_dropout) AS dropouts
    FROM member_facts GROUP BY 1
), vil AS (
    SELECT village_id AS village,
           1 AS villages,
           coalesce(registered_population, 0) AS rural_pop,
           CASE WHEN is_poor_village THEN 1 ELSE 0 END AS poor_villages,
           CASE WHEN is_poor_village AND exit_year IS NOT NULL THEN 1 ELSE 0 END AS poor_villages_exited,
           CASE WHEN paved_road THEN 1 ELSE 0 END AS road_villages,
           CASE WHEN bus_service THEN 1 ELSE 0 END AS bus_villages,
           CASE WHEN broadband THEN 1 ELSE 0 END AS broadband_villages,
           CASE WHEN clinic_up_to_standard THEN 1 ELSE 0 END AS clinic_villages,
           CASE WHEN cultural_venue THEN 1 ELSE 0 END AS culture_villages
    FROM villages
)
SELECT coalesce(hh.village, pop.village, vil.village) AS village,
       coalesce(hh_reg, 0) AS hh_reg, coalesce(hh_poor, 0) AS hh_poor, coalesce(hh_exited, 0) AS hh_exited,
       coalesce(hh_returned, 0) AS hh_returned, coalesce(hh_removed, 0) AS hh_removed,
       coalesce(unsafe_housing_hh, 0) AS unsafe_housing_hh, coalesce(unsafe_water_hh, 0) AS unsafe_water_hh,
       coalesce(hh_poor_helped, 0) AS hh_poor_helped, coalesce(net_income_reg, 0) AS net_income_reg,
       coalesce(mon_hh, 0) AS mon_hh, coalesce(mon_pop, 0) AS mon_pop, coalesce(mon_unstable_hh, 0) AS mon_unstable_hh,
       coalesce(mon_edge_hh, 0) AS mon_edge_hh, coalesce(mon_sudden_hh, 0) AS mon_sudden_hh,
       coalesce(mon_eliminated_hh, 0) AS mon_eliminated_hh,
       coalesce(pop_reg, 0) AS pop_reg, coalesce(pop_poor, 0) AS pop_poor, coalesce(pop_exited, 0) AS pop_exited,
       coalesce(pop_returned, 0) AS pop_returned, coalesce(pop_removed, 0) AS pop_removed,
       coalesce(med_insured, 0) AS med_insured, coalesce(pension_base, 0) AS pension_base,
       coalesce(pension_insured, 0) AS pension_insured, coalesce(dropouts, 0) AS dropouts,
       coalesce(villages, 0) AS villages, coalesce(rural_pop, 0) AS rural_pop,
       coalesce(poor_villages, 0) AS poor_villages, coalesce(poor_villages_exited, 0) AS poor_villages_exited,
       coalesce(road_villages, 0) AS road_villages, coalesce(bus_villages, 0) AS bus_villages,
       coalesce(broadband_villages, 0) AS broadband_villages, coalesce(clinic_villages, 0) AS clinic_villages,
       coalesce(culture_villages, 0) AS culture_villages
FROM hh
FULL OUTER JOIN pop ON pop.village = hh.village
FULL OUTER JOIN vil ON vil.village = coalesce(hh.village, pop.village)
