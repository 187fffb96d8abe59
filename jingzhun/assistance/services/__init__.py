"""The assistance module's writes, one module per area (measures, loans, people, visits, projects).

Callers import from the area's module (`from jingzhun.assistance.services.measures import measure_create`).
"""
