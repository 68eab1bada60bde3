package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// LoginInput is what a citizen typed to log in, and where from.
type LoginInput struct {
	Username string
	Password string
	// Code is the code display's or audio code reader's code (LoginWithCode only).
	Code string
	// Service is who asked for the login, for the activity log ("MitID Portal", a service
	// provider's name).
	Service    string
	ClientAddr string
}

// Login is a successful login: the MitID, the means that made it and the level it reached.
type Login struct {
	MitID MitID
	Means Authenticator
	Level Level
	// MustChangePassword is set when the password was a temporary one from support: the web
	// layer sends the citizen to change it before anything else.
	MustChangePassword bool
}

// loginState is a MitID locked for one login attempt. Every attempt on a MitID takes its row
// lock first, so attempts on one MitID run one after the other and the failure counters and
// the lock bound hold exactly however many run in parallel.
type loginState struct {
	m              MitID
	failed         int
	throttledUntil *time.Time
}

const loginStateColumns = mitidColumns + `, failed_count, throttled_until`

func lockForLogin(ctx context.Context, tx pgx.Tx, where string, arg any) (loginState, error) {
	var st loginState
	err := tx.QueryRow(ctx, `SELECT `+loginStateColumns+` FROM mitid WHERE `+where+` FOR UPDATE`, arg).Scan(
		&st.m.ID, &st.m.CPR, &st.m.Username, &st.m.Status, &st.m.Assurance, &st.m.CreatedAt,
		&st.m.BlockedAt, &st.m.BlockReason, &st.failed, &st.throttledUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("login: %w", err)
	}
	return st, nil
}

// LoginWithCode logs in with password and the code of a code display or audio code reader
// (any active one of the MitID). In order:
//
//   - the client address has used up its failures: *ThrottledError;
//   - unknown username (or a revoked MitID): a dummy password check, so the answer takes as
//     long, then ErrLoginFailed;
//   - the MitID is in back-off after too many failures: *ThrottledError;
//   - the password means is locked: ErrAuthenticatorLocked (blocked or pending:
//     ErrAuthenticatorUnused), without checking anything;
//   - wrong password, or right password and wrong code: the failure counts on the means tried,
//     on the MitID and on the address, and the answer is ErrLoginFailed whichever was wrong; the
//     failure that reaches Limits.AuthenticatorFailures locks the means and answers
//     ErrAuthenticatorLocked;
//   - right password on a blocked MitID: ErrMitIDBlocked (only someone who knows the password
//     learns that it is blocked); an expired temporary password: ErrPasswordExpired;
//   - success resets the counters, records a login and returns the level.
func (s *Store) LoginWithCode(ctx context.Context, in LoginInput) (Login, error) {
	if err := s.throttle.Check(ctx, s.pool, ThrottleLogin, in.ClientAddr); err != nil {
		return Login{}, err
	}
	var login Login
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		st, pw, outcome, err := s.passwordStep(ctx, tx, in)
		if outcome != nil || err != nil {
			return outcome, err
		}
		tokens, err := meansOfKind(ctx, tx, st.m.ID, KindCodeDisplay, KindAudioReader)
		if err != nil {
			return nil, err
		}
		var active []Authenticator
		anyLocked := false
		for _, a := range tokens {
			switch a.Status {
			case AuthActive:
				active = append(active, a)
			case AuthLocked:
				anyLocked = true
			}
		}
		if len(active) == 0 && anyLocked {
			return ErrAuthenticatorLocked, nil
		}
		now := s.now()
		for _, a := range active {
			u, err := s.tokens.unit(ctx, tx, a.TokenSerial, "FOR UPDATE")
			if err != nil {
				return nil, err
			}
			ok, err := s.tokens.verify(ctx, tx, u, in.Code, now)
			if err != nil {
				return nil, err
			}
			if ok {
				login, err = s.succeed(ctx, tx, st, pw, a, in.Service)
				return nil, err
			}
		}
		return s.fail(ctx, tx, st, active, in)
	})
	return login, err
}

// passwordStep finds and locks the MitID and checks the password, counting a failure. A
// non-nil outcome is the refusal to return (with the counters written); err is fatal.
func (s *Store) passwordStep(ctx context.Context, tx pgx.Tx, in LoginInput) (loginState, Authenticator, error, error) {
	var pw Authenticator
	st, err := lockForLogin(ctx, tx, `lower(username) = lower($1) AND status <> 'revoked'`, normUsername(in.Username))
	if errors.Is(err, ErrNotFound) {
		if _, err := VerifyPassword(dummyHash(), in.Password); err != nil {
			return st, pw, nil, err
		}
		if err := s.throttle.Fail(ctx, tx, ThrottleLogin, in.ClientAddr); err != nil {
			return st, pw, nil, err
		}
		return st, pw, ErrLoginFailed, nil
	}
	if err != nil {
		return st, pw, nil, err
	}
	now := s.now()
	if st.throttledUntil != nil && now.Before(*st.throttledUntil) {
		return st, pw, throttled(st.throttledUntil.Sub(now)), nil
	}
	pws, err := meansOfKind(ctx, tx, st.m.ID, KindPassword)
	if err != nil {
		return st, pw, nil, err
	}
	if len(pws) == 0 {
		// The password was removed (the citizen logs in with the app): fail like a wrong one.
		if _, err := VerifyPassword(dummyHash(), in.Password); err != nil {
			return st, pw, nil, err
		}
		outcome, err := s.fail(ctx, tx, st, nil, in)
		return st, pw, outcome, err
	}
	pw = pws[0]
	switch pw.Status {
	case AuthActive:
	case AuthLocked:
		return st, pw, ErrAuthenticatorLocked, nil
	default:
		return st, pw, ErrAuthenticatorUnused, nil
	}
	ok, err := VerifyPassword(pw.passwordHash, in.Password)
	if err != nil {
		return st, pw, nil, err
	}
	if !ok {
		outcome, err := s.fail(ctx, tx, st, []Authenticator{pw}, in)
		return st, pw, outcome, err
	}
	if err := st.m.Status.usable(); err != nil {
		return st, pw, err, nil
	}
	if pw.expiresAt != nil && !now.Before(*pw.expiresAt) {
		return st, pw, ErrPasswordExpired, nil
	}
	return st, pw, nil, nil
}

