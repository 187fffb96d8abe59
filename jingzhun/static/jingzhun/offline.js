// The shared browser half of the field pages that work without signal (走访 in assistance/field.js, 入户调查
// in assessment's survey.js; the server half is jingzhun/offline.py): building nodes from data (textContent
// only, never HTML), ids made on the phone, a queue kept in IndexedDB (idb-keyval) until a sync takes it, the
// status line (#sync-state, #sync-message, #relogin), the page's JSON read and JSON/form posts with the CSRF
// token the JSON brings, and the start: the service worker, "立即同步" and the `online` event.
(function () {
  "use strict";
  if (!window.idbKeyval) {
    return;
  }
  const idb = window.idbKeyval;
  const SIGNED_OUT = "signed-out";
  const STATES = ["synced", "pending", "offline", "syncing", "relogin", "failed"];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") { node.className = v; } else if (k.startsWith("data-")) { node.setAttribute(k, v); } else { node[k] = v; }
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c))));
    return node;
  }

  function uuid() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  // A signed-out session answers with the sign-in page (a redirect to HTML), not with JSON.
  function signedOut(response) {
    const type = response.headers.get("Content-Type") || "";
    return response.redirected || response.status === 401 || !type.includes("json");
  }

  // The items kept under `key` in IndexedDB: read all, or change them in one step.
  function store(key) {
    return {
      all: async () => (await idb.get(key)) || [],
      change: async (fn) => { await idb.update(key, (items) => fn(items || [])); },
    };
  }

  // The status line; `words` holds a label for each of STATES.
  function status(words) {
    function set(state, message) {
      const node = document.getElementById("sync-state");
      node.textContent = words[state];
      node.dataset.state = state;
      document.getElementById("relogin").hidden = state !== "relogin";
      document.getElementById("sync-message").textContent = message || "";
    }
    return {
      set,
      // offline, or pending / synced by what still waits
      settle(waiting, message) {
        if (!navigator.onLine) { set("offline", message); } else { set(waiting ? "pending" : "synced", message); }
      },
      state: () => document.getElementById("sync-state").dataset.state,
    };
  }

  // The page's JSON (which brings the CSRF token) and posts with that token.
  function connection(dataUrl) {
    let csrf = "";
    return {
      async load() {
        let response;
        try {
          response = await fetch(dataUrl, {credentials: "same-origin", headers: {Accept: "application/json"}});
        } catch (error) {
          return null;
        }
        if (signedOut(response)) { return SIGNED_OUT; }
        if (!response.ok) { return null; }
        const data = await response.json();
        csrf = data.csrf;
        return data;
      },
      async post(url, body, json) {
        const headers = {"X-CSRFToken": csrf, Accept: "application/json"};
        if (json) { headers["Content-Type"] = "application/json"; }
        const response = await fetch(url, {method: "POST", credentials: "same-origin", headers,
                                           body: json ? JSON.stringify(body) : body});
        if (signedOut(response)) { return {signedOut: true}; }
        return {status: response.status, body: await response.json()};
      },
    };
  }

  // One sync at a time: read the page's data (a fresh CSRF token; signed out → "relogin"), send each step
  // (the queue, then e.g. photos) in order, read the data again, then render and say how it went. A step
  // answers "ok", SIGNED_OUT or a message for the person; `failed` is said when the network fails midway.
  // A sync asked for while one runs (a questionnaire saved during the page's first sync) runs right after
  // it, so what was queued meanwhile is not left waiting for the next "online" or 立即同步.
  function syncer({line, loadData, steps, render, settle, failed}) {
    let syncing = false;
    let again = false;
    return async function sync() {
      if (syncing) { again = true; return; }
      syncing = true;
      let message = "";
      try {
        if (!navigator.onLine) { return; }
        line.set("syncing");
        const fresh = await loadData();
        if (fresh === SIGNED_OUT) { line.set("relogin"); return; }
        if (!fresh) { message = failed; return; }
        for (const step of steps) {
          const result = await step();
          if (result === SIGNED_OUT) { line.set("relogin"); return; }
          if (result !== "ok") { message = result; }
        }
        await loadData();
      } catch (error) {
        message = failed;
      } finally {
        syncing = false;
        await render();
        if (line.state() !== "relogin") { await settle(message); }
        if (again) {
          again = false;
          await sync();
        }
      }
    };
  }

  // Sync on "立即同步" and when the network returns; say so when it goes; install the page's worker.
  function start({sync, settle, worker, scope}) {
    document.getElementById("sync-now").addEventListener("click", sync);
    window.addEventListener("online", sync);
    window.addEventListener("offline", () => settle());
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(worker, {scope}).catch(() => {});
    }
  }

  window.jingzhunOffline = {SIGNED_OUT, STATES, el, uuid, today, signedOut, store, status, connection, syncer, start};
}());
