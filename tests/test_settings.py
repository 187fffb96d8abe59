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
