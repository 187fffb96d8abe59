"""One lifecycle for every background run (checks, comparisons, imports, indicator refreshes).

The bottom layer beside `orgunits` and `accounts`: Django and the standard library only, never an app
above it. `models.Run` is the abstract model (status, progress, heartbeat, the worker that runs it),
`tasks.run_task` turns a function into the task of a run model (claim, heartbeat, failure),
`reaper` marks runs whose worker died as failed, `worker` is the background process (`jingzhun worker`)
and `supervisor` keeps it alive beside the web server (`jingzhun serve`).
"""
