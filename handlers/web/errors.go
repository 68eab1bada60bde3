package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/views"
)

// RetryAfter is the Retry-After of a 503, in seconds: a database restart or fail-over
// usually takes that long.
const RetryAfter = "30"

// Errors the middleware returns, each mapped to its own page.
var (
	ErrLoginRequired = echo.NewHTTPError(http.StatusUnauthorized, "login required")
	ErrCSRF          = echo.NewHTTPError(http.StatusForbidden, "csrf token missing or wrong")
)

// NoAccess is a 403 from Authorize: the person is logged in but none of their roles may see
// the page. The page names who may see it and where the person can go instead.
type NoAccess struct{ Allowed []Role }

func (e *NoAccess) Error() string { return "web: none of the session's roles may use this route" }

// kindStatus is the one table from the kind of a domain's refusal to the HTTP status of the
// page that shows it.
var kindStatus = map[fault.Kind]int{
	fault.Invalid:     http.StatusBadRequest,
	fault.NotFound:    http.StatusNotFound,
	fault.Conflict:    http.StatusConflict,
	fault.Forbidden:   http.StatusForbidden,
	fault.Throttled:   http.StatusTooManyRequests,
	fault.Unavailable: http.StatusServiceUnavailable,
}

// errorPages maps a status to the messages of its page; statuses not listed use 500's
// (server errors) or 400's (client errors).
var errorPages = map[int]views.ErrorView{
	http.StatusBadRequest:            {TitleID: "error.400.title", TextID: "error.400.text"},
	http.StatusUnauthorized:          {TitleID: "error.401.title", TextID: "error.401.text"},
	http.StatusForbidden:             {TitleID: "error.403.title", TextID: "error.403.text"},
	http.StatusNotFound:              {TitleID: "error.404.title", TextID: "error.404.text"},
	http.StatusConflict:              {TitleID: "error.409.title", TextID: "error.409.text"},
	http.StatusMethodNotAllowed:      {TitleID: "error.405.title", TextID: "error.405.text"},
	http.StatusRequestEntityTooLarge: {TitleID: "error.413.title", TextID: "error.413.text"},
	http.StatusTooManyRequests:       {TitleID: "error.429.title", TextID: "error.429.text"},
	http.StatusInternalServerError:   {TitleID: "error.500.title", TextID: "error.500.text"},
	http.StatusServiceUnavailable:    {TitleID: "error.503.title", TextID: "error.503.text"},
}

// refusedTextCodes are PostgreSQL's answers to text it cannot store: a NUL byte or a byte
// sequence that is not UTF-8 (22021), a character the database's encoding lacks (22P05), a
// value longer than its column (22001). The input rules (input.go) refuse all of these with a
// field error first; should a value slip past them, the person's input is at fault, not the
// server, so it is a 400 and not a 500.
var refusedTextCodes = []string{"22021", "22P05", "22001"}

// refusedText reports whether err is PostgreSQL refusing text a request sent.
func refusedText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && slices.Contains(refusedTextCodes, pe.Code)
}

// HandleError is echo's one error handler: it maps an error to a status and a translated
// page, and logs server errors with the request ID. Internal error text never reaches the
// page.
func (s *Site) HandleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	_, isTe := fault.OfKind(err, fault.Throttled)
	refusal, isRefusal := fault.As(err)
	noAccess := (*NoAccess)(nil)
	switch {
	case errors.As(err, &noAccess):
		// Decided before the log below: a route the person's roles may not use is no failure.
		status = http.StatusForbidden
	case errors.As(err, &he):
		status = he.Code
	case isTe:
		status = http.StatusTooManyRequests
		MarkThrottled(c, err)
	case isRefusal:
		// A refusal of a domain that no handler turned into a field's message: its kind says
		// the status (a forgotten "not found" is a 404, never a 500), its message the text.
		status = kindStatus[refusal.Kind]
		if refusal.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(refusal.RetryAfter.Seconds())))
		}
	case db.Unavailable(err):
		// An outage, not a bug: browsers and load balancers may try again shortly.
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", RetryAfter)
	}
	if refusedText(err) {
		status = http.StatusBadRequest
		s.Log.WarnContext(c.Request().Context(), "database refused input: a field lacks its input rule",
			"error", err.Error(), "path", c.Request().URL.Path)
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.Log.ErrorContext(c.Request().Context(), "request failed", "error", err.Error(), "path", c.Request().URL.Path)
	}
	v, ok := errorPages[status]
	switch {
	case errors.Is(err, ErrCSRF):
		v = views.ErrorView{TitleID: "error.csrf.title", TextID: "error.csrf.text"}
	case !ok && status >= 500:
		v = errorPages[http.StatusInternalServerError]
	case !ok:
		v = errorPages[http.StatusBadRequest]
	}
	if isRefusal && refusal.Kind != fault.Throttled && status == kindStatus[refusal.Kind] {
		v.TextID = refusal.MsgID
	}
	if status == http.StatusUnauthorized {
		// A form sent after the session ended (a GET is sent to the login by Authorize): the
		// right login, and back to the page the form was on.
		v = s.loginRequired(c)
	}
	if noAccess != nil {
		v = s.noAccessPage(c, noAccess)
	}
	v.Status = status
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if StateOf(c) == nil {
		// The request failed before the page middleware finished (an unknown method, a
		// session that could not be loaded): build the page context now so the error page has
		// language and footer, as an anonymous page if the session cannot be read.
		// While the database is down, trying the session again would only wait once more.
		st, serr := s.newState(c, status != http.StatusServiceUnavailable)
		if serr != nil {
			st, _ = s.newState(c, false)
		}
		c.Set(keyState, st)
		c.SetRequest(c.Request().WithContext(views.WithPage(c.Request().Context(), st.Page)))
	}
	if v.HomeHref == "" && v.LoginHref == "" && isStaff(StateOf(c)) {
		// A member of staff on a page that is not there (a mistyped case reference) or that
		// refused them keeps a way back to their own pages, not only to the public front page.
		v.HomeHref, v.HomeID = StaffHomePath, "access.home.staff"
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if rerr := s.Render(c, status, views.Error(v)); rerr != nil {
		s.Log.ErrorContext(c.Request().Context(), "render error page", "error", rerr.Error())
		_ = c.String(status, http.StatusText(status))
	}
}

