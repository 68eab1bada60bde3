package handlers

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/views"
)

// Staff log in with e-mail and password, then their security key (DESIGN.md §4); there is no
// staff access without the key. The key ceremonies work like the citizen chip's (chip.go):
// assets/src/webauthn.js posts to begin and finish, and everything finish checks against stays
// in the server-side session. Failures count per account (package staff locks at
// staff.MaxFailures) and per client address (the shared login throttle).
//
// A disabled account's sessions end in the transaction that disables it (staff_admin.go), and
// no request checks disabled_at again: the session rows are gone on every instance the moment
// the change commits, and a login checks the account. A role change ends the account's
// sessions the same way, so removed roles stop working at once too.

const (
	// Session values between the login steps: the account whose password was right, and when.
	keyStaffLoginID = "staff_login_id"
	keyStaffLoginAt = "staff_login_at"
	// Session values between the enrolment steps: the enrolment (staff.Enrolment.Ref, never the
	// token) and the hash of the chosen password.
	keyStaffEnrolRef  = "staff_enrol_ref"
	keyStaffEnrolHash = "staff_enrol_hash"
	// keyStaffCeremony holds the staff key ceremony in progress (staffCeremony as JSON).
	keyStaffCeremony = "staff_ceremony"
	// staffPendingTTL is how long a right password waits for the key.
	staffPendingTTL = 10 * time.Minute
	// staffHomePath is where a staff login lands.
	staffHomePath = "/medarbejder"
	staffLogin    = "login"
	staffEnrol    = "enrol"
)

// staffRoutes are the staff login, enrolment, start and admin pages.
func (s *Server) staffRoutes() []Route {
	admin := web.Only(web.Admin)
	return []Route{
		{http.MethodGet, "/medarbejder/log-ind", web.Public, s.staffLoginPage},
		{http.MethodPost, "/medarbejder/log-ind", web.Public, s.staffLoginSubmit},
		{http.MethodGet, "/medarbejder/log-ind/noegle", web.Public, s.staffKeyPage},
		{http.MethodPost, "/medarbejder/log-ind/noegle/begin", web.Public, s.staffKeyBegin},
		{http.MethodPost, "/medarbejder/log-ind/noegle/finish", web.Public, s.staffKeyFinish},
		// The one-time link from `portal staff create` and the admin page.
		{http.MethodGet, "/medarbejder/tilmeld/:token", web.Public, s.staffEnrolLink},
		{http.MethodGet, "/medarbejder/tilmeld", web.Public, s.staffEnrolPage},
		{http.MethodPost, "/medarbejder/tilmeld", web.Public, s.staffEnrolSubmit},
		{http.MethodGet, "/medarbejder/tilmeld/noegle", web.Public, s.staffEnrolKeyPage},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/begin", web.Public, s.staffEnrolBegin},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/finish", web.Public, s.staffEnrolFinish},

		{http.MethodGet, staffHomePath, web.AnyStaff, s.staffHome},
		{http.MethodGet, "/medarbejder/admin/brugere", admin, s.staffUsers},
		{http.MethodPost, "/medarbejder/admin/brugere", admin, s.staffCreate},
		{http.MethodGet, "/medarbejder/admin/brugere/:id", admin, s.staffUser},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/roller", admin, s.staffSetRoles},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/deaktiver", admin, s.staffDisable},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/aktiver", admin, s.staffEnable},
	}
}

func (s *Server) staffLoginPage(c echo.Context) error {
	if web.StateOf(c).Subject.Kind == session.KindStaff {
		return s.site.Redirect(c, staffHomePath)
	}
	return s.site.Render(c, http.StatusOK, views.StaffLogin(views.StaffLoginView{}))
}

