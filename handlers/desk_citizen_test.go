package handlers_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/support"
)

var (
	deskVerifyState  = regexp.MustCompile(`data-testid="desk-verify" data-status="([a-z]+)"`)
	deskTempPassword = regexp.MustCompile(`data-testid="desk-temp-password"><code>([^<]+)</code>`)
)

// deskEnv is a portal with an agent logged in and a citizen with a code display and a paired
// app whose key the test holds.
type deskEnv struct {
	env     *apptest.Env
	agent   *browser
	agentID int64
	citizen identity.MitID
	serial  string
	app     identity.Authenticator
	key     *ecdsa.PrivateKey
}

func newDeskEnv(t *testing.T) *deskEnv {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	u, _, err := env.App.Server.Staff.Create(ctx, "agent@styrelsen.dk", "Agnes Agent", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	d := &deskEnv{env: env, agent: staffSession(t, env, u), agentID: u.ID, citizen: env.NewCitizen(t)}
	// A code display, activated with the previous step's code so that the current one is
	// still unused for a login.
	d.serial = "DESK" + strconv.FormatInt(d.citizen.ID, 10)
	env.ActivateCodeDisplay(t, d.citizen.ID, d.serial, identity.ActorCitizen)
	// The app, paired through the identity API with a key made in Go.
	pairing, _, err := env.App.Identity.StartPairing(ctx, d.citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&d.key.PublicKey)
	if d.app, err = env.App.Identity.CompletePairing(ctx, identity.PairingInput{Code: pairing, PublicKey: der,
		DeviceName: "Telefon", ClientAddr: "192.0.2.30"}); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *deskEnv) card() string { return "/medarbejder/borger/" + strconv.FormatInt(d.citizen.ID, 10) }

// open presses the button that opens the card (query is "" or "?sag=REF"): the audited
// look-up, after which a GET shows the card.
func (d *deskEnv) open(t *testing.T, query string) {
	t.Helper()
	res, _ := d.agent.post(t, d.card()+"/aabn"+query, url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != d.card()+query {
		t.Fatalf("open the card: %d to %q", res.StatusCode, loc)
	}
}

// record posts, as htmx does once the poll has seen an answer, to the address that records
// the verification's answer, and returns the fragment.
func (d *deskEnv) record(t *testing.T, statusPath string) string {
	t.Helper()
	form := url.Values{"csrf_token": {d.agent.csrf}}
	req, _ := http.NewRequest(http.MethodPost, d.env.URL+strings.Replace(statusPath, "/status", "/svar", 1), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	res, err := d.agent.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("record the answer: %d\n%s", res.StatusCode, body)
	}
	return body
}

// answer approves or rejects the pending request of the citizen's app, signing as the app does.
func (d *deskEnv) answer(t *testing.T, approve bool) {
	t.Helper()
	ctx := context.Background()
	reqs, err := d.env.App.Identity.PendingAppRequests(ctx, d.app.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("pending requests: %v, %v", reqs, err)
	}
	if reqs[0].Purpose != identity.AppPurposeVerify {
		t.Fatalf("request purpose %q, want verify", reqs[0].Purpose)
	}
	h := sha256.Sum256([]byte(identity.AppDecisionMessage(approve, reqs[0].Challenge)))
	r, s, err := ecdsa.Sign(rand.Reader, d.key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	if err := d.env.App.Identity.DecideAppRequest(ctx, reqs[0].ID, d.app.ID, approve, sig); err != nil {
		t.Fatal(err)
	}
}

// TestDeskCitizenCardIsAudited: every press of the button that opens the card writes an audit
// entry and an entry in the citizen's activity log, which the citizen sees as a look-up by
// support; a GET of the card, before or after, writes neither.
func TestDeskCitizenCardIsAudited(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	lookups := func() (int, int) {
		t.Helper()
		recs, err := d.env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(d.citizen.ID)})
		if err != nil {
			t.Fatal(err)
		}
		inAudit := 0
		for _, r := range recs {
			if r.Action == audit.ActionCitizenLookup && r.Actor == audit.Staff(d.agentID) {
				inAudit++
			}
		}
		acts, err := d.env.App.Identity.Activity(ctx, d.citizen.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		inActivity := 0
		for _, a := range acts {
			if a.Kind == identity.ActivityLookupBySupport && a.Actor == identity.StaffActor(d.agentID) {
				inActivity++
			}
		}
		return inAudit, inActivity
	}
	if body := d.agent.page(t, d.card()); strings.Contains(body, d.citizen.CPR.String()) || !strings.Contains(body, `data-testid="desk-open"`) {
		t.Fatalf("a GET of an unopened card shows the citizen or lacks the open button:\n%s", body)
	}
	if a, act := lookups(); a != 0 || act != 0 {
		t.Fatalf("a GET of the card wrote %d audit and %d activity look-ups", a, act)
	}
	for i := 1; i <= 2; i++ {
		d.open(t, "")
		for range 2 {
			body := d.agent.page(t, d.card())
			if !strings.Contains(body, d.citizen.CPR.String()) || !strings.Contains(body, d.citizen.Username) {
				t.Fatalf("card lacks CPR or username:\n%s", body)
			}
		}
		if a, act := lookups(); a != i || act != i {
			t.Errorf("after %d presses and GETs: %d look-ups in the audit log, %d in the activity log", i, a, act)
		}
	}
	// The card names the look-ups for the agent, in both languages, not in the citizen's words.
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"da", "en"} {
		body := d.agent.page(t, d.card()+"?lang="+lang)
		tr := cat.For(lang)
		if !strings.Contains(body, tr.T("deskcitizen.activity.lookup_by_support")) ||
			strings.Contains(body, tr.T(identity.ActivityLookupBySupport.MsgID())) {
			t.Errorf("%s: the card's activity does not say %q, or says %q", lang,
				tr.T("deskcitizen.activity.lookup_by_support"), tr.T(identity.ActivityLookupBySupport.MsgID()))
		}
	}
	// The citizen sees it in their own activity log.
	citizen := newBrowser(t, d.env, d.env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: d.citizen.ID,
		Roles: []string{"citizen"}, Level: "substantial", AuthenticatedAt: time.Now()}), "")
	if body := citizen.page(t, "/mitid/aktivitet"); !strings.Contains(body, "MitID-supporten slog dig op") {
		t.Errorf("the citizen's activity log does not show the look-up:\n%s", body)
	}
	// An unknown MitID is 404, and so is a case that is not there.
	if status, _ := d.agent.get(t, "/medarbejder/borger/999999"); status != http.StatusNotFound {
		t.Errorf("unknown MitID: %d, want 404", status)
	}
	if status, _ := d.agent.get(t, d.card()+"?sag=ZZZZZZ"); status != http.StatusNotFound {
		t.Errorf("unknown case: %d, want 404", status)
	}
}

