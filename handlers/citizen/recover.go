package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Recovery and lifting a block with a checked activation code (DESIGN.md §3.5, §3.6). Both
// pages need the grant a checked code left in the session (activation_grant.go); the code is
// spent by the domain in the transaction of the change, and the grant is forgotten after.

// grantedMitID returns the checked code's id and person and the person's MitID; ok is false
// (and the caller sends the browser to /aktiver, whose next check replaces the grant) when the
// session holds no grant or the person has no MitID any more. It changes nothing: the pages
// shown by GET use it too.
func (s *Handlers) grantedMitID(c echo.Context) (int64, identity.CPR, identity.MitID, bool, error) {
	id, cpr, ok := s.grantedActivation(c)
	if !ok {
		return 0, "", identity.MitID{}, false, nil
	}
	m, err := s.Identity.MitIDByCPR(c.Request().Context(), cpr)
	if errors.Is(err, identity.ErrNotFound) {
		return 0, "", identity.MitID{}, false, nil
	}
	return id, cpr, m, err == nil, err
}

// RecoverPage asks whether only the password was forgotten or every means lost, and for a new
// password.
func (s *Handlers) RecoverPage(c echo.Context) error {
	_, _, m, ok, err := s.grantedMitID(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Redirect(c, "/aktiver")
	}
	return s.Render(c, http.StatusOK, views.Recover(views.RecoverView{Username: m.Username}))
}

// RecoverSubmit sets the new password with the recovery code and, when everything was lost,
// revokes the old means and goes on to the pages that add the first new one. Every other
// session of the MitID ends; this browser's stays.
func (s *Handlers) RecoverSubmit(c echo.Context) error {
	actID, cpr, m, ok, err := s.grantedMitID(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Redirect(c, "/aktiver")
	}
	f := web.FormOf(c, "situation")
	password, repeat := web.SecretField(c, "password"), web.SecretField(c, "password_repeat")
	web.InputErrors(c, &f)
	situation := f.Values["situation"]
	if f.ErrorFor("situation") == nil && situation != "forgot_password" && situation != "lost_everything" {
		f.Errors = append(f.Errors, views.FieldError{Field: "situation", MsgID: "recover.err.situation_required"})
	}
	if f.ErrorFor("password") == nil && f.ErrorFor("password_repeat") == nil {
		f.Errors = append(f.Errors, checkNewPassword(password, repeat)...)
	}
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.Recover(views.RecoverView{Username: m.Username, Form: f}))
	}
	if f.HasErrors() {
		return again()
	}
	lost := situation == "lost_everything"
	_, err = s.Identity.Recover(c.Request().Context(), identity.RecoverInput{CPR: cpr, ActivationID: actID,
		NewPassword: password, LostEverything: lost, Actor: identity.ActorCitizen,
		KeepSession: web.StateOf(c).Sess.ID})
	if err != nil {
		return s.FieldOrError(c, &f, err, s.activationField(c, err), again)
	}
	s.dropGrant(c)
	if lost {
		return s.firstMeansAfterRecovery(c, m.ID)
	}
	return s.Redirect(c, "/aktiver/gendan/faerdig")
}

// keyRecovering marks, beside keyCreateMitID, that the MitID getting its first means was
// recovered, not created: the done page says so.
const keyRecovering = "create_recovering"

// firstMeansAfterRecovery hands the recovered MitID, which has no means left but its new
// password, to the pages that add the first means of a MitID being created (create.go): the
// citizen adds a new app, chip or code display there without a login.
func (s *Handlers) firstMeansAfterRecovery(c echo.Context, mitidID int64) error {
	st := web.StateOf(c)
	st.Sess.Values[keyCreateMitID] = mitidID
	st.Sess.Values[keyRecovering] = true
	st.Dirty = true
	return s.Redirect(c, "/opret/middel")
}

// activationField says where a refusal of Recover or LiftBlock is shown: a rule of the new
// password at its field, anything about the code or the MitID above the form. A code that can
// no longer be used (spent meanwhile, replaced, expired, not one that may lift) is forgotten,
// so the next visit goes back to /aktiver for a new one.
func (s *Handlers) activationField(c echo.Context, err error) string {
	switch {
	case errors.Is(err, identity.ErrActivationInvalid), errors.Is(err, identity.ErrLiftRefused):
		s.dropGrant(c)
		return ""
	case errors.Is(err, identity.ErrMitIDBlocked), errors.Is(err, identity.ErrMitIDRevoked),
		errors.Is(err, identity.ErrMitIDNotBlocked):
		return ""
	}
	return "password"
}

// RecoverDonePage says that the new password works.
func (s *Handlers) RecoverDonePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.RecoverDone())
}

// LiftPage says what lifting the block does and asks for a new password.
func (s *Handlers) LiftPage(c echo.Context) error {
	_, _, m, ok, err := s.grantedMitID(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Redirect(c, "/aktiver")
	}
	return s.Render(c, http.StatusOK, views.Lift(s.liftView(m, views.Form{})))
}

func (s *Handlers) liftView(m identity.MitID, f views.Form) views.LiftView {
	v := views.LiftView{Username: m.Username, Form: f}
	if m.BlockedAt != nil {
		v.BlockedAt = s.When(*m.BlockedAt)
	}
	return v
}

// LiftSubmit lifts the block with the lift code and sets the new password.
func (s *Handlers) LiftSubmit(c echo.Context) error {
	actID, cpr, m, ok, err := s.grantedMitID(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Redirect(c, "/aktiver")
	}
	password, repeat := web.SecretField(c, "password"), web.SecretField(c, "password_repeat")
	var f views.Form
	if web.InputErrors(c, &f); !f.HasErrors() {
		f.Errors = checkNewPassword(password, repeat)
	}
	again := func() error { return s.Render(c, web.StatusInvalid, views.Lift(s.liftView(m, f))) }
	if f.HasErrors() {
		return again()
	}
	_, err = s.Identity.LiftBlock(c.Request().Context(), identity.LiftInput{CPR: cpr, ActivationID: actID,
		NewPassword: password, Actor: identity.ActorCitizen})
	if err != nil {
		return s.FieldOrError(c, &f, err, s.activationField(c, err), again)
	}
	s.dropGrant(c)
	return s.Redirect(c, "/aktiver/ophaev/faerdig")
}

// LiftDonePage says that the block is lifted.
func (s *Handlers) LiftDonePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.LiftDone())
}
