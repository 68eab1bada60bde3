// Package session is a server-side gorilla/sessions store in PostgreSQL. The cookie holds only
// a random 256-bit ID; the row is keyed by its SHA-256, so the table cannot be replayed as
// cookies. A session carries an optional subject (a citizen's MitID or a staff user) so that a
// block, a disabled account or "log out everywhere" ends every session of that person at once,
// on every instance.
package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Subject kinds stored with an authenticated session.
const (
	KindCitizen = "citizen"
	KindStaff   = "staff"
)

// Reserved keys in Session.Values; the store moves them into their own columns.
const (
	keySubjectKind = "_subject_kind"
	keySubjectID   = "_subject_id"
	keyRoles       = "_roles"
	keyLevel       = "_level"
	keyName        = "_name"
	keyAuthAt      = "_auth_at"
	keyMeansID     = "_means_id"
	keyMeansKind   = "_means_kind"
	keyMustChange  = "_must_change"
)

// Config sets the cookie and the two expiries.
type Config struct {
	// CookieName is the base name; with Secure it gets the __Host- prefix, which the browser
	// only accepts from https with Path=/ and no Domain, so no sibling host can plant it.
	CookieName string
	Secure     bool
	// Idle ends a session not used for this long; Absolute ends any session this long after
	// it was created (or last rotated at login).
	Idle     time.Duration
	Absolute time.Duration
	// TouchEvery limits writes: last use is recorded at most this often per session.
	TouchEvery time.Duration
}

// Store implements sessions.Store over a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	cfg  Config
	now  func() time.Time
}

// NewStore returns a Store; zero durations get safe defaults.
func NewStore(pool *pgxpool.Pool, cfg Config) *Store {
	if cfg.CookieName == "" {
		cfg.CookieName = "portal_session"
	}
	if cfg.Secure {
		cfg.CookieName = "__Host-" + cfg.CookieName
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Minute
	}
	if cfg.Absolute <= 0 {
		cfg.Absolute = 8 * time.Hour
	}
	if cfg.TouchEvery <= 0 {
		cfg.TouchEvery = time.Minute
	}
	return &Store{pool: pool, cfg: cfg, now: time.Now}
}

// CookieName is the name of the session cookie, including any __Host- prefix.
func (s *Store) CookieName() string { return s.cfg.CookieName }

// Get returns the request's session; it is the same as New because the middleware loads the
// session once per request and keeps it.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return s.New(r, name)
}

// New loads the session named by the request's cookie, or returns a new empty session (IsNew)
// when there is none or it has expired. A new session is not stored until it is saved.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	return s.newSession(r, name, nil)
}

func (s *Store) newSession(r *http.Request, name string, preload Preload) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil || c.Value == "" {
		return sess, nil
	}
	values, err := s.load(r.Context(), c.Value, preload)
	if errors.Is(err, errNoSession) {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	sess.ID = c.Value
	sess.Values = values
	sess.IsNew = false
	return sess, nil
}

var errNoSession = errors.New("no such session")

// loadSQL reads a live session; it is also the first statement of a preload's batch.
const loadSQL = `
		SELECT data, subject_kind, subject_id, roles, last_seen_at
		FROM web_session
		WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3`

