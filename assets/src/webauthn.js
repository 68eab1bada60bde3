// webauthn.js: the chip (security key) ceremonies of the login, creation and self-service
// pages. A form opts in with data-begin-url and data-finish-url; on submit the script
//
//   1. posts the form's fields as JSON to data-begin-url, which answers WebAuthn options
//      ({"publicKey": ...}), an error ({"error": "translated text"}) or {"redirect": url};
//   2. asks the browser for the key: navigator.credentials.get for options with a
//      challenge and no user (login), navigator.credentials.create otherwise (registration);
//   3. posts the key's answer to data-finish-url, which answers {"redirect": url} or an error.
//
// The CSRF token travels in the X-CSRF-Token header, taken from the form's csrf_token field.
// Texts come from the form's data attributes, already translated by the page: data-msg-working,
// data-msg-done, data-msg-unsupported, data-msg-cancelled, data-msg-registered and
// data-msg-failed (the fallback for any missing one). Messages go to the form's status region
// ([data-chip-status], else [role="status"]). The submit button is rendered disabled, since it
// cannot work without this script; the script enables it where the browser has WebAuthn.
(function () {
  "use strict";

  // Loaded twice, the script would run every ceremony twice.
  if (window.portalWebAuthn) {
    return;
  }
  window.portalWebAuthn = true;

  // A stop ends the ceremony quietly: the page is on its way somewhere else.
  var stop = { stop: true };

  function toBuffer(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4 !== 0) {
      b64 += "=";
    }
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toBase64URL(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials &&
      navigator.credentials.create && navigator.credentials.get);
  }

  function statusOf(form) {
    return form.querySelector("[data-chip-status]") || form.querySelector('[role="status"]');
  }

  function say(form, text, isError) {
    var region = statusOf(form);
    if (!region || !text) {
      return;
    }
    region.textContent = text;
    region.hidden = false;
    // For styling only; the text says what happened.
    region.setAttribute("data-state", isError ? "error" : "working");
  }

  function message(form, name) {
    return form.getAttribute("data-msg-" + name) || form.getAttribute("data-msg-failed") || "";
  }

  // fields returns the form's fields as a plain object, without the CSRF token (it goes in
  // the header) and without files.
  function fields(form) {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") {
        out[name] = value;
      }
    });
    return out;
  }

  function csrfToken(form) {
    var el = form.querySelector('input[name="csrf_token"]');
    return el ? el.value : "";
  }

  function go(url) {
    window.location.assign(url);
    throw stop;
  }

  // post sends body as JSON and resolves with the answer. A page the server redirected to (a
  // login that is too old is sent to log in again) is followed at once; an error answer
  // rejects with its translated text.
  function post(form, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfToken(form)
      },
      body: JSON.stringify(body)
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        if (res.ok && res.redirected) {
          go(res.url);
        }
        throw new Error(message(form, "failed"));
      }
      return res.json().then(function (data) {
        if (!res.ok || !data || data.error) {
          throw new Error((data && data.error) || message(form, "failed"));
        }
        return data;
      });
    });
  }

  function requestOptions(pk) {
    pk.challenge = toBuffer(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) {
      c.id = toBuffer(c.id);
    });
    return pk;
  }

  function creationOptions(pk) {
    pk.challenge = toBuffer(pk.challenge);
    pk.user.id = toBuffer(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) {
      c.id = toBuffer(c.id);
    });
    return pk;
  }

  // credentialJSON is the key's answer in the JSON form the server parses (WebAuthn Level 3's
  // toJSON shape, written out so older browsers work too).
  function credentialJSON(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toBase64URL(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64URL(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) {
      out.authenticatorAttachment = cred.authenticatorAttachment;
    }
    if (r.attestationObject) {
      out.response.attestationObject = toBase64URL(r.attestationObject);
      if (typeof r.getTransports === "function") {
        out.response.transports = r.getTransports();
      }
    } else {
      out.response.authenticatorData = toBase64URL(r.authenticatorData);
      out.response.signature = toBase64URL(r.signature);
      if (r.userHandle) {
        out.response.userHandle = toBase64URL(r.userHandle);
      }
    }
    return out;
  }

  // failure turns what went wrong into the text to show. The browser's errors carry no
  // text for people, so each kind maps to one of the page's messages.
  function failure(form, err, registering) {
    switch (err && err.name) {
      case "NotAllowedError":
      case "AbortError":
        return message(form, "cancelled");
      case "InvalidStateError":
        // On registration: the key holds a credential from excludeCredentials.
        return message(form, registering ? "registered" : "failed");
      case "NotSupportedError":
        return message(form, "unsupported");
      case "Error":
        return err.message || message(form, "failed");
      default:
        return message(form, "failed");
    }
  }

  function run(form) {
    var button = form.querySelector('[type="submit"]');
    var registering = false;
    if (form.getAttribute("data-busy") === "true") {
      return; // one ceremony at a time; a second would replace the first one's challenge
    }
    form.setAttribute("data-busy", "true");
    if (button) {
      button.disabled = true;
    }
    say(form, message(form, "working"), false);
    post(form, form.getAttribute("data-begin-url"), fields(form))
      .then(function (options) {
        if (options.redirect) {
          go(options.redirect); // no ceremony: the login is gone, or the MitID is blocked
        }
        var pk = options.publicKey;
        if (pk && pk.user) {
          registering = true;
          return navigator.credentials.create({ publicKey: creationOptions(pk) });
        }
        return navigator.credentials.get({ publicKey: requestOptions(pk) });
      })
      .then(function (cred) {
        if (!cred) {
          throw new Error(message(form, "cancelled"));
        }
        return post(form, form.getAttribute("data-finish-url"), credentialJSON(cred));
      })
      .then(function (done) {
        if (!done.redirect) {
          throw new Error(message(form, "failed"));
        }
        say(form, form.getAttribute("data-msg-done"), false);
        go(done.redirect);
      })
      .catch(function (err) {
        if (err === stop) {
          return; // leaving the page; keep the button disabled
        }
        say(form, failure(form, err, registering), true);
        form.removeAttribute("data-busy");
        if (button) {
          button.disabled = false;
        }
      });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-begin-url")) {
      return;
    }
    ev.preventDefault();
    if (!supported()) {
      say(form, message(form, "unsupported"), true);
      return;
    }
    // The browser's own checks first (required fields, lengths), unless the form leaves
    // checking to the server on purpose.
    if (!form.noValidate && !form.reportValidity()) {
      return;
    }
    run(form);
  });

  function start() {
    var forms = document.querySelectorAll("form[data-begin-url]");
    for (var i = 0; i < forms.length; i++) {
      if (!supported()) {
        say(forms[i], message(forms[i], "unsupported"), true);
        continue;
      }
      var button = forms[i].querySelector('[type="submit"]');
      if (button) {
        button.disabled = false;
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
