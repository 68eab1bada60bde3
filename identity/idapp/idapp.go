// Package idapp verifies the signed result of the identification app (DESIGN.md §3.4 path 3):
// the app scans the passport's chip, checks that the person is alive and present, and the
// identification service signs what it found as a compact JWS (ES256). The portal trusts the
// result only when the signature is made by a configured key of the service (chosen by key id,
// so keys can be rotated), the algorithm is ES256, the result is fresh, liveness passed, and the
// passport's MRZ checks out (Verifier). Around it, Flow is the portal's side of the path: a
// single-use nonce bound to the browser session that started it (Nonces), spent once by the
// result, the person matched against the CPR register (Match), and an activation code at
// assurance high for what their MitID needs. Simulate plays the app for the demo mode.
//
// Biometrics are the identification service's job, not the portal's.
package idapp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"mitidportal/fault"
	"mitidportal/identity/mrz"
)

// Errors of this package. They are shown to the citizen, who can do little about most of them
// but start again, so they are few.
var (
	// ErrInvalid is a result that is not a well-formed ES256 JWS signed by a configured key
	// (wrong key, unknown key id, other algorithm, tampered, malformed).
	ErrInvalid = fault.New("idapp", fault.Invalid, "idapp.err.invalid")
	// ErrExpired is a result past its expiry, or issued in the future.
	ErrExpired = fault.New("idapp", fault.Invalid, "idapp.err.expired")
	// ErrLiveness is a result whose liveness check did not pass.
	ErrLiveness = fault.New("idapp", fault.Invalid, "idapp.err.liveness")
	// ErrIncomplete is a result that lacks a claim the portal needs (CPR, names, MRZ, nonce).
	ErrIncomplete = fault.New("idapp", fault.Invalid, "idapp.err.incomplete")
)

// MessageIDs lists the message IDs of this package's errors, for the locale test.
func MessageIDs() []string {
	return []string{ErrInvalid.MsgID, ErrExpired.MsgID, ErrLiveness.MsgID, ErrIncomplete.MsgID,
		ErrNonceUnknown.MsgID, ErrNonceExpired.MsgID, ErrNonceUsed.MsgID, ErrNonceOtherSession.MsgID,
		ErrRegisterMismatch.MsgID, ErrPassportExpired.MsgID}
}

// Claims is the payload the identification service signs.
type Claims struct {
	CPR        string   `json:"cpr"`
	GivenNames string   `json:"given_names"`
	Surname    string   `json:"surname"`
	MRZ        []string `json:"mrz"` // the passport's two MRZ lines
	Liveness   bool     `json:"liveness_passed"`
	Nonce      string   `json:"nonce"`
	IssuedAt   int64    `json:"iat"`
	Expiry     int64    `json:"exp"`
}

// Result is a verified result: the claims, the key that signed it and the passport read from
// its MRZ.
type Result struct {
	Claims
	KeyID    string
	Passport mrz.Passport
}

// MaxResultLength bounds a result's compact form: a real one is under 2 KB.
const MaxResultLength = 8 << 10

// MaxAge bounds how long after its issue a result is accepted, whatever its own expiry says.
const MaxAge = 10 * time.Minute

// skew is the clock difference between the service and the portal that is tolerated.
const skew = time.Minute

// Verifier checks results against the identification service's public keys.
type Verifier struct {
	keys map[string]*ecdsa.PublicKey
	// demoPub, outside demo mode, is the demo key, refused at every verification too, should a
	// key set holding it ever get past the check at start.
	demoPub *ecdsa.PublicKey
}

// NewVerifierFor is NewVerifier for the portal's mode: outside demo mode a key set that holds
// the demo key is refused (ErrDemoKey), and results signed with it are refused at verification.
func NewVerifierFor(keys map[string]*ecdsa.PublicKey, demo bool) (*Verifier, error) {
	if !demo {
		if err := CheckNotDemo(keys); err != nil {
			return nil, err
		}
	}
	v, err := NewVerifier(keys)
	if err != nil {
		return nil, err
	}
	if !demo {
		v.demoPub = &DemoKey().PublicKey
	}
	return v, nil
}

