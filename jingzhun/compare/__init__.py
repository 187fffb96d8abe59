"""一比对 / 大数据比对: other departments' datasets, matched against the registry, turned into problems."""
