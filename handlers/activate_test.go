package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// TestActivateAnyBrowser: a code from a letter is accepted on /aktiver by a browser that never
// saw /opret, with the CPR number typed in each usual way or with the username, and
// /aktiver/videre sends it on by the code's purpose.
func TestActivateAnyBrowser(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	fresh := func(t *testing.T) identity.CPR {
		t.Helper()
		m := env.NewCitizen(t) // a finished MitID: its person gets a recovery code
		return m.CPR
	}
	tests := []struct {
		name    string
		purpose identity.ActivationPurpose
		who     func(cpr identity.CPR, m identity.MitID) string
		next    string
	}{
		{"recover, CPR with a dash", identity.ActivationRecover, func(c identity.CPR, _ identity.MitID) string { return c.String() }, "/aktiver/gendan"},
		{"recover, CPR with a space", identity.ActivationRecover, func(c identity.CPR, _ identity.MitID) string {
			return string(c[:6]) + " " + string(c[6:])
		}, "/aktiver/gendan"},
		{"recover, CPR as ten digits", identity.ActivationRecover, func(c identity.CPR, _ identity.MitID) string { return string(c) }, "/aktiver/gendan"},
		{"recover, username", identity.ActivationRecover, func(_ identity.CPR, m identity.MitID) string { return m.Username }, "/aktiver/gendan"},
		{"lift", identity.ActivationLift, func(c identity.CPR, _ identity.MitID) string { return c.String() }, "/aktiver/ophaev"},
		{"create", identity.ActivationCreate, func(c identity.CPR, _ identity.MitID) string { return c.String() }, "/opret/bruger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cpr := fresh(t)
			m, err := env.App.Identity.MitIDByCPR(ctx, cpr)
			if err != nil {
				t.Fatal(err)
			}
			code, _, err := env.App.Activations.Issue(ctx, cpr, tt.purpose, identity.LevelSubstantial, identity.ActorCitizen)
			if err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, env, nil, "")
			b.page(t, "/aktiver")
			res := b.form(t, "/aktiver", url.Values{"cpr": {tt.who(cpr, m)}, "code": {code}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/aktiver/videre" {
				t.Fatalf("POST /aktiver: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			res, err = b.client.Get(env.URL + "/aktiver/videre")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tt.next {
				t.Errorf("/aktiver/videre: %d to %q, want %s", res.StatusCode, res.Header.Get("Location"), tt.next)
			}
		})
	}
}

// TestActivateThrottledPerAddress: 100 wrong codes at once from one address reach the codes at
// most as often as the per-address bound allows; the rest are told to wait.
func TestActivateThrottledPerAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	bound := identity.DefaultThrottleRules[identity.ThrottleActivation].Max
	var cprs []identity.CPR
	for range 3 {
		m := env.NewCitizen(t)
		if _, _, err := env.App.Activations.Issue(ctx, m.CPR, identity.ActivationRecover, identity.LevelSubstantial,
			identity.ActorCitizen); err != nil {
			t.Fatal(err)
		}
		cprs = append(cprs, m.CPR)
	}
	b := newBrowser(t, env, nil, "")
	b.page(t, "/aktiver")
	var send []func() (*http.Response, error)
	for i := range attempts {
		send = append(send, b.postForm("/aktiver", url.Values{"cpr": {cprs[i%len(cprs)].String()},
			"code": {fmt.Sprintf("2222-2222-%04d", 2222+i%7)}}))
	}
	got := fire(t, send)
	if got[http.StatusTooManyRequests] < attempts-bound || got[-429] != 0 || got[-1] != 0 {
		t.Errorf("answers by status %v: want at least %d × 429, each with Retry-After", got, attempts-bound)
	}
	var tries int
	if err := env.App.Pool.QueryRow(ctx, `SELECT coalesce(sum(tries), 0) FROM activation_code`).Scan(&tries); err != nil {
		t.Fatal(err)
	}
	if tries > bound {
		t.Errorf("%d tries reached the codes, want at most %d", tries, bound)
	}
}

