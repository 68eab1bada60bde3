package identity

import (
	"context"
	"errors"
	"fmt"

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
	// layer lets the session reach nothing but setting a new password.
	MustChangePassword bool
}

// loginState is a MitID locked for the last, short step of a login (the code, the chip's
// counter, the app's request), so that two logins of one MitID finish one after the other.
type loginState struct{ m MitID }

func lockForLogin(ctx context.Context, tx pgx.Tx, where string, arg any) (loginState, error) {
	m, err := scanMitID(tx.QueryRow(ctx, `SELECT `+mitidColumns+` FROM mitid WHERE `+where+` FOR UPDATE`, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return loginState{}, ErrNotFound
	}
	if err != nil {
		return loginState{}, fmt.Errorf("login: %w", err)
	}
	return loginState{m: m}, nil
}

// checkedPassword is a password step that passed: the MitID and its password means, read
// without locks (the password is verified outside any transaction).
type checkedPassword struct {
	m  MitID
	pw Authenticator
}

// LoginWithCode logs in with password and the code of a code display or audio code reader
// (any active one of the MitID). The password step (passwordStep) counts the attempt on the
// client address and on the username before anything is verified; then, in one short
// transaction holding the MitID's row lock, the code is checked:
//
//   - wrong code: recorded, ErrLoginFailed (the same answer as a wrong password, so it never
//     says which was wrong);
//   - right code: the username's count is cleared, the login recorded and the level returned,
//     and the client address gets its attempt back.
func (s *Store) LoginWithCode(ctx context.Context, in LoginInput) (Login, error) {
	ch, err := s.passwordStep(ctx, in)
	if err != nil {
		return Login{}, err
	}
	var login Login
	err = db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		st, pw, outcome, err := s.relock(ctx, tx, ch)
		if outcome != nil || err != nil {
			return outcome, err
		}
		tokens, err := meansOfKind(ctx, tx, st.m.ID, KindCodeDisplay, KindAudioReader)
		if err != nil {
			return nil, err
		}
		now := s.now()
		for _, a := range tokens {
			if a.Status != AuthActive {
				continue
			}
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
		return ErrLoginFailed, s.recordFailure(ctx, tx, st.m.ID, KindCodeDisplay, in.Service)
	})
	if err != nil {
		return Login{}, err
	}
	s.refund(ctx, in.ClientAddr)
	return login, nil
}

// refund gives the client address its login attempt back after a successful login, so that
// people behind one NAT who log in fine do not use up the bound. Best effort: a failure only
// leaves the attempt counted.
func (s *Store) refund(ctx context.Context, addr string) {
	_ = s.throttle.Refund(ctx, ThrottleLogin, addr)
}

// passwordStep checks the password of a login, in this order:
//
//   - the step is admitted by the hasher (not within the wait: ErrBusy, and nothing is
//     counted);
//   - the attempt counts on the client address (one statement; over the bound:
//     ErrThrottled with its wait);
//   - the attempt counts on the username as typed, whether it exists or not (one statement;
//     in back-off or locked: ErrThrottled (a variant with MsgCitizenLocked), the same answer for every
//     name at every count);
//   - the password is verified outside any transaction; an unknown username (or a revoked
//     MitID, or one without a password) is verified against a dummy hash so it takes as long;
//   - wrong: ErrLoginFailed (recorded for a known MitID); right on a blocked MitID:
//     ErrMitIDBlocked; right but the password means is not active: ErrAuthenticatorUnused;
//     an expired temporary password: ErrPasswordExpired. Only someone who knows the password
//     learns these facts.
//
// The username's count is cleared only by a completed login (succeed).
func (s *Store) passwordStep(ctx context.Context, in LoginInput) (checkedPassword, error) {
	var ch checkedPassword
	// Admitted first: under a burst, a busy answer then costs no statement at all.
	release, err := s.hasher.Admit(ctx)
	if err != nil {
		return ch, err
	}
	defer release()
	if err := s.throttle.Take(ctx, ThrottleLogin, in.ClientAddr); err != nil {
		return ch, err
	}
	if err := s.lockouts.Attempt(ctx, CitizenKey(in.Username), MsgCitizenLocked); err != nil {
		return ch, err
	}
	m, err := s.mitidWhere(ctx, `lower(username) = lower($1) AND status <> 'revoked'`, normUsername(in.Username))
	if errors.Is(err, ErrNotFound) {
		return ch, s.wrongPassword(ctx, 0, in)
	}
	if err != nil {
		return ch, err
	}
	pws, err := meansOf(ctx, s.pool, m.ID, "")
	if err != nil {
		return ch, err
	}
	var pw Authenticator
	for _, a := range pws {
		if a.Kind == KindPassword {
			pw = a
		}
	}
	if pw.ID == 0 {
		// The password was removed (the citizen logs in with the app): fail like a wrong one.
		return ch, s.wrongPassword(ctx, m.ID, in)
	}
	ok, err := s.hasher.VerifyAdmitted(ctx, pw.passwordHash, in.Password)
	if err != nil {
		return ch, err
	}
	if !ok {
		return ch, s.wrongPassword(ctx, m.ID, in)
	}
	if err := m.Status.usable(); err != nil {
		return ch, err
	}
	if pw.Status != AuthActive {
		return ch, ErrAuthenticatorUnused
	}
	if pw.expiresAt != nil && !s.now().Before(*pw.expiresAt) {
		return ch, ErrPasswordExpired
	}
	return checkedPassword{m: m, pw: pw}, nil
}

