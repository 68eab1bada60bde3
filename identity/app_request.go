package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// AppPurpose is why the app is asked.
type AppPurpose string

// Purposes of an app request.
const (
	AppPurposeLogin  AppPurpose = "login"
	AppPurposeVerify AppPurpose = "verify" // support asks the caller to confirm (DESIGN.md §5)
)

// AppRequestStatus is where an app request stands.
type AppRequestStatus string

// App request statuses. A pending request past its expiry reads as AppExpired.
const (
	AppPending   AppRequestStatus = "pending"
	AppApproved  AppRequestStatus = "approved"
	AppRejected  AppRequestStatus = "rejected"
	AppExpired   AppRequestStatus = "expired"
	AppCancelled AppRequestStatus = "cancelled" // replaced by a newer request, or the MitID was blocked
	AppUsed      AppRequestStatus = "used"      // an approved login that became a session
)

// AppRequest is one request to a MitID's app.
type AppRequest struct {
	ID int64
	// MitIDID is 0 for a login started with a username that has no MitID with an app: such a
	// request only waits and expires, so the browser cannot tell.
	MitIDID     int64
	Purpose     AppPurpose
	DisplayCode string
	Challenge   []byte
	Service     string
	Level       Level
	Status      AppRequestStatus
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// AppRequestInput starts a request.
type AppRequestInput struct {
	// Username (a login) or MitIDID (support's caller check) names the MitID.
	Username string
	MitIDID  int64
	Purpose  AppPurpose
	// Service is who asks, shown in the app; Level the level shown there. An empty Level is
	// the level a login with the app reaches for that MitID.
	Service    string
	Level      Level
	ClientAddr string
	// BrowserSecret is a random secret (at least 16 bytes) that only the starting browser
	// holds; status and finish ask for it. Required for a login.
	BrowserSecret []byte
	// TTL overrides AppRequestTTL.
	TTL time.Duration
}

const appRequestColumns = `id, coalesce(mitid_id, 0), purpose, display_code, challenge, service, level,
	status, created_at, expires_at`

func scanAppRequest(row pgx.Row) (AppRequest, error) {
	var r AppRequest
	err := row.Scan(&r.ID, &r.MitIDID, &r.Purpose, &r.DisplayCode, &r.Challenge, &r.Service, &r.Level,
		&r.Status, &r.CreatedAt, &r.ExpiresAt)
	return r, err
}

// statusAt is the request's status at now: a pending request past its expiry is expired.
func (r AppRequest) statusAt(now time.Time) AppRequestStatus {
	if r.Status == AppPending && !now.Before(r.ExpiresAt) {
		return AppExpired
	}
	return r.Status
}

// StartAppRequest asks a MitID's app to approve. For a login:
//
//   - every start counts on the client address first (one statement); over the bound:
//     ErrThrottled with its wait;
//   - an unknown username, a revoked MitID or one without an active app: a request that nobody
//     can approve and that simply expires, so that the browser cannot tell these cases from a
//     real request;
//   - a blocked MitID: ErrMitIDBlocked (the web shows the blocked page);
//   - more than AppRequestsPerWindow requests to the MitID within AppRequestWindow:
//     ErrThrottled with its wait;
//   - otherwise the MitID's older pending request is cancelled (one at a time on a phone) and
//     the new one returned.
//
// Support's caller check (AppPurposeVerify, by MitIDID) gets ErrNoApp instead of a dummy
// request, since staff may know whether a citizen has an app.
func (s *Store) StartAppRequest(ctx context.Context, in AppRequestInput) (AppRequest, error) {
	login := in.Purpose == AppPurposeLogin
	switch {
	case !login && in.Purpose != AppPurposeVerify:
		return AppRequest{}, fmt.Errorf("app request: purpose %q", in.Purpose)
	case login && len(in.BrowserSecret) < 16:
		return AppRequest{}, errors.New("app request: a login needs a browser secret")
	case in.Service == "":
		return AppRequest{}, errors.New("app request: no service")
	}
	if login {
		// Every start counts on the address before anything is looked up; a login that
		// finishes gives it back (FinishAppLogin).
		if err := s.throttle.Take(ctx, ThrottleLogin, in.ClientAddr); err != nil {
			return AppRequest{}, err
		}
	}
	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		return AppRequest{}, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(10000))
	if err != nil {
		return AppRequest{}, err
	}
	ttl := in.TTL
	if ttl <= 0 {
		ttl = AppRequestTTL
	}
	var browserHash []byte
	if in.BrowserSecret != nil {
		h := sha256.Sum256(in.BrowserSecret)
		browserHash = h[:]
	}
	var req AppRequest
	err = db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		now := s.now()
		var mitidID *int64
		level := in.Level
		m, err := s.appRequestMitID(ctx, tx, in)
		switch {
		case login && (errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoApp)):
			// Counted on the address by Take like every start: nothing more to do.
		case err != nil:
			var rule *Error
			if errors.As(err, &rule) {
				return err, nil
			}
			return nil, err
		default:
			mitidID = &m.ID
			if level == "" {
				level = LoginLevel(KindApp, m.Assurance)
			}
			if outcome, err := s.admitAppRequest(ctx, tx, m.ID, now); outcome != nil || err != nil {
				return outcome, err
			}
		}
		if level == "" {
			level = LevelSubstantial
		}
		req, err = scanAppRequest(tx.QueryRow(ctx, `
			INSERT INTO app_request (mitid_id, purpose, display_code, challenge, service, level,
				browser_hash, client_addr, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING `+appRequestColumns,
			mitidID, in.Purpose, fmt.Sprintf("%04d", n.Int64()), challenge, in.Service, level,
			browserHash, in.ClientAddr, now, now.Add(ttl)))
		if err != nil {
			return nil, fmt.Errorf("insert app request: %w", err)
		}
		return nil, nil
	})
	if err != nil {
		return AppRequest{}, err
	}
	return req, nil
}

