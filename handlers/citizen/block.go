package citizen

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// PublicBlockPage is "Spær MitID" for anyone: username and CPR number.
func (s *Handlers) PublicBlockPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.PublicBlock(views.BlockView{Reasons: web.BlockReasons()}))
}

// PublicBlockSubmit blocks the MitID when username and CPR number match, and answers the same
// when they do not: the page cannot be used to learn whether someone has a MitID. It is
// throttled per address by the identity package.
func (s *Handlers) PublicBlockSubmit(c echo.Context) error {
	f := web.FormOf(c, "username", "cpr", "reason", "consent")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.PublicBlock(views.BlockView{Reasons: web.BlockReasons(), Form: f}))
	}
	web.Require(&f, f.Values, [2]string{"username", "form.err.username_required"}, [2]string{"cpr", "form.err.cpr_required"})
	if f.Values["reason"] == "" {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: "form.err.reason_required"})
	} else if _, err := web.ParseChoice(f.Values["reason"]); err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: identity.ErrBlockReasonInvalid.MsgID})
	}
	if f.Values["consent"] != "yes" {
		f.Errors = append(f.Errors, views.FieldError{Field: "consent", MsgID: "form.err.consent_required"})
	}
	if f.HasErrors() {
		return again()
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: identity.ErrCPRInvalid.MsgID})
		return again()
	}
	ctx := c.Request().Context()
	// identity ends the blocked MitID's sessions in the blocking transaction.
	err = s.Identity.BlockPublic(ctx, f.Values["username"], cpr, s.ClientAddr(c), nil)
	if err != nil {
		return s.FieldOrError(c, &f, err, "username", again)
	}
	return s.Render(c, http.StatusOK, views.PublicBlockDone())
}

// BlockMitIDPage and BlockMitIDSubmit block the whole MitID of the logged-in citizen: every
// session of it ends in the same transaction, this one included.
func (s *Handlers) BlockMitIDPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.BlockMitID(views.BlockView{Reasons: web.BlockReasons()}))
}

func (s *Handlers) BlockMitIDSubmit(c echo.Context) error {
	st := web.StateOf(c)
	f := web.FormOf(c, "reason")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.BlockMitID(views.BlockView{Reasons: web.BlockReasons(), Form: f}))
	}
	reason, err := web.ParseChoice(f.Values["reason"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: "form.err.reason_required"})
		return again()
	}
	err = s.Identity.BlockMitID(c.Request().Context(), st.Subject.ID, reason, identity.ActorCitizen, nil)
	if err != nil {
		return s.FieldOrError(c, &f, err, "reason", again)
	}
	st.Sess.Options.MaxAge = -1
	st.Dirty = true
	return s.Render(c, http.StatusOK, views.LoginBlocked())
}
