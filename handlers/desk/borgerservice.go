package desk

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/identity/mrz"
	"mitidportal/views"
)

// The registration officer's screen at borgerservice (DESIGN.md §3.4 path 2, §3.6): look up
// the citizen standing at the desk (an audited POST), check their passport or driving licence
// against the register, and hand over an activation code on the spot, printed from the page.
// The code page is the answer to the POST that issues it and is never shown again: no GET
// re-reads a code (the database holds only its hash), and a reload that posts again finds the
// look-up spent and issues nothing.

const (
	bsPath = "/medarbejder/borgerservice"
	// keyBSVisit holds the citizen this staff session looked up (bsVisit as JSON): the
	// document forms act only on them, and a handed-over code ends the visit.
	keyBSVisit = "borgerservice_visit"
	// bsVisitFor is how long a look-up lets the officer record a document.
	bsVisitFor = 30 * time.Minute
)

type bsVisit struct {
	CPR identity.CPR `json:"cpr"`
	At  time.Time    `json:"at"`
}

// BorgerservicePage is the look-up form; it writes nothing.
func (s *Handlers) BorgerservicePage(c echo.Context) error {
	return s.renderBSLookup(c, http.StatusOK, views.Form{}, "")
}

// BorgerserviceLookup looks the citizen up: an audited step, so a POST.
func (s *Handlers) BorgerserviceLookup(c echo.Context) error {
	f := web.FormOf(c, "cpr")
	web.Require(&f, f.Values, [2]string{"cpr", "borgerservice.err.cpr_required"})
	if f.HasErrors() {
		return s.renderBSLookup(c, web.StatusInvalid, f, "")
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "cpr", MsgID: identity.ErrCPRInvalid.MsgID})
		return s.renderBSLookup(c, web.StatusInvalid, f, "")
	}
	v, err := s.Registrations.Lookup(c.Request().Context(), cpr, s.bsAct(c))
	if err != nil {
		return s.FieldOrError(c, &f, err, "cpr", func() error { return s.renderBSLookup(c, web.StatusInvalid, f, "") })
	}
	if err := web.KeepJSON(c, keyBSVisit, bsVisit{CPR: cpr, At: s.Now()}); err != nil {
		return err
	}
	return s.renderBSVisit(c, http.StatusOK, v, bsForms{})
}

// BorgerservicePassport records a passport by its two MRZ lines.
func (s *Handlers) BorgerservicePassport(c echo.Context) error {
	f := web.FormOf(c, "cpr", "mrz1", "mrz2")
	web.Require(&f, f.Values, [2]string{"mrz1", "borgerservice.err.mrz1_required"},
		[2]string{"mrz2", "borgerservice.err.mrz2_required"})
	return s.bsRecord(c, &f, func() (identity.Document, bool) {
		return identity.Document{Kind: identity.DocumentPassport, MRZ1: f.Values["mrz1"], MRZ2: f.Values["mrz2"]}, true
	})
}

// BorgerserviceLicence records a driving licence by its number and expiry date, with the name
// and birth date printed on it.
func (s *Handlers) BorgerserviceLicence(c echo.Context) error {
	f := web.FormOf(c, "cpr", "licence_number", "licence_expiry", "licence_name", "licence_birth")
	web.Require(&f, f.Values, [2]string{"licence_number", "borgerservice.err.licence_number_required"},
		[2]string{"licence_expiry", "borgerservice.err.date_required"},
		[2]string{"licence_name", "borgerservice.err.licence_name_required"},
		[2]string{"licence_birth", "borgerservice.err.date_required"})
	return s.bsRecord(c, &f, func() (identity.Document, bool) {
		expiry, ok1 := bsDate(&f, "licence_expiry")
		birth, ok2 := bsDate(&f, "licence_birth")
		return identity.Document{Kind: identity.DocumentDrivingLicence, Number: f.Values["licence_number"],
			Expires: expiry, BirthDate: birth, Name: f.Values["licence_name"]}, ok1 && ok2
	})
}

// bsRecord is the common part of both document forms: the looked-up citizen, the document's
// own checks, then the domain's check; the code page when it passes.
func (s *Handlers) bsRecord(c echo.Context, f *views.Form, doc func() (identity.Document, bool)) error {
	ctx := c.Request().Context()
	cpr, ok := s.bsLookedUp(c, *f)
	if !ok {
		// No look-up in this session (or another citizen's): a reload of a page whose code was
		// handed over lands here too, and issues nothing.
		lf := views.Form{Values: map[string]string{}, Errors: []views.FieldError{{Field: "cpr", MsgID: "borgerservice.err.look_up_again"}}}
		return s.renderBSLookup(c, http.StatusConflict, lf, "")
	}
	v, err := s.Registrations.Visit(ctx, cpr)
	if err != nil && !errors.Is(err, identity.ErrRegDeceased) {
		return err
	}
	d, parsed := doc()
	kind := string(d.Kind)
	if f.HasErrors() || !parsed {
		return s.renderBSVisit(c, web.StatusInvalid, v, bsForms{Kind: kind, Form: *f})
	}
	h, err := s.Registrations.Record(ctx, cpr, d, s.bsAct(c))
	if err != nil {
		rule, isRule := fault.Rule(err)
		if !isRule {
			return err
		}
		f.Errors = append(f.Errors, views.FieldError{Field: bsErrorField(d, rule), MsgID: rule.MsgID})
		return s.renderBSVisit(c, web.StatusInvalid, v, bsForms{Kind: kind, Form: *f})
	}
	// The visit ends with the code: posting the form again issues nothing.
	var gone bsVisit
	web.TakeJSON(c, keyBSVisit, &gone)
	s.staffNav(c)
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.Render(c, http.StatusOK, views.BorgerserviceCode(views.BorgerserviceCodeView{
		Name: h.Visit.Person.FullName(), CPR: cpr.String(), Code: h.Code,
		PurposeID: bsPurposeID(h.Activation.Purpose), Expires: h.Activation.ExpiresAt.In(s.Schedule.Location()).Format("02.01.2006"),
		URL: strings.TrimRight(s.Config.BaseURL, "/") + "/aktiver", BackHref: bsPath,
	}))
}