// appRequestMitID finds and locks the MitID a request is for, and checks that it is active
// and has an active app: ErrNotFound (also for a revoked MitID), ErrMitIDBlocked or ErrNoApp.
func (s *Store) appRequestMitID(ctx context.Context, tx pgx.Tx, in AppRequestInput) (MitID, error) {
	var (
		st  loginState
		err error
	)
	if in.Purpose == AppPurposeLogin {
		st, err = lockForLogin(ctx, tx, `lower(username) = lower($1)`, normUsername(in.Username))
	} else {
		st, err = lockForLogin(ctx, tx, `id = $1`, in.MitIDID)
	}
	if err != nil {
		return MitID{}, err
	}
	switch st.m.Status {
	case StatusBlocked:
		// Support may still ask a blocked MitID's app who is calling: the answer lets the desk
		// send a letter that lifts the block to the CPR address (DESIGN.md §3.6), nothing more.
		if in.Purpose != AppPurposeVerify {
			return MitID{}, ErrMitIDBlocked
		}
	case StatusRevoked:
		return MitID{}, ErrNotFound
	}
	var hasApp bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM authenticator
		WHERE mitid_id = $1 AND kind = 'app' AND status = 'active')`, st.m.ID).Scan(&hasApp); err != nil {
		return MitID{}, fmt.Errorf("app of mitid: %w", err)
	}
	if !hasApp {
		return MitID{}, ErrNoApp
	}
	return st.m, nil
}

// admitAppRequest applies the flood bound to a MitID whose row lock tx holds (so parallel
// starts count one after the other) and makes room for the new request: requests past their
// expiry are marked expired and a pending one is cancelled.
func (s *Store) admitAppRequest(ctx context.Context, tx pgx.Tx, mitidID int64, now time.Time) (error, error) {
	// The AppRequestsPerWindow-th newest request in the window: while it is inside, the bound
	// is reached, and once it leaves the window one more request is allowed.
	var at time.Time
	err := tx.QueryRow(ctx, `
		SELECT created_at FROM app_request WHERE mitid_id = $1 AND created_at > $2
		ORDER BY created_at DESC OFFSET $3 LIMIT 1`,
		mitidID, now.Add(-AppRequestWindow), AppRequestsPerWindow-1).Scan(&at)
	switch {
	case err == nil:
		return throttled(at.Add(AppRequestWindow).Sub(now)), nil
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("count app requests: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE app_request SET status = CASE WHEN expires_at <= $2 THEN 'expired' ELSE 'cancelled' END,
			decided_at = $2
		WHERE mitid_id = $1 AND status = 'pending'`, mitidID, now); err != nil {
		return nil, fmt.Errorf("cancel older app requests: %w", err)
	}
	return nil, nil
}

