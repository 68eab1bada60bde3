// app.js: the MitID app (DESIGN.md §3.2), a page of the portal that a phone opens. On the first
// visit it pairs: it makes a non-extractable ECDSA P-256 key with WebCrypto, keeps the CryptoKey
// in IndexedDB (the browser never lets the private key out, not even to this script) and sends
// only the public key with the one-time pairing code. Once paired it lists the pending requests
// every two seconds and answers them by signing, as the server checks in identity/app.go:
//
//   list:    "mitid-app-v1|list|" + authenticatorId + "|" + unixSeconds
//   answer:  "mitid-app-v1|" + ("approve" | "reject") + "|" + challenge (base64url)
//
// WebCrypto signs in IEEE P1363 form (r || s), which the server accepts. The script holds no
// text for people: every message comes from the page (data-msg-* attributes of #mitid-app and
// the request <template>), so both languages come from the locale files.
(function () {
  "use strict";

  var root = document.getElementById("mitid-app");
  if (!root) {
    return;
  }
  var DB_NAME = "mitid-app";
  var DB_STORE = "device";
  var DB_KEY = "current";
  var POLL_MS = 2000;

  var csrf = root.getAttribute("data-csrf-token") || "";
  // The phone's clock may be off; list signatures carry the server's time as the page saw it.
  var clockSkew = (parseInt(root.getAttribute("data-server-time"), 10) || 0) - nowSeconds();
  var device = null; // {id, name, key}
  var shown = {}; // request id -> its list item
  var answered = {}; // request ids answered here, kept out of a listing already under way
  var pollTimer = null;
  var polling = false;

  var el = {
    status: document.getElementById("app-status"),
    error: document.getElementById("app-error"),
    errorText: document.getElementById("app-error-text"),
    pair: document.getElementById("app-pair"),
    pairForm: document.getElementById("app-pair-form"),
    code: document.getElementById("app-code"),
    name: document.getElementById("app-name"),
    requests: document.getElementById("app-requests"),
    deviceName: document.getElementById("app-device-name-shown"),
    none: document.getElementById("app-none"),
    list: document.getElementById("app-request-list"),
    template: document.getElementById("app-request-template")
  };

  function msg(name) {
    return root.getAttribute("data-msg-" + name) || "";
  }

  function nowSeconds() {
    return Math.floor(Date.now() / 1000);
  }

  function say(text) {
    el.status.textContent = text;
  }

  // errorText is what to show for a failed step: our server's message, the network message
  // when fetch could not reach the server, or the general one (a WebCrypto or storage error).
  function errorText(err) {
    if (err && err.name === "TypeError") {
      return msg("network");
    }
    if (err && err.name === "Error" && err.message) {
      return err.message;
    }
    return msg("failed");
  }

  function showError(text) {
    if (!text) {
      el.error.hidden = true;
      el.errorText.textContent = "";
      return;
    }
    el.errorText.textContent = text;
    el.error.hidden = false;
  }

  // ---- IndexedDB: one record holding the authenticator id, the name and the CryptoKey.

  function openDB() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(DB_STORE);
      };
      req.onsuccess = function () {
        resolve(req.result);
      };
      req.onerror = function () {
        reject(req.error);
      };
    });
  }

  function dbDo(mode, fn) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(DB_STORE, mode);
        var req = fn(tx.objectStore(DB_STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(req.result);
        };
        tx.onerror = tx.onabort = function () {
          db.close();
          reject(tx.error);
        };
      });
    });
  }

  function loadDevice() {
    return dbDo("readonly", function (s) {
      return s.get(DB_KEY);
    });
  }

  function saveDevice(d) {
    return dbDo("readwrite", function (s) {
      return s.put(d, DB_KEY);
    });
  }

  function forgetDevice() {
    return dbDo("readwrite", function (s) {
      return s.delete(DB_KEY);
    });
  }

  // ---- Encoding and signing.

  function b64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function sign(text) {
    var data = new TextEncoder().encode(text);
    return crypto.subtle
      .sign({ name: "ECDSA", hash: "SHA-256" }, device.key, data)
      .then(b64url);
  }

  // post sends JSON with the session's CSRF token and resolves to {status, body}. A 403 means
  // the session (and its token) ended: the page reloads once to get a fresh one.
  function post(path, payload) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload)
    }).then(function (res) {
      if (res.status === 403 && !sessionStorage.getItem("mitid-app-reloaded")) {
        sessionStorage.setItem("mitid-app-reloaded", "1");
        location.reload();
        return new Promise(function () {});
      }
      var type = res.headers.get("Content-Type") || "";
      var body = type.indexOf("application/json") === 0 ? res.json() : Promise.resolve({});
      return body.then(function (b) {
        if (res.ok) {
          sessionStorage.removeItem("mitid-app-reloaded");
        }
        return { status: res.status, body: b || {} };
      });
    });
  }

  // ---- Pairing.

  function showPairing() {
    stopPolling();
    el.requests.hidden = true;
    el.pair.hidden = false;
  }

  function pair(ev) {
    ev.preventDefault();
    showError("");
    var code = el.code.value.trim();
    var name = el.name.value.trim();
    if (!code || !name) {
      showError(msg("required"));
      (code ? el.name : el.code).focus();
      return;
    }
    var button = el.pairForm.querySelector("button[type=submit]");
    button.disabled = true;
    say(msg("working"));
    var keys;
    crypto.subtle
      .generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])
      .then(function (k) {
        keys = k;
        return crypto.subtle.exportKey("spki", k.publicKey);
      })
      .then(function (spki) {
        return post("/app/par", { code: code, name: name, publicKey: b64url(spki) });
      })
      .then(function (res) {
        if (res.status !== 200) {
          throw new Error(res.body.error || msg("failed"));
        }
        device = { id: res.body.authenticatorId, name: res.body.deviceName, key: keys.privateKey };
        return saveDevice(device);
      })
      .then(function () {
        el.code.value = "";
        say(msg("paired"));
        showRequests();
      })
      .catch(function (err) {
        say("");
        showError(errorText(err));
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // ---- Requests.

  function showRequests() {
    el.pair.hidden = true;
    el.requests.hidden = false;
    el.deviceName.textContent = device.name;
    poll();
  }

  function stopPolling() {
    if (pollTimer) {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  function schedule() {
    stopPolling();
    pollTimer = setTimeout(poll, POLL_MS);
  }

  function poll() {
    stopPolling();
    if (!device || polling) {
      return;
    }
    polling = true;
    var t = nowSeconds() + clockSkew;
    sign("mitid-app-v1|list|" + device.id + "|" + t)
      .then(function (sig) {
        return post("/app/anmodninger", { authenticatorId: device.id, time: t, signature: sig });
      })
      .then(function (res) {
        if (res.status === 410) {
          // The means was blocked or removed: this phone's key is worthless now.
          return unpaired();
        }
        if (res.status !== 200) {
          throw new Error(res.body.error || msg("failed"));
        }
        showError("");
        render(res.body.requests || []);
        polling = false;
        schedule();
      })
      .catch(function (err) {
        showError(errorText(err));
        polling = false;
        schedule();
      });
  }

  function unpaired() {
    polling = false;
    return forgetDevice().then(function () {
      device = null;
      clearList();
      showError(msg("unpaired"));
      showPairing();
    });
  }

  function clearList() {
    Object.keys(shown).forEach(function (id) {
      shown[id].remove();
      delete shown[id];
    });
  }

  // render adds new requests and drops those no longer pending; items already shown are kept
  // as they are, so a button the person is about to press does not move or lose focus.
  function render(requests) {
    var seen = {};
    requests = requests.filter(function (r) {
      return !answered[r.id];
    });
    requests.forEach(function (r) {
      seen[r.id] = true;
      if (!shown[r.id]) {
        shown[r.id] = item(r);
        el.list.appendChild(shown[r.id]);
      }
    });
    Object.keys(shown).forEach(function (id) {
      if (!seen[id]) {
        shown[id].remove();
        delete shown[id];
      }
    });
    el.none.hidden = requests.length > 0;
  }

  function item(r) {
    var li = el.template.content.firstElementChild.cloneNode(true);
    li.setAttribute("data-request-id", String(r.id));
    li.querySelector('[data-field="purpose"]').textContent = r.purpose;
    li.querySelector('[data-field="code"]').textContent = r.code;
    li.querySelector('[data-field="service"]').textContent = r.service;
    li.querySelector('[data-field="level"]').textContent = r.level;
    li.querySelector('[data-action="approve"]').addEventListener("click", function () {
      decide(r, true, li);
    });
    li.querySelector('[data-action="reject"]').addEventListener("click", function () {
      decide(r, false, li);
    });
    return li;
  }

  function decide(r, approve, li) {
    var buttons = li.querySelectorAll("button");
    buttons.forEach(function (b) {
      b.disabled = true;
    });
    showError("");
    sign("mitid-app-v1|" + (approve ? "approve" : "reject") + "|" + r.challenge)
      .then(function (sig) {
        return post("/app/svar", {
          authenticatorId: device.id,
          requestId: r.id,
          approve: approve,
          signature: sig
        });
      })
      .then(function (res) {
        if (res.status === 410) {
          return unpaired();
        }
        if (res.status === 409) {
          // Expired, answered elsewhere or cancelled: the request is gone either way.
          answered[r.id] = true;
          li.remove();
          delete shown[r.id];
          el.none.hidden = Object.keys(shown).length > 0;
        }
        if (res.status !== 200) {
          throw new Error(res.body.error || msg("failed"));
        }
        say(msg(approve ? "approved" : "rejected"));
        answered[r.id] = true;
        li.remove();
        delete shown[r.id];
        el.none.hidden = Object.keys(shown).length > 0;
      })
      .catch(function (err) {
        showError(errorText(err));
        buttons.forEach(function (b) {
          b.disabled = false;
        });
      });
  }

  // ---- Start.

  function start() {
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      showError(msg("unsupported"));
      return;
    }
    el.pairForm.addEventListener("submit", pair);
    loadDevice()
      .then(function (d) {
        if (d && d.id && d.key) {
          device = d;
          showRequests();
        } else {
          showPairing();
        }
      })
      .catch(function () {
        showError(msg("unsupported"));
      });
    document.addEventListener("visibilitychange", function () {
      // Phones pause timers in the background; look at once when the page is shown again.
      if (!document.hidden && device) {
        poll();
      }
    });
  }

  start();
})();
