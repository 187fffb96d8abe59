// 入户调查（手机）: the enumerator's survey page (考核评估). The team's cases and the questionnaire come from
// /assessment/field/data/ (through the service worker, which answers from its cache without signal); each
// filled questionnaire waits in IndexedDB with its start and end on the phone (paradata) until a sync takes
// it: on the `online` event, when the page opens and on "立即同步". Each carries a client_id made here, so one
// sent twice is stored once; one the server will not take comes back with its messages per question and
// stays on the phone to be corrected. The queue, the status line, the posts and the start are the shared
// offline layer (offline.js). Nothing here writes HTML from data (textContent only).
(function () {
  "use strict";
  const root = document.getElementById("survey");
  if (!root || !window.jingzhunOffline) {
    return;
  }
  const offline = window.jingzhunOffline;
  const {el, uuid, SIGNED_OUT} = offline;
  const urls = JSON.parse(document.getElementById("survey-urls").textContent);
  const words = JSON.parse(document.getElementById("survey-words").textContent);
  const store = offline.store("jingzhun-survey-queue");
  const line = offline.status(words);
  const server = offline.connection(urls.data);
  let data = null;
  let current = null;  // {case, started_at} of the questionnaire open

  async function settle(message) {
    line.settle((await store.all()).length, message);
  }

  async function loadData() {
    const fresh = await server.load();
    if (fresh && fresh !== SIGNED_OUT) { data = fresh; }
    return fresh;
  }

  function asked(item, frame) { return !item.frames.length || item.frames.includes(frame); }

  // --- the questionnaire as a form ------------------------------------------------------------------
  function options(select, pairs, value) {
    select.replaceChildren(el("option", {value: ""}, words.choose), ...pairs.map(([v, label]) => el("option", {value: v}, label)));
    select.value = value === undefined || value === null ? "" : String(value);
  }

  function question(item, value, error) {
    let input;
    if (item.kind === "int" || item.kind === "money") {
      input = el("input", {type: "number", name: item.key, min: "0", step: item.kind === "int" ? "1" : "0.01",
                           inputMode: item.kind === "int" ? "numeric" : "decimal"});
      input.value = value === undefined || value === null ? "" : String(value);
    } else if (item.kind === "bool") {
      input = el("select", {name: item.key});
      options(input, [["true", words.yes], ["false", words.no]], value);
    } else if (item.kind === "choice") {
      input = el("select", {name: item.key});
      options(input, item.choices, value);  // [stored value, label] pairs
    } else if (item.kind === "multi") {
      const chosen = Array.isArray(value) ? value : [];
      return el("fieldset", {class: "multi", "data-key": item.key}, el("legend", {}, item.label),
        item.choices.map(([v, label]) => el("label", {class: "check"},
          el("input", {type: "checkbox", name: item.key, value: v, checked: chosen.includes(v)}), ` ${label}`)),
        error ? el("p", {class: "late"}, error) : "");
    } else {
      input = el("textarea", {name: item.key, rows: 3, maxLength: 1000});
      input.value = value || "";
    }
    input.required = item.required;
    return el("label", {class: error ? "question invalid" : "question", "data-key": item.key},
      item.label, item.required ? el("em", {}, words.required) : "", input,
      error ? el("span", {class: "late"}, error) : "");
  }

  function collect(form, frame) {
    const answers = {};
    data.sections.forEach((s) => s.items.filter((i) => asked(i, frame)).forEach((item) => {
      if (item.kind === "multi") {
        const chosen = Array.from(form.querySelectorAll(`input[name="${item.key}"]:checked`), (b) => b.value);
        if (chosen.length) { answers[item.key] = chosen; }
        return;
      }
      const value = form.elements[item.key].value.trim();
      if (value === "") { return; }
      answers[item.key] = item.kind === "bool" ? value === "true" : value;
    }));
    return answers;
  }

  async function openCase(c) {
    const queued = (await store.all()).find((i) => i.case === c.id);
    // a questionnaire taken up again keeps its start; a returned one starts from what was sent before
    const answers = queued ? queued.answers : (c.answers || {});
    const errors = (queued && queued.errors) || {};
    current = {case: c, started_at: queued ? queued.started_at : new Date().toISOString()};
    const form = document.getElementById("survey-form");
    form.reset();
    form.querySelector("[data-slot=head]").textContent = c.head_name;
    form.querySelector("[data-slot=sub]").textContent = [c.frame_label, c.address, c.assessment].filter(Boolean).join(" · ");
    form.querySelector("[data-slot=problem]").textContent = queued && queued.error ? `${words.notAccepted}${queued.error}`
      : (c.rejection ? `${words.rejected}${c.rejection}` : "");
    form.querySelector("[data-slot=questions]").replaceChildren(...data.sections.map((s) => {
      const items = s.items.filter((i) => asked(i, c.frame));
      return items.length ? el("fieldset", {class: "section"}, el("legend", {}, s.title),
        items.map((i) => question(i, answers[i.key], errors[i.key]))) : "";
    }));
    document.getElementById("survey-dialog").showModal();
  }

  async function saveCase(event) {
    event.preventDefault();
    const c = current.case;
    const item = {client_id: uuid(), case: c.id, head_name: c.head_name, started_at: current.started_at,
                  ended_at: new Date().toISOString(), answers: collect(event.target, c.frame)};
    await store.change((items) => [...items.filter((i) => i.case !== c.id), item]);
    document.getElementById("survey-dialog").close();
    await render();
    await settle(words.saved);
    sync();
  }

  async function removeItem(clientId) {
    await store.change((items) => items.filter((i) => i.client_id !== clientId));
    await render();
    await settle();
  }

  // --- rendering -----------------------------------------------------------------------------------
  async function render() {
    const items = await store.all();
    const byCase = new Map(items.map((i) => [i.case, i]));
    document.getElementById("queue-count").textContent = String(items.length);
    if (!data) { return; }
    const box = document.getElementById("cases");
    const known = new Set(data.cases.map((c) => c.id));
    // questionnaires waiting whose case the server no longer lists for the team (sent from another phone)
    const strays = items.filter((i) => !known.has(i.case)).map((i) => el("article", {class: "field-card", id: `queued-${i.case}`},
      el("h3", {}, i.head_name), el("p", {class: i.error ? "late" : "help"}, i.error ? `${words.notAccepted}${i.error}` : words.queued),
      el("p", {class: "actions"}, el("button", {type: "button", class: "link", onclick: () => removeItem(i.client_id)}, words.remove))));
    if (!data.cases.length && !strays.length) {
      box.replaceChildren(el("p", {class: "empty"}, words.noCases));
      return;
    }
    box.replaceChildren(...strays, ...data.cases.map((c) => {
      const queued = byCase.get(c.id);
      const card = el("article", {class: `field-card${c.state === "rejected" ? " conflict" : ""}`, id: `case-${c.id}`,
                                  "data-state": queued ? (queued.error ? "invalid" : "queued") : c.state},
        el("h3", {}, `${c.head_name} `, el("small", {}, `${c.village} · ${c.frame_label}`)),
        el("p", {class: "help"}, [c.address, c.assessment, c.team].filter(Boolean).join(" · ")));
      if (c.rejection) { card.append(el("p", {class: "late rejection"}, `${words.rejected}${c.rejection}`)); }
      if (queued) {
        card.append(el("p", {class: queued.error ? "late" : "help"}, queued.error ? `${words.notAccepted}${queued.error}` : words.queued));
      }
      const label = queued ? words.edit : (c.state === "rejected" ? words.redo : words.start);
      card.append(el("p", {class: "actions"}, el("button", {type: "button", class: "primary", onclick: () => openCase(c)}, label)));
      return card;
    }));
  }

  // --- sync ----------------------------------------------------------------------------------------
  const strip = ({head_name, error, errors, ...rest}) => rest;

  async function sendQueue() {
    const sending = (await store.all()).filter((i) => !i.error);
    if (!sending.length) { return "ok"; }
    const answer = await server.post(urls.sync, {submissions: sending.map(strip)}, true);
    if (answer.signedOut) { return SIGNED_OUT; }
    if (answer.status !== 200) { return answer.body.error || words.failed; }
    const results = new Map(answer.body.results.map((r) => [r.client_id, r]));
    const done = (r) => r && (r.status === "stored" || r.status === "already");
    // stored ones leave the phone; refused ones stay with their messages until corrected or deleted
    await store.change((queued) => queued.filter((i) => !done(results.get(i.client_id))).map((i) => {
      const r = results.get(i.client_id);
      return r ? {...i, error: r.error || words.failed, errors: r.errors || {}} : i;
    }));
    const refused = answer.body.results.filter((r) => !done(r));
    return refused.length ? `${words.notAccepted}${refused.map((r) => r.error).join(words.sep)}` : "ok";
  }

  const sync = offline.syncer({line, loadData, steps: [sendQueue], render, settle, failed: words.failed});

  // --- start ---------------------------------------------------------------------------------------
  document.getElementById("survey-form").addEventListener("submit", saveCase);
  document.querySelectorAll("[data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));
  offline.start({sync, settle, worker: urls.worker, scope: urls.scope});
  (async () => {
    const loaded = await loadData();
    await render();
    if (loaded === SIGNED_OUT) { line.set("relogin"); return; }
    await settle();
    sync();
  })();
}());
