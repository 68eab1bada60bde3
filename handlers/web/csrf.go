package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// CSRF protection has two sources of the expected token (docs/csrf-and-get.md):
//
//   - A request with a stored session (logged in, or a flow that keeps state) uses the
//     session's token, as it always did; a login gives the session a new one.
//   - A visitor without a session gets a signed double-submit cookie instead: a random token
//     and an HMAC over it with CSRF_KEY. The form field (or the X-CSRF-Token header) carries
//     the token; a POST passes when the cookie's HMAC holds and its token equals the field's.
//     Showing a form therefore writes nothing to the database, so anonymous GETs cannot fill
//     the session table. The first session a POST creates adopts the cookie's token, so forms
//     in other tabs keep working.
//
// The HMAC means the cookie cannot be forged by whoever can plant a cookie (a sibling host
// without the __Host- prefix): only the portal mints values that pass.

const (
	csrfFormField  = "csrf_token"
	csrfHeaderName = "X-CSRF-Token"
	csrfCookieBase = "csrf"
)

// NewCSRFToken is a fresh random token, 256 bits in base64url.
func NewCSRFToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfCookieName is the cookie's name; over https the __Host- prefix makes the browser refuse
// one set by another host or with a Domain.
func (s *Site) csrfCookieName() string {
	if s.Config.Secure {
		return "__Host-" + csrfCookieBase
	}
	return csrfCookieBase
}

// csrfMAC signs tok with the configured key; the label keeps the MAC from meaning anything
// to another use of the same key.
func (s *Site) csrfMAC(tok string) []byte {
	m := hmac.New(sha256.New, s.Config.CSRFKey)
	m.Write([]byte("portal-csrf-cookie\x00"))
	m.Write([]byte(tok))
	return m.Sum(nil)
}

// csrfCookieToken returns the token of the request's CSRF cookie when its HMAC holds.
func (s *Site) csrfCookieToken(r *http.Request) (string, bool) {
	ck, err := r.Cookie(s.csrfCookieName())
	if err != nil {
		return "", false
	}
	tok, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || len(tok) != 43 {
		return "", false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.csrfMAC(tok)) {
		return "", false
	}
	return tok, true
}

// csrfToken is the token the page's forms carry: the session's when the request has a stored
// session, otherwise the signed cookie's, minting the cookie when the visitor has none yet.
func (s *Site) csrfToken(c echo.Context, st *State) string {
	if tok, ok := st.Sess.Values[KeyCSRF].(string); ok && tok != "" {
		return tok
	}
	if !st.Sess.IsNew {
		// A stored session without a token (one from before tokens were set at login): the
		// row exists, so giving it one adds no row.
		tok := NewCSRFToken()
		st.Sess.Values[KeyCSRF] = tok
		st.Dirty = true
		return tok
	}
	if st.cookieCSRF != "" {
		return st.cookieCSRF
	}
	if tok, ok := s.csrfCookieToken(c.Request()); ok {
		st.cookieCSRF = tok
		return tok
	}
	tok := NewCSRFToken()
	c.SetCookie(&http.Cookie{Name: s.csrfCookieName(), Value: tok + "." + base64.RawURLEncoding.EncodeToString(s.csrfMAC(tok)),
		Path: "/", HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode})
	st.cookieCSRF = tok
	return tok
}

// DropCSRFCookie clears the anonymous cookie at a login: the session has a token of its own
// from now on, and after a log-out the visitor gets a new cookie token.
func (s *Site) DropCSRFCookie(c echo.Context) {
	if _, err := c.Request().Cookie(s.csrfCookieName()); err != nil {
		return
	}
	c.SetCookie(&http.Cookie{Name: s.csrfCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode})
}

// CSRF refuses every state-changing request whose token does not match: the session's when
// there is a stored session, otherwise the signed cookie's.
func (s *Site) CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		st := StateOf(c)
		got := c.Request().Header.Get(csrfHeaderName)
		if got == "" && st.streamed && isMultipart(c.Request()) {
			got = streamedCSRFToken(c, st)
		} else if got == "" {
			got = c.FormValue(csrfFormField)
		}
		if want, _ := st.Sess.Values[KeyCSRF].(string); want != "" || !st.Sess.IsNew {
			if want == "" || !tokensEqual(want, got) {
				return ErrCSRF
			}
			return next(c)
		}
		tok, ok := s.csrfCookieToken(c.Request())
		if !ok || !tokensEqual(tok, got) {
			return ErrCSRF
		}
		st.cookieCSRF = tok
		return next(c)
	}
}

func tokensEqual(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
