package citizen

import (
	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// letterPerson is the first step of every letter a citizen orders (/opret, /glemt/brev): the
// CPR number, name and identity-document number of form f matched against the register. Every
// mismatch gets the same answer, and attempts are counted per address before the register is
// asked (one statement; a match gives the attempt back, so the bound counts the mismatches and
// parallel attempts cannot outrun it), so the form cannot be used to find out facts about
// people. When ok is false the page has answered already, with again or an error page, and err
// is that answer.
func (s *Handlers) letterPerson(c echo.Context, f *views.Form, again func() error) (p identity.Person, ok bool, err error) {
	ctx := c.Request().Context()
	web.Require(f, f.Values, [2]string{"cpr", "form.err.cpr_required"}, [2]string{"name", "form.err.name_required"},
		[2]string{"document", "form.err.document_required"})
	if f.HasErrors() {
		return identity.Person{}, false, again()
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: identity.ErrCPRInvalid.MsgID})
		return identity.Person{}, false, again()
	}
	if err := s.Throttle.Take(ctx, identity.ThrottleCreate, s.ClientAddr(c)); err != nil {
		return identity.Person{}, false, s.FieldOrError(c, f, err, "cpr", again)
	}
	p, err = identity.MatchPerson(ctx, s.Persons, cpr, f.Values["name"], f.Values["document"])
	if err != nil {
		return identity.Person{}, false, s.FieldOrError(c, f, err, "cpr", again)
	}
	if err := s.Throttle.Refund(ctx, identity.ThrottleCreate, s.ClientAddr(c)); err != nil {
		return identity.Person{}, false, err
	}
	return p, true, nil
}
