package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// The creation by activation letter (DESIGN.md §3.4 path 1): /opret orders the letter, the code
// is typed on /aktiver (or /opret/kode, the same page) in any browser, which hands it over
// (activation_grant.go) to /opret/bruger. From there on the session holds the MitID being
// created, and the first-means pages work on it; identity refuses them once it can log in.
const keyCreateMitID = "create_mitid" // MitID made; the first means comes next

// creatingMitID returns the MitID created in this session that still waits for its first
// means; the pages that add it (token, chip, app) work on it without a login.
func (s *Handlers) creatingMitID(c echo.Context) (int64, bool) {
	id, ok := web.StateOf(c).Sess.Values[keyCreateMitID].(int64)
	return id, ok && id > 0
}

// createGrant returns the session's checked code when it is a live creation code.
func (s *Handlers) createGrant(c echo.Context) (identity.ActivationCode, bool, error) {
	ac, ok, err := s.grantedCode(c)
	return ac, ok && ac.Purpose == identity.ActivationCreate, err
}

// CreateStart is the first step: who you are.
func (s *Handlers) CreateStart(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.CreateStart(views.CreateStartView{}))
}

// CreateStartSubmit checks CPR number, name and document number against the register
// (letterPerson), and sends the activation code by letter (and e-mail where the register knows
// an address), to be typed on /aktiver.
func (s *Handlers) CreateStartSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := web.FormOf(c, "cpr", "name", "document")
	var exists bool
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.CreateStart(views.CreateStartView{Form: f, Exists: exists}))
	}
	person, ok, err := s.letterPerson(c, &f, again)
	if !ok {
		return err
	}
	// A MitID whose creation never finished is started over with a new letter; one that can be
	// (or was) used is not created again: "Glemt eller mistet" leads back into it.
	purpose, _, err := s.Identity.PurposeFor(ctx, person.CPR)
	if err != nil {
		return err
	}
	if purpose != identity.ActivationCreate {
		exists = true
		return s.FieldOrError(c, &f, identity.ErrMitIDExists, "cpr", again)
	}
	// The letter and the e-mail go out in the issuing transaction (the Activations' Deliver
	// hook, wired in app/); the code of an earlier letter stops working.
	_, _, err = s.Activations.Issue(ctx, person.CPR, identity.ActivationCreate, identity.LevelSubstantial,
		identity.ActorCitizen)
	if err != nil {
		return err
	}
	s.orderedLetter(c, person.CPR)
	return s.Redirect(c, "/opret/kode")
}

func (s *Handlers) hasEmail(c echo.Context, cpr identity.CPR) bool {
	p, err := s.Persons.ByCPR(c.Request().Context(), cpr)
	return err == nil && p.Email != ""
}

// CreateUser is the step after the code: username and password.
func (s *Handlers) CreateUser(c echo.Context) error {
	_, ok, err := s.createGrant(c)
	if err != nil {
		return err
	}
	if !ok {
		return s.noCreateGrant(c)
	}
	return s.Render(c, http.StatusOK, views.CreateUser(views.CreateUserView{}))
}

// noCreateGrant answers step 3 without a live creation code. When this browser made the MitID
// with it (the back button, a reload, a second click), the creation goes on where it is
// (/opret/faerdig sends an unfinished one to the first means); otherwise the code is asked for.
func (s *Handlers) noCreateGrant(c echo.Context) error {
	if _, ok := s.creatingMitID(c); ok {
		return s.Redirect(c, "/opret/faerdig")
	}
	return s.Redirect(c, "/aktiver")
}

// CreateUserSubmit makes the MitID; the activation code is used up in the same transaction.
func (s *Handlers) CreateUserSubmit(c echo.Context) error {
	ac, ok, err := s.createGrant(c)
	if err != nil {
		return err
	}
	if !ok {
		if resumed, err := s.resumeCreation(c); resumed || err != nil {
			return err
		}
		return s.noCreateGrant(c)
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
		CPR: ac.CPR, Username: f.Values["username"], Password: password, ActivationID: ac.ID,
		Actor: identity.ActorCitizen,
	})
	if err != nil {
		fieldName := "password"
		if errors.Is(err, identity.ErrUsernameTaken) || errors.Is(err, identity.ErrUsernameInvalid) {
			fieldName = "username"
		}
		if errors.Is(err, identity.ErrActivationInvalid) {
			if resumed, err := s.resumeCreation(c); resumed || err != nil {
				return err
			}
		}
		if errors.Is(err, identity.ErrActivationInvalid) || errors.Is(err, identity.ErrMitIDExists) {
			// The code was used up meanwhile (another tab) or the person has a MitID now.
			s.dropGrant(c)
			fieldName = ""
		}
		return s.FieldOrError(c, &f, err, fieldName, again)
	}
	return s.madeMitID(c, m.ID)
}

// madeMitID moves the session from the spent code to the MitID it made, whose first means is
// the next step.
func (s *Handlers) madeMitID(c echo.Context, id int64) error {
	st := web.StateOf(c)
	s.dropGrant(c)
	delete(st.Sess.Values, keyLetterCPR)
	st.Sess.Values[keyCreateMitID] = id
	st.Dirty = true
	return s.Redirect(c, "/opret/middel")
}

// resumeCreation answers a step 3 whose code was spent by the MitID it made (the form sent
// twice at once: a double click, or a reload while the first was under way). Both requests
// carry the same session, read before either saved it; the one that found the code spent
// goes on to the first means of the MitID its code made, as the other did, instead of telling
// the person to order a new letter. It reports whether it answered.
func (s *Handlers) resumeCreation(c echo.Context) (bool, error) {
	codeID, cpr, ok := s.grantedActivation(c)
	if !ok {
		return false, nil
	}
	id, made, err := s.Identity.MadeWith(c.Request().Context(), cpr, codeID)
	if err != nil || !made {
		return false, err
	}
	return true, s.madeMitID(c, id)
}

// checkNewPassword checks what a form can check before the domain's rules: both fields filled
// in and equal. Both fields left empty are both reported; the repeat is compared only with a
// password that was given.
func checkNewPassword(password, repeat string) []views.FieldError {
	var errs []views.FieldError
	if password == "" {
		errs = append(errs, views.FieldError{Field: "password", MsgID: "form.err.new_password_required"})
	}
	switch {
	case repeat == "":
		errs = append(errs, views.FieldError{Field: "password_repeat", MsgID: "form.err.password_repeat_required"})
	case password != "" && password != repeat:
		errs = append(errs, views.FieldError{Field: "password_repeat", MsgID: "form.err.password_mismatch"})
	}
	return errs
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
	if _, err := s.Identity.ActivateFirstToken(c.Request().Context(), id, f.Values["serial"], code, identity.ActorCitizen); err != nil {
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
	// A GET writes nothing: the session keeps the MitID's id, and the first-means operations
	// refuse another means now that it can log in (identity.ErrCreationDone).
	recovered, _ := web.StateOf(c).Sess.Values[keyRecovering].(bool)
	return s.Render(c, http.StatusOK, views.CreateDone(views.CreateDoneView{Username: m.Username, Recovered: recovered}))
}
