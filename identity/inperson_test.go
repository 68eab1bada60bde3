package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity/mrz"
)

// TestMRZForm is the rule by which a register name is compared with a passport's MRZ: the MRZ
// transliterates (ICAO 9303 part 3), so case, accents and Danish letters must not matter.
func TestMRZForm(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Søren", "SOEREN"},
		{"Ærø", "AEROE"},
		{"Åse", "AASE"},
		{"Kirkegård", "KIRKEGAARD"},
		{"René", "RENE"},
		{"Müller", "MUELLER"},
		{"Jönsson", "JOENSSON"},
		{"Straße", "STRASSE"},
		{"Hans-Peter", "HANS PETER"},
		{"O'Brien", "OBRIEN"},
		{"  anne   marie ", "ANNE MARIE"},
		{"Ñuñez", "NUNEZ"},
		{"Łukasz", "LUKASZ"},
		{"Þór", "THOR"},
		{"Lise\u0301", "LISE"}, // a combining accent typed after the letter
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MRZForm(tt.in); got != tt.want {
				t.Errorf("MRZForm(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMRZNameField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, surname, given, want string
	}{
		{"plain", "Sørensen", "Anne Marie", "SOERENSEN<<ANNE<MARIE"},
		{"no given names", "Madsen", "", "MADSEN"},
		{"cut at 39", "Christoffersen-Kirkegaard", "Hans Christian Emanuel", "CHRISTOFFERSEN<KIRKEGAARD<<HANS<CHRISTI"},
		{"cut on a filler", "Abcdefghijklmnopqrstuvwxyzabcdefghijk", "Bo", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MRZNameField(tt.surname, tt.given); got != tt.want {
				t.Errorf("MRZNameField = %q, want %q", got, tt.want)
			}
		})
	}
}

// testMRZ writes the two TD3 lines of a Danish passport for the names, birth date and expiry.
func testMRZ(surname, given string, birth, expiry time.Time, number string) (string, string) {
	pad := func(s string, n int) string { return (s + strings.Repeat("<", n))[:n] }
	l1 := pad("P<DNK"+MRZNameField(surname, given), mrz.LineLength)
	num := pad(number, 9)
	b, x := birth.Format("060102"), expiry.Format("060102")
	d := func(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }
	opt := strings.Repeat("<", 14)
	l2 := num + d(num) + "DNK" + b + d(b) + "F" + x + d(x) + opt + "<"
	return l1, l2 + d(l2[0:10]+l2[13:20]+l2[21:43])
}

// regEnv is registration in person on a test database, with an officer and the audit entries
// the hook was given.
type regEnv struct {
	*env
	regs    *Registrations
	officer StaffAct
	mu      sync.Mutex
	audited []RegistrationAudit
	failAt  RegistrationStep // the audit hook fails at this step
}

