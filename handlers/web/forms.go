package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// StatusInvalid answers a form shown again with its errors: the request was understood, but
// what was typed breaks a rule.
const StatusInvalid = http.StatusUnprocessableEntity

// FormOf starts a form state with the typed values of the named fields and the input rules
// they break (input.go).
func FormOf(c echo.Context, names ...string) views.Form {
	f := views.Form{Values: map[string]string{}}
	for _, n := range names {
		f.Values[n] = Field(c, n)
	}
	InputErrors(c, &f)
	return f
}

// Require adds msgID at each named field that is empty and has no error yet.
func Require(f *views.Form, values map[string]string, fields ...[2]string) {
	for _, fm := range fields {
		if values[fm[0]] == "" && f.ErrorFor(fm[0]) == nil {
			f.Errors = append(f.Errors, views.FieldError{Field: fm[0], MsgID: fm[1]})
		}
	}
}

// MarkThrottled sets Retry-After (seconds) when err is a throttle, so that the form shown again
// with the message goes out as 429 Too Many Requests (render turns StatusInvalid into 429 when
// the header is set): the DKFDS error summary stays, and clients and proxies see the wait.
func MarkThrottled(c echo.Context, err error) {
	if te, ok := fault.OfKind(err, fault.Throttled); ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(te.RetryAfterSeconds()))
	}
}

// RuleError turns an error of the identity domain into a field error at field: the rule's own
// message, and the minutes to wait for a throttle. Any other error is not the person's doing and
// is returned as it is, for the error page.
func RuleError(err error, fieldName string) (views.FieldError, error) {
	if te, ok := fault.OfKind(err, fault.Throttled); ok {
		return views.FieldError{Field: fieldName, MsgID: te.MsgID,
			Data: map[string]any{"Minutes": te.Minutes()}}, nil
	}
	if e, ok := IsIdentityRule(err); ok {
		return views.FieldError{Field: fieldName, MsgID: e.MsgID}, nil
	}
	return views.FieldError{}, err
}

// RenderIdentityError shows the page for a login that cannot go on: the MitID is blocked, or
// there were too many attempts. Any other error is returned for the caller to handle.
func (s *Site) RenderIdentityError(c echo.Context, err error) error {
	te, isTe := fault.OfKind(err, fault.Throttled)
	switch {
	case errors.Is(err, identity.ErrMitIDBlocked):
		return s.Render(c, http.StatusForbidden, views.LoginBlocked())
	case isTe:
		MarkThrottled(c, err)
		return s.Render(c, http.StatusTooManyRequests, views.Throttled(views.ThrottledView{
			Minutes: te.Minutes(), BackHref: "/log-ind"}))
	}
	return err
}

// FieldOrError shows a rule error at a field and renders the form again (a throttle with 429
// and Retry-After, see markThrottled); other errors go to the error page.
func (s *Site) FieldOrError(c echo.Context, f *views.Form, err error, fieldName string, again func() error) error {
	MarkThrottled(c, err)
	fe, err := RuleError(err, fieldName)
	if err != nil {
		return err
	}
	f.Errors = append(f.Errors, fe)
	return again()
}

// SupportError shows every rule of the support domain in err (one or joined, fault.Rules) at
// the field fields names for it (def for the others, "" for the form as a whole), each field
// with its first message only; any other error is returned for the error page. The campaign
// domains' forms show their rules through it too (support.Error is fault.Error).
func SupportError(f *views.Form, err error, fields map[*support.Error]string, def string) error {
	rules, isRule := fault.Rules(err)
	if !isRule {
		return err
	}
	for _, se := range rules {
		name, ok := fields[se]
		if !ok {
			name = def
		}
		if name == "" || f.ErrorFor(name) == nil {
			f.Errors = append(f.Errors, views.FieldError{Field: name, MsgID: se.MsgID})
		}
	}
	return nil
}

// PollUnchanged reports whether a page's polling region already shows state: its poll names
// what it shows (?vist=STATE), and the handler then answers 204, so htmx swaps nothing. A
// region swapped in anew, though the same, is read out again by a screen reader (it is a live
// region) and takes the focus from a button inside it. The login's and pairing's waiting pages
// and the desk's identity check poll this way.
func PollUnchanged(c echo.Context, state string) bool {
	return c.QueryParam("vist") == state
}
