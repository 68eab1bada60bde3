package citizen

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// The chip (a FIDO2 security key) runs its WebAuthn ceremonies through web.Ceremonies, the
// plumbing it shares with the staff key: begin and finish are JSON endpoints that
// assets/src/webauthn.js calls from the chip forms. What is the chip's own is here: which
// MitID, which chips, and what the identity domain does with the answer.

const (
	// chipBlockedPath is where the script sends a chip login on a blocked MitID: a JSON
	// answer cannot be the page itself.
	chipBlockedPath = "/log-ind/chip/spaerret"
	// chipBlockedQuery makes that page say the chip is blocked, not the whole MitID.
	chipBlockedQuery = "middel=chip"
)

// The purposes of a chip ceremony (web.Ceremony.Purpose).
const (
	chipLogin  = "login"
	chipAdd    = "add"    // a further chip from the self-service pages
	chipCreate = "create" // the first means of a MitID being created
)

// ChipLoginPage asks for the password and the chip of the login in progress.
func (s *Handlers) ChipLoginPage(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.Redirect(c, "/log-ind")
	}
	return s.Render(c, http.StatusOK, views.LoginChip(views.LoginChipView{Username: ls.Username}))
}

// ChipBlockedPage is the blocked page of the other logins, for the script to go to; with
// ?middel=chip it says that the chip used is blocked (the MitID is not).
func (s *Handlers) ChipBlockedPage(c echo.Context) error {
	// A page of its own, reached by a GET the script makes: it answers 200 like any page.
	if c.QueryParam("middel") == "chip" {
		return s.Render(c, http.StatusOK, views.LoginChipBlocked())
	}
	return s.Render(c, http.StatusOK, views.LoginBlocked())
}

// ChipAddPage asks for a name for the new chip; the script does the rest.
func (s *Handlers) ChipAddPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.AddChip(views.AddChipView{}))
}

// ChipCreatePage offers a chip as the first means of the MitID being created.
func (s *Handlers) ChipCreatePage(c echo.Context) error {
	if _, ok := s.creatingMitID(c); !ok {
		return s.Redirect(c, "/opret")
	}
	return s.Render(c, http.StatusOK, views.CreateChip(views.CreateChipView{}))
}

// ChipLoginBegin checks the password of the login in progress (which counts failures and
// throttles like every password check) and asks for an assertion from one of the MitID's chips.
func (s *Handlers) ChipLoginBegin(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.ScriptRedirect(c, "/log-ind")
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := web.DecodeScriptJSON(c, &in); err != nil {
		return s.ScriptFail(c, http.StatusBadRequest, "chip.err.failed")
	}
	if _, fe := web.CheckText("password", in.Password, true); fe != nil {
		return s.ScriptFail(c, http.StatusBadRequest, fe.MsgID, fe.Data)
	}
	ctx := c.Request().Context()
	m, chips, err := s.Identity.CheckPasswordForChip(ctx, identity.LoginInput{
		Username: ls.Username, Password: in.Password, Service: ls.Service, ClientAddr: s.ClientAddr(c),
	})
	if err != nil {
		return s.chipIdentityError(c, err)
	}
	if len(chips) == 0 {
		// CheckPasswordForChip answers ErrLoginFailed here; this only guards the options.
		return s.ScriptFail(c, http.StatusBadRequest, identity.ErrLoginFailed.MsgID)
	}
	return s.chips.BeginLogin(c, chipUser(m, chips), web.Ceremony{Purpose: chipLogin, Account: m.ID})
}

