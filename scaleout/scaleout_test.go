package scaleout

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/identity"
	"mitidportal/session"
)

// TestThreeInstances runs the subtests on one set of three processes, in order: the SIGTERM
// subtest stops instance A, and the periodic-job subtest needs the leader of the start.
func TestThreeInstances(t *testing.T) {
	c := startCluster(t)
	t.Run("session works on every instance", c.testSessionEverywhere)
	t.Run("block and log out everywhere end the session on the others", c.testEndEverywhere)
	t.Run("each mail is delivered once", c.testMailOnce)
	t.Run("periodic jobs run once per interval", c.testPeriodicOnce)
	t.Run("SIGTERM under load drains without a failed request", c.testSIGTERM)
}

// csrfToken is the CSRF token of every session the test stores (LoginAs in app/apptest).
const csrfToken = "scaleout-csrf-token"

// client is one browser: no redirects followed, its cookies set by hand.
type client struct {
	http    *http.Client
	cookies []*http.Cookie
}

func newClient(cookies ...*http.Cookie) *client {
	return &client{http: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, cookies: cookies}
}

// do sends a request to the instance and returns the status, the Location and the body.
func (b *client) do(t *testing.T, in *instance, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, in.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range b.cookies {
		req.AddCookie(ck)
	}
	res, err := b.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, in.name, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Keep what the instance sets, as a browser would.
	for _, ck := range res.Cookies() {
		kept := b.cookies[:0]
		for _, old := range b.cookies {
			if old.Name != ck.Name {
				kept = append(kept, old)
			}
		}
		b.cookies = kept
		if ck.MaxAge >= 0 {
			b.cookies = append(b.cookies, ck)
		}
	}
	return res.StatusCode, res.Header.Get("Location"), string(got)
}

// newCitizen puts an invented person with an e-mail address and a MitID into the shared
// database (creating it sends its "MitID created" mail).
func (c *cluster) newCitizen(t *testing.T) identity.MitID {
	t.Helper()
	seed := make([]byte, 8)
	_, _ = rand.Read(seed)
	p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(seed), 1)), 1)[0]
	p.Deceased = false
	h := hex.EncodeToString(seed[:5])
	name := "scale." + h[:5] + "x" + h[5:] // a letter: ten digits could read as a CPR number
	p.Email = name + "@" + identity.DemoEmailDomain
	m, err := c.app.Identity.SetUpDemoCitizen(context.Background(), identity.DemoCitizen{
		Person: p, Username: name, Password: identity.DemoPassword, Assurance: identity.LevelSubstantial,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// login stores a citizen session in the shared database, as a completed login does, and
// returns a browser that holds it; each call is another device.
func (c *cluster) login(t *testing.T, m identity.MitID) *client {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, baseURL+"/", nil)
	sess, err := c.app.Sessions.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	session.SetSubject(sess, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: string(identity.LevelSubstantial), AuthenticatedAt: time.Now(), Name: m.Username})
	sess.Values["csrf"] = csrfToken
	w := httptest.NewRecorder()
	if err := c.app.Sessions.Rotate(r, w, sess); err != nil {
		t.Fatal(err)
	}
	return newClient(w.Result().Cookies()...)
}

func (c *cluster) testSessionEverywhere(t *testing.T) {
	a := c.instances[0]
	t.Run("a login begun on A continues on B and C", func(t *testing.T) {
		b := newClient()
		// The form's GET sets the signed CSRF cookie (no session yet); its token is the part
		// before the dot.
		if st, _, _ := b.do(t, a, http.MethodGet, "/log-ind", nil); st != http.StatusOK {
			t.Fatalf("GET /log-ind on A: %d", st)
		}
		var tok string
		for _, ck := range b.cookies {
			if ck.Name == "csrf" {
				tok, _, _ = strings.Cut(ck.Value, ".")
			}
		}
		if tok == "" {
			t.Fatalf("no CSRF cookie from A: %v", b.cookies)
		}
		st, loc, _ := b.do(t, a, http.MethodPost, "/log-ind", url.Values{"username": {"anne.scaleout"}, "csrf_token": {tok}})
		if st != http.StatusSeeOther || loc != "/log-ind/metode" {
			t.Fatalf("POST /log-ind on A: %d to %q, want 303 to /log-ind/metode", st, loc)
		}
		for _, in := range c.instances[1:] {
			st, loc, body := b.do(t, in, http.MethodGet, "/log-ind/metode", nil)
			if st != http.StatusOK || !strings.Contains(body, "anne.scaleout") {
				t.Errorf("GET /log-ind/metode on %s: %d (to %q), want 200 with the username the session on A holds", in.name, st, loc)
			}
		}
	})
	t.Run("a citizen's session is logged in on all three", func(t *testing.T) {
		m := c.newCitizen(t)
		b := c.login(t, m)
		for _, in := range c.instances {
			st, loc, body := b.do(t, in, http.MethodGet, "/mitid", nil)
			if st != http.StatusOK || !strings.Contains(body, m.Username) {
				t.Errorf("GET /mitid on %s: %d (to %q), want 200 with the citizen's name", in.name, st, loc)
			}
		}
	})
}

func (c *cluster) testEndEverywhere(t *testing.T) {
	a := c.instances[0]
	for _, tc := range []struct {
		name, path string
		form       url.Values
	}{
		{"block my MitID", "/mitid/spaer", url.Values{"reason": {string(identity.BlockChoices[0])}}},
		{"log out everywhere", "/mitid/sessioner/log-ud-alle", url.Values{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := c.newCitizen(t)
			phone, laptop := c.login(t, m), c.login(t, m)
			// The laptop's session is in use on B and C (and anything they keep of it is warm).
			for _, in := range c.instances[1:] {
				if st, _, _ := laptop.do(t, in, http.MethodGet, "/mitid", nil); st != http.StatusOK {
					t.Fatalf("GET /mitid on %s before: %d", in.name, st)
				}
			}
			tc.form.Set("csrf_token", csrfToken)
			if st, loc, _ := phone.do(t, a, http.MethodPost, tc.path, tc.form); st != http.StatusOK && st != http.StatusSeeOther {
				t.Fatalf("POST %s on A: %d (to %q)", tc.path, st, loc)
			}
			// The very next request on B and on C, at once: no cache period may keep it alive.
			for _, in := range c.instances[1:] {
				st, loc, _ := laptop.do(t, in, http.MethodGet, "/mitid", nil)
				if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/log-ind") {
					t.Errorf("GET /mitid on %s after %s on A: %d to %q, want 303 to /log-ind", in.name, tc.name, st, loc)
				}
			}
		})
	}
}
