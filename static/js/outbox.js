// The phone's own storage (IndexedDB) and its outbox: what was filled without signal
// waits here and goes to the server when it can. Loaded by the pages and by the
// service worker (Background Sync), so there is one way of sending.
//
// Nothing is lost or sent twice by construction: the submission id and each photo
// are made on the phone before anything is stored; photos go first (the server
// knows a photo sent again by its content), then the submission through the
// idempotent API (the same id and content again answers as the first time).
(function (root) {
  "use strict";

  var DB_NAME = "ankang";
  var DB_VERSION = 1;
  var dbPromise = null;

  function open() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        // drafts: one form being filled or waiting to be sent, by submission id.
        var drafts = db.createObjectStore("drafts", { keyPath: "id" });
        drafts.createIndex("task", "task");
        // photos: the phone's photos (resized), by an id made on the phone.
        db.createObjectStore("photos", { keyPath: "id" }).createIndex("draft", "draft");
        // kept: tasks kept for offline use; meta: the device token.
        db.createObjectStore("kept", { keyPath: "key" });
        db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One store, one call: get/put/delete/getAll/index lookups.
  function call(store, method, args, mode) {
    return open().then(function (db) {
      var tx = db.transaction(store, mode || "readonly");
      var target = tx.objectStore(store);
      var result = done(target[method].apply(target, args || []));
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  // Read, change and write one record in one transaction: a page and the sender
  // never write back a stale copy over the other's change. `change` returns the new
  // record, or null to leave it as it is.
  function update(name, key, change) {
    return open().then(function (db) {
      var tx = db.transaction(name, "readwrite");
      var target = tx.objectStore(name);
      var result = null;
      target.get(key).onsuccess = function (event) {
        var found = event.target.result;
        var changed = found ? change(found) : null;
        if (changed) { target.put(changed); result = changed; }
      };
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  var store = {
    update: update,
    get: function (name, key) { return call(name, "get", [key]); },
    all: function (name) { return call(name, "getAll"); },
    put: function (name, value) { return call(name, "put", [value], "readwrite"); },
    remove: function (name, key) { return call(name, "delete", [key], "readwrite"); },
    byIndex: function (name, index, key) {
      return open().then(function (db) {
        return done(db.transaction(name).objectStore(name).index(index).getAll(key));
      });
    },
  };

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ---------------------------------------------------------------- sending

  // States of a draft: editing (being filled), queued (submitted on the phone, waiting),
  // sent, and the ones that wait for the person: conflict, invalid, auth.
  var WAITING = ["queued", "sending"];

  function problemOf(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, code: body.code || "", detail: body.detail || "", errors: body.errors || [] };
    });
  }

  function api(token, method, url, body, headers) {
    var init = { method: method, headers: Object.assign({ Authorization: "Bearer " + token }, headers || {}), credentials: "omit", cache: "no-store" };
    if (body !== undefined) { init.body = body; }
    return fetch(url, init);
  }

  // A person must decide (the server refused for a reason a retry cannot change).
  function refusal(problem) {
    if (problem.status === 401) { return "auth"; }
    if (problem.status === 409 || problem.status === 403 || problem.status === 404) { return "conflict"; }
    if (problem.status >= 400 && problem.status < 500 && problem.status !== 408 && problem.status !== 429) { return "invalid"; }
    return null;  // 5xx, 408, 429: try again later
  }

  // The sender's own fields only, on the stored record, and only while it is still
  // the sender's (not discarded, reopened or sent meanwhile).
  function settle(draft, status, problem, fields) {
    draft.status = status;
    draft.problem = problem || null;
    return store.update("drafts", draft.id, function (stored) {
      if (WAITING.indexOf(stored.status) < 0) { return null; }
      stored.status = status;
      stored.problem = problem || null;
      Object.assign(stored, fields || {});
      return stored;
    });
  }

  // The server's draft changed since the phone took it (edited on another device):
  // the person chooses which copy stands, unless they have already chosen the phone's.
  function checkServerCopy(token, draft) {
    if (!draft.base || draft.force) { return Promise.resolve(true); }
    return api(token, "GET", "/api/v1/submissions/" + draft.id).then(function (response) {
      if (response.status === 404) { return true; }
      if (!response.ok) { return problemOf(response).then(function (p) { throw p; }); }
      return response.json().then(function (server) {
        var code = null;
        if (server.status === "draft" && server.updated_at !== draft.base) { code = "draft.changed_elsewhere"; }
        // Submitted, and not by this phone's own post (whose answer may have been lost).
        if (server.status !== "draft" && !draft.posted) { code = "submission.conflict"; }
        if (!code) { return true; }
        return settle(draft, "conflict", { status: 409, code: code, detail: server.updated_at, errors: [] }).then(function () { return false; });
      });
    });
  }

  function sendPhotos(token, draft) {
    return store.byIndex("photos", "draft", draft.id).then(function (photos) {
      var pending = photos.filter(function (p) { return !p.serverId; });
      return pending.reduce(function (chain, photo) {
        return chain.then(function () {
          var form = new FormData();
          form.append("photo", photoBlob(photo), photo.id + ".jpg");
          var url = "/api/v1/submissions/" + draft.id + "/evidence?item=" + encodeURIComponent(photo.item);
          return api(token, "POST", url, form).then(function (response) {
            if (!response.ok) { return problemOf(response).then(function (p) { throw p; }); }
            return response.json().then(function (stored) {
              photo.serverId = stored.id;
              return store.put("photos", photo);
            });
          });
        });
      }, Promise.resolve()).then(function () { return photos; });
    });
  }

  // A photo's bytes: kept as an ArrayBuffer (older Safari cannot store a Blob).
  function photoBlob(photo) {
    return photo.blob || new Blob([photo.data], { type: photo.type || "image/jpeg" });
  }

  // The answers as the API takes them: a photo item's answer lists its photos.
  function answersToSend(draft, photos) {
    var answers = Object.assign({}, draft.answers);
    Object.keys(draft.photoItems || {}).forEach(function (item) {
      var ids = (draft.serverPhotos && draft.serverPhotos[item]) || [];
      ids = ids.concat(photos.filter(function (p) { return p.item === item && p.serverId; }).map(function (p) { return p.serverId; }));
      if (ids.length) { answers[item] = ids; } else { delete answers[item]; }
    });
    return answers;
  }

  function sendSubmission(token, draft, photos) {
    var body = {
      id: draft.id,
      answers: answersToSend(draft, photos),
      campaign_id: draft.target.campaign_id,
      enterprise_id: draft.target.enterprise_id,
      team_id: draft.target.team_id,
      completed_at: draft.completedAt,
    };
    draft.posted = true;  // from now on, a submitted copy on the server may be this one
    return settle(draft, "sending", null, { posted: true }).then(function () {
      return api(token, "POST", "/api/v1/submissions", JSON.stringify(body), { "Content-Type": "application/json" });
    }).then(function (response) {
      if (!response.ok) { return problemOf(response).then(function (p) { throw p; }); }
      return response.json().then(function (result) {
        var fields = {
          receivedAt: result.submitted_at,
          total: result.breakdown ? result.breakdown.total : null,
          sentAt: new Date().toISOString(),
        };
        return settle(draft, "sent", null, fields).then(function () { return forgetPhotos(photos); });
      });
    });
  }

  // Sent: the photos are on the server; their bytes leave the phone.
  function forgetPhotos(photos) {
    return Promise.all(photos.map(function (p) { return store.remove("photos", p.id); }));
  }

  function sendOne(token, draft) {
    return store.get("drafts", draft.id).then(function (fresh) {
      // Discarded, reopened or sent since the queue was read: not this sender's.
      if (!fresh || WAITING.indexOf(fresh.status) < 0) { return "skipped"; }
      return sendFresh(token, fresh);
    });
  }

  function sendFresh(token, draft) {
    return settle(draft, "sending").then(function () {
      return checkServerCopy(token, draft);
    }).then(function (go) {
      if (!go) { return "conflict"; }
      return sendPhotos(token, draft).then(function (photos) {
        return sendSubmission(token, draft, photos);
      }).then(function () { return "sent"; });
    }).catch(function (problem) {
      var answered = problem && problem.status;
      var status = answered ? refusal(problem) : null;
      if (status === "auth") { return forgetToken(draft.user).then(function () { return settle(draft, "auth", problem); }).then(function () { return "auth"; }); }
      // A server fault: queued again, the next one tried. No answer at all (no signal,
      // a dropped connection): queued again, and the sending stops until later.
      return settle(draft, status || "queued", status ? problem : null).then(function () {
        return status || (answered ? "later" : "retry");
      });
    });
  }

  function deviceToken(user) {
    return store.get("meta", "device:" + user).then(function (meta) { return meta ? meta.token : null; });
  }

  // Refused (revoked, expired, the password changed): a new one is made at the next
  // sign-in, and what waited for it goes to the queue then.
  function forgetToken(user) { return store.remove("meta", "device:" + user); }

  var running = null;

  // Send everything queued, oldest first; stops at the first "no signal". Pages and
  // the service worker may both call it: a lock (where the browser has one) keeps it
  // to one sender at a time, and the API makes a second sending harmless anyway.
  function drain() {
    if (running) { return running; }
    var work = function () {
      return store.all("drafts").then(function (drafts) {
        var queue = drafts.filter(function (d) { return WAITING.indexOf(d.status) >= 0; })
          .sort(function (a, b) { return (a.completedAt || "").localeCompare(b.completedAt || ""); });
        var summary = { sent: 0, waiting: queue.length, stopped: null };
        return queue.reduce(function (chain, draft) {
          return chain.then(function () {
            if (summary.stopped) { return; }
            return deviceToken(draft.user).then(function (token) {
              if (!token) { summary.stopped = "auth"; return settle(draft, "queued"); }
              return sendOne(token, draft).then(function (outcome) {
                if (outcome === "sent") { summary.sent += 1; summary.waiting -= 1; }
                if (outcome === "retry" || outcome === "auth") { summary.stopped = outcome; }
              });
            });
          });
        }, Promise.resolve()).then(function () { return summary; });
      });
    };
    var locked = root.navigator && root.navigator.locks
      ? root.navigator.locks.request("ankang-outbox", work)
      : work();
    running = locked.then(function (summary) { running = null; notify(summary); return summary; },
      function (error) { running = null; throw error; });
    return running;
  }

  // Pages hear about every change (another tab, the service worker) and redraw.
  var channel = root.BroadcastChannel ? new root.BroadcastChannel("ankang-outbox") : null;
  function notify(summary) { if (channel) { channel.postMessage({ type: "outbox", summary: summary || null }); } }

  root.AnkangOutbox = {
    store: store,
    uuid: uuid,
    drain: drain,
    notify: notify,
    channel: channel,
    deviceToken: deviceToken,
    photoBlob: photoBlob,
    WAITING: WAITING,
  };
})(typeof self !== "undefined" ? self : this);