// ChipLoginFinish verifies the assertion against the session's ceremony, writes the sign
// count and flags back and completes the login at level high.
func (s *Handlers) ChipLoginFinish(c echo.Context) error {
	cer, ok := s.chips.Take(c, chipLogin)
	if !ok {
		return s.ScriptFail(c, http.StatusBadRequest, "chip.err.expired")
	}
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.ScriptRedirect(c, "/log-ind")
	}
	parsed, err := s.chips.ParseAssertion(c)
	if err != nil {
		return s.chipRefused(c, cer, err)
	}
	ctx := c.Request().Context()
	m, err := s.Identity.MitID(ctx, cer.Account)
	if err != nil {
		return s.chipIdentityError(c, err)
	}
	// Blocked chips too: the domain then says the chip is blocked, not that it is unknown.
	chips, err := s.Identity.ChipLoginCredentials(ctx, m.ID)
	if err != nil {
		return err
	}
	cred, err := s.chips.ValidateLogin(chipUser(m, chips), cer, parsed)
	if err != nil {
		return s.chipRefused(c, cer, err)
	}
	// The counter as the key sent it: FinishChipLogin compares it with the stored one and locks
	// a chip whose counter did not grow (a copy of the key may be in use).
	authData := parsed.Response.AuthenticatorData
	login, err := s.Identity.FinishChipLogin(ctx, m.ID, cred.ID, authData.Counter,
		chipFlags(authData.Flags), ls.Service, s.ClientAddr(c))
	if err != nil {
		return s.chipIdentityError(c, err)
	}
	next, err := s.establishLogin(c, login)
	if err != nil {
		return err
	}
	return s.ScriptRedirect(c, next)
}

// ChipAddBegin starts registering a further chip for the logged-in citizen.
func (s *Handlers) ChipAddBegin(c echo.Context) error {
	var in struct {
		Label string `json:"label"`
	}
	if err := web.DecodeScriptJSON(c, &in); err != nil {
		return s.ScriptFail(c, http.StatusBadRequest, "chip.err.failed")
	}
	label, err := identity.ValidateLabel(in.Label)
	if err != nil {
		return s.chipIdentityError(c, err)
	}
	return s.beginChipRegistration(c, chipAdd, web.StateOf(c).Subject.ID, label)
}

// ChipAddFinish stores the new chip and goes back to the overview.
func (s *Handlers) ChipAddFinish(c echo.Context) error {
	return s.finishChipRegistration(c, chipAdd, web.StateOf(c).Subject.ID, "/mitid?done=chip_added")
}

// ChipCreateBegin starts registering the first means of the MitID being created. The name
// is optional here: the creation form does not insist on one.
func (s *Handlers) ChipCreateBegin(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.ScriptRedirect(c, "/opret")
	}
	var in struct {
		Label string `json:"label"`
	}
	if err := web.DecodeScriptJSON(c, &in); err != nil {
		return s.ScriptFail(c, http.StatusBadRequest, "chip.err.failed")
	}
	label := strings.TrimSpace(in.Label)
	if label != "" {
		var err error
		if label, err = identity.ValidateLabel(label); err != nil {
			return s.chipIdentityError(c, err)
		}
	}
	return s.beginChipRegistration(c, chipCreate, id, label)
}

// ChipCreateFinish stores the first chip; the creation ends on its last page.
func (s *Handlers) ChipCreateFinish(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.ScriptRedirect(c, "/opret")
	}
	return s.finishChipRegistration(c, chipCreate, id, "/opret/faerdig")
}

// beginChipRegistration asks for a new credential with user verification. The MitID's chips
// are excluded, so the browser refuses a key that already holds one of them; AddChip refuses
// a duplicate as well, for clients that ignore the list.
func (s *Handlers) beginChipRegistration(c echo.Context, purpose string, mitidID int64, label string) error {
	ctx := c.Request().Context()
	m, err := s.Identity.MitID(ctx, mitidID)
	if err != nil {
		return err
	}
	means, err := s.Identity.Means(ctx, mitidID)
	if err != nil {
		return err
	}
	var exclude []protocol.CredentialDescriptor
	for _, a := range means {
		if a.Kind == identity.KindChip && a.Chip != nil {
			cred := web.Key(*a.Chip).Credential()
			exclude = append(exclude, cred.Descriptor())
		}
	}
	return s.chips.BeginRegistration(c, chipUser(m, nil), exclude,
		web.Ceremony{Purpose: purpose, Account: mitidID, Label: label})
}

