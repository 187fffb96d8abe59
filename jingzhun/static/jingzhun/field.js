// 走访（手机）: the field page. Households come from /assistance/field/data/ (through the service worker, which
// answers from its cache without signal); visits and edits wait in IndexedDB (idb-keyval) until a sync
// takes them: on the `online` event, when the page opens and on "立即同步". Each item carries a client_id
// made here, so an item sent twice is stored once. Nothing here writes HTML from data (textContent only).
// The queue, the status line, the JSON posts and the start are the shared offline layer (offline.js).
(function () {
  "use strict";
  const root = document.getElementById("field");
  if (!root || !window.jingzhunOffline) {
    return;
  }
  const offline = window.jingzhunOffline;
  const {el, uuid, today, SIGNED_OUT} = offline;
  const urls = JSON.parse(document.getElementById("field-urls").textContent);
  const words = JSON.parse(document.getElementById("field-words").textContent);
  const store = offline.store("jingzhun-field-queue");
  const line = offline.status(words);
  const server = offline.connection(urls.data);
  let data = null;
  let current = null;  // the household a dialog is open for

  // --- small helpers -----------------------------------------------------------------------------
  function shown(value) {
    if (value === true) { return words.yes; }
    if (value === false) { return words.no; }
    return value === null || value === undefined || value === "" ? words.empty : String(value);
  }
  const queue = store.all;
  const changeQueue = store.change;

  // --- status ----------------------------------------------------------------------------------------
  const setState = line.set;
  async function settle(message) {
    line.settle((await queue()).length, message);
  }

  // --- data ----------------------------------------------------------------------------------------
  async function loadData() {
    const fresh = await server.load();
    if (fresh && fresh !== SIGNED_OUT) { data = fresh; }
    return fresh;
  }

  // The values a new edit starts from: the server's as last read, with the edits still queued on top.
  function effective(household, items) {
    const values = {household: {...household.values}, members: {}};
    household.members.forEach((m) => { values.members[m.id] = {...m.values}; });
    items.filter((i) => i.kind === "edit" && i.household === household.code && !i.error).forEach((i) => {
      Object.assign(i.member ? values.members[i.member] || {} : values.household, i.values);
    });
    return values;
  }

  // --- rendering -----------------------------------------------------------------------------------
  function labels(item) {
    const names = (data && data.vocabulary[item.member ? "member" : "household"]) || {};
    return Object.keys(item.values).map((k) => names[k] || k);
  }

  let previews = [];
  async function render() {
    const items = await queue();
    previews.forEach((url) => URL.revokeObjectURL(url));
    previews = [];
    document.getElementById("queue-count").textContent = String(items.length);
    const list = document.getElementById("queue-list");
    list.replaceChildren(...items.map((item) => {
      const li = el("li", {class: item.error ? "rejected" : ""},
        `${item.kind === "visit" ? words.queuedVisit : words.queuedEdit} · ${item.head_name || item.household}`
        + (item.kind === "visit" ? ` · ${item.visited_on}` : ` · ${labels(item).join(words.sep)}`));
      if (item.kind === "visit" && item.photos.length) {  // the photos waiting on the phone (img-src blob:)
        li.append(el("span", {class: "thumbs"}, item.photos.map((p) => {
          const url = URL.createObjectURL(p.blob);
          previews.push(url);
          return el("img", {src: url, alt: words.photo, class: "thumb"});
        })));
      }
      if (item.error) {
        li.append(el("span", {class: "late"}, ` ${words.rejected}${item.error} `),
                  el("button", {type: "button", class: "link", onclick: () => removeItem(item.client_id)}, words.remove));
      }
      return li;
    }));
    document.getElementById("queue").hidden = !items.length;
    renderConflicts();
    if (!data) { return; }
    const box = document.getElementById("households");
    if (!data.households.length) {
      box.replaceChildren(el("p", {class: "empty"}, words.noHouseholds));
      return;
    }
    box.replaceChildren(...data.households.map((h) => {
      const card = el("article", {class: "field-card", id: `household-${h.code}`},
        el("h3", {}, `${h.head_name} `, el("small", {}, `${h.village} · ${h.code}`)),
        el("p", {class: "help"}, [h.category, h.phone, `${words.lastVisit}${h.last_visit || words.never}`].filter(Boolean).join(" · ")),
        el("ul", {class: "due"}, h.due.length ? h.due.map((d) => el("li", {}, d)) : [el("li", {class: "none"}, words.noDue)]));
      const buttons = el("p", {class: "actions"},
        el("button", {type: "button", class: "primary", onclick: () => openVisit(h)}, words.visit));
      if (root.dataset.canEdit === "1") {
        buttons.append(" ", el("button", {type: "button", onclick: () => openEdit(h)}, words.edit));
      }
      card.append(buttons);
      return card;
    }));
  }

  function renderConflicts() {
    const conflicts = (data && data.conflicts) || [];
    document.getElementById("conflicts").hidden = !conflicts.length;
    document.getElementById("conflict-list").replaceChildren(...conflicts.map((c) => el("article", {class: "field-card conflict", id: `conflict-${c.id}`},
      el("h3", {}, c.head_name + (c.member ? ` · ${c.member}` : "")),
      el("table", {class: "grid"},
        el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, words.serverValue), el("th", {}, words.phoneValue))),
        el("tbody", {}, c.fields.map((f) => el("tr", {}, el("th", {}, f.label), el("td", {class: "server"}, shown(f.server)),
                                                el("td", {class: "phone"}, shown(f.phone)))))),
      el("p", {class: "help"}, words.changedBy.replace("{by}", c.changed_by).replace("{at}", c.changed_at)),
      el("p", {class: "actions"},
        el("button", {type: "button", onclick: () => resolve(c, "server")}, words.keepServer), " ",
        el("button", {type: "button", class: "primary", onclick: () => resolve(c, "phone")}, words.takePhone)))));
  }

  // --- recording -----------------------------------------------------------------------------------
  function openDialog(id, household) {
    current = household;
    const dialog = document.getElementById(id);
    dialog.querySelector("[data-slot=head]").textContent = household.head_name;
    dialog.showModal();
    return dialog;
  }

  function openVisit(household) {
    const form = document.getElementById("visit-form");
    form.reset();
    form.elements.visited_on.value = today();
    form.elements.visited_on.max = today();
    openDialog("visit-dialog", household);
  }

  // A phone photo shrunk to at most 1600 px on its longer side, as JPEG: a village's mobile data is slow.
  async function resized(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.85));
  }

  function position() {
    return new Promise((ok) => {
      if (!navigator.geolocation) { ok(null); return; }
      navigator.geolocation.getCurrentPosition((p) => ok(p.coords), () => ok(null), {timeout: 15000, maximumAge: 60000});
    });
  }

  async function saveVisit(event) {
    event.preventDefault();
    const form = event.target;
    const household = current;
    const f = form.elements;
    const photos = [];
    let message = words.saved;
    for (const file of f.photos.files) {
      try {
        photos.push({id: uuid(), blob: await resized(file)});
      } catch (error) {
        message = `${words.photoFailed}${file.name}`;
      }
    }
    let coords = null;
    if (f.locate.checked) {  // the location only when the cadre ticked 记录位置, for this visit alone
      coords = await position();
      if (!coords) { message = words.noLocation; }
    }
    const item = {kind: "visit", client_id: uuid(), household: household.code, head_name: household.head_name,
                  visited_on: f.visited_on.value, met: f.met.value, situation: f.situation.value, needs: f.needs.value,
                  done: f.done.value, latitude: coords ? coords.latitude.toFixed(6) : null,
                  longitude: coords ? coords.longitude.toFixed(6) : null, recorded_at: new Date().toISOString(), photos};
    await changeQueue((items) => [...items, item]);
    document.getElementById("visit-dialog").close();
    await render();
    await settle(message);
    sync();
  }

  function choiceOptions(select, name, value) {
    const choices = (data.vocabulary[name] || []);
    select.replaceChildren(el("option", {value: ""}, words.empty), ...choices.map(([v, label]) => el("option", {value: v}, label)));
    select.value = value || "";
  }

  async function openEdit(household) {
    const items = await queue();
    const values = effective(household, items);
    const form = document.getElementById("edit-form");
    const f = form.elements;
    f.income_12m.value = values.household.income_12m || "";
    f.income_12m_verified_on.value = values.household.income_12m_verified_on || "";
    f.income_12m_verified_on.max = today();
    f.safe_water.value = String(values.household.safe_water);
    choiceOptions(f.housing_grade, "housing_grade", values.household.housing_grade);
    const slot = form.querySelector("[data-slot=members]");
    slot.replaceChildren(...household.members.map((m) => {
      const school = el("select", {name: `schooling-${m.id}`});
      choiceOptions(school, "schooling", values.members[m.id].schooling);
      const insured = el("select", {name: `medical_insurance-${m.id}`},
        el("option", {value: "true"}, words.yes), el("option", {value: "false"}, words.no));
      insured.value = String(values.members[m.id].medical_insurance);
      return el("div", {class: "member"}, el("h4", {}, `${m.name} · ${m.relation}`),
        el("label", {}, `${data.vocabulary.member.schooling} `, school),
        el("label", {}, `${data.vocabulary.member.medical_insurance} `, insured));
    }));
    form.dataset.household = household.code;
    openDialog("edit-dialog", household);
  }

  function money(text) { return text === "" ? null : Number(text).toFixed(2); }

  async function saveEdit(event) {
    event.preventDefault();
    const household = current;
    const f = event.target.elements;
    const items = await queue();
    const was = effective(household, items);
    const edits = [];
    const wanted = {income_12m: money(f.income_12m.value), income_12m_verified_on: f.income_12m_verified_on.value || null,
                    safe_water: f.safe_water.value === "true", housing_grade: f.housing_grade.value};
    // A new income is verified today unless the cadre gave the date of its verification.
    if (wanted.income_12m !== money(String(was.household.income_12m ?? ""))
        && wanted.income_12m_verified_on === (was.household.income_12m_verified_on || null)) {
      wanted.income_12m_verified_on = today();
    }
    const diff = (before, after, same) => Object.keys(after).filter((k) => !same(k, before[k], after[k]));
    const sameHousehold = (k, a, b) => (k === "income_12m" ? money(String(a ?? "")) === b : (a ?? "") === (b ?? ""));
    const changed = diff(was.household, wanted, sameHousehold);
    const stamp = new Date().toISOString();
    // One item per answer (the income with its date): a change made meanwhile on the server to one answer
    // holds back only that answer, never the others.
    const groups = [];
    const income = changed.filter((k) => k.startsWith("income_12m"));
    if (income.length) { groups.push(income); }
    changed.filter((k) => !k.startsWith("income_12m")).forEach((k) => groups.push([k]));
    groups.forEach((keys) => {
      edits.push({kind: "edit", client_id: uuid(), household: household.code, head_name: household.head_name, member: null,
                  base: Object.fromEntries(keys.map((k) => [k, was.household[k] ?? null])),
                  values: Object.fromEntries(keys.map((k) => [k, wanted[k]])), recorded_at: stamp});
    });
    household.members.forEach((m) => {
      const after = {schooling: f[`schooling-${m.id}`].value, medical_insurance: f[`medical_insurance-${m.id}`].value === "true"};
      const keys = diff(was.members[m.id], after, (k, a, b) => (a ?? "") === (b ?? ""));
      if (keys.length) {
        edits.push({kind: "edit", client_id: uuid(), household: household.code, head_name: `${household.head_name} · ${m.name}`,
                    member: m.id, base: Object.fromEntries(keys.map((k) => [k, was.members[m.id][k]])),
                    values: Object.fromEntries(keys.map((k) => [k, after[k]])), recorded_at: stamp});
      }
    });
    if (edits.length) { await changeQueue((queued) => [...queued, ...edits]); }
    document.getElementById("edit-dialog").close();
    if (!edits.length) { await settle(words.nothingChanged); return; }
    await render();
    await settle(words.saved);
    sync();
  }

  async function removeItem(clientId) {
    await changeQueue((items) => items.filter((i) => i.client_id !== clientId));
    await render();
    await settle();
  }

  // --- sync ----------------------------------------------------------------------------------------
  const post = server.post;

  const strip = ({photos, head_name, error, stored, kind, ...rest}) => rest;

  async function sendQueue() {
    const items = (await queue()).filter((i) => !i.error);
    const visits = items.filter((i) => i.kind === "visit" && !i.stored).map(strip);
    const edits = items.filter((i) => i.kind === "edit").map(strip);
    if (!visits.length && !edits.length) { return "ok"; }
    const answer = await post(urls.sync, {visits, edits}, true);
    if (answer.signedOut) { return SIGNED_OUT; }
    if (answer.status !== 200) {
      // One item the server will not take: marked with its message (the cadre may delete it), the rest sent again.
      const bad = answer.body.item;
      if (!bad) { return answer.body.error || words.failed; }
      await changeQueue((queued) => queued.map((i) => (i.client_id === bad ? {...i, error: answer.body.error} : i)));
      return sendQueue();
    }
    const stored = new Map(answer.body.visits.map((v) => [v.client_id, v.photos]));
    const done = new Set(answer.body.edits.map((e) => e.client_id));
    await changeQueue((queued) => queued.filter((i) => !done.has(i.client_id)).map((i) => {
      if (i.kind !== "visit" || !stored.has(i.client_id)) { return i; }
      const already = new Set(stored.get(i.client_id));
      return {...i, stored: true, photos: i.photos.filter((p) => !already.has(p.id))};
    }));
    return "ok";
  }

  async function sendPhotos() {
    const template = urls.photos;
    for (const item of (await queue()).filter((i) => i.kind === "visit" && i.stored)) {
      for (const photo of item.photos) {
        const body = new FormData();
        body.append("photo", photo.blob, `${photo.id}.jpg`);
        body.append("photo_id", photo.id);
        const answer = await post(template.replace("00000000-0000-0000-0000-000000000000", item.client_id), body, false);
        if (answer.signedOut) { return SIGNED_OUT; }
        if (answer.status !== 200) {
          await changeQueue((queued) => queued.map((i) => (i.client_id === item.client_id ? {...i, error: answer.body.error} : i)));
          break;
        }
        await changeQueue((queued) => queued.map((i) => (i.client_id === item.client_id
          ? {...i, photos: i.photos.filter((p) => p.id !== photo.id)} : i)));
      }
    }
    await changeQueue((queued) => queued.filter((i) => !(i.kind === "visit" && i.stored && !i.error && !i.photos.length)));
    return "ok";
  }

  const sync = offline.syncer({line, loadData, steps: [sendQueue, sendPhotos], render, settle,
                                       failed: words.failed});

  async function resolve(conflict, choice) {
    if (!navigator.onLine) { await settle(); return; }
    try {
      const fresh = await loadData();
      if (fresh === SIGNED_OUT) { setState("relogin"); return; }
      const answer = await post(urls.resolve.replace(/0\/resolve\/$/, `${conflict.id}/resolve/`), {choice}, true);
      if (answer.signedOut) { setState("relogin"); return; }
      await loadData();
      await render();
      await settle(answer.status === 200 ? "" : answer.body.error);
    } catch (error) {
      await settle(words.failed);
    }
  }

  // --- start ---------------------------------------------------------------------------------------
  document.getElementById("visit-form").addEventListener("submit", saveVisit);
  document.getElementById("edit-form").addEventListener("submit", saveEdit);
  document.querySelectorAll("[data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));
  offline.start({sync, settle, worker: urls.worker, scope: urls.scope});
  (async () => {
    const loaded = await loadData();
    await render();
    if (loaded === SIGNED_OUT) { setState("relogin"); return; }
    await settle();
    sync();
  })();
}());
