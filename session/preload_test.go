package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db/dbtest"
	"mitidportal/session"
)

// TestNewWithPreload: a preload's statements run in the batch that loads the session and find
// the session's subject by kind; once the session is ended (a block, "log out everywhere") the
// very next load is anonymous and the preload finds nobody.
func TestNewWithPreload(t *testing.T) {
	pool := dbtest.New(t)
	s := session.NewStore(pool, session.Config{})
	c := newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 7, Roles: []string{"citizen"}})
	loadWith := func(t *testing.T) (sess session.Subject, citizen, staff *int64, isNew bool) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		got, err := s.NewWith(r, "portal", func(b *pgx.Batch, ref session.Ref) {
			b.Queue(`SELECT `+ref.SubjectIDSQL(session.KindCitizen)+`, `+ref.SubjectIDSQL(session.KindStaff), ref.Arg()).
				QueryRow(func(row pgx.Row) error { return row.Scan(&citizen, &staff) })
		})
		if err != nil {
			t.Fatal(err)
		}
		return session.SubjectOf(got), citizen, staff, got.IsNew
	}
	t.Run("live session", func(t *testing.T) {
		sub, citizen, staff, isNew := loadWith(t)
		if isNew || sub.ID != 7 {
			t.Fatalf("session not loaded: new %v, subject %+v", isNew, sub)
		}
		if citizen == nil || *citizen != 7 || staff != nil {
			t.Fatalf("preload read citizen %v, staff %v; want 7 and NULL", citizen, staff)
		}
	})
	t.Run("ended session", func(t *testing.T) {
		if _, err := s.EndAll(context.Background(), session.KindCitizen, 7); err != nil {
			t.Fatal(err)
		}
		sub, citizen, _, isNew := loadWith(t)
		if !isNew || !sub.Anonymous() {
			t.Fatalf("ended session still loads: subject %+v", sub)
		}
		if citizen != nil {
			t.Fatalf("preload of an ended session found subject %d", *citizen)
		}
	})
	t.Run("expired session", func(t *testing.T) {
		c = newSession(t, s, session.Subject{Kind: session.KindCitizen, ID: 7, Roles: []string{"citizen"}})
		if _, err := pool.Exec(context.Background(), `UPDATE web_session SET expires_at = $1`, time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if sub, _, _, isNew := loadWith(t); !isNew || !sub.Anonymous() {
			t.Fatalf("expired session loads with a preload: subject %+v", sub)
		}
	})
}
