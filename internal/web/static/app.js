/*
 * Portico — progressive enhancement. No dependencies, no inline code needed.
 * Load with: <script src="/static/app.js" defer></script>
 *
 *  - [data-open-dialog="ID"]  opens <dialog id="ID"> as a modal
 *  - [data-close-dialog]      closes the enclosing <dialog>; backdrop click closes too
 *  - form[data-confirm="…"]   asks confirm() before submitting (unless the form lives in a dialog)
 *  - select.chip-picker       <select multiple> enhanced into removable chips + "Add…" dropdown
 *  - select[data-autosubmit]  submits its form on change
 *  - select[data-switch-family]  its option's data-channel-hint / data-topic-hint replace
 *                             the form's [data-hint="channel"] / [data-hint="topic"] text
 *  - .field.has-error / .alert-error  the first field in error, else the error summary, gets
 *                             the focus when the page loads (a refused form)
 *  - input[data-topic-suggest="URL"]  a new switch's topic: filled from URL?family=&name= as
 *                             the name or the family changes, until the person types in it
 *  - [data-copy="ID"]         copies the text of element ID to the clipboard
 *  - #email=ADDRESS on a page with input#f-email[data-email-from-hash] (the portal's sign-in,
 *                             opened from the welcome page's QR code): the address goes in the
 *                             empty field and the cursor in the password field
 *  - [data-when-online="URL"][data-switch-row="ID"][hidden]  listens to the switches stream at
 *                             URL and shows itself once row ID there is no longer Offline
 *  - [data-reveal-password="ID"]  shows or hides the password typed in input ID
 *                             (aria-pressed says which; data-hide-label names it while shown)
 *  - <html> gets class "js"   so `.no-js-only` fallbacks (e.g. a "Go" button) can be hidden
 *  - .tabs, .nav, .table-wrap  sideways scrollers: the current item is scrolled into view and
 *                             .fade-start / .fade-end mark the edges with more to scroll
 */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.add("js");

  /* ---------------------------------------------------------------- dialogs */

  function openDialog(dlg, opener) {
    if (!dlg || dlg.open) return;
    dlg._opener = opener || null;
    if (typeof dlg.showModal === "function") {
      dlg.showModal();
    } else {
      dlg.setAttribute("open", "");
    }
    var auto = dlg.querySelector("[autofocus]");
    if (auto) auto.focus();
  }

  function closeDialog(dlg) {
    if (!dlg) return;
    if (typeof dlg.close === "function") {
      dlg.close();
    } else {
      dlg.removeAttribute("open");
      restoreFocus(dlg);
    }
  }

  function restoreFocus(dlg) {
    var opener = dlg._opener;
    dlg._opener = null;
    if (opener && doc.contains(opener) && typeof opener.focus === "function") {
      opener.focus();
    }
  }

  doc.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;

    var opener = t.closest("[data-open-dialog]");
    if (opener) {
      var dlg = doc.getElementById(opener.getAttribute("data-open-dialog"));
      if (dlg && dlg.tagName === "DIALOG") {
        e.preventDefault();
        openDialog(dlg, opener);
        return;
      }
    }

    var closer = t.closest("[data-close-dialog]");
    if (closer) {
      var host = closer.closest("dialog");
      if (host) {
        e.preventDefault();
        closeDialog(host);
      }
    }
  });

  // Backdrop click: the click lands on the <dialog> element itself, outside its box.
  // Track where the press started so a drag from inside (e.g. text selection) doesn't close it.
  var pressStartedOnBackdrop = false;

  function isOutside(dlg, e) {
    if (e.target !== dlg) return false;
    var r = dlg.getBoundingClientRect();
    return e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom;
  }

  doc.addEventListener("pointerdown", function (e) {
    var t = e.target;
    pressStartedOnBackdrop = t instanceof HTMLElement && t.tagName === "DIALOG" && t.open && isOutside(t, e);
  });

  doc.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof HTMLElement) || t.tagName !== "DIALOG" || !t.open) return;
    // Keyboard-triggered clicks report 0/0 coordinates: ignore them.
    if (e.detail === 0) return;
    if (pressStartedOnBackdrop && isOutside(t, e)) closeDialog(t);
    pressStartedOnBackdrop = false;
  });

  // Return focus to the opener whenever a dialog closes (button, Esc, form method=dialog).
  doc.addEventListener("close", function (e) {
    var t = e.target;
    if (t instanceof HTMLElement && t.tagName === "DIALOG") restoreFocus(t);
  }, true);

  /* ------------------------------------------------------ confirm on submit */

  doc.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;

    // A submit button may carry its own message: <button data-confirm="…">
    var submitter = e.submitter;
    var msg = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!msg) return;
    // Forms inside a <dialog> are already the confirmation step.
    if (form.closest("dialog")) return;
    if (!window.confirm(msg)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  /* ------------------------------------------------------------- autosubmit */

  doc.addEventListener("change", function (e) {
    var t = e.target;
    if (!(t instanceof HTMLSelectElement) || !t.hasAttribute("data-autosubmit")) return;
    var form = t.form;
    if (!form) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  /* ------------------------------------------------- switch family hints */

  // The form's hints explain every family; with a family chosen, they say what
  // the channel and the topic mean for that one.
  function familyHints(select) {
    var opt = select.options[select.selectedIndex];
    var form = select.form;
    if (!opt || !form) return;
    ["channel", "topic"].forEach(function (name) {
      var hint = form.querySelector('[data-hint="' + name + '"]');
      var text = opt.getAttribute("data-" + name + "-hint");
      if (hint && text) hint.textContent = text;
    });
  }

  doc.querySelectorAll("select[data-switch-family]").forEach(familyHints);
  doc.addEventListener("change", function (e) {
    var t = e.target;
    if (t instanceof HTMLSelectElement && t.hasAttribute("data-switch-family")) familyHints(t);
  });

  /* ------------------------------------------------ switch topic suggestion */

  // A new switch's topic follows its name (and family) with a suggestion from
  // the server, valid and free on the broker, until the person edits it.
  doc.querySelectorAll("input[data-topic-suggest]").forEach(function (topic) {
    var form = topic.form;
    if (!form || !window.fetch) return;
    var name = form.elements.namedItem("name");
    var family = form.elements.namedItem("family");
    var edited = topic.value !== "";
    var timer = 0, asked = 0;
    topic.addEventListener("input", function () { edited = topic.value !== ""; });
    function suggest() {
      if (edited || !name || !family) return;
      var n = ++asked;
      var url = topic.getAttribute("data-topic-suggest") + "?family=" + encodeURIComponent(family.value) + "&name=" + encodeURIComponent(name.value);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.json() : null; })
        .then(function (res) {
          if (res && n === asked && !edited) topic.value = res.topic || "";
        }, function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(suggest, 200); }
    if (name) name.addEventListener("input", later);
    if (family) family.addEventListener("change", suggest);
    if (name && name.value) suggest();
  });

  /* --------------------------------------------------- shown once online */

  function whenOnline() {
    var el = doc.querySelector("[data-when-online][data-switch-row][hidden]");
    if (!el || !window.EventSource) return;
    var es = new EventSource(el.getAttribute("data-when-online"));
    es.addEventListener("switches", function (e) {
      var tpl = doc.createElement("template");
      tpl.innerHTML = e.data;
      var row = tpl.content.getElementById(el.getAttribute("data-switch-row"));
      if (row && row.getAttribute("data-state") !== "Offline") {
        el.hidden = false;
        es.close();
      }
    });
  }

  /* ------------------------------------------------------ email from #hash */

  function emailFromHash() {
    var input = doc.querySelector("input#f-email[data-email-from-hash]");
    var m = /^#email=([^&]*)$/.exec(location.hash);
    if (!input || !m || input.value) return;
    var email;
    try { email = decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return; }
    if (email.indexOf("@") < 1 || email.length > 254) return;
    input.value = email;
    var pw = doc.getElementById("f-password");
    if (pw) pw.focus();
  }

  /* --------------------------------------------------------- show password */

  doc.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target.closest("[data-reveal-password]") : null;
    if (!t) return;
    var input = doc.getElementById(t.getAttribute("data-reveal-password"));
    if (!input) return;
    e.preventDefault();
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    t.setAttribute("aria-pressed", show ? "true" : "false");
    var label = t.querySelector(".reveal-label");
    if (label) {
      var other = t.getAttribute("data-hide-label");
      t.setAttribute("data-hide-label", label.textContent);
      label.textContent = other;
    }
  });

  /* ------------------------------------------------------------------- copy */

  doc.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target.closest("[data-copy]") : null;
    if (!t) return;
    var src = doc.getElementById(t.getAttribute("data-copy"));
    if (!src) return;
    e.preventDefault();
    var text = src.textContent.trim();
    function done() {
      var was = t.getAttribute("data-copied-label");
      if (was) {
        var label = t.querySelector(".copy-label");
        if (label) {
          var before = label.textContent;
          label.textContent = was;
          setTimeout(function () { label.textContent = before; }, 2000);
        }
      }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(src); });
    } else {
      selectText(src);
    }
  });

  function selectText(el) {
    var range = doc.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  /* ------------------------------------------------------------ chip picker */

  var SVG_NS = "http://www.w3.org/2000/svg";

  function xIcon() {
    var svg = doc.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = doc.createElementNS(SVG_NS, "path");
    p.setAttribute("d", "M18 6L6 18M6 6l12 12");
    svg.appendChild(p);
    return svg;
  }

  function labelFor(select) {
    if (select.id) {
      var l = doc.querySelector('label[for="' + (window.CSS && CSS.escape ? CSS.escape(select.id) : select.id) + '"]');
      if (l) return l.textContent.replace(/\*/g, "").trim();
    }
    return select.getAttribute("aria-label") || "";
  }

  function enhanceChipPicker(select) {
    if (select._chipPicker || !select.multiple) return;
    select._chipPicker = true;

    var placeholder = select.getAttribute("data-placeholder") || "Add…";
    var fieldName = labelFor(select);

    var ui = doc.createElement("div");
    ui.className = "chip-picker-ui";

    var chips = doc.createElement("div");
    chips.className = "chips";
    chips.setAttribute("role", "list");
    if (fieldName) chips.setAttribute("aria-label", fieldName);

    var adder = doc.createElement("select");
    adder.setAttribute("aria-label", fieldName ? fieldName + ": " + placeholder : placeholder);
    if (select.id) adder.id = select.id + "-add";
    if (select.disabled) adder.disabled = true;

    ui.appendChild(chips);
    ui.appendChild(adder);
    select.insertAdjacentElement("afterend", ui);

    // Keep the real select in the form (so it submits) but hide it from view and AT.
    select.classList.add("is-enhanced");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");

    // Point the visible <label for> at the new dropdown.
    if (select.id) {
      var lbl = doc.querySelector('label[for="' + (window.CSS && CSS.escape ? CSS.escape(select.id) : select.id) + '"]');
      if (lbl) lbl.setAttribute("for", adder.id);
    }
    // Carry aria-describedby (hints/errors) across.
    var described = select.getAttribute("aria-describedby");
    if (described) adder.setAttribute("aria-describedby", described);
    if (select.getAttribute("aria-invalid")) adder.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));

    function optionsOf(parent) {
      return Array.prototype.filter.call(parent.children, function (n) {
        return n.tagName === "OPTION" || n.tagName === "OPTGROUP";
      });
    }

    function render(focusAfter) {
      // chips
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (opt, idx) {
        if (!opt.selected) return;
        var chip = doc.createElement("span");
        chip.className = "chip";
        chip.setAttribute("role", "listitem");
        // an option may name itself fuller as a chip, out of its optgroup
        // (a site as "Client — Site")
        var text = opt.getAttribute("data-chip") || opt.textContent.trim();
        chip.appendChild(doc.createTextNode(text));
        if (!opt.disabled && !select.disabled) {
          var btn = doc.createElement("button");
          btn.type = "button";
          // the page gives the word in its language (data-remove)
          var remove = select.getAttribute("data-remove") || "Remove";
          btn.setAttribute("aria-label", remove + " " + text);
          btn.title = remove;
          btn.setAttribute("data-index", String(idx));
          btn.appendChild(xIcon());
          chip.appendChild(btn);
        }
        chips.appendChild(chip);
      });

      // "Add…" dropdown with the unselected options (optgroups preserved)
      adder.textContent = "";
      var ph = doc.createElement("option");
      ph.value = "";
      ph.textContent = placeholder;
      adder.appendChild(ph);
      var available = 0;
      optionsOf(select).forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = doc.createElement("optgroup");
          group.label = node.label;
          Array.prototype.forEach.call(node.children, function (opt) {
            if (opt.tagName !== "OPTION" || opt.selected || opt.disabled) return;
            group.appendChild(makeOpt(opt));
            available++;
          });
          if (group.children.length) adder.appendChild(group);
        } else if (!node.selected && !node.disabled) {
          adder.appendChild(makeOpt(node));
          available++;
        }
      });
      adder.value = "";
      adder.disabled = select.disabled || available === 0;
      ui.classList.toggle("is-full", available === 0);

      if (focusAfter) focusAfter();
    }

    function makeOpt(opt) {
      var o = doc.createElement("option");
      o.value = String(opt.index);
      o.textContent = opt.textContent.trim();
      return o;
    }

    function notify() {
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.dispatchEvent(new Event("input", { bubbles: true }));
    }

    adder.addEventListener("change", function () {
      if (adder.value === "") return;
      var opt = select.options[Number(adder.value)];
      if (!opt) return;
      opt.selected = true;
      render(function () { adder.focus(); });
      notify();
    });

    chips.addEventListener("click", function (e) {
      var btn = e.target instanceof Element ? e.target.closest("button[data-index]") : null;
      if (!btn) return;
      var opt = select.options[Number(btn.getAttribute("data-index"))];
      if (!opt) return;
      var all = Array.prototype.slice.call(chips.querySelectorAll("button[data-index]"));
      var pos = all.indexOf(btn);
      opt.selected = false;
      render(function () {
        var rest = chips.querySelectorAll("button[data-index]");
        var next = rest[Math.min(pos, rest.length - 1)];
        if (next) next.focus();
        else if (!adder.disabled) adder.focus();
      });
      notify();
    });

    // Hidden field can't take focus for validation messages: send it to the dropdown.
    select.addEventListener("invalid", function () { adder.focus(); });
    // External changes (scripts, form reset) re-sync the UI.
    select.addEventListener("change", function (e) { if (e.isTrusted) render(); });
    if (select.form) {
      select.form.addEventListener("reset", function () { setTimeout(function () { render(); }, 0); });
    }

    render();
  }

  /* ------------------------------------------------------ sideways scrollers */

  function enhanceScroller(el) {
    if (el._scroller) return;
    el._scroller = true;

    function update() {
      var max = el.scrollWidth - el.clientWidth;
      el.classList.toggle("fade-start", max > 1 && el.scrollLeft > 1);
      el.classList.toggle("fade-end", max > 1 && el.scrollLeft < max - 1);
    }

    // Bring the current item into view without moving the page vertically.
    var current = el.querySelector('[aria-current="page"]');
    if (current && el.scrollWidth > el.clientWidth) {
      var box = el.getBoundingClientRect(), cur = current.getBoundingClientRect();
      var left = cur.left - box.left + el.scrollLeft;
      var right = left + cur.width;
      if (right > el.scrollLeft + el.clientWidth || left < el.scrollLeft) {
        el.scrollLeft = Math.max(0, left - (el.clientWidth - cur.width) / 2);
      }
    }

    el.addEventListener("scroll", update, { passive: true });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(update).observe(el);
    } else {
      window.addEventListener("resize", update);
    }
    update();
  }

  /* ------------------------------------------------ after a refused form */

  // A refused form comes back with its errors. Focus moves to the first field
  // in error (for a chip picker, its dropdown), or, when no field is to blame,
  // to the error summary, so that keyboard and screen reader users start where
  // the problem is instead of at the top of the page.
  function focusFirstError() {
    var visible = function (el) { return el.getClientRects().length > 0 && !el.closest("dialog:not([open])"); };
    var fields = doc.querySelectorAll(".field.has-error");
    for (var i = 0; i < fields.length; i++) {
      var controls = fields[i].querySelectorAll("input:not([type=hidden]), select, textarea");
      for (var j = 0; j < controls.length; j++) {
        var c = controls[j];
        if (!c.disabled && c.tabIndex >= 0 && visible(c)) {
          c.focus();
          return;
        }
      }
    }
    var summary = doc.querySelector(".alert-error");
    if (summary && visible(summary)) {
      if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  function init(root) {
    Array.prototype.forEach.call((root || doc).querySelectorAll("select.chip-picker[multiple]"), enhanceChipPicker);
    Array.prototype.forEach.call((root || doc).querySelectorAll(".tabs, .nav, .table-wrap"), enhanceScroller);
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", function () { init(); focusFirstError(); emailFromHash(); whenOnline(); });
  } else {
    init();
    focusFirstError();
    emailFromHash();
    whenOnline();
  }

  window.Portico = { init: init, openDialog: openDialog, closeDialog: closeDialog };
})();
