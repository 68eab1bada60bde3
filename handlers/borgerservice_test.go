package handlers_test

import (
	"context"
	"fmt"
	"html"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/identity"
	"mitidportal/identity/mrz"
	"mitidportal/locales"
	"mitidportal/staff"
)

var bsCode = regexp.MustCompile(`data-testid="bs-code"><code>([^<]+)</code>`)

// bsInputCPR is the person the input table's registration officer has looked up.
const bsInputCPR = "0101901234"

var raOfficerSeq atomic.Int64

// asRAOfficer is a registration officer's browser that has looked up bsInputCPR.
func (fx *inputFixture) asRAOfficer(t *testing.T) *browser {
	t.Helper()
	ctx := context.Background()
	if _, err := fx.env.App.Persons.ByCPR(ctx, bsInputCPR); err != nil {
		if err := fx.env.App.Persons.Insert(ctx, identity.Person{CPR: bsInputCPR, GivenName: "Bente",
			FamilyName: "Borg", AddressLine: "Torvet 1", Postcode: "8000", City: "Aarhus C"}); err != nil {
			t.Fatal(err)
		}
	}
	u, _, err := fx.env.App.Server.Staff.Create(ctx, fmt.Sprintf("ra%d@kommune.dk", raOfficerSeq.Add(1)), "Rasmus RA", []string{"ra_officer"})
	if err != nil {
		t.Fatal(err)
	}
	b := staffSession(t, fx.env, u)
	if res, _ := b.post(t, "/medarbejder/borgerservice", url.Values{"cpr": {bsInputCPR}}); res.StatusCode != http.StatusOK {
		t.Fatalf("look-up: %d", res.StatusCode)
	}
	return b
}

// passportMRZ writes the two MRZ lines of a Danish passport for the person, valid until expiry.
func passportMRZ(p identity.Person, expiry time.Time) (string, string) {
	pad := func(s string, n int) string { return (s + strings.Repeat("<", n))[:n] }
	l1 := pad("P<DNK"+identity.MRZNameField(p.FamilyName, p.GivenName), mrz.LineLength)
	num := pad("PA1234567", 9)
	b, x := p.BirthDate.Format("060102"), expiry.Format("060102")
	d := func(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }
	l2 := num + d(num) + "DNK" + b + d(b) + "F" + x + d(x) + strings.Repeat("<", 14) + "<"
	return l1, l2 + d(l2[0:10]+l2[13:20]+l2[21:43])
}