// finishChipRegistration verifies the new credential, adds it to the MitID as an active chip
// and sends the page on to next.
func (s *Handlers) finishChipRegistration(c echo.Context, purpose string, mitidID int64, next string) error {
	cer, ok := s.chips.Take(c, purpose)
	if !ok || cer.Account != mitidID {
		return s.ScriptFail(c, http.StatusBadRequest, "chip.err.expired")
	}
	parsed, err := s.chips.ParseCreation(c)
	if err != nil {
		return s.chipRefused(c, cer, err)
	}
	ctx := c.Request().Context()
	m, err := s.Identity.MitID(ctx, mitidID)
	if err != nil {
		return err
	}
	key, err := s.chips.CreateCredential(chipUser(m, nil), cer, parsed)
	if err != nil {
		return s.chipRefused(c, cer, err)
	}
	add := s.Identity.AddChip
	if purpose == chipCreate {
		// The creation session adds the first means only; identity refuses once it can log in.
		add = s.Identity.AddFirstChip
	}
	_, err = add(ctx, mitidID, cer.Label, identity.ChipCredential(key), identity.ActorCitizen)
	if err != nil {
		return s.chipIdentityError(c, err)
	}
	return s.ScriptRedirect(c, next)
}

// chipFlags are the flags of this assertion, written back to the chip.
func chipFlags(f protocol.AuthenticatorFlags) identity.ChipFlags {
	return identity.ChipFlags{
		UserPresent:    f.HasUserPresent(),
		UserVerified:   f.HasUserVerified(),
		BackupEligible: f.HasBackupEligible(),
		BackupState:    f.HasBackupState(),
	}
}

// chipRefused answers a key's answer that does not verify. The reason goes to the log only.
func (s *Handlers) chipRefused(c echo.Context, cer web.Ceremony, err error) error {
	s.Log.InfoContext(c.Request().Context(), "chip refused", "purpose", cer.Purpose,
		"mitid", cer.Account, "error", err.Error())
	return s.ScriptFail(c, http.StatusBadRequest, "chip.err.not_accepted")
}

// chipIdentityError answers a rule of the identity domain. An unknown username gets the same
// answer as a wrong password, so the endpoint cannot tell whether a username exists.
func (s *Handlers) chipIdentityError(c echo.Context, err error) error {
	throttled, isThrottled := fault.OfKind(err, fault.Throttled)
	switch {
	case isThrottled:
		web.MarkThrottled(c, err)
		return s.ScriptFail(c, http.StatusTooManyRequests, throttled.MsgID,
			map[string]any{"Minutes": throttled.Minutes()})
	case errors.Is(err, identity.ErrBusy):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(identity.BusyRetryAfter.Seconds())))
		return s.ScriptFail(c, http.StatusServiceUnavailable, "error.503.text")
	case errors.Is(err, identity.ErrMitIDBlocked):
		return s.ScriptRedirect(c, chipBlockedPath)
	case errors.Is(err, identity.ErrChipBlocked):
		return s.ScriptRedirect(c, chipBlockedPath+"?"+chipBlockedQuery)
	case errors.Is(err, identity.ErrNotFound):
		return s.ScriptFail(c, http.StatusBadRequest, identity.ErrLoginFailed.MsgID)
	}
	e, ok := web.IsIdentityRule(err)
	if !ok {
		return err
	}
	status := http.StatusBadRequest
	switch e {
	case identity.ErrAuthenticatorLocked, identity.ErrMitIDRevoked, identity.ErrChipCloned:
		status = http.StatusForbidden
	case identity.ErrChipRegistered:
		status = http.StatusConflict
	}
	return s.ScriptFail(c, status, e.MsgID)
}

// chipUser is a MitID as go-webauthn sees it. The user handle is the MitID's id as 8 bytes
// (big-endian): stable, and no personal data on the key.
func chipUser(m identity.MitID, chips []identity.ChipCredential) web.KeyUser {
	keys := make([]web.Key, 0, len(chips))
	for _, ch := range chips {
		keys = append(keys, web.Key(ch))
	}
	return web.NewKeyUser("", m.ID, m.Username, m.Username, keys)
}
