package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mitidportal/db/dbtest"
	"mitidportal/session"
)

// roundTrip saves values in a new session and returns the cookie the browser would hold.
func newSession(t *testing.T, s *session.Store, sub session.Subject) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	sess, err := s.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	sess.Values["csrf"] = "token-1"
	if !sub.Anonymous() {
		session.SetSubject(sess, sub)
	}
	w := httptest.NewRecorder()
	if err := s.Rotate(r, w, sess); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("want one cookie, got %d", len(cookies))
	}
	return cookies[0]
}

func load(t *testing.T, s *session.Store, c *http.Cookie) (values map[any]any, isNew bool) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := s.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	return sess.Values, sess.IsNew
}

func TestCookieHoldsOnlyARandomID(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{Secure: true})
	c := newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 7, Roles: []string{"citizen"}})
	if c.Name != "__Host-portal_session" || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Errorf("cookie attributes: %+v", c)
	}
	if len(c.Value) < 43 || strings.Contains(c.Value, "token-1") {
		t.Errorf("cookie value %q is not a bare 256-bit ID", c.Value)
	}
	var stored int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM web_session WHERE id_hash = convert_to($1, 'UTF8')`, c.Value).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Error("the table holds the raw cookie value; it must hold only its hash")
	}
	values, isNew := load(t, s, c)
	if isNew || values["csrf"] != "token-1" {
		t.Errorf("loaded %v (new %v)", values, isNew)
	}
}

func TestPlainCookieNameOverHTTP(t *testing.T) {
	s := session.NewStore(dbtest.New(t), session.Config{})
	if c := newSession(t, s, session.Subject{}); c.Name != "portal_session" || c.Secure {
		t.Errorf("cookie over http: %+v", c)
	}
}

func TestRotateInvalidatesTheOldID(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{})
	old := newSession(t, s, session.Subject{})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(old)
	sess, _ := s.New(r, "portal")
	session.SetSubject(sess, session.Subject{Kind: session.KindStaff, ID: 3, Roles: []string{"agent"}})
	w := httptest.NewRecorder()
	if err := s.Rotate(r, w, sess); err != nil {
		t.Fatal(err)
	}
	fresh := w.Result().Cookies()[0]
	if fresh.Value == old.Value {
		t.Fatal("rotation kept the ID")
	}
	if _, isNew := load(t, s, old); !isNew {
		t.Error("the pre-login ID still works after rotation")
	}
	values, isNew := load(t, s, fresh)
	if isNew || values["csrf"] != "token-1" {
		t.Errorf("rotated session lost its values: %v", values)
	}
	r2 := httptest.NewRequest(http.MethodGet, "/", nil)
	r2.AddCookie(fresh)
	sess2, _ := s.New(r2, "portal")
	if sub := session.SubjectOf(sess2); sub.Kind != session.KindStaff || sub.ID != 3 || len(sub.Roles) != 1 || sub.Roles[0] != "agent" {
		t.Errorf("subject after load: %+v", sub)
	}
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		name     string
		idle     time.Duration
		absolute time.Duration
		age      time.Duration // how old the session is (created and last seen)
		alive    bool
	}{
		{"fresh", 30 * time.Minute, 8 * time.Hour, time.Minute, true},
		{"idle too long", 30 * time.Minute, 8 * time.Hour, 31 * time.Minute, false},
		{"past absolute though active", 30 * time.Minute, time.Hour, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := dbtest.New(t)
			s := session.NewStore(pool, session.Config{Idle: tt.idle, Absolute: tt.absolute})
			c := newSession(t, s, session.Subject{})
			ctx := context.Background()
			// Age the row: last seen `age` ago; for the absolute case, created long ago.
			q := `UPDATE web_session SET last_seen_at = now() - $1::interval`
			if !tt.alive && tt.age == 0 {
				q = `UPDATE web_session SET expires_at = now() - interval '1 second' WHERE $1::interval IS NOT NULL`
			}
			if _, err := pool.Exec(ctx, q, tt.age.String()); err != nil {
				t.Fatal(err)
			}
			_, isNew := load(t, s, c)
			if alive := !isNew; alive != tt.alive {
				t.Errorf("alive = %v, want %v", alive, tt.alive)
			}
			if !tt.alive {
				n, err := s.DeleteExpired(ctx)
				if err != nil || n != 1 {
					t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
				}
			}
		})
	}
}

func TestEndAllEndsEverySessionOfOneSubjectOnly(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{})
	alice := session.Subject{Kind: session.KindCitizen, ID: 1, Roles: []string{"citizen"}}
	a1, a2 := newSession(t, s, alice), newSession(t, s, alice)
	bob := newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 2, Roles: []string{"citizen"}})
	staff1 := newSession(t, s, session.Subject{Kind: session.KindStaff, ID: 1, Roles: []string{"agent"}})
	n, err := s.EndAll(context.Background(), session.KindCitizen, 1)
	if err != nil || n != 2 {
		t.Fatalf("EndAll = %d, %v; want 2", n, err)
	}
	for name, c := range map[string]*http.Cookie{"alice 1": a1, "alice 2": a2} {
		if _, isNew := load(t, s, c); !isNew {
			t.Errorf("%s survived EndAll", name)
		}
	}
	for name, c := range map[string]*http.Cookie{"bob": bob, "staff with same id": staff1} {
		if _, isNew := load(t, s, c); isNew {
			t.Errorf("%s was ended too", name)
		}
	}
}

func TestDeleteOnLogout(t *testing.T) {
	s := session.NewStore(dbtest.New(t), session.Config{})
	c := newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 1, Roles: []string{"citizen"}})
	r := httptest.NewRequest(http.MethodPost, "/log-ud", nil)
	r.AddCookie(c)
	sess, _ := s.New(r, "portal")
	sess.Options.MaxAge = -1
	w := httptest.NewRecorder()
	if err := s.Save(r, w, sess); err != nil {
		t.Fatal(err)
	}
	if got := w.Result().Cookies(); len(got) != 1 || got[0].MaxAge >= 0 {
		t.Errorf("logout cookie: %+v", got)
	}
	if _, isNew := load(t, s, c); !isNew {
		t.Error("session still valid after logout")
	}
}

func TestListMarksTheCurrentSessionAndEndAllTxRollsBack(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{})
	sub := session.Subject{Kind: session.KindCitizen, ID: 42, Roles: []string{"citizen"}}
	first := newSession(t, s, sub)
	newSession(t, s, sub)
	newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 43, Roles: []string{"citizen"}})
	ctx := context.Background()

	list, err := s.List(ctx, session.KindCitizen, 42, first.Value)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("listed %d sessions of subject 42, want 2", len(list))
	}
	current := 0
	for _, i := range list {
		if i.Current {
			current++
		}
	}
	if current != 1 {
		t.Errorf("%d sessions marked current, want 1", current)
	}

	// Ending sessions inside a transaction that rolls back ends nothing.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.EndAllTx(ctx, tx, session.KindCitizen, 42); err != nil || n != 2 {
		t.Fatalf("EndAllTx = %d, %v; want 2", n, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, isNew := load(t, s, first); isNew {
		t.Error("a rolled-back EndAllTx ended the session")
	}

	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndAllTx(ctx, tx, session.KindCitizen, 42); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, isNew := load(t, s, first); !isNew {
		t.Error("session still loads after a committed EndAllTx")
	}
	if list, _ := s.List(ctx, session.KindCitizen, 43, ""); len(list) != 1 {
		t.Errorf("another subject's sessions changed: %d left", len(list))
	}
}
