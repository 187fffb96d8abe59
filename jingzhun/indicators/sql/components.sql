-- Additive components of the indicators, one row per village (DuckDB dialect).
-- Everything here is a count or a sum, so a township, county, city or province is the sum of its
-- villages; rates are formed only after summing (catalog.toml), never averaged.
-- The 建档立卡 figures count `registered` households and members (脱贫状态 未脱贫, 已脱贫 or 返贫), never
-- 一般农户 or non-建档立卡 监测户, which the registry holds too since template v2.
--
-- 帮扶 (measures, visits, 小额信贷) count the households that receive help: 脱贫户 and 监测户 not 清退 (and,
-- in a template-v1 registry without 户类别, every 建档立卡 household) — `helped` below. "This year" and
-- "this quarter" are those of params.as_of; nothing dated after as_of counts. Projects and funds are
-- registered per county and are counted in sql/projects.sql, not here.
--
-- 随机抽查 (spot checks) count the households drawn and verified this year (of params.as_of, up to it):
-- `spot_checked_hh` the distinct households of the base (`helped`) verified at least once, for the
-- spot-check rate; `spot_verified` and `spot_discrepant` the verifications (a household verified twice
-- counts twice) and those with at least one discrepancy, for the discrepancy rate.
WITH spotted AS (
    SELECT DISTINCT household_id FROM spot_items, params
    WHERE verified_on IS NOT NULL AND year(verified_on) = as_of_year AND verified_on <= as_of
), sp AS (
    SELECT substr(household_id, 1, 12) AS village, count(*) AS spot_verified,
           count(*) FILTER (WHERE discrepancies > 0) AS spot_discrepant
    FROM spot_items, params
    WHERE verified_on IS NOT NULL AND year(verified_on) = as_of_year AND verified_on <= as_of GROUP BY 1
), measured AS (
    SELECT DISTINCT household_id FROM measures, params WHERE year = as_of_year AND start <= as_of
), visited AS (
    SELECT household_id, count(*) AS visits_q
    FROM visits, params
    WHERE visited_on >= CAST(date_trunc('quarter', as_of) AS DATE) AND visited_on <= as_of GROUP BY 1
), borrowed AS (
    SELECT household_id,
           bool_or(year(disbursed_on) = as_of_year) AS this_year
    FROM loans, params WHERE disbursed_on <= as_of GROUP BY 1
), ha AS (
    SELECT substr(h.code, 1, 12) AS village,
           count(*) FILTER (WHERE helped) AS asst_base_hh,
           count(*) FILTER (WHERE helped AND m.household_id IS NOT NULL) AS asst_measured_hh,
           count(*) FILTER (WHERE active AND coalesce(cadre_name, '') <> '') AS visit_cadre_hh,
           coalesce(sum(v.visits_q) FILTER (WHERE active AND coalesce(cadre_name, '') <> ''), 0) AS visits_q,
           count(*) FILTER (WHERE active AND coalesce(cadre_name, '') <> '' AND v.visits_q > 0) AS visited_q_hh,
           count(*) FILTER (WHERE helped AND b.household_id IS NOT NULL) AS loan_hh,
           count(*) FILTER (WHERE helped AND b.this_year) AS loan_hh_year,
           count(*) FILTER (WHERE helped AND sc.household_id IS NOT NULL) AS spot_checked_hh
    FROM (SELECT *, active AND (category IN ('脱贫户', '监测户') OR registered) AS helped FROM household_facts) AS h
    LEFT JOIN spotted sc ON sc.household_id = h.code
    LEFT JOIN measured m ON m.household_id = h.code
    LEFT JOIN visited v ON v.household_id = h.code
    LEFT JOIN borrowed b ON b.household_id = h.code
    GROUP BY 1
), overdue AS (
    -- a loan is overdue when the bank says so (逾期, 不良) or an installment fell due unpaid before as_of
    SELECT DISTINCT i.loan_id FROM loan_installments i, params WHERE i.due_on < as_of AND i.paid_on IS NULL
), lo AS (
    SELECT substr(l.household_id, 1, 12) AS village,
           coalesce(sum(amount), 0) AS loan_amount,
           coalesce(sum(amount) FILTER (WHERE year(disbursed_on) = as_of_year), 0) AS loan_amount_year,
           coalesce(sum(balance) FILTER (WHERE status <> 'settled'), 0) AS loan_balance,
           count(*) FILTER (WHERE status IN ('overdue', 'npl') OR (status <> 'settled' AND o.loan_id IS NOT NULL))
               AS loan_overdue_n,
           coalesce(sum(balance) FILTER (WHERE status IN ('overdue', 'npl')
                                         OR (status <> 'settled' AND o.loan_id IS NOT NULL)), 0) AS loan_overdue_balance,
           count(*) FILTER (WHERE status = 'npl') AS loan_npl_n
    FROM loans l CROSS JOIN params LEFT JOIN overdue o ON o.loan_id = l.id
    WHERE disbursed_on <= as_of GROUP BY 1
), persons AS (
    -- persons helped this year: a measure for one member counts that member once; one for the whole
    -- household (no member) counts the household once
    SELECT substr(household_id, 1, 12) AS village,
           count(DISTINCT coalesce(CAST(member_id AS VARCHAR), household_id)) FILTER (WHERE type = 'public_post')
               AS public_post_persons,
           count(DISTINCT coalesce(CAST(member_id AS VARCHAR), household_id))
               FILTER (WHERE type = 'employment' AND coalesce(json_extract_string(details, '$.training'), '') <> '')
               AS employ_trained,
           count(DISTINCT coalesce(CAST(member_id AS VARCHAR), household_id))
               FILTER (WHERE type = 'employment' AND coalesce(json_extract_string(details, '$.job'), '') <> '')
               AS employ_employed
    FROM measures, params WHERE year = as_of_year AND start <= as_of GROUP BY 1
), hh AS (
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
       coalesce(culture_villages, 0) AS culture_villages,
       coalesce(asst_base_hh, 0) AS asst_base_hh, coalesce(asst_measured_hh, 0) AS asst_measured_hh,
       coalesce(visit_cadre_hh, 0) AS visit_cadre_hh, coalesce(visits_q, 0) AS visits_q,
       coalesce(visited_q_hh, 0) AS visited_q_hh, coalesce(loan_hh, 0) AS loan_hh,
       coalesce(loan_hh_year, 0) AS loan_hh_year, coalesce(loan_amount, 0) AS loan_amount,
       coalesce(loan_amount_year, 0) AS loan_amount_year, coalesce(loan_balance, 0) AS loan_balance,
       coalesce(loan_overdue_n, 0) AS loan_overdue_n, coalesce(loan_overdue_balance, 0) AS loan_overdue_balance,
       coalesce(loan_npl_n, 0) AS loan_npl_n, coalesce(public_post_persons, 0) AS public_post_persons,
       coalesce(employ_trained, 0) AS employ_trained, coalesce(employ_employed, 0) AS employ_employed,
       coalesce(spot_checked_hh, 0) AS spot_checked_hh, coalesce(spot_verified, 0) AS spot_verified,
       coalesce(spot_discrepant, 0) AS spot_discrepant
FROM hh
FULL OUTER JOIN pop ON pop.village = hh.village
FULL OUTER JOIN vil ON vil.village = coalesce(hh.village, pop.village)
LEFT JOIN ha ON ha.village = coalesce(hh.village, pop.village, vil.village)
LEFT JOIN lo ON lo.village = coalesce(hh.village, pop.village, vil.village)
LEFT JOIN persons ON persons.village = coalesce(hh.village, pop.village, vil.village)
LEFT JOIN sp ON sp.village = coalesce(hh.village, pop.village, vil.village)