func newRegEnv(t *testing.T) *regEnv {
	e := newEnv(t, Config{})
	r := &regEnv{env: e}
	var staffID int64
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO staff_user (email, name, roles)
		VALUES ('ra@kommune.dk', 'Rikke RA', '{ra_officer}') RETURNING id`).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	r.officer = StaffAct{StaffID: staffID}
	// A delivery that fails: a code handed over on the spot must not go by letter.
	acts := NewActivations(e.pool, ActivationConfig{Now: e.clock.Now, Hasher: NewHasher(HasherConfig{Params: TestArgonParams}),
		Deliver: func(context.Context, pgx.Tx, Delivery) error { return errors.New("sent by letter") }})
	r.regs = NewRegistrations(e.pool, e.store, acts, RegistrationConfig{Now: e.clock.Now,
		Audit: func(_ context.Context, _ pgx.Tx, a RegistrationAudit) error {
			if a.Step == r.failAt {
				return errors.New("audit log unavailable")
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.audited = append(r.audited, a)
			return nil
		}})
	return r
}

func (r *regEnv) steps() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, a := range r.audited {
		s = append(s, string(a.Step)+":"+fmt.Sprint(a.Detail["result"]))
	}
	return strings.Join(s, ",")
}

func (r *regEnv) passport(p Person, expiry time.Time) Document {
	l1, l2 := testMRZ(p.FamilyName, p.GivenName, p.BirthDate, expiry, "AB1234567")
	return Document{Kind: DocumentPassport, MRZ1: l1, MRZ2: l2}
}

func TestRegistrationRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRegEnv(t)
	valid := r.clock.Now().AddDate(5, 0, 0)
	flip := func(s string, i int) string {
		c := byte('0' + (s[i]-'0'+1)%10)
		return s[:i] + string(c) + s[i+1:]
	}
	tests := []struct {
		name   string
		doc    func(p Person) Document
		want   error
		result string // the check's recorded result; "" nothing recorded
	}{
		{"passport", func(p Person) Document { return r.passport(p, valid) }, nil, "passed"},
		{"passport typed in lower case with a space for a filler", func(p Person) Document {
			d := r.passport(p, valid)
			d.MRZ1 = strings.ToLower(strings.Replace(d.MRZ1, "<", " ", 1))
			return d
		}, nil, "passed"},
		{"document number check digit", func(p Person) Document { d := r.passport(p, valid); d.MRZ2 = flip(d.MRZ2, 9); return d }, mrz.ErrCheckNumber, "mrz_refused"},
		{"birth date check digit", func(p Person) Document { d := r.passport(p, valid); d.MRZ2 = flip(d.MRZ2, 19); return d }, mrz.ErrCheckBirth, "mrz_refused"},
		{"expiry check digit", func(p Person) Document { d := r.passport(p, valid); d.MRZ2 = flip(d.MRZ2, 27); return d }, mrz.ErrCheckExpiry, "mrz_refused"},
		{"composite check digit", func(p Person) Document { d := r.passport(p, valid); d.MRZ2 = flip(d.MRZ2, 43); return d }, mrz.ErrCheckComposite, "mrz_refused"},
		{"expired passport", func(p Person) Document { return r.passport(p, r.clock.Now().AddDate(0, 0, -1)) }, ErrDocExpired, "expired"},
		{"another name", func(p Person) Document {
			l1, l2 := testMRZ("Andersen", "Zacharias", p.BirthDate, valid, "AB1234567")
			return Document{Kind: DocumentPassport, MRZ1: l1, MRZ2: l2}
		}, ErrDocName, "name_mismatch"},
		{"another birth date", func(p Person) Document {
			l1, l2 := testMRZ(p.FamilyName, p.GivenName, p.BirthDate.AddDate(0, 0, 1), valid, "AB1234567")
			return Document{Kind: DocumentPassport, MRZ1: l1, MRZ2: l2}
		}, ErrDocBirth, "birth_mismatch"},
		{"driving licence", func(p Person) Document {
			return Document{Kind: DocumentDrivingLicence, Number: "1234 5678", Expires: valid, BirthDate: p.BirthDate,
				Name: strings.ToUpper(p.FullName())}
		}, nil, "passed"},
		{"expired driving licence", func(p Person) Document {
			return Document{Kind: DocumentDrivingLicence, Number: "12345678", Expires: r.clock.Now().AddDate(0, -1, 0),
				BirthDate: p.BirthDate, Name: p.FullName()}
		}, ErrDocExpired, "expired"},
		{"driving licence number mistyped", func(p Person) Document {
			return Document{Kind: DocumentDrivingLicence, Number: "12-3", Expires: valid, BirthDate: p.BirthDate, Name: p.FullName()}
		}, ErrDocLicenceNumber, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := r.person()
			h, err := r.regs.Record(ctx, p.CPR, tt.doc(p), r.officer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			results := one[string](t, r.pool, `SELECT coalesce(string_agg(result, ','), '') FROM identity_document_check WHERE cpr = $1`, p.CPR)
			if results != tt.result {
				t.Errorf("recorded %q, want %q", results, tt.result)
			}
			codes := one[int](t, r.pool, `SELECT count(*)::int FROM activation_code WHERE cpr = $1`, p.CPR)
			if tt.want != nil {
				if codes != 0 {
					t.Errorf("a refused document issued %d codes", codes)
				}
				return
			}
			if codes != 1 || h.Activation.Purpose != ActivationCreate || h.Activation.Assurance != LevelHigh ||
				h.Activation.IssuedBy != r.officer.Actor() {
				t.Errorf("code: %d issued, %+v", codes, h.Activation)
			}
			if linked := one[int64](t, r.pool, `SELECT activation_id FROM identity_document_check WHERE cpr = $1`, p.CPR); linked != h.Activation.ID {
				t.Errorf("the check names code %d, want %d", linked, h.Activation.ID)
			}
			if c, err := r.activations.Check(ctx, p.CPR, h.Code); err != nil || c.ID != h.Activation.ID {
				t.Errorf("the handed-over code does not check: %v", err)
			}
		})
	}
}

// TestRegistrationAudit: every step reaches the audit log, a MitID holder's look-up and code
// through the activity log; an audit entry that cannot be written leaves no check and no code.
func TestRegistrationAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRegEnv(t)
	valid := r.clock.Now().AddDate(5, 0, 0)

	p := r.person()
	if _, err := r.regs.Lookup(ctx, p.CPR, r.officer); err != nil {
		t.Fatal(err)
	}
	bad := r.passport(p, valid)
	bad.MRZ2 = bad.MRZ2[:19] + "X" + bad.MRZ2[20:]
	if _, err := r.regs.Record(ctx, p.CPR, bad, r.officer); err == nil {
		t.Fatal("a broken MRZ passed")
	}
	if _, err := r.regs.Record(ctx, p.CPR, r.passport(p, valid), r.officer); err != nil {
		t.Fatal(err)
	}
	if got, want := r.steps(), "lookup:<nil>,document:mrz_refused,document:passed,code:<nil>"; got != want {
		t.Errorf("audited %s, want %s", got, want)
	}

	// A blocked MitID: the code lifts the block, and the look-up and the code are in the
	// citizen's activity log; the block stays until the code is used.
	m, _ := r.mitid()
	if err := r.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	var holder Person
	holder.CPR = m.CPR
	holder, _ = r.persons.ByCPR(ctx, m.CPR)
	v, err := r.regs.Lookup(ctx, m.CPR, r.officer)
	if err != nil || v.Purpose != ActivationLift || v.MitID.ID != m.ID {
		t.Fatalf("look-up of a blocked MitID: %+v, %v", v, err)
	}
	h, err := r.regs.Record(ctx, m.CPR, r.passport(holder, valid), r.officer)
	if err != nil || h.Activation.Purpose != ActivationLift {
		t.Fatalf("code for a blocked MitID: %+v, %v", h.Activation, err)
	}
	kinds := activityKinds(t, r.store, m.ID)
	if len(kinds) < 2 || kinds[0] != ActivityActivationIssued || kinds[1] != ActivityLookupBySupport {
		t.Errorf("activity %v, want the code and the look-up on top", kinds)
	}
	if st := one[string](t, r.pool, `SELECT status FROM mitid WHERE id = $1`, m.ID); st != string(StatusBlocked) {
		t.Errorf("status %s: the officer's code must not lift the block by itself", st)
	}

	// The audit entry of the document check fails: neither the check nor the code exists.
	r.failAt = StepDocument
	q := r.person()
	if _, err := r.regs.Record(ctx, q.CPR, r.passport(q, valid), r.officer); err == nil {
		t.Fatal("recorded without its audit entry")
	}
	if n := one[int](t, r.pool, `SELECT (SELECT count(*) FROM identity_document_check WHERE cpr = $1)
		+ (SELECT count(*) FROM activation_code WHERE cpr = $1)`, q.CPR); n != 0 {
		t.Errorf("%d rows left behind by a rolled-back registration", n)
	}
}

func TestRegistrationRefusesPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRegEnv(t)
	if _, err := r.regs.Lookup(ctx, "0101010000", r.officer); !errors.Is(err, ErrRegUnknownCPR) {
		t.Errorf("unknown CPR: %v", err)
	}
	p := r.person()
	if err := r.persons.SetDeceased(ctx, p.CPR); err != nil {
		t.Fatal(err)
	}
	if _, err := r.regs.Lookup(ctx, p.CPR, r.officer); !errors.Is(err, ErrRegDeceased) {
		t.Errorf("deceased look-up: %v", err)
	}
	if _, err := r.regs.Record(ctx, p.CPR, r.passport(p, r.clock.Now().AddDate(1, 0, 0)), r.officer); !errors.Is(err, ErrRegDeceased) {
		t.Errorf("deceased record: %v", err)
	}
	if got := one[string](t, r.pool, `SELECT result FROM identity_document_check WHERE cpr = $1`, p.CPR); got != "deceased" {
		t.Errorf("recorded %q", got)
	}
}
