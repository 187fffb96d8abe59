"""部门预警: department alert files, matched to the registry, alert rules as data, hits that become leads."""