// PendingAppRequests lists the requests app means authenticatorID may answer now, oldest
// first: the pending, unexpired requests of its MitID, while the means and the MitID are
// active; of a blocked MitID only support's caller checks. Call it after AuthenticateAppDevice.
func (s *Store) PendingAppRequests(ctx context.Context, authenticatorID int64) ([]AppRequest, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.id, r.mitid_id, r.purpose, r.display_code, r.challenge, r.service, r.level, r.status,
			r.created_at, r.expires_at
		FROM app_request r
		JOIN authenticator a ON a.mitid_id = r.mitid_id AND a.id = $1 AND a.kind = 'app' AND a.status = 'active'
		JOIN mitid m ON m.id = r.mitid_id AND (m.status = 'active' OR m.status = 'blocked' AND r.purpose = 'verify')
		WHERE r.status = 'pending' AND r.expires_at > $2
		ORDER BY r.created_at, r.id`, authenticatorID, s.now())
	if err != nil {
		return nil, fmt.Errorf("pending app requests: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AppRequest, error) {
		return scanAppRequest(row)
	})
	if err != nil {
		return nil, fmt.Errorf("pending app requests: %w", err)
	}
	return list, nil
}

// lockAppRequest reads a request with its row lock; a missing one is ErrAppRequestInvalid.
func lockAppRequest(ctx context.Context, tx pgx.Tx, id int64) (AppRequest, []byte, string, error) {
	var (
		hash []byte
		addr *string
	)
	r, err := scanAppRequest(rowWith{tx.QueryRow(ctx, `SELECT `+appRequestColumns+`, browser_hash, client_addr
		FROM app_request WHERE id = $1 FOR UPDATE`, id), []any{&hash, &addr}})
	if errors.Is(err, pgx.ErrNoRows) {
		return AppRequest{}, nil, "", ErrAppRequestInvalid
	}
	if err != nil {
		return AppRequest{}, nil, "", fmt.Errorf("app request: %w", err)
	}
	return r, hash, deref(addr), nil
}

// DecideAppRequest records the app's answer to a request. sig must sign
// AppDecisionMessage(approve, challenge) with the key of app means authenticatorID, so an
// approval can neither be replayed as a rejection nor on another request (ErrAppSignature).
// The means must be an active app of the request's MitID (a request of another MitID is
// ErrAppRequestInvalid, as an unknown one); a blocked MitID is ErrMitIDBlocked. Each request
// is answered once (ErrAppRequestDecided), and not after its expiry or cancellation
// (ErrAppRequestExpired). A rejected login counts as a failure of the address that started it.
func (s *Store) DecideAppRequest(ctx context.Context, requestID, authenticatorID int64, approve bool, sig []byte) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		r, _, addr, err := lockAppRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		a, err := scanAuthenticator(tx.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
			WHERE a.id = $1 AND a.kind = 'app' FOR UPDATE`, authenticatorID))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrAppDevice
		}
		if err != nil {
			return fmt.Errorf("app device: %w", err)
		}
		if r.MitIDID == 0 || r.MitIDID != a.MitIDID {
			return ErrAppRequestInvalid
		}
		if !verifyDevice(a.DevicePublicKey, AppDecisionMessage(approve, r.Challenge), sig) {
			return ErrAppSignature
		}
		if a.Status != AuthActive {
			return ErrAppDevice
		}
		switch st, err := lockMitID(ctx, tx, r.MitIDID); {
		case err != nil:
			return err
		case st == StatusBlocked && r.Purpose == AppPurposeVerify:
			// Support's caller check of a blocked MitID (appRequestMitID).
		case st != StatusActive:
			return st.usable()
		}
		now := s.now()
		switch r.statusAt(now) {
		case AppPending:
		case AppExpired, AppCancelled:
			return ErrAppRequestExpired
		default:
			return ErrAppRequestDecided
		}
		status := AppRejected
		if approve {
			status = AppApproved
		}
		if _, err := tx.Exec(ctx, `UPDATE app_request SET status = $2, authenticator_id = $3, decided_at = $4
			WHERE id = $1`, r.ID, status, a.ID, now); err != nil {
			return fmt.Errorf("decide app request: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE authenticator SET last_used_at = $2 WHERE id = $1`, a.ID, now); err != nil {
			return fmt.Errorf("app used: %w", err)
		}
		if approve || r.Purpose != AppPurposeLogin {
			return nil
		}
		if addr != "" {
			if err := s.throttle.countIn(ctx, tx, ThrottleLogin, addr); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, Activity{MitIDID: r.MitIDID, Kind: ActivityLoginFailed, Actor: ActorCitizen,
			Detail: map[string]any{"service": r.Service, "means": string(KindApp), "cause": "rejected"}})
	})
}

