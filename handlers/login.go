package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/identity"
	"mitidportal/input"
	"mitidportal/session"
)

// Keys of the session values the login flow keeps between its steps. They live in the
// server-side session, never in the cookie.
const (
	keyLoginUsername = "login_username"
	keyLoginNext     = "login_next"
	keyLoginService  = "login_service"
)

// portalService is the service name a login to the portal itself shows in the app and in the
// activity log; other services would pass theirs through a broker.
const portalService = "MitID-portalen"

// loginState is a login in progress: the username typed in the first step, where to go after
// the login, and the service asking.
type loginState struct {
	Username string
	Next     string
	Service  string
}

// pendingLogin returns the login in progress in this session, if any.
func (s *Server) pendingLogin(c echo.Context) (loginState, bool) {
	st := stateOf(c)
	u, _ := st.sess.Values[keyLoginUsername].(string)
	if u == "" {
		return loginState{}, false
	}
	next, _ := st.sess.Values[keyLoginNext].(string)
	svc, _ := st.sess.Values[keyLoginService].(string)
	if svc == "" {
		svc = portalService
	}
	return loginState{Username: u, Next: next, Service: svc}, true
}

// setPendingLogin starts (or restarts) a login in this session.
func (s *Server) setPendingLogin(c echo.Context, ls loginState) {
	st := stateOf(c)
	st.sess.Values[keyLoginUsername] = ls.Username
	st.sess.Values[keyLoginNext] = safeNext(ls.Next)
	st.sess.Values[keyLoginService] = ls.Service
	st.dirty = true
}

// completeLogin turns a successful login into a logged-in session (establishLogin) and
// redirects to where the person was going.
func (s *Server) completeLogin(c echo.Context, l identity.Login) error {
	next, err := s.establishLogin(c, l)
	if err != nil {
		return err
	}
	return s.redirect(c, next)
}

// establishLogin stores the login in the session: the subject with the level reached and the
// time, a new session ID (an ID planted before the login is worthless after it) and a new CSRF
// token. It returns where to go next; JSON endpoints (the chip ceremony) hand that to the page.
func (s *Server) establishLogin(c echo.Context, l identity.Login) (string, error) {
	st := stateOf(c)
	ls, _ := s.pendingLogin(c)
	person, err := s.Persons.ByCPR(c.Request().Context(), l.MitID.CPR)
	if err != nil {
		return "", err
	}
	for _, k := range []string{keyLoginUsername, keyLoginNext, keyLoginService, keyCSRF} {
		delete(st.sess.Values, k)
	}
	// A new token with the new session ID, so that no token seen before the login (the
	// anonymous cookie's included) is worth anything after it.
	st.sess.Values[keyCSRF] = newCSRFToken()
	s.dropCSRFCookie(c)
	sub := session.Subject{
		Kind: session.KindCitizen, ID: l.MitID.ID, Roles: []string{string(Citizen)},
		Level: string(l.Level), AuthenticatedAt: s.Now(), Name: person.FullName(),
	}
	session.SetSubject(st.sess, sub)
	st.subject = sub
	if err := s.Sessions.Rotate(c.Request(), c.Response(), st.sess); err != nil {
		return "", err
	}
	st.dirty = false
	next := safeNext(ls.Next)
	if next == "" {
		next = "/mitid"
	}
	return next, nil
}

// askReauth sends a citizen whose login is too weak or too old for the route to log in again,
// and back to the page afterwards. The username is filled in, since we know who it is.
func (s *Server) askReauth(c echo.Context) error {
	st := stateOf(c)
	r := c.Request()
	next := r.URL.Path
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	if m, err := s.Identity.MitID(r.Context(), st.subject.ID); err == nil {
		s.setPendingLogin(c, loginState{Username: m.Username, Next: next, Service: portalService})
	}
	target := "/log-ind?reauth=1&next=" + url.QueryEscape(safeNext(next))
	if r.Header.Get("HX-Request") == "true" {
		if err := s.saveSession(c); err != nil {
			return err
		}
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusOK)
	}
	return s.redirect(c, target)
}

// safeNext keeps a return address only when it is a path on this site: "/mitid", never
// "//evil.example" or "https://evil.example" (an open redirect would help phishing).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n") || !input.Valid(next, false) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// clientAddr is the address attempts are throttled by: the peer's address, or the one the
// trusted proxy reports when the portal runs behind one (see Config.TrustProxy).
func (s *Server) clientAddr(c echo.Context) string { return c.RealIP() }

// isIdentityRule reports whether err is a rule of the identity domain that a form shows next
// to its fields rather than an error page.
func isIdentityRule(err error) (*identity.Error, bool) {
	return fault.Rule(err)
}
