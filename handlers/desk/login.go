package desk

import (
	"cmp"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/views"
)

// Staff log in with e-mail and password, then their security key (DESIGN.md §4); there is no
// staff access without the key. The key ceremonies run through web.Ceremonies like the citizen
// chip's: assets/src/webauthn.js posts to begin and finish, and everything finish checks against
// stays in the server-side session. Failures count per address as typed (timed lock-outs,
// identity.Lockouts) and per client address (the staff-login throttle).
//
// A disabled account's sessions end in the transaction that disables it (staff.Config.EndSessions), and
// no request checks disabled_at again: the session rows are gone on every instance the moment
// the change commits, and a login checks the account. A role change ends the account's
// sessions the same way, so removed roles stop working at once too.

const (
	// Session values between the login steps: the account whose password was right, and when.
	keyStaffLoginID = "staff_login_id"
	keyStaffLoginAt = "staff_login_at"
	// keyStaffLoginNext is the staff page to go to after the key (web.SafeStaffNext).
	keyStaffLoginNext = "staff_login_next"
	// Session values between the enrolment steps: the enrolment (staff.Enrolment.Ref, never the
	// token) and the hash of the chosen password.
	keyStaffEnrolRef  = "staff_enrol_ref"
	keyStaffEnrolHash = "staff_enrol_hash"
	// staffPendingTTL is how long a right password waits for the key.
	staffPendingTTL = 10 * time.Minute
	// staffHomePath is where a staff login lands.
	staffHomePath = "/medarbejder"
	staffLogin    = "login"
	staffEnrol    = "enrol"
)

// LoginPage asks for e-mail and password; a staff member already logged in goes on to the
// page asked for (?next=, a staff page only), or home. The way back travels in the form, so
// this GET writes nothing.
func (s *Handlers) LoginPage(c echo.Context) error {
	next := web.SafeStaffNext(c.QueryParam("next"))
	if web.StateOf(c).Subject.Kind == session.KindStaff {
		return s.Redirect(c, cmp.Or(next, staffHomePath))
	}
	return s.Render(c, http.StatusOK, views.StaffLogin(views.StaffLoginView{Next: next}))
}

// LoginSubmit checks e-mail and password and goes on to the key. Every refusal is the same
// message, whether the address exists or not.
func (s *Handlers) LoginSubmit(c echo.Context) error {
	f := web.FormOf(c, "email")
	password := web.SecretField(c, "password")
	web.InputErrors(c, &f)
	web.Require(&f, map[string]string{"email": f.Values["email"], "password": password},
		[2]string{"email", "staffweb.err.email_required"}, [2]string{"password", "staffweb.err.password_required"})
	next := web.SafeStaffNext(c.FormValue("next"))
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.StaffLogin(views.StaffLoginView{Form: f, Next: next}))
	}
	if f.HasErrors() {
		return again()
	}
	ctx := c.Request().Context()
	addr := s.ClientAddr(c)
	// Every attempt counts on the address before the password is checked (one statement); a
	// login that finishes with the key gives it back.
	if err := s.Throttle.Take(ctx, identity.ThrottleStaffLogin, addr); err != nil {
		return s.staffThrottled(c, err)
	}
	u, err := s.Staff.CheckPassword(ctx, f.Values["email"], password)
	if errors.Is(err, identity.ErrBusy) {
		// Nothing was checked: the attempt goes back, as on the citizen's login.
		if rerr := s.Throttle.Refund(ctx, identity.ThrottleStaffLogin, addr); rerr != nil {
			return rerr
		}
		return err
	}
	te, isTe := fault.OfKind(err, fault.Throttled)
	switch {
	case errors.Is(err, staff.ErrLoginFailed):
		f.Errors = append(f.Errors, views.FieldError{Field: "email", MsgID: staff.ErrLoginFailed.MsgID})
		return again()
	case isTe:
		// The address as typed is in back-off or locked: the same answer whether an account
		// has it or not.
		web.MarkThrottled(c, err)
		f.Errors = append(f.Errors, views.FieldError{Field: "email", MsgID: te.MsgID,
			Data: map[string]any{"Minutes": te.Minutes()}})
		return again()
	}
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyStaffLoginID] = u.ID
	st.Sess.Values[keyStaffLoginAt] = s.Now().Unix()
	st.Sess.Values[keyStaffLoginNext] = next
	st.Dirty = true
	return s.Redirect(c, "/medarbejder/log-ind/noegle")
}

// staffThrottled shows the wait after too many attempts from this address.
func (s *Handlers) staffThrottled(c echo.Context, err error) error {
	if te, ok := fault.OfKind(err, fault.Throttled); ok {
		web.MarkThrottled(c, err)
		return s.Render(c, http.StatusTooManyRequests, views.Throttled(views.ThrottledView{
			Minutes: te.Minutes(), BackHref: "/medarbejder/log-ind"}))
	}
	return err
}

// pendingStaffLogin is the account whose password was right in this session, if that was
// recent enough.
func (s *Handlers) pendingStaffLogin(c echo.Context) (int64, bool) {
	st := web.StateOf(c)
	id, _ := st.Sess.Values[keyStaffLoginID].(int64)
	at, _ := st.Sess.Values[keyStaffLoginAt].(int64)
	if id == 0 || s.Now().Sub(time.Unix(at, 0)) > staffPendingTTL {
		return 0, false
	}
	return id, true
}

