package citizen

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/views"
)

// The identification app (DESIGN.md §3.4 path 3): the browser starts an identification and
// gets a single-use nonce bound to its session; the app signs the nonce into its result, which
// arrives at /idapp/resultat in the same session and, once verified, is handed over to
// /aktiver/videre as a checked activation code at assurance high. Without configured keys of
// the identification service (IDAPP_KEYS) the pages answer 404.

// keyIDApp holds the identification this session started.
const keyIDApp = "idapp"

// idappStarted is the session's identification: the binding secret whose hash the nonce's row
// holds, and the nonce to show.
type idappStarted struct {
	Binding []byte    `json:"binding"`
	Nonce   string    `json:"nonce"`
	Expires time.Time `json:"expires"`
}

func idappOf(c echo.Context) (idappStarted, bool) {
	var v idappStarted
	raw, _ := web.StateOf(c).Sess.Values[keyIDApp].(string)
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil || len(v.Binding) == 0 {
		return idappStarted{}, false
	}
	return v, true
}

// idappHint is the purpose hint of a request, "" when it is none of the known ones.
func idappHint(c echo.Context) string {
	h := web.Field(c, "formaal")
	if !slices.Contains(idapp.PurposeHints, h) {
		return ""
	}
	return h
}

// IDAppPage explains the identification app and offers to start.
func (s *Handlers) IDAppPage(c echo.Context) error {
	if s.IDApp == nil {
		return echo.ErrNotFound
	}
	return s.Render(c, http.StatusOK, views.IDAppStart(views.IDAppStartView{Hint: idappHint(c)}))
}

// IDAppStart hands out a new nonce bound to this session; an earlier one of the session is
// simply no longer shown (it expires unused).
func (s *Handlers) IDAppStart(c echo.Context) error {
	if s.IDApp == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if err := s.Throttle.Take(ctx, idapp.ThrottleStart, s.ClientAddr(c)); err != nil {
		return err
	}
	binding, err := idapp.NewBinding()
	if err != nil {
		return err
	}
	n, err := s.IDApp.Nonces.Start(ctx, binding, idappHint(c))
	if err != nil {
		return err
	}
	b, err := json.Marshal(idappStarted{Binding: binding, Nonce: n.Code, Expires: n.ExpiresAt})
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyIDApp] = string(b)
	st.Dirty = true
	return s.Redirect(c, "/idapp/vent")
}

// IDAppWait shows the nonce and waits for the result.
func (s *Handlers) IDAppWait(c echo.Context) error {
	if s.IDApp == nil {
		return echo.ErrNotFound
	}
	v, ok := idappOf(c)
	if !ok {
		return s.Redirect(c, "/idapp")
	}
	return s.Render(c, http.StatusOK, views.IDAppWait(s.idappWaitView(v, views.Form{})))
}

func (s *Handlers) idappWaitView(v idappStarted, f views.Form) views.IDAppWaitView {
	return views.IDAppWaitView{Nonce: idapp.FormatNonce(v.Nonce),
		Expires: v.Expires.In(s.Schedule.Location()).Format("15.04"), Form: f}
}

// IDAppResult takes the app's signed result, checks it for this session (identity/idapp.Flow)
// and hands the activation code it earned over to /aktiver/videre. A refusal is a page that
// says why and offers to start again.
func (s *Handlers) IDAppResult(c echo.Context) error {
	if s.IDApp == nil {
		return echo.ErrNotFound
	}
	started, ok := idappOf(c)
	f := web.FormOf(c, "result")
	web.Require(&f, f.Values, [2]string{"result", "idapp.err.result_required"})
	if f.HasErrors() {
		if !ok {
			return s.idappRefused(c, idapp.ErrNonceOtherSession)
		}
		f.Values = nil // a result is not shown again
		return s.Render(c, web.StatusInvalid, views.IDAppWait(s.idappWaitView(started, f)))
	}
	ac, err := s.IDApp.Complete(c.Request().Context(), f.Values["result"], started.Binding)
	if err != nil {
		return s.idappRefused(c, err)
	}
	delete(web.StateOf(c).Sess.Values, keyIDApp)
	return s.grantActivation(c, ac)
}

// idappRefused shows the refusal of a result, with the status its kind says; anything that is
// not a refusal goes to the error page.
func (s *Handlers) idappRefused(c echo.Context, err error) error {
	e, ok := fault.Rule(err)
	if !ok {
		return err
	}
	status := http.StatusBadRequest
	switch e.Kind {
	case fault.Conflict:
		status = http.StatusConflict
	case fault.Forbidden:
		status = http.StatusForbidden
	case fault.Throttled:
		return err
	}
	return s.Render(c, status, views.IDAppRefused(views.IDAppRefusedView{MsgID: e.MsgID}))
}

// DemoIDAppPage is the demo's identification app (demo mode only): it fills in this session's
// nonce, so the tester need only choose a person.
func (s *Handlers) DemoIDAppPage(c echo.Context) error {
	if !s.Config.Demo || s.IDApp == nil {
		return echo.ErrNotFound
	}
	f := views.Form{Values: map[string]string{"liveness": "yes", "variant": "normal"}}
	if v, ok := idappOf(c); ok {
		f.Values["nonce"] = idapp.FormatNonce(v.Nonce)
	}
	return s.Render(c, http.StatusOK, views.DemoIDApp(views.DemoIDAppView{Form: f}))
}

// DemoIDAppSubmit reads the chosen person's invented passport, signs the result with the demo
// key and posts it on to /idapp/resultat in this browser.
func (s *Handlers) DemoIDAppSubmit(c echo.Context) error {
	if !s.Config.Demo || s.IDApp == nil {
		return echo.ErrNotFound
	}
	f := web.FormOf(c, "cpr", "nonce", "liveness", "variant")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.DemoIDApp(views.DemoIDAppView{Form: f}))
	}
	web.Require(&f, f.Values, [2]string{"cpr", "form.err.cpr_required"})
	if !slices.Contains([]string{"yes", "no"}, f.Values["liveness"]) && f.ErrorFor("liveness") == nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "liveness", MsgID: "idapp.demo.err.liveness"})
	}
	variant := f.Values["variant"]
	if !slices.Contains([]string{"normal", "expired", "wrong_nonce"}, variant) && f.ErrorFor("variant") == nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "variant", MsgID: "idapp.demo.err.variant"})
	}
	if variant != "wrong_nonce" {
		web.Require(&f, f.Values, [2]string{"nonce", "idapp.demo.err.nonce_required"})
	}
	if f.HasErrors() {
		return again()
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: identity.ErrCPRInvalid.MsgID})
		return again()
	}
	p, err := s.Persons.ByCPR(c.Request().Context(), cpr)
	if errors.Is(err, identity.ErrNotFound) {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: "idapp.demo.err.cpr_unknown"})
		return again()
	}
	if err != nil {
		return err
	}
	result, err := idapp.Simulate(idapp.Simulation{Person: p, Nonce: f.Values["nonce"],
		Liveness: f.Values["liveness"] == "yes", Expired: variant == "expired", WrongNonce: variant == "wrong_nonce"},
		s.Now())
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.DemoIDAppSend(views.DemoIDAppSendView{Result: result}))
}
