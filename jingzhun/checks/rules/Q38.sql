-- code: Q38
-- name: 户类别与建档立卡信息不符
-- level: household
-- category: 监测
-- severity: 错误
-- fix: 核对户类别：建档立卡户（脱贫户、脱贫不稳定户）须有脱贫状态和识别年度；一般农户、边缘易致贫户不是建档立卡户，不填脱贫状态。
-- A 脱贫户 or 脱贫不稳定户 (建档立卡 by definition) without 脱贫状态 or 识别年度; or a 一般农户 or 边缘易致贫户
-- (never 建档立卡) with a 脱贫状态. A 突发严重困难户 may be either and is not checked.
SELECT code AS household, NULL AS person,
       CASE WHEN category = '一般农户' OR monitoring_class = '边缘易致贫户'
                THEN '户类别为' || CASE WHEN category = '一般农户' THEN '一般农户' ELSE '边缘易致贫户' END
                     || '，但填有脱贫状态“' || status || '”'
            ELSE '户类别为' || CASE WHEN category = '脱贫户' THEN '脱贫户' ELSE '脱贫不稳定户' END
                 || '，' || concat_ws('、', CASE WHEN coalesce(status, '') = '' THEN '脱贫状态' END,
                                          CASE WHEN identified_year IS NULL THEN '识别年度' END) || '未填写' END
           AS message
FROM household_facts
WHERE active AND (
       ((category = '脱贫户' OR (category = '监测户' AND monitoring_class = '脱贫不稳定户'))
        AND (coalesce(status, '') = '' OR identified_year IS NULL))
    OR ((category = '一般农户' OR (category = '监测户' AND monitoring_class = '边缘易致贫户'))
        AND coalesce(status, '') <> ''))