// loginRequired is the 401 page: the staff login on a staff page, MitID's otherwise, each
// with a way back to the page nearest the form's address (the portal sends no Referer).
func (s *Site) loginRequired(c echo.Context) views.ErrorView {
	r := c.Request()
	back := s.nearestPage(c, r.URL.Path)
	if isStaffPath(r.URL.Path) {
		return views.ErrorView{TitleID: "error.401.title", TextID: "deskaudit.staff_login.text",
			LoginHref: StaffLoginPath + "?next=" + url.QueryEscape(SafeStaffNext(back)), LoginID: "deskaudit.staff_login.link"}
	}
	return views.ErrorView{TitleID: "error.401.title", TextID: "error.401.text",
		LoginHref: "/log-ind?next=" + url.QueryEscape(SafeNext(back)), LoginID: "error.401.login"}
}

// nearestPage is path if a GET of it is a page, else the nearest parent path that is
// ("/mitid/midler/3/spaer" → "/mitid/midler/3" or "/mitid/midler"), or "" when none is. A
// form's own address that a GET would read as a parameter ("/medarbejder/sager/soeg" as the
// case "soeg") is no page: the parent is.
func (s *Site) nearestPage(c echo.Context, path string) string {
	e := c.Echo()
	probe := e.NewContext(c.Request(), nil)
	for p := path; len(p) > 1; p = p[:strings.LastIndexByte(p, '/')] {
		e.Router().Find(http.MethodGet, p, probe)
		if probe.Path() != "" && s.RouteExists(http.MethodGet, probe.Path()) &&
			(probe.Path() == p || !s.RouteExists(http.MethodPost, p)) {
			return p
		}
	}
	return ""
}

// noAccessPage is the 403 of a logged-in person without a role the route admits: who may see
// the page, and the way to the person's own start page (or, for a citizen on a staff page, the
// staff login).
func (s *Site) noAccessPage(c echo.Context, e *NoAccess) views.ErrorView {
	v := views.ErrorView{TitleID: "error.403.title", TextID: "error.403.text"}
	for _, r := range e.Allowed {
		v.AllowedIDs = append(v.AllowedIDs, "access.role."+string(r))
	}
	switch {
	case isStaff(StateOf(c)):
		v.HomeHref, v.HomeID = StaffHomePath, "access.home.staff"
	default:
		v.HomeHref, v.HomeID = CitizenHomePath, "access.home.citizen"
		if slices.ContainsFunc(e.Allowed, func(r Role) bool { return slices.Contains(StaffRoles, r) }) {
			next := url.QueryEscape(SafeStaffNext(c.Request().URL.RequestURI()))
			v.LoginHref, v.LoginID = StaffLoginPath+"?next="+next, "deskaudit.staff_login.link"
		}
	}
	return v
}

// isStaff reports whether the page's person is logged in with a staff role.
func isStaff(st *State) bool {
	return st != nil && slices.ContainsFunc(RolesOf(st.Subject), func(r Role) bool { return slices.Contains(StaffRoles, r) })
}

// isStaffPath reports whether path is a staff page (under /medarbejder or /redaktion).
func isStaffPath(path string) bool {
	for _, area := range []string{"/medarbejder", "/redaktion"} { // the desk's, the campaign editors'
		if path == area || strings.HasPrefix(path, area+"/") {
			return true
		}
	}
	return false
}