// staffLoginSubmit checks e-mail and password and goes on to the key. Every refusal is the same
// message, whether the address exists or not.
func (s *Server) staffLoginSubmit(c echo.Context) error {
	f := web.FormOf(c, "email")
	password := web.SecretField(c, "password")
	web.InputErrors(c, &f)
	web.Require(&f, map[string]string{"email": f.Values["email"], "password": password},
		[2]string{"email", "staffweb.err.email_required"}, [2]string{"password", "staffweb.err.password_required"})
	again := func() error {
		return s.site.Render(c, web.StatusInvalid, views.StaffLogin(views.StaffLoginView{Form: f}))
	}
	if f.HasErrors() {
		return again()
	}
	ctx := c.Request().Context()
	addr := s.site.ClientAddr(c)
	// Every attempt counts on the address before the password is checked (one statement); a
	// login that finishes with the key gives it back.
	if err := s.Throttle.Take(ctx, identity.ThrottleStaffLogin, addr); err != nil {
		return s.staffThrottled(c, err)
	}
	u, err := s.Staff.CheckPassword(ctx, f.Values["email"], password)
	var te *identity.ThrottledError
	switch {
	case errors.Is(err, staff.ErrLoginFailed):
		f.Errors = append(f.Errors, views.FieldError{Field: "email", MsgID: staff.ErrLoginFailed.MsgID})
		return again()
	case errors.As(err, &te):
		// The address as typed is in back-off or locked: the same answer whether an account
		// has it or not.
		web.MarkThrottled(c, err)
		f.Errors = append(f.Errors, views.FieldError{Field: "email", MsgID: te.Message(),
			Data: map[string]any{"Minutes": te.Minutes()}})
		return again()
	}
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyStaffLoginID] = u.ID
	st.Sess.Values[keyStaffLoginAt] = s.Now().Unix()
	st.Dirty = true
	return s.site.Redirect(c, "/medarbejder/log-ind/noegle")
}

// staffThrottled shows the wait after too many attempts from this address.
func (s *Server) staffThrottled(c echo.Context, err error) error {
	var te *identity.ThrottledError
	if errors.As(err, &te) {
		web.MarkThrottled(c, err)
		return s.site.Render(c, http.StatusTooManyRequests, views.Throttled(views.ThrottledView{
			Minutes: te.Minutes(), BackHref: "/medarbejder/log-ind"}))
	}
	return err
}

// pendingStaffLogin is the account whose password was right in this session, if that was
// recent enough.
func (s *Server) pendingStaffLogin(c echo.Context) (int64, bool) {
	st := web.StateOf(c)
	id, _ := st.Sess.Values[keyStaffLoginID].(int64)
	at, _ := st.Sess.Values[keyStaffLoginAt].(int64)
	if id == 0 || s.Now().Sub(time.Unix(at, 0)) > staffPendingTTL {
		return 0, false
	}
	return id, true
}

func (s *Server) staffKeyPage(c echo.Context) error {
	id, ok := s.pendingStaffLogin(c)
	if !ok {
		return s.site.Redirect(c, "/medarbejder/log-ind")
	}
	u, err := s.Staff.ByID(c.Request().Context(), id)
	if errors.Is(err, staff.ErrNotFound) {
		return s.site.Redirect(c, "/medarbejder/log-ind")
	}
	if err != nil {
		return err
	}
	return s.site.Render(c, http.StatusOK, views.StaffKey(views.StaffKeyView{Email: u.Email}))
}

// staffKeyBegin asks for an assertion, with user verification, from one of the account's keys.
func (s *Server) staffKeyBegin(c echo.Context) error {
	id, ok := s.pendingStaffLogin(c)
	if !ok {
		return s.site.ScriptRedirect(c, "/medarbejder/log-ind")
	}
	u, creds, err := s.Staff.LoginKeys(c.Request().Context(), id)
	if errors.Is(err, staff.ErrLoginFailed) {
		return s.site.ScriptFail(c, http.StatusBadRequest, staff.ErrLoginFailed.MsgID)
	}
	if err != nil {
		return err
	}
	opts, data, err := s.WebAuthn.BeginLogin(newStaffKeyUser(u, creds),
		webauthn.WithUserVerification(protocol.VerificationRequired),
		func(o *protocol.PublicKeyCredentialRequestOptions) error {
			o.Timeout = int(chipCeremonyTTL.Milliseconds())
			return nil
		})
	if err != nil {
		return err
	}
	if err := s.keepStaffCeremony(c, staffCeremony{Purpose: staffLogin, StaffID: id, Data: *data}); err != nil {
		return err
	}
	return s.site.ScriptJSON(c, opts)
}