// wrongPassword costs what a real verification costs when there was nothing to verify
// (mitidID 0: no such username), records the failure of a known MitID and answers
// ErrLoginFailed. The caller holds a hasher admission.
func (s *Store) wrongPassword(ctx context.Context, mitidID int64, in LoginInput) error {
	if mitidID == 0 {
		if _, err := s.hasher.VerifyAdmitted(ctx, s.hasher.DummyHash(), in.Password); err != nil {
			return err
		}
		return ErrLoginFailed
	}
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		return s.recordFailure(ctx, tx, mitidID, KindPassword, in.Service)
	})
	if err != nil {
		return err
	}
	return ErrLoginFailed
}

// relock takes the MitID's row lock for the last step of a login and checks that nothing
// changed since the password was verified without it: still active, and the same password
// (a password changed in between fails like a wrong one).
func (s *Store) relock(ctx context.Context, tx pgx.Tx, ch checkedPassword) (loginState, Authenticator, error, error) {
	st, err := lockForLogin(ctx, tx, `id = $1`, ch.m.ID)
	if errors.Is(err, ErrNotFound) {
		return st, Authenticator{}, ErrLoginFailed, nil
	}
	if err != nil {
		return st, Authenticator{}, nil, err
	}
	if err := st.m.Status.usable(); err != nil {
		return st, Authenticator{}, err, nil
	}
	pw, err := authenticatorTx(ctx, tx, ch.m.ID, ch.pw.ID)
	if errors.Is(err, ErrNotFound) {
		return st, Authenticator{}, ErrLoginFailed, nil
	}
	if err != nil {
		return st, Authenticator{}, nil, err
	}
	if pw.Status != AuthActive || pw.passwordHash != ch.pw.passwordHash {
		return st, Authenticator{}, ErrLoginFailed, nil
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

// recordFailure records a failed login of a known MitID in its activity log. The counting
// happened before the secret was verified (passwordStep).
func (s *Store) recordFailure(ctx context.Context, tx pgx.Tx, mitidID int64, kind Kind, service string) error {
	return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityLoginFailed, Actor: ActorCitizen,
		Detail: map[string]any{"service": service, "means": string(kind)}})
}

// succeed clears the username's failure count, marks the means used, records the login and
// returns it.
func (s *Store) succeed(ctx context.Context, tx pgx.Tx, st loginState, pw, means Authenticator, service string) (Login, error) {
	now := s.now()
	if _, err := s.lockouts.Succeeded(ctx, tx, CitizenKey(st.m.Username)); err != nil {
		return Login{}, err
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
	// A temporary password is not spent by a login: the session it opens reaches nothing but
	// setting a new password (Login.MustChangePassword), and a citizen whose session ended
	// before that (a closed browser, a lost connection) logs in with it again. It stops working
	// when the new password is set (ChangePassword) or when it expires.
	level := LoginLevel(means.Kind, st.m.Assurance)
	err := s.record(ctx, tx, Activity{MitIDID: st.m.ID, Kind: ActivityLogin, Actor: ActorCitizen,
		Detail: map[string]any{"service": service, "level": string(level), "means": string(means.Kind),
			"means_id": means.ID}})
	if err != nil {
		return Login{}, err
	}
	return Login{MitID: st.m, Means: means, Level: level, MustChangePassword: pw.mustChange}, nil
}
