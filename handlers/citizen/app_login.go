package citizen

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Logging in with the app, the browser's side: the waiting page, its polled status and the
// finish that turns an approved request into a session.

// appLogin is the login request this browser waits for.
type appLogin struct {
	ID     int64  `json:"id"`
	Secret []byte `json:"secret"`
	Code   string `json:"code"`
}

// AppLoginStart starts a request to the app of the pending login's username, with a fresh
// secret that only this session holds.
func (s *Handlers) AppLoginStart(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.Redirect(c, "/log-ind")
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	r, err := s.Identity.StartAppRequest(c.Request().Context(), identity.AppRequestInput{
		Username: ls.Username, Purpose: identity.AppPurposeLogin, Service: ls.Service,
		ClientAddr: s.ClientAddr(c), BrowserSecret: secret})
	if err != nil {
		return s.RenderIdentityError(c, err)
	}
	b, err := json.Marshal(appLogin{ID: r.ID, Secret: secret, Code: r.DisplayCode})
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyAppLogin] = string(b)
	st.Dirty = true
	return s.Redirect(c, "/log-ind/app")
}

// appLoginOf returns the request this session waits for.
func appLoginOf(c echo.Context) (appLogin, bool) {
	var l appLogin
	raw, _ := web.StateOf(c).Sess.Values[keyAppLogin].(string)
	if raw == "" || json.Unmarshal([]byte(raw), &l) != nil {
		return appLogin{}, false
	}
	return l, true
}

func dropAppLogin(c echo.Context) {
	st := web.StateOf(c)
	delete(st.Sess.Values, keyAppLogin)
	st.Dirty = true
}

// AppLoginPage is the waiting page; appLoginStatus its part that htmx polls, which sends the
// browser on to the finish once the app has approved.
func (s *Handlers) AppLoginPage(c echo.Context) error {
	return s.appLoginView(c, false)
}

// AppLoginStatus is the waiting page's polled fragment.
func (s *Handlers) AppLoginStatus(c echo.Context) error {
	if c.Request().Header.Get("HX-Request") != "true" {
		return s.Redirect(c, "/log-ind/app")
	}
	return s.appLoginView(c, true)
}

func (s *Handlers) appLoginView(c echo.Context, fragment bool) error {
	l, ok := appLoginOf(c)
	if !ok {
		return s.appRedirect(c, fragment, "/log-ind")
	}
	st, err := s.Identity.AppRequestState(c.Request().Context(), l.ID, l.Secret)
	switch {
	case errors.Is(err, identity.ErrNotFound):
		dropAppLogin(c)
		return s.appRedirect(c, fragment, "/log-ind")
	case err != nil && fragment:
		// The full page shows the error (a blocked MitID's page).
		return s.appRedirect(c, true, "/log-ind/app")
	case err != nil:
		return s.RenderIdentityError(c, err)
	}
	v := views.AppLoginView{DisplayCode: l.Code, Status: appLoginState(st)}
	if fragment && web.PollUnchanged(c, v.Status) {
		return c.NoContent(http.StatusNoContent)
	}
	if !fragment {
		return s.Render(c, http.StatusOK, views.AppLogin(v))
	}
	// Once approved, the fragment's form posts itself (htmx) to finish: the poll only reads.
	return s.Render(c, http.StatusOK, views.AppLoginStatus(v))
}

// appLoginState is what the waiting page shows for a request's status.
func appLoginState(st identity.AppRequestStatus) string {
	switch st {
	case identity.AppPending, identity.AppApproved, identity.AppRejected:
		return string(st)
	}
	return "expired" // expired, cancelled by a newer request, or used
}

// appRedirect sends an htmx fragment request to url with HX-Redirect, a page with a redirect.
func (s *Handlers) appRedirect(c echo.Context, fragment bool, url string) error {
	if !fragment {
		return s.Redirect(c, url)
	}
	if err := s.SaveSession(c); err != nil {
		return err
	}
	c.Response().Header().Set("HX-Redirect", url)
	return c.NoContent(http.StatusOK)
}

// AppLoginFinish (a POST: the button, or htmx once the app approved) turns the approved request
// into a logged-in session; otherwise it shows the waiting page (an htmx request: its status
// part) with what stands in the way.
func (s *Handlers) AppLoginFinish(c echo.Context) error {
	fragment := c.Request().Header.Get("HX-Request") == "true"
	l, ok := appLoginOf(c)
	if !ok {
		return s.appRedirect(c, fragment, "/log-ind")
	}
	login, err := s.Identity.FinishAppLogin(c.Request().Context(), l.ID, l.Secret, s.ClientAddr(c))
	v := views.AppLoginView{DisplayCode: l.Code}
	switch {
	case err == nil:
		dropAppLogin(c)
		next, err := s.establishLogin(c, login)
		if err != nil {
			return err
		}
		return s.appRedirect(c, fragment, next)
	case errors.Is(err, identity.ErrAppPending):
		v.Status, v.Notice = "pending", identity.ErrAppPending.MsgID
	case errors.Is(err, identity.ErrAppRejected):
		v.Status = "rejected"
	case errors.Is(err, identity.ErrAppRequestExpired):
		v.Status = "expired"
	case errors.Is(err, identity.ErrAppRequestInvalid):
		dropAppLogin(c)
		return s.appRedirect(c, fragment, "/log-ind")
	case fragment:
		// The full page shows the error (a blocked MitID's page).
		return s.appRedirect(c, true, "/log-ind/app")
	default:
		return s.RenderIdentityError(c, err)
	}
	if fragment {
		return s.Render(c, http.StatusOK, views.AppLoginStatus(v))
	}
	return s.Render(c, http.StatusOK, views.AppLogin(v))
}
