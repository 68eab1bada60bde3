package web

import (
	"net/url"
	"path"
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
	KeyLoginUsername = "login_username"
	KeyLoginNext     = "login_next"
	KeyLoginService  = "login_service"
)

// PortalService is the service name a login to the portal itself shows in the app and in the
// activity log; other services would pass theirs through a broker.
const PortalService = "MitID-portalen"

// LoginState is a login in progress: the username typed in the first step, where to go after
// the login, and the service asking.
type LoginState struct {
	Username string
	Next     string
	Service  string
}

// PendingLogin returns the login in progress in this session, if any.
func (s *Site) PendingLogin(c echo.Context) (LoginState, bool) {
	st := StateOf(c)
	u, _ := st.Sess.Values[KeyLoginUsername].(string)
	if u == "" {
		return LoginState{}, false
	}
	next, _ := st.Sess.Values[KeyLoginNext].(string)
	svc, _ := st.Sess.Values[KeyLoginService].(string)
	if svc == "" {
		svc = PortalService
	}
	return LoginState{Username: u, Next: next, Service: svc}, true
}

// SetPendingLogin starts (or restarts) a login in this session.
func (s *Site) SetPendingLogin(c echo.Context, ls LoginState) {
	st := StateOf(c)
	st.Sess.Values[KeyLoginUsername] = ls.Username
	st.Sess.Values[KeyLoginNext] = SafeNext(ls.Next)
	st.Sess.Values[KeyLoginService] = ls.Service
	st.Dirty = true
}

// SafeNext keeps a return address only when it is a path on this site: "/mitid", never
// "//evil.example" or "https://evil.example" (an open redirect would help phishing).
func SafeNext(next string) string {
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

// StaffLoginPath is the staff login, where a logged-out visit to a staff page is sent.
const StaffLoginPath = "/medarbejder/log-ind"

// The start pages a refused person is offered instead: a citizen's overview and the staff
// area's home.
const (
	CitizenHomePath = "/mitid"
	StaffHomePath   = "/medarbejder"
)

// SafeStaffNext is SafeNext for the staff login: a staff page ("/medarbejder" or below it, or
// the campaign editors' pages under "/redaktion"),
// or "" for anything else, so a staff login never leads to a citizen's page or off the site.
// A path with dot segments ("/medarbejder/../mitid", also percent-encoded) is refused, since
// the browser would resolve it out of the staff pages.
func SafeStaffNext(next string) string {
	next = SafeNext(next)
	u, err := url.Parse(next)
	if next == "" || err != nil || (path.Clean(u.Path) != u.Path && path.Clean(u.Path)+"/" != u.Path) {
		return ""
	}
	if isStaffPath(u.Path) {
		return next
	}
	return ""
}

// ClientAddr is the address attempts are throttled by: the peer's address, or the one the
// trusted proxy reports when the portal runs behind one (see Config.TrustProxy).
func (s *Site) ClientAddr(c echo.Context) string { return c.RealIP() }

// IsIdentityRule reports whether err is a rule (of any domain: package fault) that a form
// shows next to its fields rather than an error page; not found and unavailable are pages.
func IsIdentityRule(err error) (*identity.Error, bool) {
	return fault.Rule(err)
}

// LogIn stores a login in the session under a new session ID (an ID planted before the login
// is worthless after it) and forgets the session values named in forget: those of the steps
// that led to the login.
func (s *Site) LogIn(c echo.Context, sub session.Subject, forget ...string) error {
	st := StateOf(c)
	for _, k := range forget {
		delete(st.Sess.Values, k)
	}
	// A new token with the new session ID, so that no token seen before the login (the
	// anonymous cookie's included) is worth anything after it.
	st.Sess.Values[KeyCSRF] = NewCSRFToken()
	s.DropCSRFCookie(c)
	session.SetSubject(st.Sess, sub)
	st.Subject = sub
	if err := s.Sessions.Rotate(c.Request(), c.Response(), st.Sess); err != nil {
		return err
	}
	st.Dirty = false
	return nil
}
