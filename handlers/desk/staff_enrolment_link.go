package desk

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/staff"
	"mitidportal/views"
)

// NewEnrolment makes a new one-time enrolment link for the account and shows it on the
// account's page, this once, as the creation does: for a link that was lost or expired, or,
// with replace_keys ticked, a security key that was lost (its keys and password go and its
// sessions end). The account's earlier links stop working.
func (s *Handlers) NewEnrolment(c echo.Context) error {
	u, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "replace_keys")
	if f.HasErrors() {
		return s.renderStaffUser(c, web.StatusInvalid, u, views.StaffUserView{Form: f})
	}
	ctx := c.Request().Context()
	opts := staff.EnrolmentOptions{ReplaceKeys: f.Values["replace_keys"] == "yes"}
	changed, token, err := s.Staff.NewEnrolment(ctx, web.StateOf(c).Subject.ID, u.ID, opts)
	if rule, ok := staff.IsRule(err); ok {
		field := ""
		if rule.MsgID == staff.ErrReplaceOwnKeys.MsgID {
			field = "replace_keys"
		}
		f.Errors = append(f.Errors, views.FieldError{Field: field, MsgID: rule.MsgID})
		// The account as it is now: disabled meanwhile, its page no longer offers the form.
		if u, err = s.staffTarget(c); err != nil {
			return err
		}
		return s.renderStaffUser(c, web.StatusInvalid, u, views.StaffUserView{Form: f})
	}
	if err != nil {
		return err
	}
	link := s.enrolmentLink(changed, token)
	link.KeysRemoved = opts.ReplaceKeys
	return s.renderStaffUser(c, http.StatusOK, changed, views.StaffUserView{Enrolment: link})
}
