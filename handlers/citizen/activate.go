package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// /aktiver: the code from a letter (or from borgerservice) is typed here, in any browser, on
// any day within its validity, with the CPR number or the username of the person it was sent
// to. A right code is handed over to what it is for (activation_grant.go) and spent only by
// the step that uses it. /opret/kode, the creating browser's next step, is the same page.

// keyLetterCPR is the CPR number this browser just ordered a letter for (/opret, /glemt/brev):
// the form then says the letter is on its way and needs no CPR number typed again.
const keyLetterCPR = "create_cpr"

// newLetterHref is where a person whose code is spent or no longer valid orders a new one.
const newLetterHref = "/glemt/brev"

// letterCPR returns the CPR number this browser ordered a letter for.
func (s *Handlers) letterCPR(c echo.Context) (identity.CPR, bool) {
	v, _ := web.StateOf(c).Sess.Values[keyLetterCPR].(string)
	return identity.CPR(v), v != ""
}

// orderedLetter remembers in the session that a letter was just ordered for cpr.
func (s *Handlers) orderedLetter(c echo.Context, cpr identity.CPR) {
	st := web.StateOf(c)
	st.Sess.Values[keyLetterCPR] = string(cpr)
	st.Dirty = true
}

// activateView is the page's view model with what the session knows.
func (s *Handlers) activateView(c echo.Context, f views.Form) views.ActivateView {
	v := views.ActivateView{Form: f, NewLetterHref: newLetterHref}
	if cpr, ok := s.letterCPR(c); ok {
		v.Sent, v.EmailSent = true, s.hasEmail(c, cpr)
		if f.Values == nil || f.Values["cpr"] == "" {
			if v.Form.Values == nil {
				v.Form.Values = map[string]string{}
			}
			v.Form.Values["cpr"] = cpr.String()
		}
	}
	return v
}

// ActivatePage shows the form for the code (GET /aktiver and /opret/kode).
func (s *Handlers) ActivatePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.Activate(s.activateView(c, views.Form{})))
}

// ActivateSubmit checks the code for the person named by CPR number or username. Attempts are
// counted per client address before anything is looked up (a right code gives its attempt
// back), and per code by Activations.Check; a code that is spent or no longer valid is answered
// with a link to order a new letter.
func (s *Handlers) ActivateSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := web.FormOf(c, "cpr", "code")
	if f.Values["cpr"] == "" {
		// The creating browser's form may leave it out: the letter was ordered here.
		if cpr, ok := s.letterCPR(c); ok {
			f.Values["cpr"] = cpr.String()
		}
	}
	var dead bool
	again := func() error {
		v := s.activateView(c, f)
		v.Dead = dead
		return s.Render(c, web.StatusInvalid, views.Activate(v))
	}
	web.Require(&f, f.Values, [2]string{"cpr", "activate.err.who_required"},
		[2]string{"code", "form.err.activation_code_required"})
	if f.HasErrors() {
		return again()
	}
	if err := s.Throttle.Take(ctx, identity.ThrottleActivation, s.ClientAddr(c)); err != nil {
		return s.FieldOrError(c, &f, err, "code", again)
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		// Not a CPR number: a username.
		m, err := s.Identity.MitIDByUsername(ctx, f.Values["cpr"])
		if errors.Is(err, identity.ErrNotFound) {
			f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: "activate.err.unknown"})
			return again()
		}
		if err != nil {
			return err
		}
		cpr = m.CPR
	}
	ac, err := s.Activations.Check(ctx, cpr, f.Values["code"])
	if errors.Is(err, identity.ErrActivationSpent) || errors.Is(err, identity.ErrActivationInvalid) {
		dead = true
	}
	if err != nil {
		return s.FieldOrError(c, &f, err, "code", again)
	}
	if err := s.Throttle.Refund(ctx, identity.ThrottleActivation, s.ClientAddr(c)); err != nil {
		return err
	}
	return s.grantActivation(c, ac)
}

// ActivateContinue sends a browser with a checked code on to what the code is for (GET
// /aktiver/videre). It writes nothing: a code that stopped working meanwhile is only reported.
func (s *Handlers) ActivateContinue(c echo.Context) error {
	if _, _, ok := s.grantedActivation(c); !ok {
		return s.Redirect(c, "/aktiver")
	}
	ac, ok, err := s.grantedCode(c)
	if err != nil {
		return err
	}
	if !ok {
		f := views.Form{Errors: []views.FieldError{{Field: "code", MsgID: identity.ErrActivationInvalid.MsgID}}}
		v := s.activateView(c, f)
		v.Dead = true
		return s.Render(c, http.StatusOK, views.Activate(v))
	}
	switch ac.Purpose {
	case identity.ActivationCreate:
		return s.Redirect(c, "/opret/bruger")
	case identity.ActivationRecover:
		return s.Redirect(c, "/aktiver/gendan")
	case identity.ActivationLift:
		return s.Redirect(c, "/aktiver/ophaev")
	}
	return echo.ErrNotFound
}

// grantedCode returns the session's checked activation code while it can still be used.
func (s *Handlers) grantedCode(c echo.Context) (identity.ActivationCode, bool, error) {
	id, cpr, ok := s.grantedActivation(c)
	if !ok {
		return identity.ActivationCode{}, false, nil
	}
	ac, err := s.Activations.Get(c.Request().Context(), id)
	if errors.Is(err, identity.ErrNotFound) {
		return identity.ActivationCode{}, false, nil
	}
	if err != nil {
		return identity.ActivationCode{}, false, err
	}
	return ac, ac.CPR == cpr && s.Activations.Usable(ac), nil
}
