package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/support"
)

// attempts is how many requests each path gets at once from one address (all of these tests
// come from 127.0.0.1).
const attempts = 100

// fire sends the prepared requests at once and counts the answers by status. Every 429 must
// carry a Retry-After header.
func fire(t *testing.T, send []func() (*http.Response, error)) map[int]int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		got   = map[int]int{}
		start = make(chan struct{})
	)
	for _, f := range send {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				got[-1]++
				return
			}
			res.Body.Close()
			if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
				got[-429]++ // a throttled answer without Retry-After
			}
			got[res.StatusCode]++
		}()
	}
	close(start)
	wg.Wait()
	return got
}

// postForm prepares a form POST of b with its CSRF token.
func (b *browser) postForm(path string, fields url.Values) func() (*http.Response, error) {
	fields.Set("csrf_token", b.csrf)
	return func() (*http.Response, error) { return b.client.PostForm(b.env.URL+path, fields) }
}

// postJSON prepares a JSON POST of b, as webauthn.js sends it.
func (b *browser) postJSON(path, body string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, b.env.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", b.csrf)
		return b.client.Do(req)
	}
}

// startCitizenLogin is a fresh browser that typed username on the login page.
func startCitizenLogin(t *testing.T, env *apptest.Env, username string) *browser {
	t.Helper()
	b := newBrowser(t, env, nil, "")
	b.page(t, "/log-ind")
	if res := b.form(t, "/log-ind", url.Values{"username": {username}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username step: %d", res.StatusCode)
	}
	return b
}

// TestParallelAttemptsHoldTheAddressBound fires 100 attempts at once from one address at each
// path that guesses something, and checks that exactly the bound were evaluated and the rest
// answered 429 with Retry-After.
func TestParallelAttemptsHoldTheAddressBound(t *testing.T) {
	// Not parallel: the login hasher answers busy (503) after a fixed wait, which other tests
	// hashing beside it would turn into a timing failure. For the same reason each portal here
	// has a hash slot per attempt: what is tested is the address bound, not the hasher's (its
	// own tests hold that), and on a loaded machine an attempt waiting over a second for one of
	// the default slots was answered busy instead of being counted.
	login := identity.DefaultThrottleRules[identity.ThrottleLogin].Max
	staffBound := identity.DefaultThrottleRules[identity.ThrottleStaffLogin].Max
	create := identity.DefaultThrottleRules[identity.ThrottleCreate].Max
	contact := identity.DefaultThrottleRules[identity.ThrottleContact].Max
	block := identity.DefaultThrottleRules[identity.ThrottleBlock].Max
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		// prepare returns the i-th request; the preparation itself is not throttled.
		prepare func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error)
		// evaluated is the status of an attempt that got past the bound.
		evaluated, bound int
	}{
		{"citizen code login", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := startCitizenLogin(t, env, fmt.Sprintf("nobody%d", i))
			return b.postForm("/log-ind/kode", url.Values{"password": {"wrong wrong"}, "code": {"123456"}})
		}, http.StatusUnprocessableEntity, login},
		{"chip login start", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := startCitizenLogin(t, env, fmt.Sprintf("nobody%d", i))
			return b.postJSON("/log-ind/chip/begin", `{"password":"wrong wrong"}`)
		}, http.StatusBadRequest, login},
		{"app login request", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := startCitizenLogin(t, env, fmt.Sprintf("nobody%d", i))
			return b.postForm("/log-ind/app", url.Values{})
		}, http.StatusSeeOther, login},
		{"staff login", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := newBrowser(t, env, nil, "")
			b.page(t, "/medarbejder/log-ind")
			return b.postForm("/medarbejder/log-ind", url.Values{"email": {fmt.Sprintf("n%d@styrelsen.dk", i)},
				"password": {"wrong wrong wrong"}})
		}, http.StatusUnprocessableEntity, staffBound},
		{"MitID creation", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := newBrowser(t, env, nil, "")
			b.page(t, "/opret")
			p := identity.GenerateDemoPersons(rng, 1)[0] // not in this register
			return b.postForm("/opret", url.Values{"cpr": {string(p.CPR)}, "name": {p.FullName()}, "document": {"123456789"}})
		}, http.StatusUnprocessableEntity, create},
		{"contact form, anonymous", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := newBrowser(t, env, nil, "")
			b.page(t, "/kontakt/skriv")
			return b.postForm("/kontakt/skriv", contactFields(fmt.Sprintf("p%d@example.dk", i)))
		}, http.StatusOK, contact},
		{"public block page", func(t *testing.T, env *apptest.Env, i int) func() (*http.Response, error) {
			b := newBrowser(t, env, nil, "")
			b.page(t, "/spaer")
			return b.postForm("/spaer", url.Values{"username": {fmt.Sprintf("nobody%d", i)}, "cpr": {"0101901234"},
				"reason": {"lost"}, "consent": {"yes"}})
		}, http.StatusOK, block},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := apptest.New(t, apptest.Options{HashConcurrency: attempts})
			send := make([]func() (*http.Response, error), attempts)
			for i := range send {
				send[i] = tt.prepare(t, env, i)
			}
			got := fire(t, send)
			want := map[int]int{tt.evaluated: tt.bound, http.StatusTooManyRequests: attempts - tt.bound}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("answers by status %v, want %v", got, want)
			}
		})
	}
}

