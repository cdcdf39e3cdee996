// The service worker: the app shell and the kept pages for a phone without signal,
// and the outbox sent in the background. Served at /sw.js (scope: the whole site) by
// service/collection/offline_routes.py, which writes in the version (a hash of the
// shell's files): a new version installs a new shell cache and removes the old one.
"use strict";

var VERSION = "__VERSION__";
var SHELL_CACHE = "ankang-shell-" + VERSION;
var PAGES_CACHE = "ankang-pages";  // kept pages: /tasks, /outbox, the offline forms
var SHELL = ["__SHELL__", "/outbox", "/manifest.webmanifest"];

importScripts("/static/js/outbox.js");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("ankang-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(refreshKeptPages).then(function () { return self.clients.claim(); }));
});

// A new version's scripts expect its markup: the kept pages are fetched again (the
// worker activates while online). One that cannot be fetched stays as it was.
function refreshKeptPages() {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) { return kept(new URL(r.url).pathname); }).map(function (request) {
        return fetch(request.url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(request, response); }
        }).catch(function () {});
      }));
    });
  });
}

// Pages kept for offline use, by path (and query): what the phone shows without signal.
function kept(path) {
  return path === "/" || path === "/tasks" || path === "/outbox" || path.indexOf("/offline/tasks/") === 0;
}

function fromCache(request) {
  return caches.match(request, { ignoreVary: true }).then(function (found) {
    return found || caches.match("/outbox", { ignoreVary: true }).then(function (fallback) {
      if (!fallback) { return Response.error(); }
      // The outbox page says that this page was not kept and links to what was.
      return fallback.text().then(function (html) {
        return new Response(html.replace('id="outbox-offline-page" class="alert" hidden', 'id="outbox-offline-page" class="alert"'), {
          status: 503, headers: { "Content-Type": "text/html; charset=utf-8" },
        });
      });
    });
  });
}

// A page: the network first (fresh data when there is signal), the kept copy when not.
function page(event, url) {
  return fetch(event.request).then(function (response) {
    if (response.ok && !response.redirected && kept(url.pathname)) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES_CACHE).then(function (cache) { return cache.put(url.pathname + url.search, copy); }));
    }
    return response;
  }, function () {
    return caches.match(url.pathname + url.search, { ignoreVary: true, ignoreSearch: false }).then(function (found) {
      return found || fromCache(event.request);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/api/") === 0) { return; }  // the outbox deals with the API
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (found) {
      return found || fetch(request);
    }));
    return;
  }
  if (/^\/evidence\/[0-9a-f-]+\/thumbnail$/.test(url.pathname)) {
    // A draft's photos, seen again without signal (who may see them can change:
    // the network answers first whenever there is one).
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        event.waitUntil(caches.open(PAGES_CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }, function () { return caches.match(request).then(function (found) { return found || Response.error(); }); }));
    return;
  }
  // A page, opened or followed by htmx's boosted links (the same full page).
  if (request.mode === "navigate" || request.headers.get("HX-Boosted") === "true") {
    event.respondWith(page(event, url));
  }
});

// Background Sync (where the browser has it): the outbox is sent even after the page
// that filled it was closed.
self.addEventListener("sync", function (event) {
  // A rejection tells the browser to try again later (no signal yet).
  if (event.tag === "ankang-outbox") {
    event.waitUntil(self.AnkangOutbox.drain().then(function (summary) {
      if (summary && summary.stopped === "retry") { throw new Error("no signal yet"); }
    }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "drain") { event.waitUntil(self.AnkangOutbox.drain()); }
  if (data.type === "forget-pages") { event.waitUntil(caches.delete(PAGES_CACHE)); }
});
