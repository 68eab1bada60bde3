package identity

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
)

// TokenSeed is one code display or audio code reader from the maker's seed file.
type TokenSeed struct {
	Serial    string
	Kind      Kind // KindCodeDisplay or KindAudioReader
	Secret    []byte
	Algorithm string // SHA1 (default), SHA256 or SHA512
	Digits    int    // 6 (default) or 8
	Period    int    // seconds; default 30
}

// TokenKeySize is the length of the key that encrypts token seeds (AES-256).
const TokenKeySize = 32

// Tokens is the inventory of hardware tokens. Seeds are stored encrypted with AES-256-GCM under
// a key from the configuration, with the serial as additional data so that a seed copied onto
// another unit's row does not decrypt.
type Tokens struct {
	pool *pgxpool.Pool
	aead cipher.AEAD
}

// NewTokens returns the inventory on pool with the seed encryption key (TokenKeySize bytes).
func NewTokens(pool *pgxpool.Pool, key []byte) (*Tokens, error) {
	if len(key) != TokenKeySize {
		return nil, fmt.Errorf("token key: %d bytes, want %d", len(key), TokenKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	return &Tokens{pool: pool, aead: aead}, nil
}

func (t *Tokens) seal(serial string, secret []byte) ([]byte, error) {
	nonce := make([]byte, t.aead.NonceSize(), t.aead.NonceSize()+len(secret)+t.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("token nonce: %w", err)
	}
	return t.aead.Seal(nonce, nonce, secret, []byte(serial)), nil
}

func (t *Tokens) open(serial string, enc []byte) ([]byte, error) {
	n := t.aead.NonceSize()
	if len(enc) < n {
		return nil, fmt.Errorf("token %s: sealed seed too short", serial)
	}
	secret, err := t.aead.Open(nil, enc[:n], enc[n:], []byte(serial))
	if err != nil {
		// Wrong key in the configuration, or a tampered row; the serial is not a secret.
		return nil, fmt.Errorf("token %s: seed does not decrypt", serial)
	}
	return secret, nil
}

func (s TokenSeed) normalised() (TokenSeed, error) {
	s.Serial = strings.TrimSpace(s.Serial)
	if s.Algorithm == "" {
		s.Algorithm = "SHA1"
	}
	if s.Digits == 0 {
		s.Digits = 6
	}
	if s.Period == 0 {
		s.Period = 30
	}
	switch {
	case s.Serial == "":
		return s, fmt.Errorf("token seed without serial")
	case !s.Kind.IsToken():
		return s, fmt.Errorf("token %s: kind %q", s.Serial, s.Kind)
	case len(s.Secret) < 16:
		// RFC 4226 asks for at least 128 bits.
		return s, fmt.Errorf("token %s: seed of %d bytes is too short", s.Serial, len(s.Secret))
	case s.Period < 1:
		return s, fmt.Errorf("token %s: period %d", s.Serial, s.Period)
	}
	if _, err := hotp(s.Secret, 0, s.Algorithm, s.Digits); err != nil {
		return s, fmt.Errorf("token %s: %w", s.Serial, err)
	}
	return s, nil
}

// Import adds seeds to the inventory (in stock) in one transaction and returns how many were
// new. A serial already in the inventory is skipped, so importing the same file twice is
// harmless; an invalid seed fails the whole import.
func (t *Tokens) Import(ctx context.Context, seeds []TokenSeed) (added int, err error) {
	err = db.Transact(ctx, t.pool, func(tx pgx.Tx) error {
		for _, seed := range seeds {
			seed, err := seed.normalised()
			if err != nil {
				return err
			}
			enc, err := t.seal(seed.Serial, seed.Secret)
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `
				INSERT INTO hw_token (serial, kind, secret_enc, algorithm, digits, period)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (serial) DO NOTHING`,
				seed.Serial, seed.Kind, enc, seed.Algorithm, seed.Digits, seed.Period)
			if err != nil {
				return fmt.Errorf("import token %s: %w", seed.Serial, err)
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// tokenUnit is an inventory row with its seed decrypted.
type tokenUnit struct {
	Serial    string
	Kind      Kind
	State     string
	MitIDID   *int64
	LastStep  int64
	Algorithm string
	Digits    int
	Period    int
	secret    []byte
}

// unit reads the unit a typed serial names, locking its row when lock is "FOR UPDATE";
// ErrNotFound when unknown. Case, spaces and hyphens do not count ("dk 12-34" finds DK1234):
// the rule is the database's serial_key (migration 00017), the one place it is written, which
// activation, fulfilment and the demo command all go through here.
func (t *Tokens) unit(ctx context.Context, q Querier, serial, lock string) (tokenUnit, error) {
	var u tokenUnit
	var enc []byte
	err := q.QueryRow(ctx, `
		SELECT serial, kind, state, mitid_id, last_step, algorithm, digits, period, secret_enc
		FROM hw_token WHERE serial_key(serial) = serial_key($1) `+lock, serial).Scan(&u.Serial, &u.Kind, &u.State,
		&u.MitIDID, &u.LastStep, &u.Algorithm, &u.Digits, &u.Period, &enc)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("token: %w", err)
	}
	// The stored serial, not the typed one: it is the seed's additional data.
	u.secret, err = t.open(u.Serial, enc)
	return u, err
}

// Code returns the code a unit shows at now. It is for the demo command (`portal tokens code
// SERIAL`), which the wiring refuses outside demo mode.
func (t *Tokens) Code(ctx context.Context, serial string, now time.Time) (string, error) {
	u, err := t.unit(ctx, t.pool, serial, "")
	if err != nil {
		return "", err
	}
	return hotp(u.secret, uint64(totpStep(now, u.Period)), u.Algorithm, u.Digits)
}

// verify checks code against the locked unit u at now: a step within totpWindow of now and
// newer than the last step accepted, so that each code works once and an older one never after
// a newer one. A match moves last_step in tx.
func (t *Tokens) verify(ctx context.Context, tx pgx.Tx, u tokenUnit, code string, now time.Time) (bool, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != u.Digits {
		return false, nil
	}
	cur := totpStep(now, u.Period)
	for step := cur - totpWindow; step <= cur+totpWindow; step++ {
		if step <= u.LastStep || step < 0 {
			continue
		}
		want, err := hotp(u.secret, uint64(step), u.Algorithm, u.Digits)
		if err != nil {
			return false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			_, err := tx.Exec(ctx, `UPDATE hw_token SET last_step = $2, updated_at = $3 WHERE serial = $1`,
				u.Serial, step, now)
			if err != nil {
				return false, fmt.Errorf("token step: %w", err)
			}
			return true, nil
		}
	}
	return false, nil
}
