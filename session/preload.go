package session

import (
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5"
)

// Preload queues a page's reads into the round trip that loads the session (Store.NewWith).
// The reads cannot take the subject's ID as a parameter, since it is not known before the
// session row is read; they name it with Ref.SubjectIDSQL instead, and PostgreSQL resolves it.
// Their results are the page's to check: they count only when the session loaded and its
// subject is the one they were read for, so a block or "log out everywhere" still takes effect
// at the very next request (nothing of the session or subject is kept in the process).
type Preload func(b *pgx.Batch, ref Ref)

// Ref names the session being loaded in SQL: its key is the parameter $1 of every statement a
// Preload queues.
type Ref struct{ hash []byte }

// Arg is the value of $1.
func (r Ref) Arg() any { return r.hash }

// SubjectIDSQL is an SQL expression for the ID of the session's subject when it is of kind
// (KindCitizen or KindStaff), NULL otherwise. It uses $1 (Arg).
func (r Ref) SubjectIDSQL(kind string) string {
	if kind != KindCitizen && kind != KindStaff {
		panic("session: unknown subject kind " + kind)
	}
	return `(SELECT subject_id FROM web_session WHERE id_hash = $1 AND subject_kind = '` + kind + `')`
}

// NewWith is New with a page's reads sent in the same round trip as the session's statement
// (one batch, answered together). preload runs only when the request carries a session
// cookie; a nil preload is New.
func (s *Store) NewWith(r *http.Request, name string, preload Preload) (*sessions.Session, error) {
	return s.newSession(r, name, preload)
}
