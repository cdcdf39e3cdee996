// Filling without signal, on every page: the connection and what waits to be sent,
// the service worker, "keep for offline use" on /tasks (and the tasks opened
// recently), signing out, a hazard point's code without signal. The offline form and
// the outbox page are offline-form.js's (loaded by those two pages only); the storage
// and the sending are outbox.js's. Everything here is an improvement: without it the
// pages work as plain forms (and offline is simply not offered).
(function () {
  "use strict";
  var Outbox = window.AnkangOutbox;
  if (!Outbox || !window.indexedDB || !window.fetch || !window.Promise) { return; }
  var store = Outbox.store;
  var PAGES_CACHE = "ankang-pages";
  var AUTO_KEPT = 10;  // tasks kept automatically because they were opened recently
  var DRAFT_STATES = ["queued", "sending", "conflict", "invalid", "auth"];
  var hooks = {};  // what offline-form.js adds: drawing the outbox page

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function msg(element, name, values) {
    var text = (element && element.getAttribute("data-msg-" + name)) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
    return text;
  }
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function clock(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function kb(bytes) { return bytes < 1024 ? bytes + " B" : (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + " KB"; }
  // The page's CSRF token, as htmx sends it (an hx-headers attribute on the page).
  function csrf() {
    var holder = document.querySelector("[hx-headers*=x-csrftoken]");
    try { return JSON.parse((holder && holder.getAttribute("hx-headers")) || "{}")["x-csrftoken"] || ""; } catch (e) { return ""; }
  }
  function statusBar() { return document.getElementById("net-status"); }
  function signedInUser() {
    var fill = document.getElementById("offline-fill");
    var bar = statusBar();
    return (fill && fill.getAttribute("data-user")) || (bar && bar.getAttribute("data-user")) || null;
  }

  // ---------------------------------------------------------------- the service worker

  var registration = null;
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) { registration = reg; }, function () {});
    navigator.serviceWorker.addEventListener("message", function () { refreshStatus(); });
  }
  function backgroundSync() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) { return reg.sync.register("ankang-outbox"); }
    }).catch(function () {});
  }

  // ---------------------------------------------------------------- status on every page

  var online = navigator.onLine;
  var persisted = null;

  function askPersistence() {
    if (!navigator.storage || !navigator.storage.persist) { persisted = false; return Promise.resolve(false); }
    return navigator.storage.persist().then(function (granted) { persisted = granted; return granted; }, function () { return null; });
  }

  function refreshStatus() {
    var bar = statusBar();
    if (!bar) { return Promise.resolve(); }
    return store.all("drafts").then(function (drafts) {
      var waiting = drafts.filter(function (d) { return DRAFT_STATES.indexOf(d.status) >= 0; });
      var decide = waiting.filter(function (d) { return Outbox.WAITING.indexOf(d.status) < 0; });
      var signedIn = bar.getAttribute("data-signed-in") === "1";
      bar.hidden = !(signedIn || waiting.length || !online);
      bar.classList.toggle("is-offline", !online);
      $("[data-net-state]", bar).textContent = msg(bar, online ? "online" : "offline");
      var pending = $("[data-net-pending]", bar);
      pending.hidden = !waiting.length;
      pending.textContent = msg(bar, "pending", { n: waiting.length }) + (decide.length ? " · " + msg(bar, "conflicts", { n: decide.length }) : "");
      $("[data-sync-now]", bar).hidden = waiting.length === decide.length || !online;
      var warning = $("[data-net-warning]", bar);
      var auth = waiting.some(function (d) { return d.status === "auth"; });
      warning.hidden = !(auth || (persisted === false && waiting.length));
      warning.textContent = auth ? msg(bar, "sign-in") : msg(bar, "not-persisted", { n: waiting.length });
      if (hooks.drawOutbox) { hooks.drawOutbox(drafts); }
    }).catch(function () {});
  }

  function send() {
    if (!navigator.onLine) { return Promise.resolve(); }
    return Outbox.drain().then(function (summary) {
      var result = document.getElementById("outbox-result");
      if (result && summary) { result.textContent = ""; }
      return refreshStatus();
    }, function () { return refreshStatus(); });
  }

  window.addEventListener("online", function () { online = true; refreshStatus(); send(); });
  window.addEventListener("offline", function () { online = false; refreshStatus(); });
  if (Outbox.channel) { Outbox.channel.onmessage = function () { refreshStatus(); }; }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-sync-now]")) { event.preventDefault(); send(); }
  });
  setInterval(function () { if (navigator.onLine) { send(); } }, 60000);

  // ---------------------------------------------------------------- the device token

  // The phone's token for the API, made once per person and phone while signed in.
  var minting = {};  // one request for a token at a time, per person
  function ensureToken(user) {
    if (minting[user]) { return minting[user]; }
    minting[user] = mintToken(user);
    var clear = function () { delete minting[user]; };
    minting[user].then(clear, clear);
    return minting[user];
  }

  function mintToken(user) {
    return Outbox.deviceToken(user).then(function (token) {
      if (token) { return token; }
      return fetch("/offline/device", { method: "POST", headers: { "x-csrftoken": csrf() }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("no token: " + response.status); }
          return response.json();
        }).then(function (body) {
          return store.put("meta", { key: "device:" + body.user_id, token: body.token, user: String(body.user_id) })
            .then(function () { return requeueSignIn(String(body.user_id)); })
            .then(function () { return body.token; });
        });
    });
  }

  // Signed in again: what waited for a sign-in goes to the queue.
  function requeueSignIn(user) {
    return store.all("drafts").then(function (drafts) {
      return Promise.all(drafts.filter(function (d) { return d.status === "auth" && d.user === user; }).map(function (d) {
        d.status = "queued"; d.problem = null; return store.put("drafts", d);
      }));
    });
  }

  // Signing out: the phone's token goes, and the kept pages (they are this person's),
  // unless something still waits to be sent with it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches('form[action="/logout"]') || form.hasAttribute("data-confirmed")) { return; }
    event.preventDefault();
    var user = signedInUser();
    store.all("drafts").then(function (drafts) {
      var waiting = drafts.filter(function (d) { return DRAFT_STATES.indexOf(d.status) >= 0; });
      if (waiting.length) {
        var bar = statusBar();
        if (!window.confirm(msg(bar, "pending", { n: waiting.length }) + "\n" + msg(bar, "sign-in"))) { return null; }
        return "keep";
      }
      return Outbox.deviceToken(user).then(function (token) {
        var revoke = token ? fetch("/api/v1/offline/device", { method: "DELETE", headers: { Authorization: "Bearer " + token }, credentials: "omit" }).catch(function () {}) : null;
        var forget = store.all("kept").then(function (all) {
          return Promise.all(all.map(function (k) { return store.remove("kept", k.key); }));
        });
        return Promise.all([revoke, forget, store.remove("meta", "device:" + user), window.caches ? caches.delete(PAGES_CACHE) : null]);
      }).then(function () { return "clean"; });
    }).catch(function () { return "error"; }).then(function (outcome) {
      if (outcome === null) { return; }
      form.setAttribute("data-confirmed", "");
      HTMLFormElement.prototype.submit.call(form);
    });
  }, true);

  // ---------------------------------------------------------------- keeping a task

  function taskKey(user, page) { return user + " " + page; }

  function cachePage(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error("page " + response.status); }
      var copy = response.clone();
      return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(url, copy); })
        .then(function () { return response.blob(); }).then(function (blob) { return blob.size; });
    });
  }

  // The task's JSON (its draft on the server), asked again only if changed (ETag).
  function refreshTask(kept, token) {
    var headers = { Authorization: "Bearer " + token };
    if (kept.etag) { headers["If-None-Match"] = kept.etag; }
    return fetch(kept.api, { headers: headers, credentials: "omit", cache: "no-store" }).then(function (response) {
      if (response.status === 304) { return store.put("kept", kept).then(function () { return kept; }); }
      if (response.status === 401) { store.remove("meta", "device:" + kept.user); }
      if (!response.ok) { throw new Error("task " + response.status); }
      kept.etag = response.headers.get("ETag");
      return response.text().then(function (text) {
        kept.task = JSON.parse(text);
        kept.jsonBytes = text.length;
        return store.put("kept", kept).then(function () { return kept; });
      });
    });
  }

  // Keep a task: its page (unless this is the page, which the service worker kept as
  // it came), /tasks and /outbox, and its JSON.
  function pageSize() {
    var entry = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    return entry ? entry.decodedBodySize || entry.transferSize || 0 : 0;
  }

  function keep(user, info, auto, here) {
    var key = taskKey(user, info.page);
    return ensureToken(user).then(function (token) {
      return store.get("kept", key).then(function (found) {
        var kept = found || { key: key, user: user, page: info.page, api: info.api, title: info.title, auto: auto };
        if (!auto) { kept.auto = false; }
        // Pages again only when asked, or half a day on (poor signal: every byte counts);
        // the JSON every time, with its ETag (a 304 when nothing changed).
        var stale = !found || !auto || Date.now() - Date.parse(found.keptAt) > 12 * 3600 * 1000;
        if (!stale) { return refreshTask(kept, token); }
        kept.keptAt = new Date().toISOString();
        var page = here && navigator.serviceWorker && navigator.serviceWorker.controller
          ? Promise.resolve(pageSize()) : cachePage(info.page);
        // /outbox is part of the shell; /tasks is kept by the service worker as it is
        // opened, and fetched here only when no worker controls this page yet.
        var controlled = navigator.serviceWorker && navigator.serviceWorker.controller;
        var tasks = controlled && location.pathname === "/tasks" ? 0 : cachePage("/tasks").catch(function () { return 0; });
        return Promise.all([page, tasks])
          .then(function (sizes) { kept.pageBytes = sizes[0]; return refreshTask(kept, token); });
      });
    }).then(function (kept) { askPersistence(); return kept; });
  }

  function forgetOldAutoKept(user) {
    return Promise.all([store.all("kept"), store.all("drafts")]).then(function (found) {
      var all = found[0];
      var busy = {};  // tasks with work on the phone are never forgotten
      found[1].forEach(function (d) { if (d.status !== "sent") { busy[d.task] = true; } });
      var auto = all.filter(function (k) { return k.user === user && k.auto && !busy[k.key]; })
        .sort(function (a, b) { return b.keptAt.localeCompare(a.keptAt); });
      return Promise.all(auto.slice(AUTO_KEPT).map(function (k) {
        return caches.delete ? caches.open(PAGES_CACHE).then(function (c) { return c.delete(k.page); }).then(function () { return store.remove("kept", k.key); }) : null;
      }));
    });
  }

  function drawTasks() {
    var list = $$("[data-offline-page]");
    // Without a service worker (some in-app browsers) nothing would open offline.
    if (!list.length || !window.caches || !navigator.serviceWorker) { return; }
    var user = signedInUser();
    Promise.all([store.all("kept"), store.all("drafts")]).then(function (found) {
      var kept = {};
      found[0].forEach(function (k) { if (k.user === user) { kept[k.page] = k; } });
      list.forEach(function (task) {
        var page = task.getAttribute("data-offline-page");
        var box = $(".task-offline", task);
        if (!box) { return; } // the fill page names its task too, to keep it, with no box to draw
        var k = kept[page];
        var photos = found[1].filter(function (d) { return d.user === user && d.page === page && d.status === "editing"; }).length;
        box.hidden = false;
        $("[data-keep]", box).hidden = !!k;
        $("[data-kept]", box).hidden = !k;
        if (k) {
          $("[data-kept-size]", box).textContent = kb((k.pageBytes || 0) + (k.jsonBytes || 0)) + (photos ? " · ✎" : "");
        }
      });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-keep]");
    if (!button) { return; }
    var task = button.closest("[data-offline-page]");
    var user = signedInUser();
    button.disabled = true;
    var state = $("[data-keep-state]", task);
    state.textContent = state.getAttribute("data-msg-keeping");
    keep(user, { page: task.getAttribute("data-offline-page"), api: task.getAttribute("data-offline-api"), title: task.getAttribute("data-offline-title") }, false)
      .then(function () { state.textContent = ""; drawTasks(); }, function () { state.textContent = state.getAttribute("data-msg-keep-failed"); })
      .then(function () { button.disabled = false; });
  });

  // A task opened on the normal pages is kept too (the recent ones), and the page says
  // when this phone holds changes of it that were made offline.
  function keepOpened() {
    var here = $("[data-offline-opened]");
    var user = signedInUser();
    if (!here || !user || !navigator.onLine || !window.caches || !navigator.serviceWorker) { return; }
    var info = { page: here.getAttribute("data-offline-page"), api: here.getAttribute("data-offline-api"), title: here.getAttribute("data-offline-title") };
    keep(user, info, true).then(function () { return forgetOldAutoKept(user); }).catch(function () {});
    var id = here.getAttribute("data-offline-opened");
    store.get("drafts", id).then(function (draft) {
      if (draft && draft.status === "editing" && draft.dirty) {
        var note = $("[data-offline-unsynced]", here);
        if (note) { note.hidden = false; }
      }
    });
  }

  // The signal gone in the middle of a section on the normal page: what it holds is
  // kept on the phone, and the kept task goes on from there (offline-form.js takes it).
  document.addEventListener("htmx:sendError", function (event) {
    var form = document.getElementById("fill-form");
    var here = $("[data-offline-opened]");
    var user = signedInUser();
    if (!form || !here || event.detail.elt !== form || !user) { return; }
    var id = here.getAttribute("data-offline-opened");
    store.get("kept", taskKey(user, here.getAttribute("data-offline-page"))).then(function (kept) {
      if (!kept) { return; }
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (name.charAt(0) !== "_" && typeof value === "string") { fields.push([name, value]); }
      });
      var section = (form.querySelector('[name="_section"]') || {}).value;
      return store.put("meta", { key: "unsaved:" + id, section: section, fields: fields, at: new Date().toISOString() }).then(function () {
        $("[data-offline-lost]", here).hidden = false;
      });
    });
  });

  // ---------------------------------------------------------------- without signal

  // A hazard point's QR code scanned without signal: the kept task of its enterprise,
  // with the place filled in.
  // A draft's page opened without signal ("continue the draft"): its kept task.
  function fromDraftLink() {
    var match = location.pathname.match(/^\/submissions\/([0-9a-f-]{36})$/);
    if (!match || !document.getElementById("outbox-offline-page")) { return; }
    Promise.all([store.get("drafts", match[1]), store.all("kept")]).then(function (found) {
      var draft = found[0];
      var kept = found[1].filter(function (k) { return k.task && k.task.submission && k.task.submission.id === match[1]; })[0];
      var page = draft ? draft.page : kept ? kept.page : null;
      if (page) { location.replace(page + "#draft=" + match[1]); }
    });
  }

  function fromPointCode() {
    var match = location.pathname.match(/^\/hazard-points\/(\d+)\/inspect$/);
    var user = signedInUser();
    if (!match || navigator.onLine && !document.getElementById("outbox")) { return; }
    store.all("kept").then(function (all) {
      var kept = all.filter(function (k) {
        return (!user || k.user === user) && k.task && (k.task.points || []).some(function (p) { return String(p.id) === match[1]; });
      })[0];
      if (kept) { location.replace(kept.page + "#point=" + match[1]); }
    });
  }

  // "Start" on a kept /tasks without signal: the kept task's offline page instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine || !form.matches('form[action="/tasks/start"]')) { return; }
    var task = form.closest("[data-offline-page]");
    if (!task) { return; }
    event.preventDefault();
    location.href = task.getAttribute("data-offline-page") + "#new";
  }, true);

  // ---------------------------------------------------------------- on every page

  function start() {
    // A browser that cannot promise to keep its storage (Safari, in-app browsers) may
    // clear it after days unused: the page says so while something waits.
    if (navigator.storage && navigator.storage.persisted) { navigator.storage.persisted().then(function (p) { persisted = p; refreshStatus(); }); } else { persisted = false; }
    drawTasks();
    keepOpened();
    fromPointCode();
    fromDraftLink();
    refreshStatus();
    send();
  }

  // For offline-form.js: the offline form and the outbox page.
  window.AnkangOffline = {
    $: $, $$: $$, msg: msg, json: json, clock: clock, kb: kb, store: store, Outbox: Outbox,
    keep: keep, send: send, refreshStatus: refreshStatus, askPersistence: askPersistence,
    backgroundSync: backgroundSync, taskKey: taskKey, hooks: hooks,
    persisted: function () { return persisted; },
  };

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  // Boosted navigation swaps the page without loading this file again.
  document.addEventListener("htmx:afterSettle", function (event) { if (event.detail && event.detail.elt === document.body) { start(); } });
})();
