"""The assistance module's pages, one module per area; `jingzhun.assistance.urls` routes to them."""
