// portal.js: the portal's own script. Pages work without it; it adds DKFDS behaviour
// (accordions, error summary focus, menus) where JavaScript runs.
(function () {
  "use strict";
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
