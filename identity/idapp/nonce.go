package idapp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/fault"
)

// Refusals of a result's nonce. Each says what the citizen can do: start again (in this
// browser).
var (
	// ErrNonceUnknown is a nonce the portal never handed out (a mistyped or invented one).
	ErrNonceUnknown = fault.New("idapp", fault.Invalid, "idapp.err.nonce_unknown")
	// ErrNonceExpired is a nonce older than NonceValidity.
	ErrNonceExpired = fault.New("idapp", fault.Invalid, "idapp.err.nonce_expired")
	// ErrNonceUsed is a result whose nonce was used already: a replay, or the same result sent
	// twice.
	ErrNonceUsed = fault.New("idapp", fault.Conflict, "idapp.err.nonce_used")
	// ErrNonceOtherSession is a nonce handed out to another browser session. Invalid, not
	// Forbidden: nobody lacks a right here, the result was brought to the wrong browser.
	ErrNonceOtherSession = fault.New("idapp", fault.Invalid, "idapp.err.nonce_other_session")
)

// NonceValidity is how long a started identification waits for the app's result: scanning the
// chip and the liveness check take a few minutes.
const NonceValidity = 10 * time.Minute

// Purpose hints a start may carry (what the citizen said they came for); "" is none.
var PurposeHints = []string{"", "create", "recover", "lift"}

// nonceAlphabet has no 0/O, 1/I/L: the citizen may read the nonce off the screen and type it
// into the app. 16 symbols of 31 are about 79 bits.
const (
	nonceAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	nonceLength   = 16
)

// Nonce is a started identification: Code is what the app signs (shown grouped, FormatNonce).
type Nonce struct {
	ID        int64
	Code      string
	ExpiresAt time.Time
}

// Nonces hands out and spends the single-use nonces, kept in the idapp_nonce table as hashes.
type Nonces struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewNonces returns the nonces kept in pool's database; now is the clock (nil: time.Now).
func NewNonces(pool *pgxpool.Pool, now func() time.Time) *Nonces {
	if now == nil {
		now = time.Now
	}
	return &Nonces{pool: pool, now: now}
}

func (n *Nonces) clock() time.Time { return n.now().Truncate(time.Microsecond) }

// NewBinding returns a fresh secret for a browser session to hold: a nonce started with it can
// be spent only by a request that shows the same secret.
func NewBinding() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("idapp binding: %w", err)
	}
	return b, nil
}

func hash(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// NormNonce undoes what people do when typing a nonce: lower case, spaces and hyphens.
func NormNonce(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s))
}

// FormatNonce groups a nonce for reading: XXXX-XXXX-XXXX-XXXX.
func FormatNonce(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func newNonceCode() (string, error) {
	b := make([]byte, nonceLength)
	for i := range b {
		for { // rejection sampling: a plain modulo would favour the first symbols
			var x [1]byte
			if _, err := rand.Read(x[:]); err != nil {
				return "", fmt.Errorf("idapp nonce: %w", err)
			}
			if int(x[0]) < 256/len(nonceAlphabet)*len(nonceAlphabet) {
				b[i] = nonceAlphabet[int(x[0])%len(nonceAlphabet)]
				break
			}
		}
	}
	return string(b), nil
}

// Start hands out a new nonce bound to binding (the session's secret). Nonces that expired more
// than a day ago are deleted on the way: the day keeps a late replay recognisable as one.
func (n *Nonces) Start(ctx context.Context, binding []byte, hint string) (Nonce, error) {
	if len(binding) < 16 {
		return Nonce{}, errors.New("idapp: a binding secret of at least 16 bytes is required")
	}
	ok := false
	for _, h := range PurposeHints {
		ok = ok || h == hint
	}
	if !ok {
		hint = ""
	}
	code, err := newNonceCode()
	if err != nil {
		return Nonce{}, err
	}
	now := n.clock()
	out := Nonce{Code: code, ExpiresAt: now.Add(NonceValidity)}
	err = pgx.BeginFunc(ctx, n.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM idapp_nonce WHERE expires_at < $1`, now.Add(-24*time.Hour)); err != nil {
			return fmt.Errorf("idapp nonce clean-up: %w", err)
		}
		return tx.QueryRow(ctx, `
			INSERT INTO idapp_nonce (nonce_hash, binding_hash, purpose_hint, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			hash([]byte(code)), hash(binding), hint, now, out.ExpiresAt).Scan(&out.ID)
	})
	if err != nil {
		return Nonce{}, fmt.Errorf("idapp nonce start: %w", err)
	}
	return out, nil
}

// Use spends the nonce code for the session holding binding and returns its purpose hint. The
// check and the spending are one statement, so of any number of parallel uses exactly one
// succeeds. A refusal says why: unknown, expired, used, or another session's.
func (n *Nonces) Use(ctx context.Context, code string, binding []byte) (string, error) {
	nh, bh, now := hash([]byte(NormNonce(code))), hash(binding), n.clock()
	var hint string
	err := n.pool.QueryRow(ctx, `
		UPDATE idapp_nonce SET used_at = $3
		WHERE nonce_hash = $1 AND binding_hash = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING purpose_hint`, nh, bh, now).Scan(&hint)
	if err == nil {
		return hint, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("idapp nonce use: %w", err)
	}
	// Nothing was spent; read why, for the citizen's message.
	var sameSession, used bool
	var expires time.Time
	err = n.pool.QueryRow(ctx, `SELECT binding_hash = $2, used_at IS NOT NULL, expires_at
		FROM idapp_nonce WHERE nonce_hash = $1`, nh, bh).Scan(&sameSession, &used, &expires)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", ErrNonceUnknown
	case err != nil:
		return "", fmt.Errorf("idapp nonce use: %w", err)
	case used:
		// Before the session's check: a result replayed anywhere is told it was used.
		return "", ErrNonceUsed
	case !sameSession:
		return "", ErrNonceOtherSession
	case !now.Before(expires):
		return "", ErrNonceExpired
	}
	return "", ErrNonceUsed // spent between the two statements
}
