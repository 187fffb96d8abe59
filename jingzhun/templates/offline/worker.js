{% autoescape off %}// A field page's service worker (jingzhun.offline.worker_response): the page opens without signal.
// Network first for the page, its JSON and its static files, the cache when the network fails; the
// static files and the page are cached at install so that the page opens offline after one visit.
// POSTs (sync, photos, choices) are never cached: the page keeps its queue in IndexedDB until they succeed.
"use strict";
const PREFIX = "jingzhun-{{ cache }}-";
const CACHE = `${PREFIX}v{{ version }}`;
const PAGE = "{{ page }}";
const DATA = "{{ data }}";
const PRECACHE = [PAGE, DATA{% for url in static %}, "{{ url }}"{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function cacheable(url) {
  return url.origin === self.location.origin && (url.pathname === PAGE || url.pathname === DATA || PRECACHE.includes(url.pathname));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) {
    return;
  }
  const key = url.pathname;  // the page and its JSON under one key each, whatever the query string
  event.respondWith(fetch(request).then((response) => {
    // A signed-out session answers with the sign-in page (redirected): that must not replace the
    // cached page or data, and the page itself tells the person to sign in again.
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
    }
    return response;
  }).catch(() => caches.open(CACHE).then((cache) => cache.match(key)).then((cached) => cached || Response.error())));
});
{% endautoescape %}
