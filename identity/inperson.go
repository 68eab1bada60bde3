package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/unicode/norm"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/identity/mrz"
)

// Registration in person at borgerservice (DESIGN.md §3.4 path 2): a registration officer
// looks up the citizen standing at the desk, checks their passport or driving licence against
// the register and hands over an activation code on the spot, at assurance high. The code
// creates a MitID, recovers one or lifts its block, whatever the MitID's state asks for
// (Store.PurposeFor). Every step is audited: the look-up, each document check (passed or
// refused, with why) and the code; the check, the code and their audit entries commit together.

// DocumentKind is the kind of identity document a registration officer checks.
type DocumentKind string

// Document kinds.
const (
	DocumentPassport       DocumentKind = "passport"
	DocumentDrivingLicence DocumentKind = "driving_licence"
)

// RegistrationStep is what a registration officer did, for the audit log.
type RegistrationStep string

// Registration steps.
const (
	StepLookup   RegistrationStep = "lookup"   // detail: via
	StepDocument RegistrationStep = "document" // detail: kind, result, cause (an MRZ refusal)
	StepCode     RegistrationStep = "code"     // detail: purpose, expires, via
)

// RegistrationAudit is one audited step of a registration in person. MitIDID is 0 when the
// person has no MitID yet; the audit entry is then about the person.
type RegistrationAudit struct {
	StaffID int64
	Step    RegistrationStep
	CPR     CPR
	MitIDID int64
	Detail  map[string]any
}

// Refusals of a registration in person, each saying why.
var (
	ErrRegUnknownCPR    = fault.New("identity", fault.Invalid, "borgerservice.err.unknown_cpr")
	ErrRegDeceased      = fault.New("identity", fault.Invalid, "borgerservice.err.deceased")
	ErrDocExpired       = fault.New("identity", fault.Invalid, "borgerservice.err.expired")
	ErrDocName          = fault.New("identity", fault.Invalid, "borgerservice.err.name_mismatch")
	ErrDocBirth         = fault.New("identity", fault.Invalid, "borgerservice.err.birth_mismatch")
	ErrDocLicenceNumber = fault.New("identity", fault.Invalid, "borgerservice.err.licence_number")
)

// RegistrationMessageIDs lists the message IDs of the refusals above, for the locale test.
func RegistrationMessageIDs() []string {
	var ids []string
	for _, e := range []*Error{ErrRegUnknownCPR, ErrRegDeceased, ErrDocExpired, ErrDocName, ErrDocBirth,
		ErrDocLicenceNumber} {
		ids = append(ids, e.MsgID)
	}
	return ids
}

// RegistrationConfig wires a Registrations.
type RegistrationConfig struct {
	// Audit writes the audit entry of a step in the step's transaction (wired to the audit log
	// in app/). Steps on a person with a MitID that its activity log records (the look-up, the
	// code) go through Config.OnActivity instead, so they are audited once.
	Audit func(ctx context.Context, tx pgx.Tx, a RegistrationAudit) error
	// Location decides what "today" is for an expiry date; nil is UTC.
	Location *time.Location
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Registrations is registration in person.
type Registrations struct {
	pool  *pgxpool.Pool
	store *Store
	acts  *Activations
	cfg   RegistrationConfig
}

// NewRegistrations returns registration in person over the store's MitIDs and acts' codes.
func NewRegistrations(pool *pgxpool.Pool, store *Store, acts *Activations, cfg RegistrationConfig) *Registrations {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Registrations{pool: pool, store: store, acts: acts, cfg: cfg}
}

// Visit is the citizen at the desk as the register and their MitID show them.
type Visit struct {
	Person Person
	// Purpose is what a code issued now would do (Store.PurposeFor).
	Purpose ActivationPurpose
	// MitID is the person's MitID, zero when there is none.
	MitID MitID
}

// Lookup looks up the person with cpr for the officer by and audits it. An unknown number is
// ErrRegUnknownCPR and a deceased person ErrRegDeceased, both audited as well.
func (r *Registrations) Lookup(ctx context.Context, cpr CPR, by StaffAct) (Visit, error) {
	v, err := r.visit(ctx, cpr)
	if err != nil && !errors.Is(err, ErrRegDeceased) {
		return Visit{}, err
	}
	aerr := db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		return r.audit(ctx, tx, by, v, StepLookup, map[string]any{"via": "borgerservice"})
	})
	if aerr != nil {
		return Visit{}, aerr
	}
	return v, err
}

// Visit reads the person with cpr as Lookup does, without an audit entry: only to show again
// the person a step in progress (an audited look-up, a document check) is about.
func (r *Registrations) Visit(ctx context.Context, cpr CPR) (Visit, error) { return r.visit(ctx, cpr) }

