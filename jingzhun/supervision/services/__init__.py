"""Writes of 督查督办: ledger items through their flow (items), batches and their import, gathering data
problems into items, key tasks and projects, and 考评."""
