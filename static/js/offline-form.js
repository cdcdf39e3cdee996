// Filling without signal: the offline form (every section of the form on one page,
// one shown at a time; every answer and photo kept on the phone the moment it is
// entered; review and submit into the outbox) and the outbox page (what waits, and
// the choices a conflict leaves to the person). Loaded by those two pages only, after
// offline.js (which it uses) and conditions.js (show_if on the phone).
(function () {
  "use strict";
  var A = window.AnkangOffline;
  if (!A || !window.AnkangConditions) { return; }
  var $ = A.$, $$ = A.$$, msg = A.msg, json = A.json, clock = A.clock, kb = A.kb;
  var store = A.store, Outbox = A.Outbox, keep = A.keep, send = A.send, taskKey = A.taskKey;
  var refreshStatus = A.refreshStatus, askPersistence = A.askPersistence, backgroundSync = A.backgroundSync;

  // ---------------------------------------------------------------- the offline form

  var Fill = null;  // the form being filled on this page

  function answerOf(form, id, type) {
    var named = function (name) { return $$('[name="' + name + '"]', form); };
    if (type === "check" || type === "choice") {
      var chosen = named(id).filter(function (i) { return i.checked; })[0];
      return chosen ? chosen.value : undefined;
    }
    if (type === "multi") {
      var values = named(id).filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      return values.length ? values : undefined;
    }
    if (type === "location") {
      var lat = (named(id + ".lat")[0] || {}).value, lon = (named(id + ".lon")[0] || {}).value;
      if (lat && lon) {
        var position = { lat: number(lat), lon: number(lon) };
        var accuracy = (named(id + ".accuracy")[0] || {}).value;
        if (accuracy) { position.accuracy = number(accuracy); }
        return position;
      }
      var refused = named(id + ".refused")[0];
      return refused && refused.checked ? { refused: true } : undefined;
    }
    if (type === "photo") { return undefined; }
    var field = named(id)[0];
    if (!field) { return undefined; }
    var text = field.value.replace(/\r\n/g, "\n").trim();
    if (!text) { return undefined; }
    return type === "number" || type === "rate" || type === "count" ? number(text) : text;
  }

  // As the server reads a number field (service/collection/form_post._number).
  function number(raw) {
    var text = raw.trim().replace(/，/g, ".").replace(/．/g, ".");
    var value = Number(text);
    if (!text || !isFinite(value)) { return raw.trim(); }
    return value;
  }

  function setAnswer(form, id, type, value) {
    var named = function (name) { return $$('[name="' + name + '"]', form); };
    if (type === "check" || type === "choice" || type === "multi") {
      var values = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
      named(id).forEach(function (input) { input.checked = values.indexOf(input.value) >= 0; });
    } else if (type === "location") {
      var v = value || {};
      ["lat", "lon", "accuracy"].forEach(function (part) { var f = named(id + "." + part)[0]; if (f) { f.value = v[part] === undefined ? "" : v[part]; } });
      var refused = named(id + ".refused")[0];
      if (refused) { refused.checked = !!v.refused; }
      var say = $("#item-" + id + " .location-value", form);
      if (say && v.lat !== undefined) { say.textContent = v.lat + ", " + v.lon + (v.accuracy ? " (±" + v.accuracy + " m)" : ""); }
    } else if (type !== "photo") {
      var field = named(id)[0];
      if (field) { field.value = value === undefined || value === null ? "" : value; }
    }
  }

  // A check's own remark (备注), kept with the answers as "<item id>.remark", as the
  // server keeps it (service/forms/answers.remark_key).
  function remarkOf(form, id) {
    var field = $('[name="' + id + '.remark"]', form);
    var text = field ? field.value.replace(/\r\n/g, "\n").trim() : "";
    return text || undefined;
  }

  function keepRemark(fill, id) {
    var value = remarkOf(fill.form, id);
    if (value === undefined) { delete fill.draft.answers[id + ".remark"]; } else { fill.draft.answers[id + ".remark"] = value; }
  }

  function failed(item, value) { return item.type === "check" && !item.info && value !== undefined && value !== "na" && value !== item.good; }

  // What a submission still lacks, as the server's completeness rules say it.
  function missing(fill, visible) {
    var plan = fill.plan, answers = fill.draft.answers, problems = [];
    Object.keys(plan.items).forEach(function (id) {
      if (!visible[id]) { return; }
      var item = plan.items[id], value = answers[id];
      var photos = photoCount(fill, id);
      if (item.type === "photo") {
        if (photos < item.photos.min) { problems.push({ id: id, why: photos ? "too-few-photos" : "required" }); }
        return;
      }
      if (value === undefined) { if (item.required) { problems.push({ id: id, why: "required" }); } return; }
      if (item.type === "multi" && value.length < (item.min_selected || 0)) { problems.push({ id: id, why: "too-few-selected" }); }
      if (failed(item, value) && item.evidence_on_fail && !photos) { problems.push({ id: id, why: "photo-needed" }); }
    });
    return problems;
  }

  function photoCount(fill, id) {
    return fill.photos.filter(function (p) { return p.item === id; }).length + ((fill.draft.serverPhotos || {})[id] || []).length;
  }

  function show(fill, name) {
    var order = fill.order();
    if (order.indexOf(name) < 0 && name !== "_done") { name = order[0]; }
    fill.current = name;
    $$("[data-section]", fill.root).forEach(function (section) { section.hidden = section.getAttribute("data-section") !== name; });
    $$("[data-tab]", fill.root).forEach(function (tab) {
      if (tab.getAttribute("data-tab") === name) { tab.setAttribute("aria-current", "step"); tab.scrollIntoView({ block: "nearest", inline: "center" }); } else { tab.removeAttribute("aria-current"); }
    });
    var index = order.indexOf(name);
    $('[data-go="previous"]', fill.root).hidden = index <= 0 || name === "_done";
    $('[data-go="next"]', fill.root).hidden = index >= order.length - 1 || name === "_done";
    $("#offline-bar").hidden = name === "_done";
    if (name === "_review") { drawReview(fill); }
    window.scrollTo(0, 0);
  }

  function redraw(fill) {
    var visible = window.AnkangConditions.visibleItems(fill.plan, fill.draft.answers);
    fill.visible = visible;
    var asked = 0, done = 0;
    fill.plan.sections.forEach(function (section) {
      var a = 0, d = 0;
      section.items.forEach(function (id) {
        var li = document.getElementById("item-" + id);
        if (li) { li.hidden = !visible[id]; }
        if (!visible[id]) { return; }
        a += 1;
        var item = fill.plan.items[id];
        if (item.type === "photo" ? photoCount(fill, id) > 0 : fill.draft.answers[id] !== undefined) { d += 1; }
        // The photo box of a check: after a failed answer, or when it has photos.
        var box = li && $(".evidence", li);
        if (box) { box.hidden = !(failed(item, fill.draft.answers[id]) || photoCount(fill, id)); }
        // The remark opens by itself when the check fails (and stays open once written).
        var remark = li && $("details.remark", li);
        if (remark && failed(item, fill.draft.answers[id])) { remark.open = true; }
      });
      var count = $('[data-count="' + section.id + '"]', fill.root);
      if (count) { count.textContent = d + "/" + a; }
      var tab = $('[data-tab="' + section.id + '"]', fill.root);
      if (tab) { tab.parentNode.hidden = !a; tab.classList.toggle("done", a > 0 && d === a); }
      asked += a; done += d;
    });
    $("#offline-progress").max = asked || 1;
    $("#offline-progress").value = done;
    $("#offline-progress-text").textContent = msg(fill.root, "answered", { done: done, total: asked });
  }

  function drawReview(fill) {
    var box = $("#offline-review");
    var problems = missing(fill, fill.visible);
    box.textContent = "";
    var lead = document.createElement("p");
    lead.textContent = problems.length ? msg(fill.root, "missing", { n: problems.length }) : msg(fill.root, "all-done");
    box.appendChild(lead);
    if (problems.length) {
      var list = document.createElement("ul");
      problems.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#item-" + p.id;
        a.setAttribute("data-goto", p.id);
        a.textContent = $("#item-" + p.id + " legend", fill.root).textContent;
        li.appendChild(a);
        li.appendChild(document.createTextNode("：" + msg(fill.root, p.why)));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    var submit = $("#offline-submit");
    submit.disabled = problems.length > 0;
    submit.setAttribute("aria-disabled", problems.length > 0 ? "true" : "false");
  }

  // The answers onto the stored draft, while it is being filled: once submitted (a GPS
  // fix arriving late, another tab) nothing a page holds overwrites it.
  function saveDraft(fill) {
    if (fill.draft.status !== "editing") { return Promise.resolve(); }
    var draft = fill.draft;
    draft.changedAt = new Date().toISOString();
    draft.dirty = true;
    return store.update("drafts", draft.id, function (stored) {
      if (stored.status !== "editing") { return null; }
      stored.answers = draft.answers; stored.changedAt = draft.changedAt; stored.dirty = true;
      return stored;
    }).then(function (saved) {
      // A draft not stored yet (just opened) is stored whole.
      return saved || store.get("drafts", draft.id).then(function (found) { return found ? null : store.put("drafts", draft); });
    }).then(function () {
      $("#offline-draft-state").textContent = msg(fill.root, "saved") + " " + clock(draft.changedAt);
      refreshStatus();
    });
  }

  function itemOfInput(input) {
    var li = input.closest("li.item");
    return li ? li.id.slice(5) : null;
  }

  function onInput(fill, event) {
    var input = event.target;
    if (input.hasAttribute("data-photo-input")) { return; }
    var id = itemOfInput(input);
    if (!id || !fill.plan.items[id]) { return; }
    if (input.name === id + ".remark") { keepRemark(fill, id); saveDraft(fill); return; }
    var value = answerOf(fill.form, id, fill.plan.items[id].type);
    if (value === undefined) { delete fill.draft.answers[id]; } else { fill.draft.answers[id] = value; }
    redraw(fill);
    saveDraft(fill);
  }

  // ---------------------------------------------------------------- photos on the phone

  var MAX_EDGE = 1600;  // as the server keeps them (service/collection/photos.py)

  // Without createImageBitmap (Safari before 15): the photo drawn from an <img>.
  function asImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      img.src = url;
    });
  }

  function resized(file) {
    var draw = window.createImageBitmap
      ? createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return asImage(file); })
      : asImage(file);
    return draw.then(function (bitmap) {
      var scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error("no blob")); } }, "image/jpeg", 0.85);
      });
    });
  }

  function drawPhotos(fill, id) {
    $$('[data-photos="' + id + '"]', fill.root).forEach(function (box) {
      var list = $(".thumbs", box);
      list.textContent = "";
      ((fill.draft.serverPhotos || {})[id] || []).forEach(function (serverId) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.src = "/evidence/" + serverId + "/thumbnail"; img.width = 96; img.height = 96; img.alt = "";
        li.appendChild(img);
        list.appendChild(li);
      });
      fill.photos.filter(function (p) { return p.item === id; }).forEach(function (photo) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.src = URL.createObjectURL(Outbox.photoBlob(photo)); img.width = 96; img.height = 96; img.alt = "";
        var remove = document.createElement("button");
        remove.type = "button"; remove.className = "link-button small";
        remove.textContent = msg(fill.root, "remove");
        remove.setAttribute("data-remove-photo", photo.id);
        li.appendChild(img); li.appendChild(remove);
        list.appendChild(li);
      });
    });
  }

  function addPhotos(fill, input) {
    var id = input.getAttribute("data-photo-input");
    var room = fill.plan.items[id].photos.max - photoCount(fill, id);  // the server's limit
    var files = Array.prototype.slice.call(input.files || []).slice(0, Math.max(0, room));
    if (files.length < (input.files || []).length) { window.alert(msg(fill.root, "too-many-photos")); }
    return files.reduce(function (chain, file) {
      return chain.then(function () {
        return resized(file).then(function (blob) { return blob.arrayBuffer ? blob.arrayBuffer() : new Response(blob).arrayBuffer(); }).then(function (data) {
          var photo = { id: Outbox.uuid(), draft: fill.draft.id, item: id, data: data, type: "image/jpeg", size: data.byteLength, createdAt: new Date().toISOString(), serverId: null };
          return store.put("photos", photo).then(function () { fill.photos.push(photo); });
        }).catch(function () { window.alert(msg(fill.root, "photo-failed")); });
      });
    }, Promise.resolve()).then(function () {
      input.value = "";
      drawPhotos(fill, id);
      redraw(fill);
      return saveDraft(fill);
    });
  }

  // ---------------------------------------------------------------- opening the form

  function newDraft(fill, server) {
    var draft = {
      id: Outbox.uuid(), user: fill.user, task: taskKey(fill.user, fill.target.page), page: fill.target.page,
      title: fill.title, target: { campaign_id: fill.target.campaign_id, enterprise_id: fill.target.enterprise_id, team_id: fill.target.team_id }, repeatable: fill.target.repeatable,
      answers: {}, base: null, serverPhotos: {}, photoItems: {}, status: "editing", dirty: false,
      createdAt: new Date().toISOString(),
    };
    if (server && server.status === "draft") {
      draft.id = server.id; draft.answers = server.answers; draft.base = server.updated_at; draft.serverPhotos = server.photos;
    }
    Object.keys(fill.plan.items).forEach(function (id) { if (fill.plan.items[id].type === "photo") { draft.photoItems[id] = true; } });
    return draft;
  }

  // Started from a hazard point's code: the place inspected, and today.
  function prefillPlace(fill, draft, place) {
    var items = fill.plan.items;
    if (items["hazard-point"]) { draft.answers["hazard-point"] = place; }
    if (items["inspection-date"] && items["inspection-date"].type === "date") {
      var d = new Date();
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      draft.answers["inspection-date"] = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    }
    draft.dirty = true;
  }

  // The draft to go on with: the one named in the address, or this task's draft on
  // the phone, or the server's draft of the task, or a new one.
  function findDraft(fill, kept) {
    var wanted = (location.hash.match(/draft=([0-9a-f-]+)/) || [])[1];
    var point = (location.hash.match(/point=(\d+)/) || [])[1];
    var fresh = location.hash === "#new" || !!point;
    return store.byIndex("drafts", "task", taskKey(fill.user, fill.target.page)).then(function (drafts) {
      var named = wanted && drafts.filter(function (d) { return d.id === wanted; })[0];
      if (named) { return named; }
      var editing = !fresh && drafts.filter(function (d) { return d.status === "editing"; })[0];
      var server = kept && kept.task ? kept.task.submission : null;
      if (editing) {
        // Nothing changed on the phone: the server's newer copy stands.
        if (!editing.dirty && server && server.id === editing.id && server.status === "draft" && server.updated_at !== editing.base) {
          editing.answers = server.answers; editing.base = server.updated_at; editing.serverPhotos = server.photos;
        }
        return editing;
      }
      if (server && server.status !== "draft" && !fill.target.repeatable) { return { done: true }; }
      var taken = server && drafts.some(function (d) { return d.id === server.id; });
      var draft = newDraft(fill, fresh || taken ? null : server);
      var at = point && kept && kept.task && (kept.task.points || []).filter(function (p) { return String(p.id) === point; })[0];
      if (at) { prefillPlace(fill, draft, at.place); }
      return draft;
    });
  }

  function openForm(root) {
    var fill = {
      root: root, form: $("#fill-form", root), plan: json("offline-plan"), target: json("offline-target"),
      user: root.getAttribute("data-user"), title: document.title.split(" · ")[0] + " · " + ($(".form-meta", root) || {}).textContent,
      photos: [], visible: {}, current: null,
    };
    fill.order = function () {
      return $$("[data-tab]", fill.root).filter(function (tab) { return !tab.parentNode.hidden; }).map(function (tab) { return tab.getAttribute("data-tab"); });
    };
    var key = taskKey(fill.user, fill.target.page);
    // One bar of signal can keep a request open for minutes: the kept copy after 4 s.
    var fromPhone = function () { return store.get("kept", key); };
    var ready = navigator.onLine
      ? Promise.race([
        keep(fill.user, { page: fill.target.page, api: fill.target.api, title: fill.title }, true, true).catch(fromPhone),
        new Promise(function (resolve) { setTimeout(resolve, 4000); }).then(fromPhone),
      ])
      : fromPhone();
    return ready.then(function (kept) { return findDraft(fill, kept); }).then(function (draft) {
      if (draft.done) {
        root.hidden = false;
        $("#offline-draft-state").textContent = msg(root, "submitted-task");
        fill.form.hidden = true;
        return;
      }
      fill.draft = draft;
      Fill = fill;
      root.hidden = false;  // only now: nothing typed before could be kept
      // The address now names this draft: a reload goes on with it, not a new one.
      if (/^#(new|point=)/.test(location.hash)) {
        history.replaceState(null, "", location.pathname + location.search + "#draft=" + draft.id);
        store.put("drafts", draft);
      }
      return store.byIndex("photos", "draft", draft.id).then(function (photos) {
        fill.photos = photos;
        Object.keys(fill.plan.items).forEach(function (id) {
          setAnswer(fill.form, id, fill.plan.items[id].type, draft.answers[id]);
          var remark = $('[name="' + id + '.remark"]', fill.form);
          if (remark) { remark.value = draft.answers[id + ".remark"] || ""; remark.closest("details").open = !!remark.value; }
          if (fill.plan.items[id].photos) { drawPhotos(fill, id); }
        });
        return takeUnsaved(fill);
      }).then(function () {
        redraw(fill);
        var locked = draft.status !== "editing" && draft.status !== "invalid" && draft.status !== "conflict";
        $("#offline-draft-state").textContent = draft.changedAt ? msg(root, "saved") + " " + clock(draft.changedAt) : msg(root, "new");
        if (draft.status === "invalid" || draft.status === "conflict") { draft.status = "editing"; store.put("drafts", draft); }
        if (locked) {  // submitted on this phone: read only, whatever is tapped
          $$("input, textarea, select", fill.form).forEach(function (field) { field.disabled = true; });
          $$(".section-tabs, #offline-bar", fill.root).forEach(function (el) { el.hidden = true; });
        }
        show(fill, locked ? "_done" : (fill.order()[0]));
        showServerErrors(fill);
      });
    });
  }

  // A section the normal page could not save when the signal went: its fields as
  // they were, over the kept copy, then kept as this draft's answers.
  function takeUnsaved(fill) {
    var key = "unsaved:" + fill.draft.id;
    return store.get("meta", key).then(function (unsaved) {
      if (!unsaved || fill.draft.status !== "editing") { return; }
      var items = fill.plan.sections.filter(function (s) { return s.id === unsaved.section; })[0];
      (items ? items.items : []).forEach(function (id) {
        var type = fill.plan.items[id].type;
        if (type === "photo") { return; }
        $$("#item-" + id + " input, #item-" + id + " textarea", fill.form).forEach(function (field) {
          var given = unsaved.fields.filter(function (pair) { return pair[0] === field.name; }).map(function (pair) { return pair[1]; });
          if (field.type === "radio" || field.type === "checkbox") { field.checked = given.indexOf(field.value) >= 0; } else if (field.type !== "file") { field.value = given.length ? given[given.length - 1] : ""; }
        });
        var value = answerOf(fill.form, id, type);
        if (value === undefined) { delete fill.draft.answers[id]; } else { fill.draft.answers[id] = value; }
        if (type === "check") { keepRemark(fill, id); }
      });
      return saveDraft(fill).then(function () { return store.remove("meta", key); });
    });
  }

  // Answers the server refused: shown at their items, all at once.
  function showServerErrors(fill) {
    var errors = (fill.draft.problem && fill.draft.problem.errors) || [];
    errors.forEach(function (error) {
      var box = document.getElementById("errors-" + error.item.replace(".", "-"));
      if (!box) { return; }
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = document.documentElement.lang === "en" ? error.message : (error.message_zh || error.message);
      box.appendChild(p);
    });
  }

  function submitForm(fill) {
    if (missing(fill, fill.visible).length || fill.draft.status !== "editing") { return; }
    var completed = new Date().toISOString();
    // The answers as they are now, queued in one write; from here on the page holds
    // a read-only copy.
    return saveDraft(fill).then(function () {
      return store.update("drafts", fill.draft.id, function (stored) {
        if (stored.status !== "editing") { return null; }
        stored.status = "queued"; stored.completedAt = completed; stored.problem = null;
        return stored;
      });
    }).then(function () {
      fill.draft.status = "queued";
      fill.draft.completedAt = completed;
      $$("input, textarea, select", fill.form).forEach(function (field) { field.disabled = true; });
      $$(".section-tabs, #offline-bar", fill.root).forEach(function (el) { el.hidden = true; });
      askPersistence();
      show(fill, "_done");
      refreshStatus();
      backgroundSync();
      send();
    });
  }

  document.addEventListener("change", function (event) {
    if (!Fill || !Fill.form.contains(event.target)) { return; }
    if (event.target.hasAttribute("data-photo-input")) { addPhotos(Fill, event.target); return; }
    onInput(Fill, event);
  });
  document.addEventListener("input", function (event) {
    if (Fill && Fill.form.contains(event.target) && event.target.matches("input[type=text], input[type=number], input[type=date], textarea")) { onInput(Fill, event); }
  });
  document.addEventListener("click", function (event) {
    if (!Fill) { return; }
    var target = event.target;
    var tab = target.closest("[data-tab]");
    var go = target.closest("[data-go]");
    var jump = target.closest("[data-goto]");
    var remove = target.closest("[data-remove-photo]");
    if (tab) { event.preventDefault(); show(Fill, tab.getAttribute("data-tab")); }
    if (go) {
      var order = Fill.order();
      var index = order.indexOf(Fill.current) + (go.getAttribute("data-go") === "next" ? 1 : -1);
      show(Fill, order[Math.max(0, Math.min(order.length - 1, index))]);
    }
    if (jump) {
      event.preventDefault();
      var id = jump.getAttribute("data-goto");
      show(Fill, Fill.plan.items[id].section);
      document.getElementById("item-" + id).scrollIntoView({ block: "center" });
    }
    if (remove) {
      var photoId = remove.getAttribute("data-remove-photo");
      var photo = Fill.photos.filter(function (p) { return p.id === photoId; })[0];
      Fill.photos = Fill.photos.filter(function (p) { return p.id !== photoId; });
      store.remove("photos", photoId).then(function () { drawPhotos(Fill, photo.item); redraw(Fill); saveDraft(Fill); });
    }
    if (target.closest("#offline-submit")) { submitForm(Fill); }
    if (target.closest("[data-new-inspection]")) { event.preventDefault(); location.hash = "#new"; location.reload(); }
  });

  // ---------------------------------------------------------------- the outbox page

  function drawOutbox(drafts) {
    var box = document.getElementById("outbox");
    var list = document.getElementById("outbox-list");
    var shown = drafts.filter(function (d) { return d.status !== "editing" || d.dirty; })
      .sort(function (a, b) { return (b.completedAt || b.changedAt || "").localeCompare(a.completedAt || a.changedAt || ""); });
    list.textContent = "";
    if (!shown.length) { var empty = document.createElement("li"); empty.textContent = msg(box, "empty"); list.appendChild(empty); }
    shown.forEach(function (draft) {
      var li = document.createElement("li");
      li.className = "outbox-item outbox-" + draft.status;
      li.setAttribute("data-draft", draft.id);
      var title = document.createElement("strong");
      title.textContent = draft.title || draft.id;
      li.appendChild(title);
      var state = document.createElement("p");
      var name = { queued: "queued", sending: "sending", sent: "sent", editing: "editing" }[draft.status];
      state.textContent = name ? msg(box, name) : (draft.problem ? problemText(box, draft) : "");
      li.appendChild(state);
      if (draft.completedAt) { addLine(li, msg(box, "completed") + " " + clock(draft.completedAt)); }
      if (draft.receivedAt) { addLine(li, msg(box, "received") + " " + clock(draft.receivedAt)); }
      var actions = document.createElement("p");
      actions.className = "outbox-actions";
      if (draft.status !== "sent") { actions.appendChild(action("a", msg(box, "open"), draft.page + "#draft=" + draft.id)); }
      // The phone's copy can stand over a draft changed elsewhere, or as an inspection of
      // its own (a supervisor's); a self-assessment or an evaluation is one per task.
      var taken = draft.problem && draft.problem.code === "submission.conflict";
      if (draft.status === "conflict" && (!taken || draft.repeatable)) { actions.appendChild(action("button", msg(box, "keep"), null, "keep", draft.id)); }
      if (draft.status !== "sent" && draft.status !== "sending") { actions.appendChild(action("button", msg(box, "discard"), null, "discard", draft.id)); }
      li.appendChild(actions);
      list.appendChild(li);
    });
    box.hidden = false;
    if (navigator.storage && navigator.storage.estimate) {
      navigator.storage.estimate().then(function (e) {
        var waiting = drafts.some(function (d) { return d.status !== "sent"; });
        // The warning only matters while something here is not sent.
        var kept = A.persisted() === true ? msg(box, "persisted") : A.persisted() === false && waiting ? msg(box, "not-persisted") : "";
        $("#outbox-storage").textContent = msg(box, "storage", { size: kb(e.usage || 0) }) + (kept ? "，" + kept : "");
      });
    }
  }

  function problemText(box, draft) {
    var p = draft.problem;
    var own = box.getAttribute("data-msg-problem-" + (p.code || "").replace(/\./g, "-"));
    return (own || box.getAttribute("data-msg-problem-" + draft.status) || "") + (p.detail && !own ? " (" + p.detail + ")" : "");
  }

  function addLine(li, text) { var p = document.createElement("p"); p.className = "muted small"; p.textContent = text; li.appendChild(p); }
  function action(tag, text, href, kind, id) {
    var el = document.createElement(tag);
    el.textContent = text;
    el.className = "button button-secondary small";
    if (href) { el.href = href; el.setAttribute("hx-boost", "false"); } else { el.type = "button"; el.setAttribute("data-outbox-" + kind, id); }
    return el;
  }

  document.addEventListener("click", function (event) {
    var keepButton = event.target.closest("[data-outbox-keep]");
    var discard = event.target.closest("[data-outbox-discard]");
    if (keepButton) {
      store.get("drafts", keepButton.getAttribute("data-outbox-keep")).then(function (draft) {
        // The phone's copy stands: over the server's draft (force), or, when the id is
        // taken by another submission, as a new one with its photos sent again.
        if (draft.problem && draft.problem.code === "submission.conflict") {
          return store.byIndex("photos", "draft", draft.id).then(function (photos) {
            var old = draft.id;
            draft.id = Outbox.uuid(); draft.base = null; draft.serverPhotos = {}; draft.posted = false;
            return Promise.all(photos.map(function (p) { p.draft = draft.id; p.serverId = null; return store.put("photos", p); }))
              .then(function () { return store.remove("drafts", old); });
          }).then(function () { draft.status = "queued"; draft.problem = null; return store.put("drafts", draft); });
        }
        draft.force = true; draft.status = "queued"; draft.problem = null;
        return store.put("drafts", draft);
      }).then(send);
    }
    if (discard) {
      var box = document.getElementById("outbox");
      if (!window.confirm(msg(box, "confirm-discard"))) { return; }
      var id = discard.getAttribute("data-outbox-discard");
      store.byIndex("photos", "draft", id).then(function (photos) {
        return Promise.all(photos.map(function (p) { return store.remove("photos", p.id); }));
      }).then(function () { return store.remove("drafts", id); }).then(refreshStatus);
    }
  });

  A.hooks.drawOutbox = drawOutbox;
  function start() {
    var root = document.getElementById("offline-fill");
    if (root) { openForm(root).catch(function (e) { if (window.console) { console.error(e); } }); }
    refreshStatus();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
