package identity

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Error is a rule broken by the caller's input. MsgID is the locale key a handler translates;
// Error() is for logs only and never shown to a person.
type Error struct{ MsgID string }

func (e *Error) Error() string { return "identity: " + e.MsgID }

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrCPRInvalid          = &Error{MsgID: "identity.err.cpr_invalid"}
	ErrIdentityNotMatched  = &Error{MsgID: "identity.err.identity_not_matched"}
	ErrMitIDExists         = &Error{MsgID: "identity.err.mitid_exists"}
	ErrUsernameTaken       = &Error{MsgID: "identity.err.username_taken"}
	ErrUsernameInvalid     = &Error{MsgID: "identity.err.username_invalid"}
	ErrPasswordTooShort    = &Error{MsgID: "identity.err.password_too_short"}
	ErrPasswordTooLong     = &Error{MsgID: "identity.err.password_too_long"}
	ErrPasswordIsUsername  = &Error{MsgID: "identity.err.password_is_username"}
	ErrPasswordHasCPR      = &Error{MsgID: "identity.err.password_has_cpr"}
	ErrPasswordCommon      = &Error{MsgID: "identity.err.password_common"}
	ErrCodeWrong           = &Error{MsgID: "identity.err.code_wrong"}
	ErrAuthenticatorLocked = &Error{MsgID: "identity.err.authenticator_locked"}
	ErrAuthenticatorUnused = &Error{MsgID: "identity.err.authenticator_unusable"}
	ErrMitIDBlocked        = &Error{MsgID: "identity.err.mitid_blocked"}
	ErrMitIDRevoked        = &Error{MsgID: "identity.err.mitid_revoked"}
	ErrMitIDNotBlocked     = &Error{MsgID: "identity.err.mitid_not_blocked"}
	ErrLastMeans           = &Error{MsgID: "identity.err.last_means"}
	ErrThrottled           = &Error{MsgID: "identity.err.throttled"}
	ErrTokenUnusable       = &Error{MsgID: "identity.err.token_unusable"}
	ErrTokenOutOfStock     = &Error{MsgID: "identity.err.token_out_of_stock"}
	ErrChipRegistered      = &Error{MsgID: "identity.err.chip_registered"}
	ErrAppKeyInvalid       = &Error{MsgID: "identity.err.app_key_invalid"}
	ErrLabelInvalid        = &Error{MsgID: "identity.err.label_invalid"}
	ErrActivationWrong     = &Error{MsgID: "identity.err.activation_code_wrong"}
	ErrActivationInvalid   = &Error{MsgID: "identity.err.activation_code_invalid"}
	ErrActivationFormat    = &Error{MsgID: "identity.err.activation_code_format"}
	ErrLoginFailed         = &Error{MsgID: "identity.err.login_failed"}
	ErrChipCloned          = &Error{MsgID: "identity.err.chip_cloned"}
	ErrBlockReasonInvalid  = &Error{MsgID: "identity.err.block_reason_invalid"}
	ErrPasswordExpired     = &Error{MsgID: "identity.err.password_expired"}

	// ErrNotFound is returned when a looked-up row does not exist; handlers map it to 404.
	ErrNotFound = errors.New("identity: not found")
)

var allErrors = []*Error{
	ErrCPRInvalid, ErrIdentityNotMatched, ErrMitIDExists, ErrUsernameTaken, ErrUsernameInvalid,
	ErrPasswordTooShort, ErrPasswordTooLong, ErrPasswordIsUsername, ErrPasswordHasCPR,
	ErrPasswordCommon, ErrCodeWrong, ErrAuthenticatorLocked,
	ErrAuthenticatorUnused, ErrMitIDBlocked, ErrMitIDRevoked, ErrMitIDNotBlocked, ErrLastMeans,
	ErrThrottled, ErrTokenUnusable, ErrTokenOutOfStock, ErrChipRegistered,
	ErrAppKeyInvalid, ErrLabelInvalid, ErrActivationWrong, ErrActivationInvalid,
	ErrActivationFormat, ErrLoginFailed, ErrChipCloned, ErrBlockReasonInvalid,
	ErrPasswordExpired,
}

// ThrottledError says that too many attempts were made and when the next one is allowed.
// errors.Is(err, ErrThrottled) holds for it, and errors.As finds the *Error with the message ID
// through Unwrap. The message (MsgID, or ErrThrottled's when empty) takes {{.Minutes}} as
// template data.
type ThrottledError struct {
	RetryAfter time.Duration
	MsgID      string
}

// Message is the message ID to show: MsgID, or ErrThrottled's.
func (e *ThrottledError) Message() string {
	if e.MsgID != "" {
		return e.MsgID
	}
	return ErrThrottled.MsgID
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up, for a Retry-After header.
func (e *ThrottledError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("identity: throttled, retry after %s", e.RetryAfter)
}

func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// Minutes is RetryAfter rounded up to whole minutes (at least 1), for the message text.
func (e *ThrottledError) Minutes() int {
	return max(1, int(math.Ceil(e.RetryAfter.Minutes())))
}

func throttled(d time.Duration) error {
	return &ThrottledError{RetryAfter: max(time.Second, d.Round(time.Second))}
}

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
	return ids
}
