package handlers

import (
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/views"
)

const (
	langCookie  = "lang"
	sessionName = "portal"
	keyCSRF     = "csrf"
)

// state is what the middleware learns about a request, kept on the echo context.
type state struct {
	lang  string
	tr    *locales.Translator
	sess  *sessions.Session
	dirty bool // the session changed and must be saved before the answer is written
	// cookieCSRF is the token of a valid signed CSRF cookie the request carried, or the one
	// this answer sets; "" before csrfToken or the csrf middleware looked.
	cookieCSRF string
	subject    session.Subject
	page       *views.Page
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
		CSRF:    func() string { return s.csrfToken(c, st) },
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

// saveSession stores the session when it changed; render and redirect call it before
// anything is written, so a failed save is an error page and not a silent loss.
func (s *Server) saveSession(c echo.Context) error {
	st := stateOf(c)
	if st == nil || !st.dirty {
		return nil
	}
	if _, ok := st.sess.Values[keyCSRF]; !ok && st.sess.IsNew && st.cookieCSRF != "" {
		// The first stored session keeps the token the visitor's forms already carry.
		st.sess.Values[keyCSRF] = st.cookieCSRF
	}
	if err := s.Sessions.Save(c.Request(), c.Response(), st.sess); err != nil {
		return err
	}
	st.dirty = false
	return nil
}
