"""Screenshots of every demo role's landing page (待办) at 1366×768, for docs/ and the README.

    jingzhun demo --no-serve                 # the demo county and one user per role
    python scripts/screenshots.py            # → docs/screenshots/<role>.png, one per role
    python scripts/screenshots.py --lang en --out /tmp/shots

It uses the database of $JINGZHUN_HOME (or $JINGZHUN_DATABASE_URL), as `jingzhun demo` left it, serves the
site from this process (waitress on a free port of 127.0.0.1) and drives Chromium through Playwright
(/usr/bin/chromium, or --chromium). Each demo user is signed in with a session made the way a sign-in
makes it (Django's force_login, which the audit log records as a sign-in): no password is read, changed or
printed, so the credentials `jingzhun demo` printed stay valid.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--chromium", default=os.environ.get("JINGZHUN_CHROMIUM", "/usr/bin/chromium"))
    p.add_argument("--lang", default="zh-hans", help="zh-hans (default) or en")
    p.add_argument("--width", type=int, default=1366)
    p.add_argument("--height", type=int, default=768)
    p.add_argument("--path", default="/", help="the page to shoot (default: where a sign-in lands)")
    return p.parse_args(argv)


def _serve():
    """The site on a free port of 127.0.0.1, in a thread of this process; returns (server, base URL)."""
    from waitress.server import create_server

    from config.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def _sessions() -> list[tuple[str, str]]:
    """(role, session key) of each demo user that exists, in the order `jingzhun demo` lists them."""
    from django.test import Client

    from jingzhun.accounts.models import User
    from jingzhun.synth.demo import DEMO_USERS

    sessions = []
    seen = set()
    for username, role, _unit in DEMO_USERS:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or role in seen:  # one picture per role: the first demo user of it
            continue
        seen.add(role)
        client = Client()
        client.force_login(user)
        sessions.append((str(role), client.cookies["sessionid"].value))
    return sessions


def main(argv=None) -> int:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings

    if not Path(args.chromium).exists():
        print(f"没有找到 Chromium：{args.chromium}（Debian: apt-get install chromium）", file=sys.stderr)
        return 2
    sessions = _sessions()
    if not sessions:
        print("没有演示账号：请先运行 jingzhun demo --no-serve", file=sys.stderr)
        return 2
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    server, base = _serve()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            for role, key in sessions:
                context = browser.new_context(viewport={"width": args.width, "height": args.height})
                context.add_cookies([
                    {"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base},
                    {"name": settings.LANGUAGE_COOKIE_NAME, "value": args.lang, "url": base}])
                page = context.new_page()
                response = page.goto(base + args.path)
                page.wait_for_load_state("networkidle")
                target = args.out / f"{role}.png"
                page.screenshot(path=str(target))
                print(f"{role:<18} {response.status} {page.url.removeprefix(base)} → {target}")
                context.close()
            browser.close()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