// KeyPage asks for the security key of the account whose password was right.
func (s *Handlers) KeyPage(c echo.Context) error {
	id, ok := s.pendingStaffLogin(c)
	if !ok {
		return s.Redirect(c, "/medarbejder/log-ind")
	}
	u, err := s.Staff.ByID(c.Request().Context(), id)
	if errors.Is(err, staff.ErrNotFound) {
		return s.Redirect(c, "/medarbejder/log-ind")
	}
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.StaffKey(views.StaffKeyView{Email: u.Email}))
}

// KeyBegin asks for an assertion, with user verification, from one of the account's keys.
func (s *Handlers) KeyBegin(c echo.Context) error {
	id, ok := s.pendingStaffLogin(c)
	if !ok {
		return s.ScriptRedirect(c, "/medarbejder/log-ind")
	}
	u, creds, err := s.Staff.LoginKeys(c.Request().Context(), id)
	if errors.Is(err, staff.ErrLoginFailed) {
		return s.ScriptFail(c, http.StatusBadRequest, staff.ErrLoginFailed.MsgID)
	}
	if err != nil {
		return err
	}
	return s.keys.BeginLogin(c, staffKeyUser(u, creds), web.Ceremony{Purpose: staffLogin, Account: id})
}

// KeyFinish verifies the assertion and logs the staff member in. A refused key counts
// against the account and the address like a wrong password.
func (s *Handlers) KeyFinish(c echo.Context) error {
	cer, ok := s.keys.Take(c, staffLogin)
	id, pending := s.pendingStaffLogin(c)
	if !ok || !pending || cer.Account != id {
		return s.ScriptFail(c, http.StatusBadRequest, "staffweb.key.expired")
	}
	ctx := c.Request().Context()
	addr := s.ClientAddr(c)
	refuse := func(reason error) error {
		s.Log.InfoContext(ctx, "staff key refused", "staff", id, "error", reason.Error())
		// The password step's attempt on the account stays counted; the address counts one more.
		if err := s.Throttle.Count(ctx, identity.ThrottleStaffLogin, addr); err != nil {
			return err
		}
		return s.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	parsed, err := s.keys.ParseAssertion(c)
	if err != nil {
		return refuse(err)
	}
	u, creds, err := s.Staff.LoginKeys(ctx, id)
	if errors.Is(err, staff.ErrLoginFailed) {
		return s.ScriptFail(c, http.StatusBadRequest, staff.ErrLoginFailed.MsgID)
	}
	if err != nil {
		return err
	}
	cred, err := s.keys.ValidateLogin(staffKeyUser(u, creds), cer, parsed)
	if err != nil {
		return refuse(err)
	}
	f := parsed.Response.AuthenticatorData.Flags
	u, err = s.Staff.FinishLogin(ctx, id, cred.ID, parsed.Response.AuthenticatorData.Counter, staff.KeyFlags{
		UserPresent: f.HasUserPresent(), UserVerified: f.HasUserVerified(),
		BackupEligible: f.HasBackupEligible(), BackupState: f.HasBackupState(),
	})
	if errors.Is(err, staff.ErrLoginFailed) {
		if err := s.Throttle.Count(ctx, identity.ThrottleStaffLogin, addr); err != nil {
			return err
		}
		return s.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	if err == nil {
		// A finished login gives the address its attempt back (best effort).
		_ = s.Throttle.Refund(ctx, identity.ThrottleStaffLogin, addr)
	}
	if err != nil {
		return err
	}
	next, _ := web.StateOf(c).Sess.Values[keyStaffLoginNext].(string)
	if err := s.establishStaffLogin(c, u); err != nil {
		return err
	}
	return s.ScriptRedirect(c, cmp.Or(web.SafeStaffNext(next), staffHomePath))
}

// establishStaffLogin stores a staff login in the session under a new session ID, with a new
// CSRF token, and forgets every value of a login or enrolment in progress.
func (s *Handlers) establishStaffLogin(c echo.Context, u staff.User) error {
	sub := session.Subject{
		Kind: session.KindStaff, ID: u.ID, Roles: u.Roles,
		Level: string(identity.LevelHigh), AuthenticatedAt: s.Now(), Name: u.Name,
	}
	return s.LogIn(c, sub, keyStaffLoginID, keyStaffLoginAt, keyStaffLoginNext, keyStaffEnrolRef, keyStaffEnrolHash,
		web.KeyStaffCeremony, web.KeyChipCeremony, web.KeyLoginUsername, web.KeyLoginNext, web.KeyLoginService)
}

// staffKeyUser is a staff account as go-webauthn sees it. The user handle is "staff:" and the
// account's id as 8 bytes, so it never equals a citizen chip's handle (a MitID's id) on a key
// that holds both.
func staffKeyUser(u staff.User, creds []staff.Credential) web.KeyUser {
	keys := make([]web.Key, 0, len(creds))
	for _, c := range creds {
		keys = append(keys, web.Key{
			CredentialID: c.CredentialID, PublicKey: c.PublicKey, SignCount: c.SignCount, AAGUID: c.AAGUID,
			Transports: c.Transports, BackupEligible: c.BackupEligible, BackupState: c.BackupState,
			UserVerified: c.UserVerified,
		})
	}
	return web.NewKeyUser("staff:", u.ID, u.Email, u.Name, keys)
}