// staffKeyFinish verifies the assertion and logs the staff member in. A refused key counts
// against the account and the address like a wrong password.
func (s *Server) staffKeyFinish(c echo.Context) error {
	cer, ok := s.takeStaffCeremony(c, staffLogin)
	id, pending := s.pendingStaffLogin(c)
	if !ok || !pending || cer.StaffID != id {
		return s.site.ScriptFail(c, http.StatusBadRequest, "staffweb.key.expired")
	}
	ctx := c.Request().Context()
	addr := s.site.ClientAddr(c)
	refuse := func(reason error) error {
		s.Log.InfoContext(ctx, "staff key refused", "staff", id, "error", reason.Error())
		// The password step's attempt on the account stays counted; the address counts one more.
		if err := s.Throttle.Count(ctx, identity.ThrottleStaffLogin, addr); err != nil {
			return err
		}
		return s.site.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(io.LimitReader(c.Request().Body, chipBodyLimit))
	if err != nil {
		return refuse(err)
	}
	u, creds, err := s.Staff.LoginKeys(ctx, id)
	if errors.Is(err, staff.ErrLoginFailed) {
		return s.site.ScriptFail(c, http.StatusBadRequest, staff.ErrLoginFailed.MsgID)
	}
	if err != nil {
		return err
	}
	cred, err := s.WebAuthn.ValidateLogin(newStaffKeyUser(u, creds), cer.Data, parsed)
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
		return s.site.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	if err == nil {
		// A finished login gives the address its attempt back (best effort).
		_ = s.Throttle.Refund(ctx, identity.ThrottleStaffLogin, addr)
	}
	if err != nil {
		return err
	}
	if err := s.establishStaffLogin(c, u); err != nil {
		return err
	}
	return s.site.ScriptRedirect(c, staffHomePath)
}

// establishStaffLogin stores a staff login in the session under a new session ID, with a new
// CSRF token, and forgets every value of a login or enrolment in progress.
func (s *Server) establishStaffLogin(c echo.Context, u staff.User) error {
	st := web.StateOf(c)
	for _, k := range []string{keyStaffLoginID, keyStaffLoginAt, keyStaffEnrolRef, keyStaffEnrolHash,
		keyStaffCeremony, keyChipCeremony, web.KeyLoginUsername, web.KeyLoginNext, web.KeyLoginService, web.KeyCSRF} {
		delete(st.Sess.Values, k)
	}
	// A new token with the new session ID, so that no token seen before the login (the
	// anonymous cookie's included) is worth anything after it.
	st.Sess.Values[web.KeyCSRF] = web.NewCSRFToken()
	s.site.DropCSRFCookie(c)
	sub := session.Subject{
		Kind: session.KindStaff, ID: u.ID, Roles: u.Roles,
		Level: string(identity.LevelHigh), AuthenticatedAt: s.Now(), Name: u.Name,
	}
	session.SetSubject(st.Sess, sub)
	st.Subject = sub
	if err := s.Sessions.Rotate(c.Request(), c.Response(), st.Sess); err != nil {
		return err
	}
	st.Dirty = false
	return nil
}

// staffCeremony is a staff key ceremony between begin and finish, bound to one account.
type staffCeremony struct {
	Purpose string               `json:"purpose"`
	StaffID int64                `json:"staff"`
	Expires time.Time            `json:"expires"`
	Data    webauthn.SessionData `json:"data"`
}

// keepStaffCeremony stores a ceremony in the session, replacing any earlier one.
func (s *Server) keepStaffCeremony(c echo.Context, cer staffCeremony) error {
	cer.Expires = s.Now().Add(chipCeremonyTTL)
	return web.KeepJSON(c, keyStaffCeremony, cer)
}

// takeStaffCeremony removes the session's ceremony and returns it when it is for purpose and
// has not expired: a challenge is answered at most once.
func (s *Server) takeStaffCeremony(c echo.Context, purpose string) (staffCeremony, bool) {
	var cer staffCeremony
	if !web.TakeJSON(c, keyStaffCeremony, &cer) || cer.Purpose != purpose || !s.Now().Before(cer.Expires) {
		return staffCeremony{}, false
	}
	return cer, true
}

// staffKeyUser is a staff account as go-webauthn sees it. The user handle is "staff:" and the
// account's id as 8 bytes, so it never equals a citizen chip's handle (a MitID's id) on a key
// that holds both.
type staffKeyUser struct {
	u     staff.User
	creds []webauthn.Credential
}

func newStaffKeyUser(u staff.User, keys []staff.Credential) staffKeyUser {
	k := staffKeyUser{u: u}
	for _, c := range keys {
		k.creds = append(k.creds, webAuthnCredential(identity.ChipCredential{
			CredentialID: c.CredentialID, PublicKey: c.PublicKey, SignCount: c.SignCount, AAGUID: c.AAGUID,
			Transports: c.Transports, BackupEligible: c.BackupEligible, BackupState: c.BackupState,
			UserVerified: c.UserVerified,
		}))
	}
	return k
}

func (k staffKeyUser) WebAuthnID() []byte {
	return append([]byte("staff:"), chipUser{id: k.u.ID}.WebAuthnID()...)
}

func (k staffKeyUser) WebAuthnName() string                       { return k.u.Email }
func (k staffKeyUser) WebAuthnDisplayName() string                { return k.u.Name }
func (k staffKeyUser) WebAuthnCredentials() []webauthn.Credential { return k.creds }

// staffEnrolLink opens the one-time link: it keeps a reference to the enrolment in the session
// and sends the browser on to an address without the token, so the token is not left in the
// address bar or history.
func (s *Server) staffEnrolLink(c echo.Context) error {
	token := c.Param("token")
	// The access log shows this route by its pattern (logPath), never the token.
	e, err := s.Staff.OpenEnrolment(c.Request().Context(), token)
	if errors.Is(err, staff.ErrEnrolmentInvalid) {
		return s.site.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	delete(st.Sess.Values, keyStaffEnrolHash)
	st.Sess.Values[keyStaffEnrolRef] = e.Ref
	st.Dirty = true
	return s.site.Redirect(c, "/medarbejder/tilmeld")
}

// openEnrolment is the enrolment this session is completing, if it can still be used.
func (s *Server) openEnrolment(c echo.Context) (staff.Enrolment, bool, error) {
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

func (s *Server) staffEnrolPage(c echo.Context) error {
	e, ok, err := s.openEnrolment(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.site.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
	return s.site.Render(c, http.StatusOK, views.StaffEnrol(views.StaffEnrolView{Name: e.User.Name, Email: e.User.Email}))
}

// staffEnrolSubmit checks the new password and keeps only its hash in the session until the
// key is registered; nothing is stored on the account before both are done.
func (s *Server) staffEnrolSubmit(c echo.Context) error {
	e, ok, err := s.openEnrolment(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.site.Render(c, http.StatusNotFound, views.StaffEnrolInvalid())
	}
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
		hash, err = staff.HashNewPassword(password, e.User.Email)
		if rule, ok := staff.IsRule(err); ok {
			f.Errors = append(f.Errors, views.FieldError{Field: "password", MsgID: rule.MsgID})
		} else if err != nil {
			return err
		}
	}
	if f.HasErrors() {
		return s.site.Render(c, web.StatusInvalid, views.StaffEnrol(views.StaffEnrolView{Name: e.User.Name, Email: e.User.Email, Form: f}))
	}
	st := web.StateOf(c)
	st.Sess.Values[keyStaffEnrolHash] = hash
	st.Dirty = true
	return s.site.Redirect(c, "/medarbejder/tilmeld/noegle")
}

// enrolmentWithPassword is openEnrolment once the password step is done, with the hash.
func (s *Server) enrolmentWithPassword(c echo.Context) (staff.Enrolment, string, bool, error) {
	hash, _ := web.StateOf(c).Sess.Values[keyStaffEnrolHash].(string)
	e, ok, err := s.openEnrolment(c)
	return e, hash, ok && hash != "", err
}

func (s *Server) staffEnrolKeyPage(c echo.Context) error {
	e, _, ok, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.site.Redirect(c, "/medarbejder/tilmeld")
	}
	return s.site.Render(c, http.StatusOK, views.StaffEnrolKey(views.StaffEnrolKeyView{Name: e.User.Name, Email: e.User.Email}))
}

// staffEnrolBegin asks for a new credential on a security key: user verification required, no
// attestation, and the account's keys excluded.
func (s *Server) staffEnrolBegin(c echo.Context) error {
	e, _, ok, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.site.ScriptRedirect(c, "/medarbejder/tilmeld")
	}
	keys, err := s.Staff.Credentials(c.Request().Context(), e.User.ID)
	if err != nil {
		return err
	}
	user := newStaffKeyUser(e.User, keys)
	exclude := make([]protocol.CredentialDescriptor, 0, len(user.creds))
	for _, cred := range user.creds {
		exclude = append(exclude, cred.Descriptor())
	}
	opts, data, err := s.WebAuthn.BeginRegistration(user,
		webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			AuthenticatorAttachment: protocol.CrossPlatform,
			ResidentKey:             protocol.ResidentKeyRequirementDiscouraged,
			UserVerification:        protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		func(o *protocol.PublicKeyCredentialCreationOptions) error {
			o.Timeout = int(chipCeremonyTTL.Milliseconds())
			return nil
		})
	if err != nil {
		return err
	}
	if err := s.keepStaffCeremony(c, staffCeremony{Purpose: staffEnrol, StaffID: e.User.ID, Data: *data}); err != nil {
		return err
	}
	return s.site.ScriptJSON(c, opts)
}

// staffEnrolFinish verifies the new credential and completes the enrolment in one go: the
// link is used up, the password and key are stored, and the new staff member is logged in.
func (s *Server) staffEnrolFinish(c echo.Context) error {
	cer, ok := s.takeStaffCeremony(c, staffEnrol)
	e, hash, open, err := s.enrolmentWithPassword(c)
	if err != nil {
		return err
	}
	if !open {
		return s.site.ScriptRedirect(c, "/medarbejder/tilmeld")
	}
	if !ok || cer.StaffID != e.User.ID {
		return s.site.ScriptFail(c, http.StatusBadRequest, "staffweb.key.expired")
	}
	ctx := c.Request().Context()
	refuse := func(reason error) error {
		s.Log.InfoContext(ctx, "staff key registration refused", "staff", e.User.ID, "error", reason.Error())
		return s.site.ScriptFail(c, http.StatusBadRequest, "staffweb.key.not_accepted")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(io.LimitReader(c.Request().Body, chipBodyLimit))
	if err != nil {
		return refuse(err)
	}
	cred, err := s.WebAuthn.CreateCredential(newStaffKeyUser(e.User, nil), cer.Data, parsed)
	if err != nil {
		return refuse(err)
	}
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	u, err := s.Staff.CompleteEnrolment(ctx, e.Ref, hash, staff.Credential{
		CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Transports: transports, BackupEligible: cred.Flags.BackupEligible,
		BackupState: cred.Flags.BackupState, UserVerified: cred.Flags.UserVerified,
	})
	switch {
	case errors.Is(err, staff.ErrKeyRegistered):
		return s.site.ScriptFail(c, http.StatusConflict, staff.ErrKeyRegistered.MsgID)
	case errors.Is(err, staff.ErrEnrolmentInvalid):
		return s.site.ScriptRedirect(c, "/medarbejder/tilmeld")
	case err != nil:
		return err
	}
	if err := s.establishStaffLogin(c, u); err != nil {
		return err
	}
	return s.site.ScriptRedirect(c, staffHomePath)
}
