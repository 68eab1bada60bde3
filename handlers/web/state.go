package web

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/views"
)

const (
	langCookie  = "lang"
	sessionName = "portal"
	KeyCSRF     = "csrf"
)

// State is what the middleware learns about a request, kept on the echo context.
type State struct {
	Lang string
	Tr   *locales.Translator
	Sess *sessions.Session
	// Dirty says the session changed and must be saved before the answer is written.
	Dirty bool
	// cookieCSRF is the token of a valid signed CSRF cookie the request carried, or the one
	// this answer sets; "" before csrfToken or the csrf middleware looked.
	cookieCSRF string
	Subject    session.Subject
	Page       *views.Page
	// minute is the minute of the request's clock reading, the footer's (RenderShared).
	minute int64
	// streamed marks a route that streams an upload (Access.Upload); parts is its form's
	// reader once the CSRF check or UploadParts opened it.
	streamed bool
	parts    *multipart.Reader
}

// StateOf returns the request's state, or nil before PageContext ran.
func StateOf(c echo.Context) *State {
	if st, ok := c.Get(keyState).(*State); ok {
		return st
	}
	return nil
}

// PageContext picks the language, loads the session (only when the request has a cookie, so
// anonymous browsing costs no database round trip) and builds the context views read.
func (s *Site) PageContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st, err := s.newState(c, true)
		if err != nil {
			return err
		}
		c.Set(keyState, st)
		c.SetRequest(c.Request().WithContext(views.WithPage(c.Request().Context(), st.Page)))
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// newState builds the request state. Without loadSession (the error page after a failed
// session load) the request is treated as anonymous.
func (s *Site) newState(c echo.Context, loadSession bool) (*State, error) {
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
		if sess, err = s.loadSession(c); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	st := &State{Lang: lang, Tr: s.Catalog.For(lang), Sess: sess, Subject: session.SubjectOf(sess), minute: now.Unix() / 60}
	id, _ := c.Get(keyRequestID).(string)
	nonce, _ := c.Get(keyNonce).(string)
	footer := s.footerAt(lang, now)
	st.Page = &views.Page{
		T:          st.Tr,
		Nonce:      nonce,
		CSRF:       func() string { return s.csrfToken(c, st) },
		Asset:      s.Assets.URL,
		URL:        r.URL,
		Footer:     footer.status,
		FooterHTML: footer.html,
		Demo:       s.Config.Demo,
		Request:    id,
	}
	if !st.Subject.Anonymous() {
		st.Page.User = &views.User{Name: st.Subject.Name}
	}
	return st, nil
}

// Authorize refuses a request whose roles the route does not admit: 401 when nobody is
// logged in (a GET of a citizen page is sent to the login instead, and back after it; of a
// staff page to the staff login), 403 when
// the person lacks the role. A session that must change its temporary password first is sent
// to the page for that from every route not marked DuringPasswordChange, whatever its roles.
func (s *Site) Authorize(a Access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			st := StateOf(c)
			if st.Subject.MustChangePassword && !a.duringChange {
				return s.SendTo(c, PasswordChangePath)
			}
			if a.Allows(RolesOf(st.Subject)) {
				if !a.loginFresh(st.Subject, s.Now()) {
					return s.Reauth(c)
				}
				if a.upload > 0 {
					allowUpload(c.Request(), a.upload)
					st.streamed = true
				}
				return next(c)
			}
			if st.Subject.Anonymous() {
				if r := c.Request(); (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
					a.Allows([]Role{Citizen}) {
					// A bookmark of a citizen page, or a session that ended: log in and come back.
					// The way back travels in the link, so this GET writes nothing.
					return s.SendTo(c, "/log-ind?next="+url.QueryEscape(SafeNext(returnTo(r))))
				}
				if r := c.Request(); (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
					a.Allows(StaffRoles) {
					// A staff page: the staff login (e-mail, password and security key), not
					// MitID's, and back after it.
					return s.SendTo(c, StaffLoginPath+"?next="+url.QueryEscape(SafeStaffNext(returnTo(r))))
				}
				return ErrLoginRequired
			}
			return &NoAccess{Allowed: a.roles}
		}
	}
}

// SaveSession stores the session when it changed; render and redirect call it before
// anything is written, so a failed save is an error page and not a silent loss.
func (s *Site) SaveSession(c echo.Context) error {
	st := StateOf(c)
	if st == nil || !st.Dirty {
		return nil
	}
	if _, ok := st.Sess.Values[KeyCSRF]; !ok && st.Sess.IsNew && st.cookieCSRF != "" {
		// The first stored session keeps the token the visitor's forms already carry.
		st.Sess.Values[KeyCSRF] = st.cookieCSRF
	}
	if err := s.Sessions.Save(c.Request(), c.Response(), st.Sess); err != nil {
		return err
	}
	st.Dirty = false
	return nil
}

// returnTo is where a login should lead back to: the page asked for, or for an htmx request
// (a polled fragment) the page that holds it, when that is on this site.
func returnTo(r *http.Request) string {
	if cur := r.Header.Get("HX-Current-URL"); cur != "" && r.Header.Get("HX-Request") == "true" {
		if u, err := url.Parse(cur); err == nil && u.Host == r.Host {
			return u.RequestURI()
		}
	}
	return r.URL.RequestURI()
}

// SendTo sends the browser to target in the way the request can follow: htmx gets
// HX-Redirect, a chip ceremony's script (a JSON request) a JSON redirect, a page a 303.
func (s *Site) SendTo(c echo.Context, target string) error {
	r := c.Request()
	switch {
	case r.Header.Get("HX-Request") == "true":
		if err := s.SaveSession(c); err != nil {
			return err
		}
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusOK)
	case strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON):
		return s.ScriptRedirect(c, target)
	}
	return s.Redirect(c, target)
}