// bsPerson puts an invented living person without a MitID into the register.
func bsPerson(t *testing.T, env *apptest.Env) identity.Person {
	t.Helper()
	for {
		p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 8)), 1)[0]
		p.Deceased = false
		if _, err := env.App.Persons.ByCPR(context.Background(), p.CPR); err == nil {
			continue
		}
		if err := env.App.Persons.Insert(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

type bsEnv struct {
	env     *apptest.Env
	officer staff.User
	b       *browser
	tr      map[string]*locales.Translator
}

func newBSEnv(t *testing.T) *bsEnv {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	u, _, err := env.App.Server.Staff.Create(context.Background(), "rikke@kommune.dk", "Rikke RA", []string{"ra_officer"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &bsEnv{env: env, officer: u, b: staffSession(t, env, u),
		tr: map[string]*locales.Translator{"da": cat.For("da"), "en": cat.For("en")}}
}

// says reports whether body shows message id in lang, as HTML escapes it.
func (e *bsEnv) says(body, lang, id string) bool {
	return strings.Contains(body, html.EscapeString(e.tr[lang].T(id)))
}

func (e *bsEnv) audited(t *testing.T, subject string) []string {
	t.Helper()
	recs, err := e.env.App.Audit.List(context.Background(), audit.Filter{Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		s := string(r.Action)
		if res, ok := r.Detail["result"]; ok {
			s += ":" + fmt.Sprint(res)
		}
		out = append(out, s)
	}
	return out
}

// TestBorgerserviceOverHTTP walks the officer's screen in both languages: look-up, a wrong MRZ
// line (the message names the check digit), the right one, the code page shown once, and every
// step in the audit log.
func TestBorgerserviceOverHTTP(t *testing.T) {
	t.Parallel()
	e := newBSEnv(t)
	ctx := context.Background()
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			q := "?lang=" + lang
			p := bsPerson(t, e.env)
			body := e.b.page(t, "/medarbejder/borgerservice"+q)
			if !strings.Contains(body, `data-testid="bs-lookup-form"`) {
				t.Fatal("no look-up form")
			}
			if got := e.audited(t, "person:"+string(p.CPR)); len(got) != 0 {
				t.Fatalf("the GET wrote %v", got)
			}
			res, body := e.b.post(t, "/medarbejder/borgerservice"+q, url.Values{"cpr": {"010101-0000"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !e.says(body, lang, "borgerservice.err.unknown_cpr") {
				t.Errorf("unknown CPR: %d", res.StatusCode)
			}
			res, body = e.b.post(t, "/medarbejder/borgerservice"+q, url.Values{"cpr": {p.CPR.String()}})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-purpose="borgerservice.purpose.create"`) {
				t.Fatalf("look-up: %d\n%s", res.StatusCode, body)
			}
			l1, l2 := passportMRZ(p, time.Now().AddDate(4, 0, 0))
			wrong := l2[:19] + fmt.Sprint((int(l2[19]-'0')+1)%10) + l2[20:]
			res, body = e.b.post(t, "/medarbejder/borgerservice/pas"+q, url.Values{"cpr": {string(p.CPR)}, "mrz1": {l1}, "mrz2": {wrong}})
			if res.StatusCode != http.StatusUnprocessableEntity || !e.says(body, lang, mrz.ErrCheckBirth.MsgID) ||
				!strings.Contains(body, `href="#mrz2"`) {
				t.Errorf("wrong birth check digit: %d, want 422 naming the check digit at mrz2", res.StatusCode)
			}
			res, body = e.b.post(t, "/medarbejder/borgerservice/pas"+q, url.Values{"cpr": {string(p.CPR)}, "mrz1": {l1}, "mrz2": {l2}})
			m := bsCode.FindStringSubmatch(body)
			if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, `data-purpose="borgerservice.purpose.create"`) {
				t.Fatalf("right MRZ: %d, code %v", res.StatusCode, m)
			}
			if c, err := e.env.App.Activations.Check(ctx, p.CPR, m[1]); err != nil || c.Assurance != identity.LevelHigh ||
				c.Purpose != identity.ActivationCreate {
				t.Errorf("the printed code: %+v, %v", c, err)
			}
			// Sent again (a reload): nothing is issued, the officer is told to look up again.
			res, body = e.b.post(t, "/medarbejder/borgerservice/pas"+q, url.Values{"cpr": {string(p.CPR)}, "mrz1": {l1}, "mrz2": {l2}})
			if res.StatusCode != http.StatusConflict || bsCode.MatchString(body) || !e.says(body, lang, "borgerservice.err.look_up_again") {
				t.Errorf("the form sent again: %d", res.StatusCode)
			}
			var codes int
			if err := e.env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM activation_code WHERE cpr = $1`, p.CPR).Scan(&codes); err != nil || codes != 1 {
				t.Errorf("%d codes, want 1 (%v)", codes, err)
			}
			want := "citizen_lookup,document_check:mrz_refused,document_check:passed,issue_activation_code"
			if got := strings.Join(e.audited(t, "person:"+string(p.CPR)), ","); got != want {
				t.Errorf("audited %s, want %s", got, want)
			}
		})
	}
}

// TestBorgerserviceRefusals: each refusal of a document says why, at the field to look at.
func TestBorgerserviceRefusals(t *testing.T) {
	t.Parallel()
	e := newBSEnv(t)
	p := bsPerson(t, e.env)
	future, past := time.Now().AddDate(3, 0, 0), time.Now().AddDate(0, 0, -2)
	if res, _ := e.b.post(t, "/medarbejder/borgerservice", url.Values{"cpr": {string(p.CPR)}}); res.StatusCode != http.StatusOK {
		t.Fatalf("look-up: %d", res.StatusCode)
	}
	l1, l2 := passportMRZ(p, future)
	x1, x2 := passportMRZ(p, past)
	other := p
	other.GivenName = "Zacharias"
	n1, n2 := passportMRZ(other, future)
	day := func(t time.Time) string { return t.Format("02.01.2006") }
	tests := []struct {
		name, path string
		fields     url.Values
		field, msg string
	}{
		{"short line 1", "/pas", url.Values{"mrz1": {l1[:40]}, "mrz2": {l2}}, "mrz1", mrz.ErrLength.MsgID},
		{"document number digit", "/pas", url.Values{"mrz1": {l1}, "mrz2": {l2[:9] + "X" + l2[10:]}}, "mrz2", mrz.ErrCheckNumber.MsgID},
		{"expired passport", "/pas", url.Values{"mrz1": {x1}, "mrz2": {x2}}, "mrz2", "borgerservice.err.expired"},
		{"another name", "/pas", url.Values{"mrz1": {n1}, "mrz2": {n2}}, "mrz1", "borgerservice.err.name_mismatch"},
		{"licence: bad date", "/koerekort", url.Values{"licence_number": {"12345678"}, "licence_expiry": {"2040"},
			"licence_name": {p.FullName()}, "licence_birth": {day(p.BirthDate)}}, "licence_expiry", "borgerservice.err.date_format"},
		{"licence: another birth date", "/koerekort", url.Values{"licence_number": {"12345678"}, "licence_expiry": {day(future)},
			"licence_name": {p.FullName()}, "licence_birth": {day(p.BirthDate.AddDate(1, 0, 0))}}, "licence_birth", "borgerservice.err.birth_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fields.Set("cpr", string(p.CPR))
			res, body := e.b.post(t, "/medarbejder/borgerservice"+tt.path, tt.fields)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tt.field+`"`) ||
				!e.says(body, "da", tt.msg) {
				t.Errorf("%d; want 422 with %s at %s", res.StatusCode, tt.msg, tt.field)
			}
		})
	}
	res, body := e.b.post(t, "/medarbejder/borgerservice/koerekort", url.Values{"cpr": {string(p.CPR)},
		"licence_number": {"1234 5678"}, "licence_expiry": {day(future)}, "licence_name": {strings.ToUpper(p.FullName())},
		"licence_birth": {day(p.BirthDate)}})
	if res.StatusCode != http.StatusOK || !bsCode.MatchString(body) {
		t.Errorf("a valid driving licence: %d", res.StatusCode)
	}
}

// TestBorgerserviceLiftsABlock: for a blocked MitID the page says the code lifts the block, the
// code's purpose is lift, and the MitID stays blocked until the citizen uses it.
func TestBorgerserviceLiftsABlock(t *testing.T) {
	t.Parallel()
	e := newBSEnv(t)
	ctx := context.Background()
	m := e.env.NewCitizen(t)
	if err := e.env.App.Identity.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	p, err := e.env.App.Persons.ByCPR(ctx, m.CPR)
	if err != nil {
		t.Fatal(err)
	}
	res, body := e.b.post(t, "/medarbejder/borgerservice?lang=en", url.Values{"cpr": {string(m.CPR)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-purpose="borgerservice.purpose.lift"`) ||
		!e.says(body, "en", "borgerservice.purpose.lift_text") {
		t.Fatalf("look-up of a blocked MitID: %d", res.StatusCode)
	}
	l1, l2 := passportMRZ(p, time.Now().AddDate(2, 0, 0))
	res, body = e.b.post(t, "/medarbejder/borgerservice/pas", url.Values{"cpr": {string(m.CPR)}, "mrz1": {l1}, "mrz2": {l2}})
	mc := bsCode.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || mc == nil {
		t.Fatalf("passport: %d", res.StatusCode)
	}
	c, err := e.env.App.Activations.Check(ctx, m.CPR, mc[1])
	if err != nil || c.Purpose != identity.ActivationLift || c.Assurance != identity.LevelHigh {
		t.Errorf("code: %+v, %v", c, err)
	}
	if got, _ := e.env.App.Identity.MitID(ctx, m.ID); got.Status != identity.StatusBlocked {
		t.Errorf("status %s after the officer's code", got.Status)
	}
	want := "citizen_lookup,document_check:passed,issue_activation_code"
	if got := strings.Join(e.audited(t, audit.MitID(m.ID)), ","); !strings.HasSuffix(got, want) {
		t.Errorf("audited %s, want it to end with %s", got, want)
	}
	var letters int
	if err := e.env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM letter WHERE cpr = $1`, m.CPR).Scan(&letters); err != nil || letters != 0 {
		t.Errorf("%d letters (%v): a code handed over on the spot goes by no letter", letters, err)
	}
}
