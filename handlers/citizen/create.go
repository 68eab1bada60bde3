package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Session values of a MitID being created by activation letter (DESIGN.md §3.4 path 1). Each
// step checks that the one before it was done in this same session.
const (
	keyCreateCPR        = "create_cpr"        // identity matched, letter sent
	keyCreateActivation = "create_activation" // activation code checked (its id)
	keyCreateMitID      = "create_mitid"      // MitID made; the first means comes next
)

// creatingMitID returns the MitID created in this session that still waits for its first
// means; the pages that add it (token, chip, app) work on it without a login.
func (s *Handlers) creatingMitID(c echo.Context) (int64, bool) {
	id, ok := web.StateOf(c).Sess.Values[keyCreateMitID].(int64)
	return id, ok && id > 0
}

func (s *Handlers) createCPR(c echo.Context) (identity.CPR, bool) {
	v, _ := web.StateOf(c).Sess.Values[keyCreateCPR].(string)
	return identity.CPR(v), v != ""
}

// CreateStart is the first step: who you are.
func (s *Handlers) CreateStart(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.CreateStart(views.CreateStartView{}))
}

// CreateStartSubmit checks CPR number, name and document number against the register, and
// sends the activation code by letter (and e-mail where the register knows an address). Every
// mismatch gets the same answer, and attempts are throttled per address, so the form cannot be
// used to find out facts about people.
func (s *Handlers) CreateStartSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := web.FormOf(c, "cpr", "name", "document")
	web.Require(&f, f.Values, [2]string{"cpr", "form.err.cpr_required"}, [2]string{"name", "form.err.name_required"},
		[2]string{"document", "form.err.document_required"})
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.CreateStart(views.CreateStartView{Form: f}))
	}
	if f.HasErrors() {
		return again()
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: identity.ErrCPRInvalid.MsgID})
		return again()
	}
	// Counted before the register is asked (one statement); a match gives it back, so the
	// bound counts the mismatches, as before, and parallel attempts cannot outrun it.
	if err := s.Throttle.Take(ctx, identity.ThrottleCreate, s.ClientAddr(c)); err != nil {
		return s.FieldOrError(c, &f, err, "cpr", again)
	}
	person, err := identity.MatchPerson(ctx, s.Persons, cpr, f.Values["name"], f.Values["document"])
	if err != nil {
		return s.FieldOrError(c, &f, err, "cpr", again)
	}
	if err := s.Throttle.Refund(ctx, identity.ThrottleCreate, s.ClientAddr(c)); err != nil {
		return err
	}
	if _, err := s.Identity.MitIDByCPR(ctx, cpr); err == nil {
		return s.FieldOrError(c, &f, identity.ErrMitIDExists, "cpr", again)
	} else if !errors.Is(err, identity.ErrNotFound) {
		return err
	}
	// The letter and the e-mail go out in the issuing transaction (the Activations' Deliver
	// hook, wired in app/).
	_, _, err = s.Activations.Issue(ctx, person.CPR, identity.ActivationCreate, identity.LevelSubstantial,
		identity.ActorCitizen)
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyCreateCPR] = string(cpr)
	delete(st.Sess.Values, keyCreateActivation)
	delete(st.Sess.Values, keyCreateMitID)
	st.Dirty = true
	return s.Redirect(c, "/opret/kode")
}

// CreateCode is the second step: the code from the letter.
func (s *Handlers) CreateCode(c echo.Context) error {
	cpr, ok := s.createCPR(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	return s.Render(c, http.StatusOK, views.CreateCode(views.CreateCodeView{EmailSent: s.hasEmail(c, cpr)}))
}

func (s *Handlers) hasEmail(c echo.Context, cpr identity.CPR) bool {
	p, err := s.Persons.ByCPR(c.Request().Context(), cpr)
	return err == nil && p.Email != ""
}

// CreateCodeSubmit checks the activation code; a wrong one uses one of its few tries.
func (s *Handlers) CreateCodeSubmit(c echo.Context) error {
	cpr, ok := s.createCPR(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	f := web.FormOf(c, "code")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.CreateCode(views.CreateCodeView{Form: f, EmailSent: s.hasEmail(c, cpr)}))
	}
	web.Require(&f, f.Values, [2]string{"code", "form.err.activation_code_required"})
	if f.HasErrors() {
		return again()
	}
	ac, err := s.Activations.Check(c.Request().Context(), cpr, f.Values["code"])
	if err != nil {
		return s.FieldOrError(c, &f, err, "code", again)
	}
	st := web.StateOf(c)
	st.Sess.Values[keyCreateActivation] = ac.ID
	st.Dirty = true
	return s.Redirect(c, "/opret/bruger")
}

