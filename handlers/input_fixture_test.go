package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/support"
)

// inputFixture is what the forms of the input table work on: a citizen with a chip and a case,
// an agent and an admin, and an open staff enrolment.
type inputFixture struct {
	env        *apptest.Env
	citizen    identity.MitID
	chip       identity.Authenticator
	agent      staff.User
	admin      staff.User
	cs         support.Case
	enrolToken string
}

func newInputFixture(t *testing.T) *inputFixture {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	fx := &inputFixture{env: env, citizen: env.NewCitizen(t)}
	var err error
	fx.chip, err = env.App.Identity.AddChip(ctx, fx.citizen.ID, "Nøglering", identity.ChipCredential{
		CredentialID: []byte("input-key"), PublicKey: []byte("cose"), AAGUID: make([]byte, 16), UserVerified: true},
		identity.ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	if fx.agent, _, err = env.App.Server.Staff.Create(ctx, "alma@styrelsen.dk", "Alma Agent", []string{"agent"}); err != nil {
		t.Fatal(err)
	}
	if fx.admin, _, err = env.App.Server.Staff.Create(ctx, "ida@styrelsen.dk", "Ida Admin", []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	if _, fx.enrolToken, err = env.App.Server.Staff.Create(ctx, "ny@styrelsen.dk", "Ny Kollega", []string{"agent"}); err != nil {
		t.Fatal(err)
	}
	fx.cs, err = env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: fx.citizen.ID, Email: "borger@example.dk",
		Subject: "Kan ikke logge ind", Message: "Hjælp"})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// anonymous is a fresh visitor's browser with a session and its CSRF token.
func (fx *inputFixture) anonymous(t *testing.T) *browser {
	return newBrowser(t, fx.env, fx.env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
}

func (fx *inputFixture) asCitizen(t *testing.T) *browser {
	return newBrowser(t, fx.env, fx.env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: fx.citizen.ID,
		Roles: []string{"citizen"}, Level: "high", AuthenticatedAt: time.Now(), Name: fx.citizen.Username}), apptest.CSRFToken)
}

func (fx *inputFixture) asAgent(t *testing.T) *browser { return staffSession(t, fx.env, fx.agent) }
func (fx *inputFixture) asAdmin(t *testing.T) *browser { return staffSession(t, fx.env, fx.admin) }

// loggingIn is a browser that has given its username and now chooses a means.
func (fx *inputFixture) loggingIn(t *testing.T) *browser {
	b := fx.anonymous(t)
	if res, _ := b.post(t, "/log-ind", url.Values{"username": {fx.citizen.Username}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username step: %d", res.StatusCode)
	}
	return b
}

// creating is a browser in the middle of creating a MitID, with the session values the steps
// from key on expect (the checks refuse the input before anything reads them further).
func (fx *inputFixture) creating(t *testing.T) *browser {
	// /opret/bruger reads a checked, live creation code (activation_grant.go).
	_, ac, err := fx.env.App.Activations.Issue(context.Background(), fx.citizen.CPR, identity.ActivationCreate,
		identity.LevelSubstantial, identity.ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	return fx.withSession(t, map[any]any{"create_cpr": string(fx.citizen.CPR), "grant_activation": ac.ID,
		"grant_cpr": string(ac.CPR), "create_mitid": fx.citizen.ID})
}

// enrolling is a browser that has opened a staff enrolment link.
func (fx *inputFixture) enrolling(t *testing.T) *browser {
	b := fx.anonymous(t)
	b.page(t, "/medarbejder/tilmeld/"+fx.enrolToken)
	if res := b.form(t, "/medarbejder/tilmeld/"+fx.enrolToken,
		url.Values{"password": {"Lang-Saetning-9"}, "password_repeat": {"Lang-Saetning-9"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrolment password: %d", res.StatusCode)
	}
	b.page(t, "/medarbejder/tilmeld")
	return b
}

// withSession is an anonymous browser whose session holds values, as earlier steps leave it.
func (fx *inputFixture) withSession(t *testing.T, values map[any]any) *browser {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, fx.env.URL+"/", nil)
	sess, err := fx.env.App.Sessions.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	sess.Values["csrf"] = apptest.CSRFToken
	for k, v := range values {
		sess.Values[k] = v
	}
	w := httptest.NewRecorder()
	if err := fx.env.App.Sessions.Rotate(r, w, sess); err != nil {
		t.Fatal(err)
	}
	return newBrowser(t, fx.env, w.Result().Cookies()[0], apptest.CSRFToken)
}

// sendJSON posts body as the chip and app scripts do and returns the status and the answer.
func (b *browser) sendJSON(t *testing.T, path string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.env.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// fingerprint sums up every table a form could write to, so a test can tell that a refused
// form wrote nothing. Looking a citizen up is audited on every view of the card, the refused
// form's page included, so those entries do not count; the outbox counts only its rows, as
// the delivery worker updates them.
func (fx *inputFixture) fingerprint(t *testing.T) string {
	t.Helper()
	// One statement, one round trip: the table runs it twice for each of some hundreds of cases.
	var parts []string
	for _, q := range []string{
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM mitid t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM authenticator t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM support_case t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM support_entry t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM contact_pending t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM staff_user t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM support_canned t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM staff_enrolment t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM app_pairing t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM activation_code t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM throttle_counter t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM login_failure t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM audit_log t WHERE action <> 'citizen_lookup'`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM activity t WHERE kind <> 'lookup_by_support'`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM site_page t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM site_page_version t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM pack_item t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM pack_item_version t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM site_image t`,
		`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM forum_meeting_file t`,
		`SELECT count(*)::text FROM mail_outbox`,
	} {
		parts = append(parts, "("+q+")")
	}
	var s string
	if err := fx.env.App.Pool.QueryRow(context.Background(), "SELECT concat_ws(',', "+strings.Join(parts, ", ")+")").Scan(&s); err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return s
}
