"""Kill -9 a 1M-member import in its write stage; the database must be exactly as before.

    python bench/import_kill.py sqlite [SECONDS]       # SECONDS after the member table starts (default 1)
    python bench/import_kill.py postgresql [SECONDS]   # uses postgres://postgres@127.0.0.1:5432/bench_import_kill

Sets up a registry (migrate, Shanxi 1411 division units, a 3,000-household synthetic import), takes a
SHA-256 over every row of every table, runs `jingzhun import` on the bench's cached csv-1m folder (run
import_registry.py first), kills it with SIGKILL once it reports writing 家庭成员 (plus SECONDS), and
takes the checksum again. Prints SAME or DIFFERENT.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/tmp/jz-bench-data/141130-h340000-s1-csv/files")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_import_kill"

SETUP = """
import django; django.setup()
from pathlib import Path
from django.core.management import call_command
from jingzhun.exchange.importer import registry_import
from jingzhun.orgunits.services import divisions_load
from jingzhun.synth import generate, write
call_command("migrate", verbosity=0)
divisions_load(prefix="1411")
write(generate(county="141130", households=3000, seed=2), Path(sys.argv[1]), fmt="csv")
assert registry_import(paths=[Path(sys.argv[1])]).ok
"""

STATE = """
import django, hashlib; django.setup()
from django.db import connection
digest, counts = hashlib.sha256(), {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = sorted(map(repr, cursor.fetchall()))
        counts[table] = len(rows)
        digest.update(table.encode())
        for row in rows:
            digest.update(row.encode())
print({k: v for k, v in counts.items() if k.startswith(("registry_", "accounts_audit"))}, digest.hexdigest())
"""

IMPORT = "import sys; from jingzhun.cli import main; sys.exit(main(['import', sys.argv[1]]))"


def main() -> None:
    engine, delay = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    home = Path(f"/tmp/jz-bench-kill-{engine}")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = dict(os.environ, JINGZHUN_HOME=str(home), DJANGO_SETTINGS_MODULE="config.settings.base",
               PYTHONPATH=str(ROOT))
    env.pop("JINGZHUN_DATABASE_URL", None)
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "bench_import_kill" WITH (FORCE)')
            conn.execute('CREATE DATABASE "bench_import_kill"')
        env["JINGZHUN_DATABASE_URL"] = PG_URL

    def run(code: str, *args: str) -> str:
        return subprocess.run([sys.executable, "-c", "import sys; " + code, *args], env=env, check=True,
                              capture_output=True, text=True, cwd=ROOT).stdout

    start = time.time()
    run(SETUP, str(home / "base"))
    print(f"setup {time.time() - start:.0f} s", flush=True)
    before = run(STATE)
    print("before:", before, flush=True)
    proc = subprocess.Popen([sys.executable, "-c", IMPORT, str(DATA)], env=env, cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    for line in proc.stderr:
        print("  stderr:", line.rstrip(), flush=True)
        if "家庭成员" in line:
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            print("  killed", flush=True)
            break
    proc.wait()
    after = run(STATE)
    print("after: ", after, flush=True)
    print("SAME" if after == before else "DIFFERENT")


if __name__ == "__main__":
    main()
