"""Production settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "JINGZHUN_HOME": str(tmp_path),
           "JINGZHUN_SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a3210ZYXWVUTSRQPONMLKJIHGFEDCBA-_",
           "JINGZHUN_ALLOWED_HOSTS": "jingzhun.example.org"}
    env.pop("JINGZHUN_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "JINGZHUN_HOME": str(tmp_path),
           "JINGZHUN_ALLOWED_HOSTS": "jingzhun.example.org"}
    env.pop("JINGZHUN_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert result.returncode != 0 and "JINGZHUN_SECRET_KEY" in result.stderr


def test_embedded_database_secret_key_and_home_are_private(tmp_path):
    """The SQLite file (and its -wal) is 0600 and JINGZHUN_HOME 0700, whatever the umask (issue 12 item 8)."""
    home = tmp_path / "home"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "JINGZHUN_HOME": str(home)}
    for name in ("JINGZHUN_DATABASE_URL", "JINGZHUN_SECRET_KEY"):
        env.pop(name, None)
    script = ("import os; os.umask(0o022); import django; django.setup(); from django.db import connection;"
              "c = connection.cursor(); c.execute('CREATE TABLE t (x int)'); c.execute('INSERT INTO t VALUES (1)');"
              "print(sorted(os.listdir(os.environ['JINGZHUN_HOME'])))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert home.stat().st_mode & 0o777 == 0o700
    database = home / "jingzhun.sqlite3"
    for path in (database, home / "secret_key", home / "jingzhun.sqlite3-wal"):
        if path.exists() or path == database:
            assert path.stat().st_mode & 0o777 == 0o600, path


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "jingzhun.sqlite3").touch(mode=0o644)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "JINGZHUN_HOME": str(home)}
    env.pop("JINGZHUN_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (home / "jingzhun.sqlite3").stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
