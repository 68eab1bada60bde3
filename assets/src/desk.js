// desk.js: the desk's case page (views/desk_case.templ) and queues (views/desk.templ). The
// pages work without it: the composer's tabs are links, every form posts and comes back to the
// page. With it the tabs switch in place, a refused form's answer (422, 409) is shown in place
// like a done one, with the focus on its error summary, and the case page's keyboard shortcuts
// listed on the page work.
(function () {
  "use strict";

  function casePage() {
    return document.getElementById("desk-case");
  }

  // showTab shows one of the composer's panels and puts the cursor in its first field.
  function showTab(name) {
    var link = document.querySelector('[data-desk-tab="' + name + '"]');
    if (!link) {
      return false;
    }
    document.querySelectorAll("[data-desk-tab]").forEach(function (a) {
      var on = a === link;
      a.classList.toggle("button-primary", on);
      a.classList.toggle("button-secondary", !on);
      if (on) {
        a.setAttribute("aria-current", "true");
      } else {
        a.removeAttribute("aria-current");
      }
    });
    var panel = null;
    document.querySelectorAll("[data-desk-panel]").forEach(function (p) {
      p.hidden = p.getAttribute("data-desk-panel") !== name;
      if (!p.hidden) {
        panel = p;
      }
    });
    var field = panel && panel.querySelector('form[method="post"] textarea, form[method="post"] input:not([type="hidden"])');
    if (field) {
      field.focus();
    }
    return true;
  }

  function typing(el) {
    if (!el) {
      return false;
    }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function follow(key) {
    var a = document.querySelector('[data-desk-key="' + key + '"]');
    if (a) {
      window.location.assign(a.href);
    }
  }

  var pendingG = 0;

  function onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) {
      return;
    }
    var k = e.key;
    if (pendingG && Date.now() - pendingG < 1500 && k === "n") {
      pendingG = 0;
      e.preventDefault();
      follow("next");
      return;
    }
    pendingG = 0;
    switch (k) {
      case "r":
        if (showTab("reply")) {
          e.preventDefault();
        }
        break;
      case "n":
        if (showTab("note")) {
          e.preventDefault();
        }
        break;
      case "j":
        e.preventDefault();
        follow("next");
        break;
      case "k":
        e.preventDefault();
        follow("queue");
        break;
      case "g":
        pendingG = Date.now();
        break;
      case "?": {
        var help = document.getElementById("desk-shortcuts");
        if (help) {
          e.preventDefault();
          help.open = !help.open;
          help.querySelector("summary").focus();
        }
        break;
      }
    }
  }

  // The elements a desk form's answer replaces over htmx.
  var targets = { "desk-case": true, "desk-list": true };

  function start() {
    // htmx swaps only 2xx answers by default; a refused form comes back as 422 (or 409 for a
    // change that came second) with the error summary, which belongs on the page too.
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      var s = e.detail.xhr.status;
      if ((s === 422 || s === 409) && e.detail.target && targets[e.detail.target.id]) {
        e.detail.shouldSwap = true;
        e.detail.isError = false;
      }
    });
    // A refused form's error summary takes the focus, as on a page loaded with errors (the
    // notice of a done change is read out by its role="status").
    document.body.addEventListener("htmx:afterSettle", function (e) {
      var cfg = e.detail.requestConfig;
      var target = cfg && cfg.elt && cfg.elt.getAttribute("hx-target");
      if (!target || !targets[target.slice(1)]) {
        return;
      }
      var area = document.getElementById(target.slice(1));
      var summary = area && area.querySelector('[data-module="error-summary"]');
      if (summary) {
        summary.focus();
        return;
      }
      if (target !== "#desk-case") {
        return;
      }
      // A done change swaps out the button that sent it, and the focus would fall back to
      // <body>, the top of the page for the next Tab: it goes to the notice that says what was
      // done, from where Tab goes on into the composer.
      var notice = area.querySelector('[role="status"]');
      if (notice && (!document.activeElement || document.activeElement === document.body)) {
        notice.setAttribute("tabindex", "-1");
        notice.focus();
      }
    });
    if (!casePage()) {
      return;
    }
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("[data-desk-tab]");
      if (a && showTab(a.getAttribute("data-desk-tab"))) {
        e.preventDefault();
      }
    });
    document.addEventListener("keydown", onKey);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
