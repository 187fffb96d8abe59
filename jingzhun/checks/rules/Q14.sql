-- code: Q14
-- name: 姓名含非法字符
-- level: member
-- category: 身份信息
-- severity: 错误
-- fix: 按户口簿改正姓名：只用汉字，少数民族姓名的分隔符用“·”，去掉空格、字母、数字和其他符号。
-- Allowed are CJK unified ideographs (U+4E00–9FFF, extension A U+3400–4DBF and extensions B and later
-- U+20000–323AF, so rare characters 生僻字 pass) and the separator · (U+00B7, as in 阿依古丽·买买提).
-- Fewer than 2 characters (a blank name included) is reported too.
SELECT household_id AS household, id_number AS person,
       '姓名“' || coalesce(name, '') || '”'
       || CASE WHEN length(coalesce(name, '')) < 2 THEN '不足 2 个字' ELSE '含有汉字和“·”以外的字符' END AS message
FROM member_facts
WHERE active AND (
       length(coalesce(name, '')) < 2
    OR NOT regexp_full_match(name, '[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{20000}-\x{323AF}·]+'))
