package session_test

import (
	"context"
	"testing"
	"time"

	"mitidportal/db/dbtest"
	"mitidportal/session"
)

// TestTouchAtMostOncePerInterval: loading a session writes nothing while its last use is newer
// than TouchEvery (the row's xmin, which every UPDATE changes, stays the same); once it is older,
// one load records the use, and the loads after it write nothing again.
func TestTouchAtMostOncePerInterval(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{Idle: 30 * time.Minute, TouchEvery: time.Minute})
	c := newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 7, Roles: []string{"citizen"}})
	ctx := context.Background()
	row := func() (xmin string, lastSeen time.Time) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT xmin::text, last_seen_at FROM web_session`).Scan(&xmin, &lastSeen); err != nil {
			t.Fatal(err)
		}
		return xmin, lastSeen
	}
	loads := func(n int) {
		t.Helper()
		for range n {
			if _, isNew := load(t, s, c); isNew {
				t.Fatal("session ended")
			}
		}
	}
	for _, tt := range []struct {
		name      string
		age       time.Duration // how long ago the session was last used
		wantTouch bool
	}{
		{"used just now", 0, false},
		{"used 50 s ago", 50 * time.Second, false},
		{"used 2 min ago", 2 * time.Minute, true},
		{"used 29 min ago", 29 * time.Minute, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pool.Exec(ctx, `UPDATE web_session SET last_seen_at = now() - $1::interval`, tt.age.String()); err != nil {
				t.Fatal(err)
			}
			x0, seen0 := row()
			loads(1)
			x1, seen1 := row()
			if touched := x1 != x0; touched != tt.wantTouch {
				t.Fatalf("first load wrote = %v, want %v (last seen %s -> %s)", touched, tt.wantTouch, seen0, seen1)
			}
			if tt.wantTouch && time.Since(seen1) > 5*time.Second {
				t.Errorf("touch recorded %s, not now", seen1)
			}
			loads(5)
			if x2, _ := row(); x2 != x1 {
				t.Error("a load within TouchEvery of the last touch wrote the row")
			}
		})
	}
}
