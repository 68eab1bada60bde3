package desk

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/staff"
	"mitidportal/views"
)

// A new staff member sets a password and registers a security key through the one-time link
// from `portal staff create` or the admin page; nothing is stored on the account before both
// are done.

// EnrolLink opens the one-time link: it keeps a reference to the enrolment in the session
// and sends the browser on to an address without the token, so the token is not left in the
// address bar or history.
func (s *Handlers) EnrolLink(c echo.Context) error {
	token := c.Param("token")
	e, ok, err := s.linkEnrolment(c, token)
	if !ok {
		return err
	}
	// The GET only reads: the password form posts back to the link, and that POST is what ties
	// the enrolment to this browser's session.
	return s.Render(c, http.StatusOK, views.StaffEnrol(views.StaffEnrolView{Name: e.User.Name, Email: e.User.Email,
		Action: enrolLinkPath(token)}))
}

// enrolLinkPath is the address of an enrolment link; the token is a path segment.
func enrolLinkPath(token string) string { return "/medarbejder/tilmeld/" + url.PathEscape(token) }

// EnrolLinkSubmit is the password step posted from the link's page: the link's enrolment is
// tied to this session together with the password's hash, once the password is accepted.
func (s *Handlers) EnrolLinkSubmit(c echo.Context) error {
	token := c.Param("token")
	e, ok, err := s.linkEnrolment(c, token)
	if !ok {
		return err
	}
	return s.enrolPassword(c, e, enrolLinkPath(token))
}

