// Package fault is the one error vocabulary of the portal's domain packages (identity, staff,
// support, audit, campaign). A rule broken by what a person typed or asked for is an *Error with
// a Kind, which says what kind of refusal it is (the HTTP layer maps kinds to statuses in one
// table), and a message ID, which the HTTP layer translates. Anything that is not an *Error is
// the portal's own failure and becomes a 500 page; a forgotten "not found" is an *Error of kind
// NotFound and so a 404, never a 500.
//
// Error() is for logs only: a person never sees it.
package fault

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Kind says what kind of refusal an error is.
type Kind int

// The kinds of refusal. The zero Kind is Invalid, the most common one.
const (
	// Invalid: what was typed breaks a rule; the form is shown again with the message.
	Invalid Kind = iota
	// NotFound: what was asked for does not exist, or is not the asker's to see.
	NotFound
	// Conflict: the request is understood but the thing's state does not allow it now (already
	// blocked, changed by someone else meanwhile).
	Conflict
	// Forbidden: the asker may not do this.
	Forbidden
	// Throttled: too many attempts; RetryAfter says when the next one is allowed.
	Throttled
	// Unavailable: the portal cannot take the request now (busy, a dependency down);
	// RetryAfter says when to try again.
	Unavailable
)

var kindNames = [...]string{"invalid", "not found", "conflict", "forbidden", "throttled", "unavailable"}

func (k Kind) String() string {
	if int(k) >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a refusal that a person can be told about.
type Error struct {
	// Domain names the package that refused ("identity"), for logs.
	Domain string
	Kind   Kind
	// MsgID is the locale key of the message a person reads.
	MsgID string
	// RetryAfter is set on Throttled and Unavailable errors made by After.
	RetryAfter time.Duration
	// parent is the refusal this one is a variant of (Variant): errors.Is finds it.
	parent *Error
}

// New returns a refusal of domain with kind and message ID; packages declare theirs once as
// package variables (var ErrX = fault.New(domain, kind, msgID)).
func New(domain string, kind Kind, msgID string) *Error {
	return &Error{Domain: domain, Kind: kind, MsgID: msgID}
}

func (e *Error) Error() string {
	s := e.Domain + ": " + e.MsgID
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Is reports whether target is the same refusal: the same domain, kind and message ID. So
// errors.Is(err, identity.ErrThrottled) holds for a copy made by After.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Domain == e.Domain && t.Kind == e.Kind && t.MsgID == e.MsgID
}

// Variant returns a copy of e with another message, for a case that needs its own words (a
// lock-out that names the way that works); errors.Is(variant, e) still holds.
func (e *Error) Variant(msgID string) *Error {
	c := *e
	c.MsgID, c.parent = msgID, e
	return &c
}

// Unwrap returns the refusal e is a variant of, if any.
func (e *Error) Unwrap() error {
	if e.parent == nil {
		return nil
	}
	return e.parent
}

// After returns a copy of e that says the next attempt is allowed after d (at least a second,
// rounded to seconds).
func (e *Error) After(d time.Duration) *Error {
	c := *e
	c.RetryAfter = max(time.Second, d.Round(time.Second))
	return &c
}

// Minutes is RetryAfter rounded up to whole minutes (at least 1), for message texts.
func (e *Error) Minutes() int {
	return max(1, int(math.Ceil(e.RetryAfter.Minutes())))
}

// As returns the refusal in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of the refusal in err's chain; ok is false for the portal's own
// failures.
func KindOf(err error) (Kind, bool) {
	if e, ok := As(err); ok {
		return e.Kind, true
	}
	return 0, false
}

// Rule returns the refusal in err's chain when it is one a form shows next to what was typed:
// invalid, conflict, forbidden or throttled. Not found and unavailable are pages of their own
// (404, 503), never a field's message.
func Rule(err error) (*Error, bool) {
	e, ok := As(err)
	if !ok || e.Kind == NotFound || e.Kind == Unavailable {
		return nil, false
	}
	return e, true
}

// Rules returns every refusal a form shows next to what was typed (see Rule) in err's tree, in
// order: a domain that checks every rule of a form joins the rules broken (errors.Join) so
// that a person sees each wrong field at once. ok is false when err is nil or holds anything
// that is not such a rule (a failing store joined with a rule is the portal's failure).
func Rules(err error) ([]*Error, bool) {
	if err == nil {
		return nil, false
	}
	if j, isJoin := err.(interface{ Unwrap() []error }); isJoin {
		var out []*Error
		for _, e := range j.Unwrap() {
			rs, ok := Rules(e)
			if !ok {
				return nil, false
			}
			out = append(out, rs...)
		}
		return out, len(out) > 0
	}
	if e, isErr := err.(*Error); isErr {
		if e.Kind == NotFound || e.Kind == Unavailable {
			return nil, false
		}
		return []*Error{e}, true
	}
	if u := errors.Unwrap(err); u != nil {
		return Rules(u)
	}
	return nil, false
}

// Without returns err less the refusals of its tree that are one of rules (errors.Is), nil
// when none is left: a form drops the rules about values it could not read, whose own fields
// already say what is wrong.
func Without(err error, rules ...*Error) error {
	if j, isJoin := err.(interface{ Unwrap() []error }); isJoin {
		var keep []error
		for _, e := range j.Unwrap() {
			if e = Without(e, rules...); e != nil {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	for _, r := range rules {
		if errors.Is(err, r) {
			return nil
		}
	}
	return err
}

// OfKind returns the refusal in err's chain when it is of kind k.
func OfKind(err error, k Kind) (*Error, bool) {
	e, ok := As(err)
	if !ok || e.Kind != k {
		return nil, false
	}
	return e, true
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up (at least 1), for a Retry-After
// header.
func (e *Error) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}
