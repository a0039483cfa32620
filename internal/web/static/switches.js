/*
 * Portico — live switches. Loaded by pages with a Switches section.
 *
 *  - [data-switch-events="URL"]  opens a server-sent event stream; its "switches"
 *    and "activity" events carry the Switches section (#switches) and the Recent
 *    activity card (#switch-activity) rendered by the server, which replace the
 *    ones on the page. The browser reconnects a lost stream by itself, and the
 *    server sends the current state first thing, so a page catches up.
 *  - form.switch-toggle  is sent with fetch instead of a page load; the row shows
 *    that the command is under way, then how it ended (a .switch-note in the row,
 *    kept across live updates), which #switch-status also tells screen readers.
 * Without JavaScript the forms post and the server redirects back.
 */
(function () {
  "use strict";

  var doc = document;
  var hook = doc.querySelector("[data-switch-events]");
  if (!hook || !window.fetch) return;
  // The page's own words for what only this script can tell, in its language.
  var msgFailed = hook.getAttribute("data-msg-failed") || "Something went wrong. Please try again.";
  var msgUnreachable = hook.getAttribute("data-msg-unreachable") || "The server could not be reached. Please try again.";

  // What the last toggle of each row came to, by row id, shown in the row. Notes
  // outlive the live updates that re-render the rows; one that says the toggle
  // worked fades after a while, a refusal stays until the row is used again.
  var notes = {};

  function showNotes() {
    Object.keys(notes).forEach(function (id) {
      var row = doc.getElementById(id);
      if (!row) return;
      var el = row.querySelector(".switch-note");
      if (!el) {
        el = doc.createElement("p");
        el.className = "switch-note";
        row.appendChild(el);
      }
      el.classList.toggle("switch-note-error", notes[id].failed);
      el.textContent = notes[id].msg;
    });
  }

  function clearNote(id) {
    delete notes[id];
    var row = doc.getElementById(id);
    var el = row && row.querySelector(".switch-note");
    if (el) el.remove();
  }

  function replace(id, html) {
    var old = doc.getElementById(id);
    if (!old) return;
    var tpl = doc.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh || fresh.id !== id) return;
    // Keep the focus on the toggle the person is using, also when the update
    // took it away (focus on the body) or renders the button disabled.
    var active = doc.activeElement;
    var keep = "";
    if (focusRowId && (!active || active === doc.body || old.contains(active))) {
      keep = focusRowId;
    } else if (active && old.contains(active)) {
      var r = active.closest(".switch-row");
      keep = r ? r.id : "";
    }
    old.replaceWith(fresh);
    showNotes();
    if (keep) holdFocus(keep);
  }

  // The row whose Turn on/off button the person is using. A disabled button
  // cannot hold the focus, which would fall to the body, so the server's
  // disabled while a command is under way becomes aria-disabled on that one
  // button: still announced and refused, but focused. (Offline stays disabled.)
  var focusRowId = "";

  function holdFocus(id) {
    var row = doc.getElementById(id);
    var btn = row && row.querySelector(".switch-toggle button");
    if (!btn) return;
    if (btn.disabled && row.classList.contains("switch-pending")) {
      btn.disabled = false;
      btn.setAttribute("aria-disabled", "true");
      btn.setAttribute("data-held", ""); // the server's disabled, not a refused toggle's
    }
    if (doc.activeElement !== btn) btn.focus();
  }

  doc.addEventListener("focusin", function (e) {
    var t = e.target;
    var row = t instanceof Element && t.matches(".switch-toggle button") ? t.closest(".switch-row") : null;
    focusRowId = row ? row.id : "";
  });
  doc.addEventListener("pointerdown", function (e) {
    var t = e.target;
    if (!(t instanceof Element) || !t.closest(".switch-toggle")) focusRowId = "";
  });

  // say shows msg next to the switch of row id, and tells screen readers.
  function say(id, msg, failed) {
    var status = doc.getElementById("switch-status");
    if (status) status.textContent = msg;
    if (!id || !msg) return;
    var note = { msg: msg, failed: failed };
    notes[id] = note;
    showNotes();
    if (!failed) {
      setTimeout(function () { if (notes[id] === note) clearNote(id); }, 8000);
    }
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
    var id = row ? row.id : "";
    var btn = form.querySelector("button");
    // Pending or offline: the button keeps the focus but does nothing.
    if (btn && btn.getAttribute("aria-disabled") === "true") return;
    if (id) clearNote(id);
    if (btn) btn.setAttribute("aria-disabled", "true");
    if (row) row.classList.add("switch-pending");
    // A refusal changes nothing on the server, so no live update comes to give
    // the row back its button.
    function restore() {
      var b = id ? doc.querySelector("#" + id + " .switch-toggle button") : btn;
      if (b && !b.hasAttribute("data-held")) b.removeAttribute("aria-disabled");
      var r = id ? doc.getElementById(id) : row;
      if (r) r.classList.remove("switch-pending");
    }
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: false, message: msgFailed }; });
    }).then(function (res) {
      say(id, res.message || "", !res.ok);
      if (!res.ok) restore();
    }, function () {
      say(id, msgUnreachable, true);
      restore();
    });
  });
})();