// CreateUser is the third step: username and password.
func (s *Handlers) CreateUser(c echo.Context) error {
	if _, ok := web.StateOf(c).Sess.Values[keyCreateActivation].(int64); !ok {
		return s.Redirect(c, "/opret")
	}
	return s.Render(c, http.StatusOK, views.CreateUser(views.CreateUserView{}))
}

// CreateUserSubmit makes the MitID; the activation code is used up in the same transaction.
func (s *Handlers) CreateUserSubmit(c echo.Context) error {
	st := web.StateOf(c)
	cpr, ok1 := s.createCPR(c)
	actID, ok2 := st.Sess.Values[keyCreateActivation].(int64)
	if !ok1 || !ok2 {
		return s.Redirect(c, "/opret")
	}
	f := web.FormOf(c, "username")
	password, repeat := web.SecretField(c, "password"), web.SecretField(c, "password_repeat")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.CreateUser(views.CreateUserView{Form: f}))
	}
	web.InputErrors(c, &f)
	if !f.HasErrors() {
		f.Errors = append(f.Errors, checkNewPassword(password, repeat)...)
	}
	web.Require(&f, f.Values, [2]string{"username", "form.err.username_required"})
	if f.HasErrors() {
		return again()
	}
	m, err := s.Identity.CreateMitID(c.Request().Context(), identity.NewMitID{
		CPR: cpr, Username: f.Values["username"], Password: password, ActivationID: actID,
		Actor: identity.ActorCitizen,
	})
	if err != nil {
		fieldName := "password"
		if errors.Is(err, identity.ErrUsernameTaken) || errors.Is(err, identity.ErrUsernameInvalid) {
			fieldName = "username"
		}
		if errors.Is(err, identity.ErrActivationInvalid) || errors.Is(err, identity.ErrMitIDExists) {
			// The code was used up meanwhile (another tab) or the person has a MitID now.
			delete(st.Sess.Values, keyCreateActivation)
			st.Dirty = true
			fieldName = ""
		}
		return s.FieldOrError(c, &f, err, fieldName, again)
	}
	delete(st.Sess.Values, keyCreateActivation)
	st.Sess.Values[keyCreateMitID] = m.ID
	st.Dirty = true
	return s.Redirect(c, "/opret/middel")
}

// checkNewPassword checks what a form can check before the domain's rules: both fields filled
// in and equal.
func checkNewPassword(password, repeat string) []views.FieldError {
	switch {
	case password == "":
		return []views.FieldError{{Field: "password", MsgID: "form.err.new_password_required"}}
	case repeat == "":
		return []views.FieldError{{Field: "password_repeat", MsgID: "form.err.password_repeat_required"}}
	case password != repeat:
		return []views.FieldError{{Field: "password_repeat", MsgID: "form.err.password_mismatch"}}
	}
	return nil
}

// CreateMeans is the fourth step: the choice of the first means.
func (s *Handlers) CreateMeans(c echo.Context) error {
	if _, ok := s.creatingMitID(c); !ok {
		return s.Redirect(c, "/opret")
	}
	return s.Render(c, http.StatusOK, views.CreateMeans())
}

// CreateToken offers a code display as the first means of the MitID being created.
func (s *Handlers) CreateToken(c echo.Context) error {
	if _, ok := s.creatingMitID(c); !ok {
		return s.Redirect(c, "/opret")
	}
	return s.Render(c, http.StatusOK, views.CreateToken(views.CreateTokenView{}))
}

// CreateTokenSubmit activates a code display or audio code reader as the first means.
func (s *Handlers) CreateTokenSubmit(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	f := web.FormOf(c, "serial")
	code := web.Field(c, "code")
	web.InputErrors(c, &f)
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.CreateToken(views.CreateTokenView{Form: f}))
	}
	web.Require(&f, map[string]string{"serial": f.Values["serial"], "code": code},
		[2]string{"serial", "form.err.serial_required"}, [2]string{"code", "form.err.code_required"})
	if f.HasErrors() {
		return again()
	}
	if _, err := s.Identity.ActivateToken(c.Request().Context(), id, f.Values["serial"], code, identity.ActorCitizen); err != nil {
		fieldName := "serial"
		if errors.Is(err, identity.ErrCodeWrong) {
			fieldName = "code"
		}
		return s.FieldOrError(c, &f, err, fieldName, again)
	}
	return s.Redirect(c, "/opret/faerdig")
}

// CreateDone ends the creation; the person logs in with the new MitID from here.
func (s *Handlers) CreateDone(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	m, err := s.Identity.MitID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	means, err := s.Identity.Means(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !identity.CanLogIn(means) {
		return s.Redirect(c, "/opret/middel")
	}
	st := web.StateOf(c)
	delete(st.Sess.Values, keyCreateCPR)
	delete(st.Sess.Values, keyCreateMitID)
	st.Dirty = true
	return s.Render(c, http.StatusOK, views.CreateDone(views.CreateDoneView{Username: m.Username}))
}