// meansOfKind reads the MitID's means of the given kinds that are not revoked, locking them.
func meansOfKind(ctx context.Context, tx pgx.Tx, mitidID int64, kinds ...Kind) ([]Authenticator, error) {
	all, err := meansOf(ctx, tx, mitidID, "FOR UPDATE")
	if err != nil {
		return nil, err
	}
	var out []Authenticator
	for _, a := range all {
		for _, k := range kinds {
			if a.Kind == k {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// fail counts a failed attempt on each means tried, on the MitID (with back-off once the free
// failures are used) and on the client address, and records it. The outcome is
// ErrAuthenticatorLocked when this failure locked a means that was tried, else ErrLoginFailed.
func (s *Store) fail(ctx context.Context, tx pgx.Tx, st loginState, tried []Authenticator, in LoginInput) (error, error) {
	now := s.now()
	outcome := ErrLoginFailed
	kind := ""
	var locked []Authenticator
	for _, a := range tried {
		kind = string(a.Kind)
		var status AuthStatus
		err := tx.QueryRow(ctx, `
			UPDATE authenticator SET failed_count = failed_count + 1,
				status = CASE WHEN failed_count + 1 >= $2 THEN 'locked' ELSE status END
			WHERE id = $1 RETURNING status`, a.ID, s.limits.AuthenticatorFailures).Scan(&status)
		if err != nil {
			return nil, fmt.Errorf("count failure: %w", err)
		}
		if status == AuthLocked {
			outcome = ErrAuthenticatorLocked
			locked = append(locked, a)
		}
	}
	failed := st.failed + 1
	var until *time.Time
	if d := s.limits.backOff(failed); d > 0 {
		t := now.Add(d)
		until = &t
	}
	if _, err := tx.Exec(ctx, `UPDATE mitid SET failed_count = $2, throttled_until = $3 WHERE id = $1`,
		st.m.ID, failed, until); err != nil {
		return nil, fmt.Errorf("count mitid failure: %w", err)
	}
	if err := s.throttle.Fail(ctx, tx, ThrottleLogin, in.ClientAddr); err != nil {
		return nil, err
	}
	if err := s.record(ctx, tx, Activity{MitIDID: st.m.ID, Kind: ActivityLoginFailed, Actor: ActorCitizen,
		Detail: map[string]any{"service": in.Service, "means": kind}}); err != nil {
		return nil, err
	}
	for _, a := range locked {
		if err := s.record(ctx, tx, Activity{MitIDID: st.m.ID, Kind: ActivityMeansLocked, Actor: ActorSystem,
			Detail: map[string]any{"means": string(a.Kind), "means_id": a.ID, "cause": "failures"}}); err != nil {
			return nil, err
		}
	}
	return outcome, nil
}

// backOff is the wait after the failed-th consecutive failure of a MitID: none for the free
// ones, then MitIDBaseDelay doubling with each further failure up to MitIDMaxDelay.
func (l Limits) backOff(failed int) time.Duration {
	over := failed - l.MitIDFreeFailures
	if over < 0 {
		return 0
	}
	d := l.MitIDBaseDelay
	for range over {
		d *= 2
		if d >= l.MitIDMaxDelay {
			return l.MitIDMaxDelay
		}
	}
	return min(d, l.MitIDMaxDelay)
}

// succeed resets the counters of the MitID and the means used, marks them used, records the
// login and returns it.
func (s *Store) succeed(ctx context.Context, tx pgx.Tx, st loginState, pw, means Authenticator, service string) (Login, error) {
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE mitid SET failed_count = 0, throttled_until = NULL WHERE id = $1`, st.m.ID); err != nil {
		return Login{}, fmt.Errorf("login reset: %w", err)
	}
	ids := []int64{means.ID}
	if pw.ID != 0 {
		ids = append(ids, pw.ID)
	}
	if _, err := tx.Exec(ctx, `UPDATE authenticator SET failed_count = 0, last_used_at = $2 WHERE id = ANY($1)`,
		ids, now); err != nil {
		return Login{}, fmt.Errorf("login means used: %w", err)
	}
	means.LastUsedAt, means.FailedCount = &now, 0
	if pw.mustChange {
		// A temporary password works once: this login spends it, and the session it opens must
		// set a new password. Another login with it is ErrPasswordExpired.
		if _, err := tx.Exec(ctx, `UPDATE authenticator SET expires_at = $2 WHERE id = $1`, pw.ID, now); err != nil {
			return Login{}, fmt.Errorf("spend temporary password: %w", err)
		}
	}
	level := LoginLevel(means.Kind, st.m.Assurance)
	err := s.record(ctx, tx, Activity{MitIDID: st.m.ID, Kind: ActivityLogin, Actor: ActorCitizen,
		Detail: map[string]any{"service": service, "level": string(level), "means": string(means.Kind),
			"means_id": means.ID}})
	if err != nil {
		return Login{}, err
	}
	return Login{MitID: st.m, Means: means, Level: level, MustChangePassword: pw.mustChange}, nil
}