func (s *Store) load(ctx context.Context, id string, preload Preload) (map[any]any, error) {
	var (
		data     []byte
		kind     *string
		subject  *int64
		roles    []string
		lastSeen time.Time
		err      error
	)
	now := s.now()
	hash := hashID(id)
	if preload == nil {
		err = s.pool.QueryRow(ctx, loadSQL, hash, now, now.Add(-s.cfg.Idle)).Scan(&data, &kind, &subject, &roles, &lastSeen)
	} else {
		b := &pgx.Batch{}
		var rowErr error
		b.Queue(loadSQL, hash, now, now.Add(-s.cfg.Idle)).QueryRow(func(row pgx.Row) error {
			rowErr = row.Scan(&data, &kind, &subject, &roles, &lastSeen)
			if errors.Is(rowErr, pgx.ErrNoRows) {
				return nil // the preload's reads still run; their results are dropped with the session
			}
			return rowErr
		})
		preload(b, Ref{hash: hash})
		if err = s.pool.SendBatch(ctx, b).Close(); err == nil {
			err = rowErr
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	values, err := decodeValues(data)
	if err != nil {
		return nil, err
	}
	if kind != nil && subject != nil {
		values[keySubjectKind] = *kind
		values[keySubjectID] = *subject
		values[keyRoles] = roles
	}
	if now.Sub(lastSeen) > s.cfg.TouchEvery {
		if _, err := s.pool.Exec(ctx, `UPDATE web_session SET last_seen_at = $2 WHERE id_hash = $1`, hash, now); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return values, nil
}

// Save stores the session and sets its cookie. A session whose Options.MaxAge is negative is
// deleted and its cookie cleared.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if _, err := s.pool.Exec(ctx, `DELETE FROM web_session WHERE id_hash = $1`, hashID(sess.ID)); err != nil {
				return fmt.Errorf("delete session: %w", err)
			}
		}
		http.SetCookie(w, s.cookie("", -1))
		return nil
	}
	kind, subject, roles := subjectOf(sess)
	data, err := encode(sess.Values)
	if err != nil {
		return err
	}
	now := s.now()
	if sess.ID == "" {
		sess.ID = newID()
		_, err = s.pool.Exec(ctx, `
			INSERT INTO web_session (id_hash, subject_kind, subject_id, roles, data, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
			hashID(sess.ID), kind, subject, roles, data, now, now.Add(s.cfg.Absolute))
	} else {
		_, err = s.pool.Exec(ctx, `
			UPDATE web_session SET subject_kind = $2, subject_id = $3, roles = $4, data = $5, last_seen_at = $6
			WHERE id_hash = $1`,
			hashID(sess.ID), kind, subject, roles, data, now)
	}
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	sess.IsNew = false
	http.SetCookie(w, s.cookie(sess.ID, 0))
	return nil
}

// Rotate gives the session a new ID and a new absolute lifetime, deleting the old row; call it
// at every login so that an ID planted before login is worthless after it.
func (s *Store) Rotate(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.ID != "" {
		if _, err := s.pool.Exec(r.Context(), `DELETE FROM web_session WHERE id_hash = $1`, hashID(sess.ID)); err != nil {
			return fmt.Errorf("rotate session: %w", err)
		}
	}
	sess.ID = ""
	return s.Save(r, w, sess)
}

// EndAll deletes every session of one subject and reports how many ended.
func (s *Store) EndAll(ctx context.Context, kind string, subjectID int64) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM web_session WHERE subject_kind = $1 AND subject_id = $2`, kind, subjectID)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// EndStaffTx ends every session of staff account id inside tx: staff.Config's EndSessions,
// for the portal and for the command line.
func (s *Store) EndStaffTx(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := s.EndAllTx(ctx, tx, KindStaff, id)
	return err
}

// EndAllTx is EndAll inside the caller's transaction, so that ending the sessions commits or
// rolls back together with the change that calls for it (a block, a disabled account).
func (s *Store) EndAllTx(ctx context.Context, tx pgx.Tx, kind string, subjectID int64) (int64, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM web_session WHERE subject_kind = $1 AND subject_id = $2`, kind, subjectID)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// EndOthersTx ends every session of one subject but the one with ID keepID, inside the caller's
// transaction: a changed password ends the sessions someone else may have opened with the old
// one, and the person who changed it stays logged in.
func (s *Store) EndOthersTx(ctx context.Context, tx pgx.Tx, kind string, subjectID int64, keepID string) (int64, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM web_session WHERE subject_kind = $1 AND subject_id = $2 AND id_hash <> $3`,
		kind, subjectID, hashID(keepID))
	if err != nil {
		return 0, fmt.Errorf("end other sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Info describes one live session of a subject, for the "active sessions" page. Nothing in it
// can be used to take the session over.
type Info struct {
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Level and MeansKind are how the session's login was made (Subject.Level, .MeansKind);
	// "" when the session does not say.
	Level     string
	MeansKind string
	// Current is true for the session of the request that asked.
	Current bool
}

// List returns the live sessions of one subject, newest first; currentID is the ID of the
// asking request's session (it is marked Current).
func (s *Store) List(ctx context.Context, kind string, subjectID int64, currentID string) ([]Info, error) {
	now := s.now()
	rows, err := s.pool.Query(ctx, `
		SELECT id_hash, created_at, last_seen_at, expires_at, data FROM web_session
		WHERE subject_kind = $1 AND subject_id = $2 AND expires_at > $3 AND last_seen_at > $4
		ORDER BY created_at DESC`, kind, subjectID, now, now.Add(-s.cfg.Idle))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	current := hashID(currentID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Info, error) {
		var (
			i          Info
			hash, data []byte
		)
		if err := row.Scan(&hash, &i.CreatedAt, &i.LastSeenAt, &i.ExpiresAt, &data); err != nil {
			return i, err
		}
		i.Current = currentID != "" && bytes.Equal(hash, current)
		// A session that does not decode is still listed (it can be ended), without its login.
		if values, err := decodeValues(data); err == nil {
			i.Level, _ = values[keyLevel].(string)
			i.MeansKind, _ = values[keyMeansKind].(string)
		}
		return i, nil
	})
}

// DeleteExpired removes rows past either expiry; run it periodically.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now()
	tag, err := s.pool.Exec(ctx, `DELETE FROM web_session WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-s.cfg.Idle))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

func (s *Store) options() *sessions.Options {
	return &sessions.Options{Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
}

func (s *Store) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: s.cfg.CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode,
	}
}

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func encode(values map[any]any) ([]byte, error) {
	plain := make(map[any]any, len(values))
	for k, v := range values {
		switch k {
		case keySubjectKind, keySubjectID, keyRoles:
			continue
		}
		plain[k] = v
	}
	return encodeValues(plain)
}
