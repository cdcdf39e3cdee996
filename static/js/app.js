// What htmx does not do by itself, mostly for filling forms on a phone. Loaded on
// every page (boosted navigation does not run a new page's scripts), so everything
// is delegated from the document. A file, not an inline script (the CSP allows
// none). Everything here is an improvement: the pages work without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fillForm() { return document.getElementById("fill-form"); }
  function message(name) { var f = fillForm(); return (f && f.getAttribute("data-msg-" + name)) || ""; }
  function changed(input) { input.dispatchEvent(new Event("change", { bubbles: true })); }

  // A chosen photo uploads at once; its form sits outside the section's form.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input[type=file][form]") && input.files.length && input.form) {
      if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
    }
  });

  // A picker that posts with its own form (the hazard's rectification) says how many
  // photos are chosen: the file input itself is hidden under the camera box.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var label = input.type === "file" && input.closest(".photo-input");
    var said = label && label.querySelector("[data-photo-chosen]");
    if (said && input.files.length) { said.textContent = said.getAttribute("data-photo-chosen").replace("{n}", input.files.length); }
  });

  // A check answered short of its standard: its remark (备注) opens, to say what is wrong.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var remark = input.type === "radio" && input.closest("li.item") && input.closest("li.item").querySelector("details.remark[data-good]");
    if (remark && input.checked && input.value !== "na" && input.value !== remark.getAttribute("data-good")) { remark.open = true; }
  });

  // A failing answer opens the check's photo box, folded away until then.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var box = input.type === "radio" && input.closest("li.item") && input.closest("li.item").querySelector("details.evidence");
    var remark = box && box.parentNode.querySelector("details.remark[data-good]");
    if (remark && input.checked && input.value !== "na" && input.value !== remark.getAttribute("data-good")) { box.open = true; }
  });

  // The answer that vetoes (一票否决) is asked for once more in the page before it is
  // taken: the tap is held back until "answer it, veto" is pressed.
  document.addEventListener("click", function (event) {
    var input = event.target.closest && event.target.closest("input[data-vetoes]");
    // (During a click the radio already reads checked: the saved answer is defaultChecked.)
    if (input && !input.defaultChecked && !input.hasAttribute("data-veto-sure")) {
      event.preventDefault();
      var ask = document.getElementById(input.getAttribute("data-vetoes"));
      if (ask) { ask.hidden = false; ask.querySelector("[data-veto-confirm]").focus(); }
      return;
    }
    var confirm = event.target.closest("[data-veto-confirm], [data-veto-cancel]");
    if (!confirm) { return; }
    var box = confirm.closest(".veto-confirm");
    box.hidden = true;
    var vetoing = document.querySelector('input[data-vetoes="' + box.id + '"]');
    if (vetoing && confirm.hasAttribute("data-veto-confirm")) {
      vetoing.setAttribute("data-veto-sure", "");
      vetoing.click();
      vetoing.removeAttribute("data-veto-sure");
    }
  });

  // The current section's tab in sight: a long form's tabs scroll sideways, and an
  // autosave redraws them.
  function showCurrentTab() {
    var tabs = document.getElementById("section-tabs");
    var current = tabs && tabs.querySelector("[aria-current]");
    if (!current) { return; }
    var left = current.getBoundingClientRect().left - tabs.getBoundingClientRect().left + tabs.scrollLeft;
    tabs.scrollLeft = left - (tabs.clientWidth - current.offsetWidth) / 2;
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", showCurrentTab); } else { showCurrentTab(); }
  document.addEventListener("htmx:afterSettle", showCurrentTab);

  // A page made for paper: its print button opens the browser's print dialog.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  // GPS: the browser's position with its accuracy; a refusal is recorded, not an error.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-locate]");
    if (!button) { return; }
    var id = button.getAttribute("data-locate");
    var box = button.closest(".location");
    var field = function (name) { return box.querySelector('[name="' + id + "." + name + '"]'); };
    var say = box.querySelector(".location-value");
    if (!navigator.geolocation) { say.textContent = message("no-gps"); return; }
    say.textContent = message("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      field("lat").value = c.latitude.toFixed(6);
      field("lon").value = c.longitude.toFixed(6);
      field("accuracy").value = Math.round(c.accuracy);
      field("refused").checked = false;
      var accuracy = (button.getAttribute("data-accuracy") || "(±%(metres)s m)").replace("%(metres)s", Math.round(c.accuracy));
      say.textContent = field("lat").value + ", " + field("lon").value + " " + accuracy;
      changed(field("lat"));
    }, function (error) {
      if (error.code === 1) {  // PERMISSION_DENIED: recorded as "not shared"
        field("refused").checked = true;
        changed(field("refused"));
        say.textContent = message("refused");
      } else {
        say.textContent = message("no-fix");
      }
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });

  // Poor signal: a save that did not arrive is retried, and the page says so.
  var unsaved = false;
  var retry = null;
  function failed(event) {
    var form = fillForm();
    if (!form || event.detail.elt !== form) { return; }
    unsaved = true;
    var state = document.getElementById("save-state");
    if (state) { state.textContent = message("offline"); state.classList.add("unsaved"); }
    clearTimeout(retry);
    retry = setTimeout(function () { htmx.trigger(form, "change"); }, 5000);
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === fillForm() && event.detail.successful) { unsaved = false; clearTimeout(retry); }
  });
  window.addEventListener("online", function () { var form = fillForm(); if (form && unsaved) { htmx.trigger(form, "change"); } });
  window.addEventListener("beforeunload", function (event) { if (unsaved) { event.preventDefault(); } });
})();
