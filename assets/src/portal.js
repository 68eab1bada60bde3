// portal.js: the portal's own script. Pages work without it; it adds DKFDS behaviour
// (accordions, error summary focus, menus) where JavaScript runs.
(function () {
  "use strict";
  function start() {
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