// bsLookedUp returns the citizen this session looked up, when the form names the same one.
func (s *Handlers) bsLookedUp(c echo.Context, f views.Form) (identity.CPR, bool) {
	if f.ErrorFor("cpr") != nil {
		return "", false
	}
	raw, _ := web.StateOf(c).Sess.Values[keyBSVisit].(string)
	var v bsVisit
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil || s.Now().Sub(v.At) > bsVisitFor {
		return "", false
	}
	cpr, err := identity.ParseCPR(f.Values["cpr"])
	return cpr, err == nil && cpr == v.CPR
}

// bsErrorField is the field a refusal of the document points at: the MRZ line that holds what
// is wrong, or the licence field.
func bsErrorField(d identity.Document, rule *fault.Error) string {
	if d.Kind == identity.DocumentDrivingLicence {
		switch {
		case errors.Is(rule, identity.ErrDocExpired):
			return "licence_expiry"
		case errors.Is(rule, identity.ErrDocBirth):
			return "licence_birth"
		case errors.Is(rule, identity.ErrDocName):
			return "licence_name"
		case errors.Is(rule, identity.ErrRegDeceased):
			return ""
		}
		return "licence_number"
	}
	switch {
	case errors.Is(rule, identity.ErrRegDeceased):
		return ""
	case errors.Is(rule, identity.ErrDocName), errors.Is(rule, mrz.ErrNotTD3):
		return "mrz1"
	case errors.Is(rule, mrz.ErrLength), errors.Is(rule, mrz.ErrCharacter):
		if l := mrz.Normalize(d.MRZ1); len(l) != mrz.LineLength || mrz.CheckDigit(l) < 0 {
			return "mrz1"
		}
	}
	return "mrz2"
}

// bsDate reads a date typed as dd.mm.yyyy (or with - or /, or as yyyy-mm-dd).
func bsDate(f *views.Form, name string) (time.Time, bool) {
	v := strings.TrimSpace(f.Values[name])
	if v == "" || f.ErrorFor(name) != nil {
		return time.Time{}, false
	}
	for _, layout := range []string{"02.01.2006", "2.1.2006", "02-01-2006", "02/01/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	f.Errors = append(f.Errors, views.FieldError{Field: name, MsgID: "borgerservice.err.date_format"})
	return time.Time{}, false
}

func (s *Handlers) bsAct(c echo.Context) identity.StaffAct {
	return identity.StaffAct{StaffID: web.StateOf(c).Subject.ID}
}

func bsPurposeID(p identity.ActivationPurpose) string { return "borgerservice.purpose." + string(p) }

// bsForms are the document forms as posted: which one and its state.
type bsForms struct {
	Kind string
	Form views.Form
}

func (s *Handlers) renderBSLookup(c echo.Context, status int, f views.Form, noticeID string) error {
	s.staffNav(c)
	return s.Render(c, status, views.BorgerserviceLookup(views.BorgerserviceLookupView{Form: f, NoticeID: noticeID, Action: bsPath}))
}

func (s *Handlers) renderBSVisit(c echo.Context, status int, v identity.Visit, forms bsForms) error {
	s.staffNav(c)
	p := v.Person
	view := views.BorgerserviceVisitView{
		Name: p.FullName(), CPR: p.CPR.String(), BirthDate: p.BirthDate.Format("02.01.2006"),
		Address: p.AddressLine + ", " + p.Postcode + " " + p.City, Deceased: p.Deceased,
		PurposeID: bsPurposeID(v.Purpose), Username: v.MitID.Username,
		PassportAction: bsPath + "/pas", LicenceAction: bsPath + "/koerekort", LookupHref: bsPath,
	}
	if v.MitID.ID != 0 {
		view.StatusID = v.MitID.Status.MsgID()
	}
	switch forms.Kind {
	case string(identity.DocumentDrivingLicence):
		view.Licence = forms.Form
	default:
		view.Passport = forms.Form
	}
	return s.Render(c, status, views.BorgerserviceVisit(view))
}
