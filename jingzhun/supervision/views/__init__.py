"""Pages of 督查督办: the ledger and its items, batches and their progress, key tasks and projects, 考评."""
