"""考核评估 writes, one module per area (plans, fieldwork, imports, findings, spot checks)."""