// contactFields is a filled-in contact form; email is left out for a logged-in citizen.
func contactFields(email string) url.Values {
	v := url.Values{"system": {string(support.SystemMitID)}, "category": {string(support.Categories[0])},
		"subject": {"Hjælp"}, "message": {"Jeg kan ikke logge ind."}}
	if email != "" {
		v.Set("name", "Anna Andersen")
		v.Set("email", email)
	}
	return v
}

// TestContactFormLoggedInIsThrottled: a logged-in citizen's contact forms are throttled too
// (per MitID and per address), and an office's contact forms do not block MitID creation
// there: each purpose has its own key.
func TestContactFormLoggedInIsThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	m := env.NewCitizen(t)
	bound := identity.DefaultThrottleRules[identity.ThrottleContact].Max
	send := make([]func() (*http.Response, error), attempts)
	for i := range send {
		send[i] = citizenBrowser(t, env, m).postForm("/kontakt/skriv", contactFields(""))
	}
	got := fire(t, send)
	if want := map[int]int{http.StatusOK: bound, http.StatusTooManyRequests: attempts - bound}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers by status %v, want %v", got, want)
	}
	b := newBrowser(t, env, nil, "")
	b.page(t, "/opret")
	p := identity.GenerateDemoPersons(rand.New(rand.NewPCG(3, 4)), 1)[0]
	res := b.form(t, "/opret", url.Values{"cpr": {string(p.CPR)}, "name": {p.FullName()}, "document": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("MitID creation after the contact forms: %d, want 422 (not throttled)", res.StatusCode)
	}
}

// TestPasswordChangeEndsOtherSessions: a changed password ends every other session of the
// MitID, in the same transaction, and keeps the one that changed it.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	m := env.NewCitizen(t)
	other := env.NewCitizen(t)
	here, there, elsewhere := citizenBrowser(t, env, m), citizenBrowser(t, env, m), citizenBrowser(t, env, other)
	for _, b := range []*browser{here, there, elsewhere} {
		if status, _ := b.get(t, "/mitid"); status != http.StatusOK {
			t.Fatalf("before the change: %d", status)
		}
	}
	res := here.form(t, "/mitid/adgangskode", url.Values{"password": {"Ny-sommer-ved-havet-42"},
		"password_repeat": {"Ny-sommer-ved-havet-42"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", res.StatusCode)
	}
	if status, _ := here.get(t, "/mitid"); status != http.StatusOK {
		t.Errorf("the session that changed the password: %d, want 200", status)
	}
	if status, loc := there.get(t, "/mitid"); status == http.StatusOK {
		t.Errorf("another session of the MitID still works after the change: %d %s", status, loc)
	}
	if status, _ := elsewhere.get(t, "/mitid"); status != http.StatusOK {
		t.Errorf("another citizen's session: %d, want 200", status)
	}
	var n int
	if err := env.App.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM web_session WHERE subject_kind = 'citizen' AND subject_id = $1`, m.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d sessions of the MitID left, want 1", n)
	}
}
