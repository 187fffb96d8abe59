"""督查督办: the rectification ledger (整改台账 → 销号清零), key tasks and projects, and 考评."""
