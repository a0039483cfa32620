/*
 * Portico — live switches. Loaded by pages with a Switches section.
 *
 *  - [data-switch-events="URL"]  opens a server-sent event stream; its "switches"
 *    and "activity" events carry the Switches section (#switches) and the Recent
 *    activity card (#switch-activity) rendered by the server, which replace the
 *    ones on the page. The browser reconnects a lost stream by itself, and the
 *    server sends the current state first thing, so a page catches up.
 *  - form.switch-toggle  is sent with fetch instead of a page load; the row shows
 *    that the command is under way, and #switch-status says how it ended.
 * Without JavaScript the forms post and the server redirects back.
 */
(function () {
  "use strict";

  var doc = document;
  var hook = doc.querySelector("[data-switch-events]");
  if (!hook || !window.fetch) return;

  function replace(id, html) {
    var old = doc.getElementById(id);
    if (!old) return;
    var tpl = doc.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh || fresh.id !== id) return;
    // Keep the focus on the toggle the person is using.
    var active = doc.activeElement;
    var focusRow = active && old.contains(active) ? active.closest("[id^='switch-']") : null;
    old.replaceWith(fresh);
    if (focusRow) {
      var row = doc.getElementById(focusRow.id);
      var btn = row && row.querySelector("button");
      if (btn && !btn.disabled) btn.focus();
    }
  }

  function say(msg, failed) {
    var el = doc.getElementById("switch-status");
    if (!el) return;
    el.textContent = msg;
    var note = doc.getElementById("switch-note");
    if (!note) {
      note = doc.createElement("div");
      note.id = "switch-note";
      var card = doc.getElementById("switches");
      if (card && card.parentNode) card.parentNode.insertBefore(note, card);
    }
    note.className = failed ? "alert alert-error" : "flash flash-success";
    note.textContent = msg;
  }

  if (window.EventSource) {
    var es = new EventSource(hook.getAttribute("data-switch-events"));
    es.addEventListener("switches", function (e) { replace("switches", e.data); });
    es.addEventListener("activity", function (e) { replace("switch-activity", e.data); });
  }

  doc.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("switch-toggle")) return;
    e.preventDefault();
    var row = form.closest(".switch-row");
    var btn = form.querySelector("button");
    if (btn) btn.disabled = true;
    if (row) row.classList.add("switch-pending");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: false, message: "Something went wrong. Please try again." }; });
    }).then(function (res) {
      say(res.message || "", !res.ok);
    }, function () {
      say("The server could not be reached. Please try again.", true);
      if (btn) btn.disabled = false;
      if (row) row.classList.remove("switch-pending");
    });
  });
})();