// browserMatches compares the stored hash of the browser secret with secret in constant time.
func browserMatches(hash, secret []byte) bool {
	if len(hash) == 0 || len(secret) == 0 {
		return false
	}
	h := sha256.Sum256(secret)
	return subtle.ConstantTimeCompare(hash, h[:]) == 1
}

// AppRequestState tells the browser that started request id how it stands. Only that browser
// learns it: another secret is ErrNotFound, as an unknown id. A request of a MitID blocked
// meanwhile is ErrMitIDBlocked.
func (s *Store) AppRequestState(ctx context.Context, id int64, browserSecret []byte) (AppRequestStatus, error) {
	var (
		hash []byte
		st   *Status
	)
	r, err := scanAppRequest(rowWith{s.pool.QueryRow(ctx, `SELECT r.id, coalesce(r.mitid_id, 0), r.purpose,
			r.display_code, r.challenge, r.service, r.level, r.status, r.created_at, r.expires_at,
			r.browser_hash, m.status
		FROM app_request r LEFT JOIN mitid m ON m.id = r.mitid_id WHERE r.id = $1`, id), []any{&hash, &st}})
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !browserMatches(hash, browserSecret) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("app request: %w", err)
	}
	if st != nil && *st == StatusBlocked && r.Purpose != AppPurposeVerify {
		return "", ErrMitIDBlocked
	}
	return r.statusAt(s.now()), nil
}

// FinishAppLogin turns an approved login request into a Login, once (the request becomes
// used), for the browser holding browserSecret; another secret is ErrAppRequestInvalid and
// counts as a failure of clientAddr. The answer for a request that is not approved is
// ErrAppPending, ErrAppRejected, ErrAppRequestExpired (also cancelled, or approved more than a
// minute past its expiry) or ErrAppRequestInvalid (used); a blocked MitID is ErrMitIDBlocked,
// and an app means blocked since it approved is ErrAuthenticatorUnused. The login resets the
// MitID's failure counters and is recorded as ActivityLogin at LoginLevel(KindApp, assurance).
func (s *Store) FinishAppLogin(ctx context.Context, id int64, browserSecret []byte, clientAddr string) (Login, error) {
	var login Login
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		r, hash, _, err := lockAppRequest(ctx, tx, id)
		if errors.Is(err, ErrAppRequestInvalid) || err == nil && !browserMatches(hash, browserSecret) {
			return ErrAppRequestInvalid, s.throttle.countIn(ctx, tx, ThrottleLogin, clientAddr)
		}
		if err != nil {
			return nil, err
		}
		if r.Purpose != AppPurposeLogin {
			return ErrAppRequestInvalid, nil
		}
		now := s.now()
		if r.MitIDID == 0 {
			return appOutcome(r.statusAt(now)), nil
		}
		st, err := lockForLogin(ctx, tx, `id = $1`, r.MitIDID)
		if err != nil {
			return nil, err
		}
		switch st.m.Status {
		case StatusBlocked:
			return ErrMitIDBlocked, nil
		case StatusRevoked:
			return ErrAppRequestInvalid, nil
		}
		if status := r.statusAt(now); status != AppApproved {
			return appOutcome(status), nil
		}
		if !now.Before(r.ExpiresAt.Add(appFinishGrace)) {
			return ErrAppRequestExpired, nil
		}
		a, err := scanAuthenticator(tx.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
			JOIN app_request r ON r.authenticator_id = a.id WHERE r.id = $1 FOR UPDATE OF a`, r.ID))
		if err != nil {
			return nil, fmt.Errorf("app of request: %w", err)
		}
		if a.Status != AuthActive || a.MitIDID != r.MitIDID {
			return ErrAuthenticatorUnused, nil
		}
		if _, err := tx.Exec(ctx, `UPDATE app_request SET status = 'used' WHERE id = $1`, r.ID); err != nil {
			return nil, fmt.Errorf("use app request: %w", err)
		}
		login, err = s.succeed(ctx, tx, st, Authenticator{}, a, r.Service)
		return nil, err
	})
	if err != nil {
		return Login{}, err
	}
	s.refund(ctx, clientAddr)
	return login, nil
}

// appOutcome is FinishAppLogin's answer for a request that is not approved.
func appOutcome(st AppRequestStatus) error {
	switch st {
	case AppPending:
		return ErrAppPending
	case AppRejected:
		return ErrAppRejected
	case AppExpired, AppCancelled:
		return ErrAppRequestExpired
	}
	return ErrAppRequestInvalid
}
