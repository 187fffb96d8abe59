"""Running a benchmark case in a child process of its own (a fresh peak RSS per case) on the embedded database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: the line a child prints its result on, as JSON after the tag
TAG = "BENCH-RESULT "


def child_env(home: Path, database_url: str | None = None) -> dict:
    """The child's environment: its own JINGZHUN_HOME, base settings, the embedded database (or the
    database at `database_url`)."""
    env = dict(os.environ, JINGZHUN_HOME=str(home), DJANGO_SETTINGS_MODULE="config.settings.base",
               PYTHONUNBUFFERED="1")
    env.pop("JINGZHUN_DATABASE_URL", None)
    if database_url:
        env["JINGZHUN_DATABASE_URL"] = database_url
    return env


def run_child(script: str, home: Path, spec: dict, *, require_result: bool = True,
              database_url: str | None = None) -> dict:
    """`script --child SPEC` in a child process; its output is echoed indented, its result line returned."""
    proc = subprocess.run([sys.executable, script, "--child", json.dumps(spec)], env=child_env(home, database_url),
                          stdout=subprocess.PIPE, text=True, check=False)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(TAG):
            result = json.loads(line[len(TAG):])
        else:
            print("  " + line, flush=True)
    if proc.returncode or (require_result and result is None):
        sys.exit(f"child failed ({spec}): exit code {proc.returncode}")
    return result or {}
