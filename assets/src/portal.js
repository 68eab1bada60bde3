// portal.js: the portal's own script. Pages work without it; it adds DKFDS behaviour
// (accordions, error summary focus, menus) where JavaScript runs, and keeps a form from being
// sent twice by a double click.
(function () {
  "use strict";

  // A form that posts is sent once: a second submit while the first is under way (a double
  // click, Enter pressed twice) is stopped, and its submit buttons are disabled. The server
  // decides anyway (a case's version, a form's one-time key); this spares the second request.
  // The form takes submits again when htmx has the answer (a form htmx did not replace), after
  // guardMs (an answer that is a download leaves the page as it is) and when the page is shown
  // again from the back/forward cache. A form whose own script takes the submit and minds its
  // button (webauthn.js, the app's pairing) is left alone.
  var guardMs = 5000;

  function guarded(form) {
    return form instanceof HTMLFormElement && !form.hasAttribute("data-begin-url") &&
      ((form.getAttribute("method") || "").toLowerCase() === "post" || form.hasAttribute("hx-post"));
  }

  function release(form) {
    form.removeAttribute("data-sent");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.hasAttribute("data-sent")) {
        el.removeAttribute("data-sent");
        el.disabled = false;
      }
    });
  }

  // In the capture phase: before htmx's own listener on the form sends it.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!guarded(form)) {
      return;
    }
    if (form.hasAttribute("data-sent")) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      return;
    }
    form.setAttribute("data-sent", "");
    var sending = (form.portalSendings || 0) + 1;
    form.portalSendings = sending;
    // The buttons after the event: the browser (or htmx) reads the form's values in it, the
    // clicked button's name among them, which a disabled button would lose.
    setTimeout(function () {
      if (ev.defaultPrevented && !form.hasAttribute("hx-post")) {
        release(form); // a script of its own took the submit
        return;
      }
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type === "submit" && !el.disabled) {
          el.disabled = true;
          el.setAttribute("data-sent", "");
        }
      });
      setTimeout(function () {
        if (form.portalSendings === sending) {
          release(form); // not a later sending's guard
        }
      }, guardMs);
    }, 0);
  }, true);
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.target instanceof HTMLFormElement ? ev.target : ev.target.closest && ev.target.closest("form");
    if (form) {
      release(form);
    }
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(release);
  });

  function start() {
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
    }
    // A print button (data-print) works only with JavaScript: show it, and hide the text that
    // tells people without it how to print.
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-print-fallback]").forEach(function (p) {
      p.hidden = true;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
