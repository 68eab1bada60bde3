package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/identity"
	"mitidportal/views"
)

// publicBlockPage is "Spær MitID" for anyone: username and CPR number.
func (s *Server) publicBlockPage(c echo.Context) error {
	return s.render(c, http.StatusOK, views.PublicBlock(views.BlockView{Reasons: blockReasons()}))
}

// publicBlockSubmit blocks the MitID when username and CPR number match, and answers the same
// when they do not: the page cannot be used to learn whether someone has a MitID. It is
// throttled per address by the identity package.
func (s *Server) publicBlockSubmit(c echo.Context) error {
	f := formOf(c, "username", "cpr", "reason", "consent")
	again := func() error {
		return s.render(c, statusInvalid, views.PublicBlock(views.BlockView{Reasons: blockReasons(), Form: f}))
	}
	require(&f, f.Values, [2]string{"username", "form.err.username_required"}, [2]string{"cpr", "form.err.cpr_required"})
	if f.Values["reason"] == "" {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: "form.err.reason_required"})
	} else if _, err := parseChoice(f.Values["reason"]); err != nil {
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
	err = s.Identity.BlockPublic(ctx, f.Values["username"], cpr, s.clientAddr(c), nil)
	if err != nil {
		return s.fieldOrError(c, &f, err, "username", again)
	}
	return s.render(c, http.StatusOK, views.PublicBlockDone())
}
