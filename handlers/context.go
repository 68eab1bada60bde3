package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/views"
)

const (
	langCookie     = "lang"
	sessionName    = "portal"
	keyCSRF        = "csrf"
	csrfFormField  = "csrf_token"
	csrfHeaderName = "X-CSRF-Token"
)

// state is what the middleware learns about a request, kept on the echo context.
type state struct {
	lang    string
	tr      *locales.Translator
	sess    *sessions.Session
	dirty   bool // the session changed and must be saved before the answer is written
	subject session.Subject
	page    *views.Page
}

func stateOf(c echo.Context) *state {
	if st, ok := c.Get(keyState).(*state); ok {
		return st
	}
	return nil
}

// pageContext picks the language, loads the session (only when the request has a cookie, so
// anonymous browsing costs no database round trip) and builds the context views read.
func (s *Server) pageContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st, err := s.newState(c, true)
		if err != nil {
			return err
		}
		c.Set(keyState, st)
		c.SetRequest(c.Request().WithContext(views.WithPage(c.Request().Context(), st.page)))
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// newState builds the request state. Without loadSession (the error page after a failed
// session load) the request is treated as anonymous.
func (s *Server) newState(c echo.Context, loadSession bool) (*state, error) {
	r := c.Request()
	query := r.URL.Query().Get("lang")
	var cookie string
	if ck, err := r.Cookie(langCookie); err == nil {
		cookie = ck.Value
	}
	lang := locales.Negotiate(query, cookie, r.Header.Get("Accept-Language"))
	if locales.IsSupported(query) && query != cookie {
		c.SetCookie(&http.Cookie{Name: langCookie, Value: query, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode})
	}
	sess := sessions.NewSession(s.Sessions, sessionName)
	sess.IsNew = true
	if loadSession {
		var err error
		if sess, err = s.Sessions.New(r, sessionName); err != nil {
			return nil, err
		}
	}
	st := &state{lang: lang, tr: s.Catalog.For(lang), sess: sess, subject: session.SubjectOf(sess)}
	id, _ := c.Get(keyRequestID).(string)
	nonce, _ := c.Get(keyNonce).(string)
	st.page = &views.Page{
		T:       st.tr,
		Nonce:   nonce,
		CSRF:    func() string { return s.csrfToken(st) },
		Asset:   s.Assets.URL,
		URL:     r.URL,
		Footer:  s.footer(lang),
		Demo:    s.Config.Demo,
		Request: id,
	}
	if !st.subject.Anonymous() {
		st.page.User = &views.User{Name: st.subject.Name}
	}
	return st, nil
}

// csrfToken returns the session's CSRF token, creating it (and so the session) when missing.
func (s *Server) csrfToken(st *state) string {
	if tok, ok := st.sess.Values[keyCSRF].(string); ok && tok != "" {
		return tok
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	st.sess.Values[keyCSRF] = tok
	st.dirty = true
	return tok
}

// authorize refuses a request whose roles the route does not admit: 401 when nobody is
// logged in, 403 when the person lacks the role.
func (s *Server) authorize(a Access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			st := stateOf(c)
			if a.Allows(rolesOf(st.subject)) {
				if !a.loginFresh(st.subject, s.Now()) {
					return s.askReauth(c)
				}
				return next(c)
			}
			if st.subject.Anonymous() {
				return errLoginRequired
			}
			return echo.ErrForbidden
		}
	}
}

// csrf refuses every state-changing request whose token does not match the session's.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		st := stateOf(c)
		want, _ := st.sess.Values[keyCSRF].(string)
		got := c.Request().Header.Get(csrfHeaderName)
		if got == "" {
			got = c.FormValue(csrfFormField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// saveSession stores the session when it changed; render and redirect call it before
// anything is written, so a failed save is an error page and not a silent loss.
func (s *Server) saveSession(c echo.Context) error {
	st := stateOf(c)
	if st == nil || !st.dirty {
		return nil
	}
	if err := s.Sessions.Save(c.Request(), c.Response(), st.sess); err != nil {
		return err
	}
	st.dirty = false
	return nil
}