// linkEnrolment is the enrolment of the link's token; when ok is false the page has answered
// (404 for a link that cannot be used) and err is that answer. The access log shows these
// routes by their pattern (logPath), never the token.
func (s *Handlers) linkEnrolment(c echo.Context, token string) (staff.Enrolment, bool, error) {
	e, err := s.Staff.OpenEnrolment(c.Request().Context(), token)
	if errors.Is(err, staff.ErrEnrolmentInvalid) {
		return staff.Enrolment{}, false, s.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
	return e, err == nil, err
}

// openEnrolment is the enrolment this session is completing, if it can still be used.
func (s *Handlers) openEnrolment(c echo.Context) (staff.Enrolment, bool, error) {
	ref, _ := web.StateOf(c).Sess.Values[keyStaffEnrolRef].(string)
	if ref == "" {
		return staff.Enrolment{}, false, nil
	}
	e, err := s.Staff.EnrolmentByRef(c.Request().Context(), ref)
	if errors.Is(err, staff.ErrEnrolmentInvalid) {
		return staff.Enrolment{}, false, nil
	}
	return e, err == nil, err
}

// EnrolPage asks the new staff member for a password.
func (s *Handlers) EnrolPage(c echo.Context) error {
	e, ok, err := s.openEnrolment(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
	return s.Render(c, http.StatusOK, views.StaffEnrol(views.StaffEnrolView{Name: e.User.Name, Email: e.User.Email,
		Action: "/medarbejder/tilmeld"}))
}

// EnrolSubmit checks the new password and keeps only its hash in the session until the
// key is registered; nothing is stored on the account before both are done.
func (s *Handlers) EnrolSubmit(c echo.Context) error {
	e, ok, err := s.openEnrolment(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
	return s.enrolPassword(c, e, "/medarbejder/tilmeld")
}

// enrolPassword checks the new password of enrolment e; the form posts to action.
func (s *Handlers) enrolPassword(c echo.Context, e staff.Enrolment, action string) error {
	f := views.Form{}
	password, repeat := web.SecretField(c, "password"), web.SecretField(c, "password_repeat")
	web.InputErrors(c, &f)
	web.Require(&f, map[string]string{"password": password, "password_repeat": repeat},
		[2]string{"password", "staffweb.err.new_password_required"},
		[2]string{"password_repeat", "staffweb.err.password_repeat_required"})
	if !f.HasErrors() && password != repeat {
		f.Errors = append(f.Errors, views.FieldError{Field: "password_repeat", MsgID: "staffweb.err.password_mismatch"})
	}
	var hash string
	if !f.HasErrors() {
		var err error
		hash, err = s.Staff.HashNewPassword(c.Request().Context(), password, e.User.Email)
		if rule, ok := staff.IsRule(err); ok {
			f.Errors = append(f.Errors, views.FieldError{Field: "password", MsgID: rule.MsgID})
		} else if err != nil {
			return err
		}
	}
	if f.HasErrors() {
		return s.Render(c, web.StatusInvalid, views.StaffEnrol(views.StaffEnrolView{Name: e.User.Name, Email: e.User.Email,
			Form: f, Action: action}))
	}
	st := web.StateOf(c)
	st.Sess.Values[keyStaffEnrolRef] = e.Ref
	st.Sess.Values[keyStaffEnrolHash] = hash
	st.Dirty = true
	return s.Redirect(c, "/medarbejder/tilmeld/noegle")
}

// enrolmentWithPassword is openEnrolment once the password step is done, with the hash.
func (s *Handlers) enrolmentWithPassword(c echo.Context) (staff.Enrolment, string, bool, error) {
	hash, _ := web.StateOf(c).Sess.Values[keyStaffEnrolHash].(string)
	e, ok, err := s.openEnrolment(c)
	return e, hash, ok && hash != "", err
}

// EnrolKeyPage asks for the security key once the password is chosen.
func (s *Handlers) EnrolKeyPage(c echo.Context) error {
	e, _, ok, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.Redirect(c, "/medarbejder/tilmeld")
	}
	return s.Render(c, http.StatusOK, views.StaffEnrolKey(views.StaffEnrolKeyView{Name: e.User.Name, Email: e.User.Email}))
}

// EnrolBegin asks for a new credential on a security key: user verification required, no
// attestation, and the account's keys excluded.
func (s *Handlers) EnrolBegin(c echo.Context) error {
	e, _, ok, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.ScriptRedirect(c, "/medarbejder/tilmeld")
	}
	keys, err := s.Staff.Credentials(c.Request().Context(), e.User.ID)
	if err != nil {
		return err
	}
	user := staffKeyUser(e.User, keys)
	return s.keys.BeginRegistration(c, user, user.Descriptors(), web.Ceremony{Purpose: staffEnrol, Account: e.User.ID})
}

// EnrolFinish verifies the new credential and completes the enrolment in one go: the
// link is used up, the password and key are stored, and the new staff member is logged in.
func (s *Handlers) EnrolFinish(c echo.Context) error {
	cer, ok := s.keys.Take(c, staffEnrol)
	e, hash, open, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !open {
		return s.ScriptRedirect(c, "/medarbejder/tilmeld")
	}
	if !ok || cer.Account != e.User.ID {
		return s.ScriptFail(c, http.StatusBadRequest, "staffweb.key.expired")
	}
	ctx := c.Request().Context()
	refuse := func(reason error) error {
		s.Log.InfoContext(ctx, "staff key registration refused", "staff", e.User.ID, "error", reason.Error())
		return s.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	parsed, err := s.keys.ParseCreation(c)
	if err != nil {
		return refuse(err)
	}
	key, err := s.keys.CreateCredential(staffKeyUser(e.User, nil), cer, parsed)
	if err != nil {
		return refuse(err)
	}
	u, err := s.Staff.CompleteEnrolment(ctx, e.Ref, hash, staff.Credential{
		CredentialID: key.CredentialID, PublicKey: key.PublicKey, SignCount: key.SignCount, AAGUID: key.AAGUID,
		Transports: key.Transports, BackupEligible: key.BackupEligible, BackupState: key.BackupState,
		UserVerified: key.UserVerified,
	})
	switch {
	case errors.Is(err, staff.ErrKeyRegistered):
		return s.ScriptFail(c, http.StatusConflict, staff.ErrKeyRegistered.MsgID)
	case errors.Is(err, staff.ErrEnrolmentInvalid):
		return s.ScriptRedirect(c, "/medarbejder/tilmeld")
	case err != nil:
		return err
	}
	if err := s.establishStaffLogin(c, u); err != nil {
		return err
	}
	return s.ScriptRedirect(c, staffHomePath)
}