func (r *Registrations) visit(ctx context.Context, cpr CPR) (Visit, error) {
	p, err := scanPerson(r.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE cpr = $1`, cpr))
	if errors.Is(err, pgx.ErrNoRows) {
		return Visit{}, ErrRegUnknownCPR
	}
	if err != nil {
		return Visit{}, fmt.Errorf("registration person: %w", err)
	}
	purpose, m, err := r.store.PurposeFor(ctx, cpr)
	if err != nil {
		return Visit{}, err
	}
	v := Visit{Person: p, Purpose: purpose, MitID: m}
	if p.Deceased {
		return v, ErrRegDeceased
	}
	return v, nil
}

// audit writes a step's audit entry in tx: through the MitID's activity log where the step
// belongs there (the citizen sees support's look-ups and codes), else straight to the audit log.
func (r *Registrations) audit(ctx context.Context, tx pgx.Tx, by StaffAct, v Visit, step RegistrationStep, detail map[string]any) error {
	kind := map[RegistrationStep]ActivityKind{StepLookup: ActivityLookupBySupport, StepCode: ActivityActivationIssued}[step]
	if v.MitID.ID != 0 && kind != "" {
		return r.store.record(ctx, tx, Activity{MitIDID: v.MitID.ID, Kind: kind, Actor: by.Actor(), Detail: by.detail(detail)})
	}
	if r.cfg.Audit == nil {
		return errors.New("registration: no audit hook")
	}
	return r.cfg.Audit(ctx, tx, RegistrationAudit{StaffID: by.StaffID, Step: step, CPR: v.Person.CPR,
		MitIDID: v.MitID.ID, Detail: detail})
}

// Document is an identity document as the officer records it: the two MRZ lines of a passport,
// or a driving licence's number and expiry date with the name and birth date printed on it.
type Document struct {
	Kind       DocumentKind
	MRZ1, MRZ2 string
	Number     string
	Expires    time.Time
	Name       string
	BirthDate  time.Time
}

// Handover is an activation code handed over on the spot: shown once, on paper.
type Handover struct {
	// Code is the code as printed (FormatActivationCode).
	Code       string
	Activation ActivationCode
	Visit      Visit
}

// documentCheck is what the officer's document says, and whether it passed.
type documentCheck struct {
	number  string
	expires *time.Time
	result  string
	cause   string // the MRZ refusal's message ID
	err     error
}

// Record checks doc for the person with cpr, records the check and, when it passes, issues an
// activation code at assurance high for PurposeFor's purpose, issued by the officer and not
// sent by letter: the caller prints it. The check, the code and their audit entries are one
// transaction; a refused check is recorded and audited too, and its error says why (an MRZ
// error of package mrz names the check digit).
func (r *Registrations) Record(ctx context.Context, cpr CPR, doc Document, by StaffAct) (Handover, error) {
	v, err := r.visit(ctx, cpr)
	if errors.Is(err, ErrRegUnknownCPR) || err != nil && !errors.Is(err, ErrRegDeceased) {
		return Handover{}, err
	}
	chk := documentCheck{result: "deceased", err: err}
	if err == nil {
		chk = r.check(v.Person, doc)
	}
	if chk.err != nil && chk.result == "" {
		return Handover{}, chk.err // not a check of a document
	}
	if chk.err != nil {
		werr := db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
			return r.writeCheck(ctx, tx, by, v, doc.Kind, chk, 0)
		})
		if werr != nil {
			return Handover{}, werr
		}
		return Handover{}, chk.err
	}
	code, ac, err := r.acts.IssueAndDeliver(ctx, cpr, v.Purpose, LevelHigh, by.Actor(),
		func(tx pgx.Tx, _ string, c ActivationCode) error {
			if err := r.writeCheck(ctx, tx, by, v, doc.Kind, chk, c.ID); err != nil {
				return err
			}
			return r.audit(ctx, tx, by, v, StepCode, map[string]any{"via": "borgerservice",
				"purpose": string(c.Purpose), "expires": c.ExpiresAt.UTC().Format(time.RFC3339)})
		})
	if err != nil {
		return Handover{}, err
	}
	return Handover{Code: code, Activation: ac, Visit: v}, nil
}

func (r *Registrations) writeCheck(ctx context.Context, tx pgx.Tx, by StaffAct, v Visit, kind DocumentKind,
	chk documentCheck, activationID int64) error {
	var act *int64
	if activationID != 0 {
		act = &activationID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO identity_document_check
		(at, staff_id, cpr, kind, number, expires_on, result, activation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.cfg.Now(), by.StaffID, v.Person.CPR, kind, chk.number, chk.expires, chk.result, act); err != nil {
		return fmt.Errorf("record document check: %w", err)
	}
	detail := map[string]any{"kind": string(kind), "result": chk.result}
	if chk.cause != "" {
		detail["cause"] = chk.cause
	}
	return r.audit(ctx, tx, by, v, StepDocument, detail)
}

// check compares doc with the register's p: readable, not expired, birth date and name.
func (r *Registrations) check(p Person, doc Document) documentCheck {
	today := r.cfg.Now().In(r.cfg.Location)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var (
		chk        documentCheck
		birth      time.Time
		nameOK     bool
		expiryDate time.Time
	)
	switch doc.Kind {
	case DocumentPassport:
		pp, err := mrz.Parse(doc.MRZ1, doc.MRZ2)
		if err != nil {
			chk.number = mrzNumber(doc.MRZ2)
			chk.result, chk.err = "mrz_refused", err
			if fe, ok := fault.As(err); ok {
				chk.cause = fe.MsgID
			}
			return chk
		}
		chk.number = pp.Number
		expiryDate = pp.Expiry.Time(today, true)
		birth = pp.Birth.Time(today, false)
		nameOK = MRZNameField(pp.Surname, pp.GivenNames) == MRZNameField(p.FamilyName, p.GivenName)
	case DocumentDrivingLicence:
		chk.number = foldDocument(doc.Number)
		if !licenceNumberOK(chk.number) {
			// A typing error, not a check of the document: nothing to record.
			return documentCheck{err: ErrDocLicenceNumber}
		}
		expiryDate, birth = doc.Expires, doc.BirthDate
		nameOK = MRZForm(doc.Name) == MRZForm(p.FullName())
	default:
		return documentCheck{err: fmt.Errorf("document kind %q", doc.Kind)}
	}
	chk.expires = &expiryDate
	b := p.BirthDate
	switch {
	case expiryDate.Before(today):
		chk.result, chk.err = "expired", ErrDocExpired
	case !birth.Equal(time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)):
		chk.result, chk.err = "birth_mismatch", ErrDocBirth
	case !nameOK:
		chk.result, chk.err = "name_mismatch", ErrDocName
	default:
		chk.result = "passed"
	}
	return chk
}

// mrzNumber is the document number field of a refused MRZ's second line, when it can be read.
func mrzNumber(line2 string) string {
	l := mrz.Normalize(line2)
	if len(l) < 9 {
		return ""
	}
	n := strings.TrimRight(l[:9], "<")
	for _, c := range n {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return n
}

// licenceNumberOK: a driving licence number is 5 to 20 letters and digits (a Danish one has 8
// digits; an EU licence from elsewhere may differ).
func licenceNumberOK(n string) bool {
	if len(n) < 5 || len(n) > 20 {
		return false
	}
	for _, c := range n {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// mrzLetters are the ICAO 9303 part 3 transliterations of letters that are not simply a letter
// with a mark (those lose the mark).
var mrzLetters = map[rune]string{
	'Æ': "AE", 'Ø': "OE", 'Å': "AA", 'Ä': "AE", 'Ö': "OE", 'Ü': "UE", 'ß': "SS", 'Œ': "OE",
	'Þ': "TH", 'Ð': "D", 'Ĳ': "IJ", 'Ł': "L", 'Đ': "D", 'Ħ': "H", 'Ŀ': "L", 'ı': "I",
}

// MRZForm writes a name as a passport's MRZ does (ICAO 9303 part 3): upper case, Æ Ø Å as AE OE
// AA, other marks dropped (É→E), hyphens and other separators as one space, apostrophes left out.
func MRZForm(name string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(strings.ToUpper(name)) {
		if s, ok := mrzLetters[r]; ok {
			b.WriteString(s)
			continue
		}
		if s, ok := mrzLetters[unicode.ToUpper(r)]; ok {
			b.WriteString(s)
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			switch {
			case d >= 'A' && d <= 'Z':
				b.WriteRune(d)
			case unicode.Is(unicode.Mn, d), d == '\'', d == '’':
			default:
				b.WriteByte(' ')
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// MRZNameField is the name field of a TD3 MRZ's first line for a surname and given names: the
// MRZ forms joined by "<<", spaces as "<", cut to the field's 39 characters and without the
// trailing filler. Comparing fields, not names, matches a long name the passport had to cut.
func MRZNameField(surname, given string) string {
	f := strings.ReplaceAll(MRZForm(surname), " ", "<")
	if g := MRZForm(given); g != "" {
		f += "<<" + strings.ReplaceAll(g, " ", "<")
	}
	if len(f) > 39 {
		f = f[:39]
	}
	return strings.TrimRight(f, "<")
}
