"""Small typed readers of the environment that fail loudly on a bad value."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def jingzhun_home() -> Path:
    """$JINGZHUN_HOME: where the embedded database, uploads and the generated secret key live."""
    home = Path(os.environ.get("JINGZHUN_HOME") or Path.home() / ".local" / "share" / "jingzhun")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    # It holds the database, the secret key and uploads: only the owner may enter it, as for the key.
    if home.stat().st_uid == os.getuid() and home.stat().st_mode & 0o077:
        home.chmod(0o700)
    return home
