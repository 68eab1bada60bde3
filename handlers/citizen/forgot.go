package citizen

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// "Glemt eller mistet" (DESIGN.md §3.5): one entry, linked from the login page, the blocked
// page and the /opret refusal, that asks what was lost and leads to the right way back in.

// lostOptions are the answers to "what have you lost?", in the order shown.
var lostOptions = []views.Option{
	{Value: views.LostPasswordApp, LabelID: "forgot.lost.password_app", HintID: "forgot.lost.password_app_hint"},
	{Value: views.LostPasswordNoApp, LabelID: "forgot.lost.password_noapp"},
	{Value: views.LostMeans, LabelID: "forgot.lost.means", HintID: "forgot.lost.means_hint"},
	{Value: views.LostEverything, LabelID: "forgot.lost.everything"},
}

// ForgotPage asks what was lost and, once answered (GET /glemt?mistet=...), shows the way back
// in. The answer is a query, so the page works without JavaScript and writes nothing.
func (s *Handlers) ForgotPage(c echo.Context) error {
	v := views.ForgotView{Options: lostOptions, Form: views.Form{Values: map[string]string{}}}
	lost := web.Field(c, "mistet")
	web.InputErrors(c, &v.Form)
	if (c.QueryParams().Has("mistet") || c.QueryParams().Has("svar")) && !v.Form.HasErrors() {
		for _, o := range lostOptions {
			if o.Value == lost {
				v.Lost = lost
			}
		}
		if v.Lost == "" {
			v.Form.Errors = append(v.Form.Errors, views.FieldError{Field: "mistet", MsgID: "forgot.err.choose"})
		}
	}
	v.Form.Values["mistet"] = v.Lost
	status := http.StatusOK
	if v.Form.HasErrors() {
		status = web.StatusInvalid
	}
	return s.Render(c, status, views.Forgot(v))
}

// ForgotInPerson is the text page on proving who you are at borgerservice.
func (s *Handlers) ForgotInPerson(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.ForgotInPerson())
}

// ForgotLetterPage asks for the identity that a new activation letter is sent for.
func (s *Handlers) ForgotLetterPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.ForgotLetter(views.ForgotLetterView{}))
}

// ForgotLetterSubmit matches the person like /opret does and sends a new letter for what their
// MitID needs: a recovery code for a usable one, a creation code when there is none or its
// creation never finished. A blocked MitID gets no letter from this form: lifting a block
// needs high assurance (borgerservice, the identification app, or support after verifying
// the caller), so the page says so.
func (s *Handlers) ForgotLetterSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := web.FormOf(c, "cpr", "name", "document")
	var blocked bool
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.ForgotLetter(views.ForgotLetterView{Form: f, Blocked: blocked}))
	}
	// The same step and per-address bound as /opret.
	person, ok, err := s.letterPerson(c, &f, again)
	if !ok {
		return err
	}
	purpose, m, err := s.Identity.PurposeFor(ctx, person.CPR)
	if err != nil {
		return err
	}
	if purpose == identity.ActivationLift {
		blocked = true
		return s.Render(c, http.StatusOK, views.ForgotLetter(views.ForgotLetterView{Form: f, Blocked: true}))
	}
	// The letter goes out in the issuing transaction; an earlier code of the same purpose stops
	// working.
	if _, err := s.Activations.IssueByLetter(ctx, person.CPR, purpose, m.ID); err != nil {
		return err
	}
	s.orderedLetter(c, person.CPR)
	return s.Redirect(c, "/aktiver")
}
