"""Pages that work on a phone without signal: the service worker and the web manifest they share.

A field page (走访 in assistance, 入户调查 in assessment) is one shell that reads its records from a JSON
URL and keeps what is recorded in IndexedDB until a sync takes it (`static/jingzhun/offline.js` holds the
browser half: the queue, the status line, the JSON posts). Its service worker is the one template
`offline/worker.js`, served from the page's own folder so that its scope covers the page, with the page's
own cache name: two field pages never drop each other's cache. This module imports nothing of jingzhun.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static

#: Static files every field page needs offline (the page adds its own script).
SHARED_STATIC = ("jingzhun/app.css", "jingzhun/app.js", "vendor/htmx.min.js", "vendor/idb-keyval.js",
                 "jingzhun/offline.js")


def worker_response(request, *, cache: str, version: str, page: str, data: str,
                    static_files: Sequence[str]) -> HttpResponse:
    """The page's service worker: network first for the page, its JSON and its static files, the cache
    when the network fails. `cache` names the page's caches (``jingzhun-<cache>-v<version>``); bump
    `version` when the caching changes, and the browser installs the new worker and drops the old cache."""
    response = render(request, "offline/worker.js", {
        "cache": cache, "version": version, "page": page, "data": data,
        "static": [static(name) for name in (*SHARED_STATIC, *static_files)]},
        content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = page
    return response


def manifest_response(*, name: str, short_name: str, page: str, theme: str = "#b71c1c") -> HttpResponse:
    """The web manifest: the page installs as an app that opens on itself. Served without sign-in (browsers
    fetch a manifest without cookies) and naming no one."""
    manifest = {"name": name, "short_name": short_name, "start_url": page, "scope": page, "display": "standalone",
                "lang": "zh-CN", "background_color": "#ffffff", "theme_color": theme, "icons": []}
    return HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")