// NewVerifier returns a verifier trusting keys (key id → P-256 public key).
func NewVerifier(keys map[string]*ecdsa.PublicKey) (*Verifier, error) {
	if len(keys) == 0 {
		return nil, errors.New("idapp: no identification-service key configured")
	}
	for kid, k := range keys {
		if kid == "" || k == nil || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("idapp: key %q is not a P-256 public key with a key id", kid)
		}
	}
	return &Verifier{keys: keys}, nil
}

// KeyIDs returns the key ids the verifier trusts.
func (v *Verifier) KeyIDs() []string {
	ids := make([]string, 0, len(v.keys))
	for kid := range v.keys {
		ids = append(ids, kid)
	}
	return ids
}

// Verify checks a compact JWS and returns its result. Only ES256 is accepted ("none", HS256 and
// every other algorithm are refused before any key is looked at); the key is chosen by the
// header's key id, never taken from the token itself (an embedded "jwk" is ignored).
func (v *Verifier) Verify(compact string, now time.Time) (Result, error) {
	compact = strings.TrimSpace(compact)
	if len(compact) > MaxResultLength || strings.Count(compact, ".") != 2 {
		return Result{}, ErrInvalid
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(jws.Signatures) != 1 {
		return Result{}, ErrInvalid
	}
	kid := jws.Signatures[0].Header.KeyID
	key, ok := v.keys[kid]
	if !ok || (v.demoPub != nil && (kid == DemoKeyID || key.Equal(v.demoPub))) {
		return Result{}, ErrInvalid
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return Result{}, ErrInvalid
	}
	var c Claims
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Result{}, ErrInvalid
	}
	iat, exp := time.Unix(c.IssuedAt, 0), time.Unix(c.Expiry, 0)
	if c.IssuedAt == 0 || c.Expiry == 0 || iat.After(now.Add(skew)) || !now.Before(exp) ||
		now.Sub(iat) > MaxAge+skew || exp.Before(iat) {
		return Result{}, ErrExpired
	}
	if c.CPR == "" || c.Surname == "" || c.Nonce == "" || len(c.MRZ) != 2 {
		return Result{}, ErrIncomplete
	}
	if !c.Liveness {
		return Result{}, ErrLiveness
	}
	p, err := mrz.Parse(c.MRZ[0], c.MRZ[1])
	if err != nil {
		return Result{}, err
	}
	return Result{Claims: c, KeyID: kid, Passport: p}, nil
}

// ParseKeys reads the identification service's public keys from a JWK set (JSON with "keys";
// each key's "kid" is its key id) or from one or more PEM "PUBLIC KEY" blocks (key id: the
// key's RFC 7638 thumbprint, base64url). Only P-256 keys are accepted.
func ParseKeys(data []byte) (map[string]*ecdsa.PublicKey, error) {
	out := map[string]*ecdsa.PublicKey{}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "{") {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal([]byte(trimmed), &set); err != nil {
			return nil, fmt.Errorf("idapp: key set: %w", err)
		}
		for _, k := range set.Keys {
			pub, ok := k.Key.(*ecdsa.PublicKey)
			if !ok || k.KeyID == "" || pub.Curve != elliptic.P256() {
				return nil, fmt.Errorf("idapp: key %q is not a P-256 public key with a kid", k.KeyID)
			}
			out[k.KeyID] = pub
		}
	} else {
		rest := []byte(trimmed)
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "PUBLIC KEY" {
				continue
			}
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("idapp: PEM key: %w", err)
			}
			pub, ok := k.(*ecdsa.PublicKey)
			if !ok || pub.Curve != elliptic.P256() {
				return nil, errors.New("idapp: PEM key is not a P-256 public key")
			}
			kid, err := Thumbprint(pub)
			if err != nil {
				return nil, err
			}
			out[kid] = pub
		}
	}
	if len(out) == 0 {
		return nil, errors.New("idapp: no key found (want a JWK set or PEM public keys)")
	}
	return out, nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of pub, base64url without padding.
func Thumbprint(pub *ecdsa.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("idapp: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}