// TestDeskCitizenBlockNeedsNoVerification: a reason is required; the block needs no
// verification, ends the citizen's session, is audited and is recorded on the case.
func TestDeskCitizenBlockNeedsNoVerification(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cs, err := d.env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryIdentityTheft, MitIDID: d.citizen.ID, StaffID: d.agentID, Subject: "Stjålet telefon"})
	if err != nil {
		t.Fatal(err)
	}
	citizenCookie := d.env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: d.citizen.ID,
		Roles: []string{"citizen"}, Level: "substantial", AuthenticatedAt: time.Now()})
	card := d.card() + "?sag=" + cs.Ref
	d.open(t, "?sag="+cs.Ref)

	// One means: the code display, chosen on the card.
	means, err := d.env.App.Identity.Means(ctx, d.citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	var token identity.Authenticator
	for _, a := range means {
		if a.Kind == identity.KindCodeDisplay {
			token = a
		}
	}
	if body := d.agent.page(t, card); !strings.Contains(body, `name="means" value="`+strconv.FormatInt(token.ID, 10)+`"`) {
		t.Error("the card offers no radio for the code display")
	}
	if res, _ := d.agent.post(t, d.card()+"/middel/spaer?sag="+cs.Ref, url.Values{"means": {strconv.FormatInt(token.ID, 10)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("means block without reason: %d, want 422", res.StatusCode)
	}
	res, _ := d.agent.post(t, d.card()+"/middel/spaer?sag="+cs.Ref, url.Values{"means": {strconv.FormatInt(token.ID, 10)}, "means_reason": {"lost"}})
	if a, err := d.env.App.Identity.Authenticator(ctx, d.citizen.ID, token.ID); res.StatusCode != http.StatusSeeOther || err != nil || a.Status != identity.AuthBlocked {
		t.Errorf("means block: %d, status %q, %v", res.StatusCode, a.Status, err)
	}

	res, body := d.agent.post(t, d.card()+"/spaer?sag="+cs.Ref, url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-summary"`) {
		t.Fatalf("block without reason: %d, want 422 with the error summary", res.StatusCode)
	}
	res, _ = d.agent.post(t, d.card()+"/spaer?sag="+cs.Ref, url.Values{"reason": {"stolen"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d, want 303", res.StatusCode)
	}
	m, err := d.env.App.Identity.MitID(ctx, d.citizen.ID)
	if err != nil || m.Status != identity.StatusBlocked {
		t.Fatalf("after the block: %+v, %v", m, err)
	}
	if left, err := d.env.App.Sessions.List(ctx, session.KindCitizen, d.citizen.ID, ""); err != nil || len(left) != 0 {
		t.Errorf("citizen sessions after the block: %d, %v", len(left), err)
	}
	if res, _ := get(t, d.env, "/mitid", nil, citizenCookie); res.StatusCode == http.StatusOK {
		t.Error("the citizen's old session still reaches /mitid")
	}
	recs, err := d.env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(d.citizen.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(recs, audit.ActionBlockMitID, cs.Ref) {
		t.Error("no block_mitid audit entry with the case")
	}
	entries, err := d.env.App.Server.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Kind == support.EntryAction && e.Action == support.ActionBlock
	}
	if !found {
		t.Error("the block is not on the case's timeline")
	}
}

func hasAudit(recs []audit.Record, action audit.Action, ref string) bool {
	for _, r := range recs {
		if r.Action == action && r.Detail["case"] == ref {
			return true
		}
	}
	return false
}

// TestDeskCitizenTemporaryPassword: refused without a verification (and after a rejected
// one), allowed after an approved one; the password logs in and must be changed.
func TestDeskCitizenTemporaryPassword(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cs, err := d.env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: d.citizen.ID, StaffID: d.agentID, Subject: "Glemt adgangskode"})
	if err != nil {
		t.Fatal(err)
	}
	q := "?sag=" + cs.Ref
	card := d.card() + q
	d.open(t, q)
	if body := d.agent.page(t, card); !strings.Contains(body, `data-testid="desk-password-submit" disabled`) {
		t.Error("the temporary password button is not disabled before a verification")
	}
	refused := func(when string) {
		t.Helper()
		for _, action := range []string{"/midlertidig-adgangskode", "/aktiveringskode"} {
			res, body := d.agent.post(t, d.card()+action+q, url.Values{})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="desk-refused"`) {
				t.Errorf("%s %s: %d, want 409 with the explanation", action, when, res.StatusCode)
			}
		}
	}
	refused("without a verification")

	// A rejected verification does not count.
	if res, _ := d.agent.post(t, d.card()+"/bekraeft"+q, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start verification: %d", res.StatusCode)
	}
	body := d.agent.page(t, card)
	if m := deskVerifyState.FindStringSubmatch(body); m == nil || m[1] != "pending" || !strings.Contains(body, "hx-get=") {
		t.Fatalf("after the start the card is not pending with polling: %v", m)
	}
	// While the app has not answered, the poll changes nothing: 204, so htmx keeps the live
	// region (and the focus) as they are.
	if res, frag := d.agent.appGet(t, verifyStatusPath(t, body), true); res.StatusCode != http.StatusNoContent || frag != "" {
		t.Errorf("the poll while pending: %d %q, want 204 and nothing", res.StatusCode, frag)
	}
	d.answer(t, false)
	_, frag := d.agent.appGet(t, verifyStatusPath(t, body), true)
	if m := deskVerifyState.FindStringSubmatch(frag); m == nil || m[1] != "answered" || !strings.Contains(frag, `hx-trigger="load"`) {
		t.Fatalf("the poll after a rejection: %v, want answered with a POST that records it\n%s", m, frag)
	}
	if recs, _ := d.env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(d.citizen.ID)}); hasAudit(recs, audit.ActionVerifyCaller, cs.Ref) {
		t.Error("the poll (a GET) recorded the verification")
	}
	frag = d.record(t, verifyStatusPath(t, body))
	if m := deskVerifyState.FindStringSubmatch(frag); m == nil || m[1] != "rejected" {
		t.Fatalf("recorded answer after a rejection: %v\n%s", m, frag)
	}
	refused("after a rejection")

	// An approved one does.
	d.agent.post(t, d.card()+"/bekraeft"+q, url.Values{})
	body = d.agent.page(t, card)
	d.answer(t, true)
	refused("after an approval that is not recorded yet")
	frag = d.record(t, verifyStatusPath(t, body))
	if m := deskVerifyState.FindStringSubmatch(frag); m == nil || m[1] != "approved" || strings.Contains(frag, "hx-get=") {
		t.Fatalf("status fragment after the approval: %v\n%s", m, frag)
	}
	if strings.Contains(frag, `data-testid="desk-password-submit" disabled`) {
		t.Error("the temporary password button is still disabled after the approval")
	}
	res, body := d.agent.post(t, d.card()+"/midlertidig-adgangskode"+q, url.Values{})
	m := deskTempPassword.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("temporary password after approval: %d\n%s", res.StatusCode, body)
	}
	pw := m[1]

	// Verifications and the action are on the case and in the audit log.
	entries, err := d.env.App.Server.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[string(e.Kind)+":"+string(e.Result)+string(e.Action)] = true
	}
	for _, want := range []string{"verification:rejected", "verification:approved", "action:temporary_password"} {
		if !got[want] {
			t.Errorf("timeline lacks %s: %v", want, got)
		}
	}
	recs, err := d.env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(d.citizen.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(recs, audit.ActionIssueTemporaryPassword, cs.Ref) || !hasAudit(recs, audit.ActionVerifyCaller, cs.Ref) {
		t.Error("no audit entries for the verification and the temporary password")
	}
	for _, r := range recs {
		for _, v := range r.Detail {
			if s, ok := v.(string); ok && s == pw {
				t.Error("the temporary password is in the audit log")
			}
		}
	}

	// The citizen logs in with it and a code, and is sent to change it.
	citizen := newBrowser(t, d.env, nil, "")
	citizen.page(t, "/log-ind")
	if res := citizen.form(t, "/log-ind", url.Values{"username": {d.citizen.Username}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username: %d", res.StatusCode)
	}
	citizen.page(t, "/log-ind/kode")
	code, err := d.env.App.Tokens.Code(ctx, d.serial, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	res = citizen.form(t, "/log-ind/kode", url.Values{"password": {pw}, "code": {code}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/mitid/adgangskode" {
		t.Errorf("login with the temporary password: %d to %q, want 303 to /mitid/adgangskode", res.StatusCode, loc)
	}
}

var deskStatusHref = regexp.MustCompile(`hx-get="([^"]+)"`)

func verifyStatusPath(t *testing.T, body string) string {
	t.Helper()
	m := deskStatusHref.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no polling address on the card:\n%s", body)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// TestDeskCitizenVerifyWithoutApp: a citizen without an app cannot be verified; the agent is
// told that only a block is possible.
func TestDeskCitizenVerifyWithoutApp(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	u, _, err := env.App.Server.Staff.Create(context.Background(), "agent@styrelsen.dk", "Agnes Agent", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	agent := staffSession(t, env, u)
	m := env.NewCitizen(t)
	path := "/medarbejder/borger/" + strconv.FormatInt(m.ID, 10)
	res, body := agent.post(t, path+"/bekraeft", url.Values{})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="desk-refused"`) {
		t.Errorf("verify without an app: %d, want 409 with the explanation", res.StatusCode)
	}
}
