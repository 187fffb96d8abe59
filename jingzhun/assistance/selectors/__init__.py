"""The assistance module's scoped reads, one module per area; every one goes through `orgunits.access`."""
