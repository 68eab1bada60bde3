package identity

import (
	"time"

	"mitidportal/fault"
)

// Error is a rule broken by the caller's input: the portal's one error type (package fault),
// with a kind that the HTTP layer maps to a status and a message ID it translates.
type Error = fault.Error

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrCPRInvalid          = fault.New("identity", fault.Invalid, "identity.err.cpr_invalid")
	ErrIdentityNotMatched  = fault.New("identity", fault.Invalid, "identity.err.identity_not_matched")
	ErrMitIDExists         = fault.New("identity", fault.Conflict, "identity.err.mitid_exists")
	ErrUsernameTaken       = fault.New("identity", fault.Conflict, "identity.err.username_taken")
	ErrUsernameInvalid     = fault.New("identity", fault.Invalid, "identity.err.username_invalid")
	ErrPasswordTooShort    = fault.New("identity", fault.Invalid, "identity.err.password_too_short")
	ErrPasswordTooLong     = fault.New("identity", fault.Invalid, "identity.err.password_too_long")
	ErrPasswordIsUsername  = fault.New("identity", fault.Invalid, "identity.err.password_is_username")
	ErrPasswordHasCPR      = fault.New("identity", fault.Invalid, "identity.err.password_has_cpr")
	ErrPasswordCommon      = fault.New("identity", fault.Invalid, "identity.err.password_common")
	ErrPasswordWeak        = fault.New("identity", fault.Invalid, "identity.err.password_weak")
	ErrCodeWrong           = fault.New("identity", fault.Invalid, "identity.err.code_wrong")
	ErrAuthenticatorLocked = fault.New("identity", fault.Throttled, "identity.err.authenticator_locked")
	ErrAuthenticatorUnused = fault.New("identity", fault.Invalid, "identity.err.authenticator_unusable")
	ErrMitIDBlocked        = fault.New("identity", fault.Forbidden, "identity.err.mitid_blocked")
	ErrMitIDRevoked        = fault.New("identity", fault.Forbidden, "identity.err.mitid_revoked")
	ErrMitIDNotBlocked     = fault.New("identity", fault.Conflict, "identity.err.mitid_not_blocked")
	// ErrMitIDChanged: the MitID was blocked or lifted while a code for its former state was
	// being issued; nothing was issued.
	ErrMitIDChanged       = fault.New("identity", fault.Conflict, "identity.err.mitid_changed")
	ErrLastMeans          = fault.New("identity", fault.Conflict, "identity.err.last_means")
	ErrThrottled          = fault.New("identity", fault.Throttled, "identity.err.throttled")
	ErrTokenUnusable      = fault.New("identity", fault.Invalid, "identity.err.token_unusable")
	ErrTokenOutOfStock    = fault.New("identity", fault.Conflict, "identity.err.token_out_of_stock")
	ErrChipRegistered     = fault.New("identity", fault.Conflict, "identity.err.chip_registered")
	ErrAppKeyInvalid      = fault.New("identity", fault.Invalid, "identity.err.app_key_invalid")
	ErrLabelInvalid       = fault.New("identity", fault.Invalid, "identity.err.label_invalid")
	ErrActivationWrong    = fault.New("identity", fault.Invalid, "identity.err.activation_code_wrong")
	ErrActivationInvalid  = fault.New("identity", fault.Invalid, "identity.err.activation_code_invalid")
	ErrActivationFormat   = fault.New("identity", fault.Invalid, "identity.err.activation_code_format")
	ErrLoginFailed        = fault.New("identity", fault.Invalid, "identity.err.login_failed")
	ErrChipCloned         = fault.New("identity", fault.Invalid, "identity.err.chip_cloned")
	ErrBlockReasonInvalid = fault.New("identity", fault.Invalid, "identity.err.block_reason_invalid")
	ErrPasswordExpired    = fault.New("identity", fault.Invalid, "identity.err.password_expired")
	// ErrLiftRefused: the code may not lift a block (not high, not issued by staff).
	ErrLiftRefused = fault.New("identity", fault.Forbidden, "identity.err.lift_refused")
	// Letters that work like letters (issue 8): a code whose tries are spent, and a creation
	// session whose MitID can already log in.
	ErrActivationSpent = fault.New("identity", fault.Invalid, "identity.err.activation_code_spent")
	ErrCreationDone    = fault.New("identity", fault.Conflict, "identity.err.creation_done")

	// ErrNotFound is returned when a looked-up row does not exist; handlers map it to 404.
	ErrNotFound = fault.New("identity", fault.NotFound, "identity.err.not_found")
)

var allErrors = []*Error{
	ErrCPRInvalid, ErrIdentityNotMatched, ErrMitIDExists, ErrUsernameTaken, ErrUsernameInvalid,
	ErrPasswordTooShort, ErrPasswordTooLong, ErrPasswordIsUsername, ErrPasswordHasCPR,
	ErrPasswordCommon, ErrPasswordWeak, ErrCodeWrong, ErrAuthenticatorLocked,
	ErrAuthenticatorUnused, ErrMitIDBlocked, ErrMitIDRevoked, ErrMitIDNotBlocked, ErrLastMeans,
	ErrThrottled, ErrTokenUnusable, ErrTokenOutOfStock, ErrChipRegistered,
	ErrAppKeyInvalid, ErrLabelInvalid, ErrActivationWrong, ErrActivationInvalid,
	ErrActivationFormat, ErrLoginFailed, ErrChipCloned, ErrBlockReasonInvalid,
	ErrPasswordExpired, ErrLiftRefused, ErrMitIDChanged,
	ErrActivationSpent, ErrCreationDone,
	ErrMeansNotBlocked, ErrUnblockSameMeans, ErrChipBlocked, ErrPasswordIsTemporary,
}

// throttled is ErrThrottled with the wait until the next attempt is allowed; the message takes
// {{.Minutes}} as template data (fault.Error.Minutes).
func throttled(d time.Duration) error { return ErrThrottled.After(d) }

// MessageIDs lists every message ID this package hands to handlers: the errors and the display
// names of kinds, statuses, levels, activity kinds and block reasons. A locale test checks that
// each exists in every language.
func MessageIDs() []string {
	var ids []string
	for _, e := range allErrors {
		ids = append(ids, e.MsgID)
	}
	ids = append(ids, MsgCitizenLocked)
	for _, k := range Kinds {
		ids = append(ids, k.MsgID())
	}
	for _, s := range []AuthStatus{AuthPending, AuthActive, AuthBlocked, AuthRevoked, AuthLocked} {
		ids = append(ids, s.MsgID())
	}
	for _, s := range []Status{StatusActive, StatusBlocked, StatusRevoked} {
		ids = append(ids, s.MsgID())
	}
	for _, l := range []Level{LevelNone, LevelLow, LevelSubstantial, LevelHigh} {
		ids = append(ids, l.MsgID())
	}
	for _, k := range ActivityKinds {
		ids = append(ids, k.MsgID())
	}
	for _, r := range BlockReasons {
		ids = append(ids, r.MsgID())
	}
	for _, v := range Vias {
		id, _ := ViaMsgID(v)
		ids = append(ids, id)
	}
	return ids
}
