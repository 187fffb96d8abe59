"""Survey statistics for 考核评估, engine-neutral: drawing samples (sampling) and design-based estimates
(estimate), on svy over Arrow/polars columns. No Django here."""
