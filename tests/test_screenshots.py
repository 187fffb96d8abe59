"""scripts/screenshots.py, run as the integrator will: after `jingzhun demo --no-serve`, in a fresh home."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from jingzhun.accounts.models import Role

from .test_cli import _jingzhun

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_the_script_saves_every_demo_roles_landing_page(tmp_path):
    home = tmp_path / "home"
    demo = _jingzhun("demo", "--no-serve", "--households", "60", home=home)
    assert demo.returncode == 0, demo.stderr
    env = {**os.environ, "JINGZHUN_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("JINGZHUN_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = tmp_path / "shots"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(out)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(Role.values)
    assert all(_png_size(p) == (1366, 768) for p in out.glob("*.png"))
    # every role landed on its to-do page (no sign-in page, no error)
    assert [line.split()[1:3] for line in run.stdout.splitlines()] == [["200", "/todo/"]] * len(Role.values)
