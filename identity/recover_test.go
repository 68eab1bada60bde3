package identity

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// newPassword passes ValidatePassword for every test username and differs from testPassword.
const newPassword = "Kanelsnegl-på-Torvet-42"

// endedSessions records the Store's calls of Config.EndSessions.
type endedSessions struct {
	mu    sync.Mutex
	calls map[int64][]string // MitID → the session kept in each call ("" none)
}

func (e *endedSessions) end(_ context.Context, _ pgx.Tx, mitidID int64, keep string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[mitidID] = append(e.calls[mitidID], keep)
	return nil
}

func (e *endedSessions) of(mitidID int64) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[mitidID]
}

func newRecoverEnv(t *testing.T) (*env, *endedSessions) {
	ended := &endedSessions{calls: map[int64][]string{}}
	return newEnv(t, Config{EndSessions: ended.end}), ended
}

// logsIn reports whether username logs in with password and the code display's current code;
// the clock moves a step first, so each try has a fresh code.
func (e *env) logsIn(m MitID, password, serial string) error {
	e.t.Helper()
	e.clock.Add(30 * time.Second)
	_, err := e.store.LoginWithCode(context.Background(), LoginInput{Username: m.Username, Password: password,
		Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
	return err
}

// passwordIs reports whether the MitID's active password is pw.
func (e *env) passwordIs(mitidID int64, pw string) bool {
	e.t.Helper()
	hash := one[string](e.t, e.pool, `SELECT password_hash FROM authenticator
		WHERE mitid_id = $1 AND kind = 'password' AND status = 'active'`, mitidID)
	ok, err := VerifyPassword(hash, pw)
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

func (e *env) issue(cpr CPR, purpose ActivationPurpose, level Level, by string) ActivationCode {
	e.t.Helper()
	_, c, err := e.activations.Issue(context.Background(), cpr, purpose, level, by)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) used(codeID int64) bool {
	return one[bool](e.t, e.pool, `SELECT used_at IS NOT NULL FROM activation_code WHERE id = $1`, codeID)
}

func TestRecover(t *testing.T) {
	t.Parallel()
	e, ended := newRecoverEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		// code issues the code to use for m (0: none), after any setup.
		code func(m MitID) int64
		lost bool
		pw   string
		want error
	}{
		{"forgot password", func(m MitID) int64 { return e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID }, false, newPassword, nil},
		{"lost everything", func(m MitID) int64 { return e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID }, true, newPassword, nil},
		{"creation code", func(m MitID) int64 { return e.issue(m.CPR, ActivationCreate, LevelSubstantial, ActorCitizen).ID }, false, newPassword, ErrActivationInvalid},
		{"lift code", func(m MitID) int64 { return e.issue(m.CPR, ActivationLift, LevelHigh, StaffActor(1)).ID }, false, newPassword, ErrActivationInvalid},
		{"expired", func(m MitID) int64 {
			id := e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID
			e.clock.Add(DefaultActivationValidity + time.Minute)
			return id
		}, false, newPassword, ErrActivationInvalid},
		{"used", func(m MitID) int64 {
			id := e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID
			if _, err := e.store.Recover(ctx, RecoverInput{CPR: m.CPR, ActivationID: id, NewPassword: "Andet-Kodeord-på-Bakken-9", Actor: ActorCitizen}); err != nil {
				t.Fatal(err)
			}
			return id
		}, false, newPassword, ErrActivationInvalid},
		{"replaced", func(m MitID) int64 {
			id := e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID
			e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen)
			return id
		}, false, newPassword, ErrActivationInvalid},
		{"another person's code", func(m MitID) int64 {
			return e.issue(e.person().CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID
		}, false, newPassword, ErrActivationInvalid},
		{"blocked MitID", func(m MitID) int64 {
			if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return e.issue(m.CPR, ActivationRecover, LevelHigh, StaffActor(1)).ID
		}, false, newPassword, ErrMitIDBlocked},
		{"weak password", func(m MitID) int64 { return e.issue(m.CPR, ActivationRecover, LevelSubstantial, ActorCitizen).ID }, false, "Aaaaaaaa1", ErrPasswordWeak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, serial := e.mitid()
			id := tt.code(m)
			before := len(ended.of(m.ID))
			hashQuery := `SELECT password_hash FROM authenticator WHERE mitid_id = $1 AND kind = 'password' AND status = 'active'`
			oldHash := one[string](t, e.pool, hashQuery, m.ID)
			_, err := e.store.Recover(ctx, RecoverInput{CPR: m.CPR, ActivationID: id, NewPassword: tt.pw,
				LostEverything: tt.lost, Actor: ActorCitizen, KeepSession: "this-browser"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Recover: %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				// Nothing changed: the password is the same, and a code that was live is
				// still unused.
				if one[string](t, e.pool, hashQuery, m.ID) != oldHash {
					t.Error("a refused recovery changed the password")
				}
				if tt.name == "weak password" && e.used(id) {
					t.Error("a refused recovery spent the code")
				}
				return
			}
			if !e.used(id) {
				t.Error("the code is not spent")
			}
			if !e.passwordIs(m.ID, newPassword) {
				t.Error("the new password is not the MitID's password")
			}
			if got := ended.of(m.ID)[before:]; !slices.Equal(got, []string{"this-browser"}) {
				t.Errorf("sessions ended %v, want every one but this-browser", got)
			}
			kinds := activityKinds(t, e.store, m.ID)
			for _, k := range []ActivityKind{ActivityPasswordChanged, ActivityRecovered} {
				if !slices.Contains(kinds, k) {
					t.Errorf("no %s in the activity log: %v", k, kinds)
				}
			}
			token := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, serial)
			if !tt.lost {
				if err := e.logsIn(m, testPassword, serial); !errors.Is(err, ErrLoginFailed) {
					t.Errorf("old password: %v, want ErrLoginFailed", err)
				}
				if err := e.logsIn(m, newPassword, serial); err != nil {
					t.Errorf("new password with the kept code display: %v", err)
				}
				if token != "active" {
					t.Errorf("kept code display's unit is %s", token)
				}
				return
			}
			means, err := e.store.Means(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(means) != 1 || means[0].Kind != KindPassword {
				t.Errorf("means after losing everything: %+v, want only the password", means)
			}
			if token != "retired" {
				t.Errorf("lost code display's unit is %s, want retired", token)
			}
			if !slices.Contains(kinds, ActivityMeansRevoked) {
				t.Errorf("no %s in the activity log: %v", ActivityMeansRevoked, kinds)
			}
			if err := e.logsIn(m, newPassword, serial); err == nil {
				t.Error("the lost code display still logs in")
			}
		})
	}
}

func TestRecoverRaisesAssurance(t *testing.T) {
	t.Parallel()
	e, _ := newRecoverEnv(t)
	m, _ := e.mitid()
	c := e.issue(m.CPR, ActivationRecover, LevelHigh, StaffActor(7))
	got, err := e.store.Recover(context.Background(), RecoverInput{CPR: m.CPR, ActivationID: c.ID,
		NewPassword: newPassword, Actor: ActorCitizen})
	if err != nil {
		t.Fatal(err)
	}
	if got.Assurance != LevelHigh || one[string](t, e.pool, `SELECT identity_assurance FROM mitid WHERE id = $1`, m.ID) != "high" {
		t.Errorf("assurance %s after a recovery proven at high", got.Assurance)
	}
}

// TestOneCodeInParallel: 100 parallel uses of one recovery code, and of one lift code: exactly
// one of each succeeds, and the change is recorded once.
func TestOneCodeInParallel(t *testing.T) {
	t.Parallel()
	e, _ := newRecoverEnv(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		purpose ActivationPurpose
		kind    ActivityKind
		use     func(m MitID, id int64) error
	}{
		{"recover", ActivationRecover, ActivityRecovered, func(m MitID, id int64) error {
			_, err := e.store.Recover(ctx, RecoverInput{CPR: m.CPR, ActivationID: id, NewPassword: newPassword,
				LostEverything: true, Actor: ActorCitizen})
			return err
		}},
		{"lift", ActivationLift, ActivityMitIDUnblocked, func(m MitID, id int64) error {
			_, err := e.store.LiftBlock(ctx, LiftInput{CPR: m.CPR, ActivationID: id, NewPassword: newPassword,
				Actor: ActorCitizen})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := e.mitid()
			if tt.purpose == ActivationLift {
				if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, nil); err != nil {
					t.Fatal(err)
				}
			}
			c := e.issue(m.CPR, tt.purpose, LevelHigh, StaffActor(2))
			const n = 100
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() { errs <- tt.use(m, c.ID) })
			}
			wg.Wait()
			close(errs)
			ok := 0
			for err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ErrActivationInvalid):
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if ok != 1 {
				t.Errorf("%d uses of one code succeeded, want exactly 1", ok)
			}
			if got := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = $2`, m.ID, tt.kind); got != 1 {
				t.Errorf("%d %s entries, want 1", got, tt.kind)
			}
		})
	}
}

func TestLiftBlock(t *testing.T) {
	t.Parallel()
	e, ended := newRecoverEnv(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		purpose ActivationPurpose
		level   Level
		by      string
		blocked bool
		// expire moves the clock past the code's validity.
		expire bool
		want   error
		via    string
	}{
		{"borgerservice", ActivationLift, LevelHigh, StaffActor(3), true, false, nil, ViaBorgerservice},
		{"identification app", ActivationLift, LevelHigh, ActorSystem, true, false, nil, ViaIdentificationApp},
		{"support letter after a verified call", ActivationLift, LevelSubstantial, StaffActor(4), true, false, nil, ViaSupportLetter},
		{"the citizen's own web letter", ActivationLift, LevelSubstantial, ActorCitizen, true, false, ErrLiftRefused, ""},
		{"recovery code", ActivationRecover, LevelHigh, StaffActor(3), true, false, ErrActivationInvalid, ""},
		{"expired", ActivationLift, LevelHigh, StaffActor(3), true, true, ErrActivationInvalid, ""},
		{"active MitID", ActivationLift, LevelHigh, StaffActor(3), false, false, ErrMitIDNotBlocked, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, serial := e.mitid()
			// A means blocked on its own before the whole MitID was: it stays blocked.
			lostSerial := e.activeToken(m.ID, KindAudioReader)
			var lostID int64
			means, _ := e.store.Means(ctx, m.ID)
			for _, a := range means {
				if a.TokenSerial == lostSerial {
					lostID = a.ID
				}
			}
			if err := e.store.BlockAuthenticator(ctx, m.ID, lostID, BlockLost, ActorCitizen); err != nil {
				t.Fatal(err)
			}
			if tt.blocked {
				if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, nil); err != nil {
					t.Fatal(err)
				}
			}
			c := e.issue(m.CPR, tt.purpose, tt.level, tt.by)
			if tt.expire {
				e.clock.Add(DefaultActivationValidity + time.Minute)
			}
			before := len(ended.of(m.ID))
			got, err := e.store.LiftBlock(ctx, LiftInput{CPR: m.CPR, ActivationID: c.ID, NewPassword: newPassword,
				Actor: ActorCitizen})
			if !errors.Is(err, tt.want) {
				t.Fatalf("LiftBlock: %v, want %v", err, tt.want)
			}
			status := one[string](t, e.pool, `SELECT status FROM mitid WHERE id = $1`, m.ID)
			if tt.want != nil {
				if tt.blocked && status != "blocked" {
					t.Errorf("status %s after a refused lift", status)
				}
				if e.used(c.ID) {
					t.Error("a refused lift spent the code")
				}
				return
			}
			if status != "active" || got.Status != StatusActive || got.BlockedAt != nil ||
				one[bool](t, e.pool, `SELECT blocked_at IS NULL AND block_reason IS NULL FROM mitid WHERE id = $1`, m.ID) != true {
				t.Errorf("after the lift: status %s, %+v", status, got)
			}
			if !e.used(c.ID) {
				t.Error("the code is not spent")
			}
			if got := ended.of(m.ID)[before:]; !slices.Equal(got, []string{""}) {
				t.Errorf("sessions ended %v, want all", got)
			}
			lost, err := e.store.Authenticator(ctx, m.ID, lostID)
			if err != nil || lost.Status != AuthBlocked {
				t.Errorf("the means blocked before the MitID: %s %v, want still blocked", lost.Status, err)
			}
			if err := e.logsIn(m, testPassword, serial); !errors.Is(err, ErrLoginFailed) {
				t.Errorf("old password after the lift: %v, want ErrLoginFailed", err)
			}
			if err := e.logsIn(m, newPassword, serial); err != nil {
				t.Errorf("new password after the lift: %v", err)
			}
			list, err := e.store.Activity(ctx, m.ID, 0, MaxActivityPage)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(list, func(a Activity) bool { return a.Kind == ActivityMitIDUnblocked })
			if i < 0 || list[i].Detail["via"] != tt.via || list[i].Actor != ActorCitizen {
				t.Errorf("lift entry %+v, want via %s", list, tt.via)
			}
			if tt.level == LevelHigh && got.Assurance != LevelHigh {
				t.Errorf("assurance %s after a lift proven at high", got.Assurance)
			}
		})
	}
}