// TestCreateStartsOverOrLeadsToForgot: /opret sends a new letter to a person whose MitID never
// got its first means, and refuses one with a usable MitID with a link to "Glemt eller mistet".
func TestCreateStartsOverOrLeadsToForgot(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	person := func(t *testing.T) identity.Person {
		t.Helper()
		m := env.NewCitizen(t)
		if _, err := env.App.Pool.Exec(ctx, `UPDATE person SET id_document_number = '123456789' WHERE cpr = $1`,
			m.CPR); err != nil {
			t.Fatal(err)
		}
		p, err := env.App.Persons.ByCPR(ctx, m.CPR)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name       string
		unfinished bool
		status     int
	}{
		{"never finished: a new letter", true, http.StatusSeeOther},
		{"finished: refused, with the way back in", false, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// NewCitizen's MitID has only its password: its creation never finished.
			p := person(t)
			if !tt.unfinished {
				m, err := env.App.Identity.MitIDByCPR(ctx, p.CPR)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := env.App.Identity.AddChip(ctx, m.ID, "", identity.ChipCredential{CredentialID: []byte(m.Username),
					PublicKey: []byte("cose"), AAGUID: make([]byte, 16)}, identity.ActorCitizen); err != nil {
					t.Fatal(err)
				}
			}
			b := newBrowser(t, env, nil, "")
			b.page(t, "/opret")
			fields := url.Values{"cpr": {p.CPR.String()}, "name": {p.FullName()}, "document": {p.IDDocumentNumber}}
			fields.Set("csrf_token", b.csrf)
			res, err := b.client.PostForm(env.URL+"/opret", fields)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("POST /opret: %d, want %d", res.StatusCode, tt.status)
			}
			letters, err := env.App.Letters.List(ctx, p.CPR)
			if err != nil {
				t.Fatal(err)
			}
			if tt.unfinished != (len(letters) == 1) {
				t.Errorf("%d letters", len(letters))
			}
			if !tt.unfinished && !strings.Contains(string(body), `href="/glemt"`) {
				t.Error("the refusal does not link to /glemt")
			}
		})
	}
}

// TestCreateUserStepAfterTheMitIDIsMade: once step 3 has made the MitID, its page sent again
// (the back button, a reload, a second click on "Fortsæt") leads on to the first means, not to
// /aktiver, where the spent code would only say "order a new letter".
func TestCreateUserStepAfterTheMitIDIsMade(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := atCreationStep3(t, env)
	user := url.Values{"username": {"ny.bruger.trin3"}, "password": {"Rødgrød med fløde 2026!"}, "password_repeat": {"Rødgrød med fløde 2026!"}}
	if res := b.form(t, "/opret/bruger", user); res.Header.Get("Location") != "/opret/middel" {
		t.Fatalf("POST /opret/bruger: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	again := map[string]func() *http.Response{
		"back to the page": func() *http.Response {
			res, err := b.client.Get(env.URL + "/opret/bruger")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		},
		"the form sent again": func() *http.Response { return b.form(t, "/opret/bruger", user) },
	}
	for name, send := range again {
		t.Run(name, func(t *testing.T) {
			res := send()
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/opret/faerdig" {
				t.Fatalf("%d to %q, want /opret/faerdig", res.StatusCode, loc)
			}
			// The MitID has no means yet: the end of the creation sends it to the first one.
			res, err := b.client.Get(env.URL + "/opret/faerdig")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if loc := res.Header.Get("Location"); loc != "/opret/middel" {
				t.Errorf("/opret/faerdig: %d to %q, want the first means' step /opret/middel", res.StatusCode, loc)
			}
		})
	}
}

// TestCreateUserStepSentTwiceAtOnce: step 3 sent several times at once from one browser (a
// double click, a reload while the first is under way) makes one MitID, and every answer goes
// on to its first means: the requests that find the code spent by the one that made the MitID
// do not tell the person to order a new letter, and whichever saves the session last leaves
// the creation in it.
func TestCreateUserStepSentTwiceAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for round := range 3 {
		b := atCreationStep3(t, env)
		user := url.Values{"username": {fmt.Sprintf("dobbelt.klik.%d", round)}, "password": {"Rødgrød med fløde 2026!"},
			"password_repeat": {"Rødgrød med fløde 2026!"}, "csrf_token": {b.csrf}}
		const n = 8
		answers := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				res, err := b.client.PostForm(env.URL+"/opret/bruger", user)
				if err != nil {
					answers[i] = err.Error()
					return
				}
				res.Body.Close()
				answers[i] = fmt.Sprintf("%d %s", res.StatusCode, res.Header.Get("Location"))
			})
		}
		wg.Wait()
		// A request that read the session after another saved it finds the MitID there and
		// goes to the creation's end, which sends an unfinished MitID to its first means.
		for i, a := range answers {
			if a != "303 /opret/middel" && a != "303 /opret/faerdig" {
				t.Errorf("round %d, request %d: %q, want 303 to the first means /opret/middel (or via /opret/faerdig)", round, i, a)
			}
		}
		res, err := b.client.Get(env.URL + "/opret/middel")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("round %d: /opret/middel after the requests: %d to %q, want the page", round, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// atCreationStep3 is a browser at the creation's username-and-password step: a citizen whose
// MitID never got a means (so a creation code may be issued) typed the code on /aktiver.
func atCreationStep3(t *testing.T, env *apptest.Env) *browser {
	t.Helper()
	m := env.NewCitizen(t)
	code, _, err := env.App.Activations.Issue(context.Background(), m.CPR, identity.ActivationCreate,
		identity.LevelSubstantial, identity.ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, nil, "")
	b.page(t, "/aktiver")
	if res := b.form(t, "/aktiver", url.Values{"cpr": {m.CPR.String()}, "code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /aktiver: %d", res.StatusCode)
	}
	b.page(t, "/opret/bruger")
	return b
}
