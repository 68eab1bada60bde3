package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// pairingEncoding is Crockford's base32: no I, L, O or U, so a code read aloud or typed from a
// screen is not mistaken; NormalizePairingCode maps the look-alikes back.
var pairingEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// PairingCodeLength is the length of a pairing code: 16 characters, 80 random bits.
const PairingCodeLength = 16

// NormalizePairingCode turns what a person typed into the code's canonical form: capitals,
// without spaces and hyphens, O read as 0 and I or L as 1. ok is false when it cannot be a code.
func NormalizePairingCode(s string) (code string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != PairingCodeLength {
		return "", false
	}
	return b.String(), true
}

// FormatPairingCode shows a code in groups of four, "K7QM-2XWP-4N8R-TZ3D", to read and type.
func FormatPairingCode(code string) string {
	var parts []string
	for len(code) > 4 {
		parts, code = append(parts, code[:4]), code[4:]
	}
	return strings.Join(append(parts, code), "-")
}

// pairingHash is what app_pairing keeps of a code. A plain SHA-256 suffices: the code carries
// 80 random bits and works for minutes.
func pairingHash(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// StartPairing makes a one-time pairing code for an active MitID, valid for PairingTTL. The
// MitID's older unused codes stop working, so only the newest code on screen pairs.
func (s *Store) StartPairing(ctx context.Context, mitidID int64) (code string, expires time.Time, err error) {
	return s.startPairing(ctx, mitidID, false)
}

// startPairing is StartPairing; first makes a code for the MitID's first means only
// (StartFirstPairing).
func (s *Store) startPairing(ctx context.Context, mitidID int64, first bool) (code string, expires time.Time, err error) {
	raw := make([]byte, PairingCodeLength*5/8)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	code = pairingEncoding.EncodeToString(raw)
	now := s.now()
	expires = now.Add(PairingTTL)
	lock := lockActiveMitID
	if first {
		lock = requireFirstMeans
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, mitidID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE app_pairing SET expires_at = $2
			WHERE mitid_id = $1 AND used_at IS NULL AND expires_at > $2`, mitidID, now); err != nil {
			return fmt.Errorf("retire pairing codes: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO app_pairing (code_hash, mitid_id, created_at, expires_at, first_means) VALUES ($1, $2, $3, $4, $5)`,
			pairingHash(code), mitidID, now, expires, first); err != nil {
			return fmt.Errorf("insert pairing code: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}

// PairingState is where a pairing code stands.
type PairingState string

// Pairing states.
const (
	PairingWaiting PairingState = "pending"
	PairingDone    PairingState = "paired"
	PairingExpired PairingState = "expired"
)

// PairingStatus tells the page that shows a code whether the phone has used it. A code of
// another MitID, or none, is ErrNotFound.
func (s *Store) PairingStatus(ctx context.Context, mitidID int64, code string) (PairingState, error) {
	code, ok := NormalizePairingCode(code)
	if !ok {
		return "", ErrNotFound
	}
	var (
		used    *time.Time
		expires time.Time
	)
	err := s.pool.QueryRow(ctx, `SELECT used_at, expires_at FROM app_pairing WHERE code_hash = $1 AND mitid_id = $2`,
		pairingHash(code), mitidID).Scan(&used, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("pairing status: %w", err)
	}
	switch {
	case used != nil:
		return PairingDone, nil
	case !s.now().Before(expires):
		return PairingExpired, nil
	}
	return PairingWaiting, nil
}

// PairingInput is what the phone sends to pair.
type PairingInput struct {
	Code string
	// PublicKey is the device key, a DER SubjectPublicKeyInfo of an ECDSA P-256 key.
	PublicKey  []byte
	DeviceName string
	ClientAddr string
}

// CompletePairing uses a pairing code: it makes an active app means with the device's public
// key and name (ValidateLabel) for the code's MitID and records ActivityAppPaired, which
// notifies the citizen. A key that is not ECDSA P-256 is ErrAppKeyInvalid. An unknown, used or
// expired code is ErrPairingInvalid whichever it was, and counts against the client address
// like a wrong activation code; a blocked MitID is ErrMitIDBlocked.
func (s *Store) CompletePairing(ctx context.Context, in PairingInput) (Authenticator, error) {
	key, err := parseDeviceKey(in.PublicKey)
	if err != nil {
		return Authenticator{}, ErrAppKeyInvalid
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return Authenticator{}, ErrAppKeyInvalid
	}
	name, err := ValidateLabel(in.DeviceName)
	if err != nil {
		return Authenticator{}, err
	}
	// Counted before the code is looked up; a pairing that succeeds gives the attempt back.
	if err := s.throttle.Take(ctx, ThrottleActivation, in.ClientAddr); err != nil {
		return Authenticator{}, err
	}
	var a Authenticator
	err = db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		refuse := func() (error, error) { return ErrPairingInvalid, nil }
		code, ok := NormalizePairingCode(in.Code)
		if !ok {
			return refuse()
		}
		var (
			mitidID int64
			used    *time.Time
			expires time.Time
			first   bool
		)
		err := tx.QueryRow(ctx, `SELECT mitid_id, used_at, expires_at, first_means FROM app_pairing
			WHERE code_hash = $1 FOR UPDATE`, pairingHash(code)).Scan(&mitidID, &used, &expires, &first)
		if errors.Is(err, pgx.ErrNoRows) {
			return refuse()
		}
		if err != nil {
			return nil, fmt.Errorf("pairing code: %w", err)
		}
		now := s.now()
		if used != nil || !now.Before(expires) {
			return refuse()
		}
		switch st, err := lockMitID(ctx, tx, mitidID); {
		case err != nil:
			return nil, err
		case st == StatusBlocked:
			return ErrMitIDBlocked, nil
		case st != StatusActive:
			return refuse()
		}
		if first {
			// A code from the creation flow adds the first means only (first_means.go).
			if err := requireFirstMeans(ctx, tx, mitidID); err != nil {
				return err, nil
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE app_pairing SET used_at = $2 WHERE code_hash = $1`, pairingHash(code), now); err != nil {
			return nil, fmt.Errorf("use pairing code: %w", err)
		}
		a, err = scanAuthenticator(tx.QueryRow(ctx, `
			INSERT INTO authenticator AS a (mitid_id, kind, status, label, created_at, device_public_key, device_name)
			VALUES ($1, 'app', 'active', $2, $3, $4, $2)
			RETURNING `+authenticatorColumns, mitidID, name, now, der))
		if err != nil {
			return nil, fmt.Errorf("insert app: %w", err)
		}
		return nil, s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityAppPaired, Actor: ActorCitizen,
			Detail: map[string]any{"means_id": a.ID, "device": name}})
	})
	if err != nil {
		return Authenticator{}, err
	}
	_ = s.throttle.Refund(ctx, ThrottleActivation, in.ClientAddr)
	return a, nil
}
