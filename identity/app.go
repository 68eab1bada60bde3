package identity

// The app means (DESIGN.md §3.2). A phone pairs once with a one-time pairing code and keeps a
// non-extractable ECDSA P-256 key; the portal keeps the public key. A login (or support's
// caller check, §5) is an app request: the browser shows a short display code, the app lists
// the MitID's pending requests with the same code and approves or rejects by signing a message
// that binds the decision to the request's random challenge:
//
//	mitid-app-v1|approve|<base64url(challenge)>   or   mitid-app-v1|reject|<...>
//
// The app proves it holds the key when it lists requests by signing
// "mitid-app-v1|list|<authenticator id>|<unix seconds>". Signatures are IEEE P1363 (r || s,
// 64 bytes), the form WebCrypto produces.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"mitidportal/fault"

	"github.com/jackc/pgx/v5"
)

// Bounds of the app means.
const (
	// PairingTTL is how long a pairing code works.
	PairingTTL = 10 * time.Minute
	// AppRequestTTL is how long a request waits for the app unless the input says otherwise.
	AppRequestTTL = 3 * time.Minute
	// AppRequestsPerWindow requests per MitID in any AppRequestWindow: more are refused, so
	// that nobody can flood a phone with requests until its owner taps "approve" by mistake.
	AppRequestsPerWindow = 5
	AppRequestWindow     = 15 * time.Minute
	// AppClockSkew is how far the time in a listing signature may be from the portal's clock.
	AppClockSkew = 2 * time.Minute
	// appFinishGrace lets a browser finish a login approved just before the request expired:
	// it polls every two seconds, so it may see the approval after the expiry.
	appFinishGrace = time.Minute
)

// Errors of the app means.
var (
	ErrPairingInvalid    = fault.New("identity", fault.Invalid, "app.err.pairing_invalid")
	ErrAppDevice         = fault.New("identity", fault.Invalid, "app.err.device_invalid")
	ErrAppSignature      = fault.New("identity", fault.Invalid, "app.err.signature")
	ErrAppRequestInvalid = fault.New("identity", fault.Invalid, "app.err.request_invalid")
	ErrAppRequestExpired = fault.New("identity", fault.Conflict, "app.err.request_expired")
	ErrAppRequestDecided = fault.New("identity", fault.Conflict, "app.err.request_decided")
	ErrAppRejected       = fault.New("identity", fault.Invalid, "app.err.rejected")
	ErrAppPending        = fault.New("identity", fault.Invalid, "app.err.pending")
	ErrNoApp             = fault.New("identity", fault.Invalid, "app.err.no_app")
)

func parseDeviceKey(der []byte) (*ecdsa.PublicKey, error) {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		return nil, errors.New("not an ECDSA P-256 key")
	}
	return k, nil
}

// verifyDevice checks an IEEE P1363 signature (r || s, 32 bytes each) over msg with SHA-256.
func verifyDevice(der []byte, msg string, sig []byte) bool {
	k, err := parseDeviceKey(der)
	if err != nil || len(sig) != 64 {
		return false
	}
	h := sha256.Sum256([]byte(msg))
	r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(k, h[:], r, sv)
}

// AppDecisionMessage is what the app signs to approve or reject a request with challenge.
func AppDecisionMessage(approve bool, challenge []byte) string {
	d := "reject"
	if approve {
		d = "approve"
	}
	return "mitid-app-v1|" + d + "|" + base64.RawURLEncoding.EncodeToString(challenge)
}

// AppListMessage is what the app signs to list its requests at unix (seconds).
func AppListMessage(authenticatorID, unix int64) string {
	return "mitid-app-v1|list|" + strconv.FormatInt(authenticatorID, 10) + "|" + strconv.FormatInt(unix, 10)
}

// AuthenticateAppDevice checks that the caller holds the key of app means authenticatorID: sig
// must sign AppListMessage(authenticatorID, unix) and unix be within AppClockSkew of now. An
// unknown means, or one that is no longer active or whose MitID is revoked, is ErrAppDevice
// (the app forgets its key then); a blocked MitID ErrMitIDBlocked (with the means, for support's
// caller check); a bad signature or time
// ErrAppSignature.
func (s *Store) AuthenticateAppDevice(ctx context.Context, authenticatorID, unix int64, sig []byte) (Authenticator, error) {
	var st Status
	a, err := scanAuthenticator(rowWith{s.pool.QueryRow(ctx, `SELECT `+authenticatorColumns+`, m.status
		FROM authenticator a JOIN mitid m ON m.id = a.mitid_id WHERE a.id = $1 AND a.kind = 'app'`,
		authenticatorID), []any{&st}})
	if errors.Is(err, pgx.ErrNoRows) {
		return Authenticator{}, ErrAppDevice
	}
	if err != nil {
		return Authenticator{}, fmt.Errorf("app device: %w", err)
	}
	// Whole seconds, as the app signs them.
	skew := int64(AppClockSkew / time.Second)
	if d := s.now().Unix() - unix; d > skew || d < -skew ||
		!verifyDevice(a.DevicePublicKey, AppListMessage(authenticatorID, unix), sig) {
		return Authenticator{}, ErrAppSignature
	}
	switch {
	case a.Status != AuthActive || st == StatusRevoked:
		return Authenticator{}, ErrAppDevice
	case st == StatusBlocked:
		// Not ErrAppDevice: the phone keeps its key for when the block is lifted. The means is
		// returned too: the phone may still answer support's caller check (PendingAppRequests).
		return a, ErrMitIDBlocked
	}
	return a, nil
}

// rowWith scans a row that has columns after an authenticator's into extra.
type rowWith struct {
	row   pgx.Row
	extra []any
}

func (r rowWith) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra...)...) }
