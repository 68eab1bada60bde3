package identity

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestParseBlockReason(t *testing.T) {
	t.Parallel()
	for _, r := range BlockReasons {
		if got, err := ParseBlockReason(" " + string(r)); got != r || err != nil {
			t.Errorf("ParseBlockReason(%q) = %q, %v", r, got, err)
		}
	}
	for _, s := range []string{"", "LOST", "hacked"} {
		if _, err := ParseBlockReason(s); !errors.Is(err, ErrBlockReasonInvalid) {
			t.Errorf("ParseBlockReason(%q) = %v", s, err)
		}
	}
}

func (e *env) appRequest(mitidID int64) int64 {
	e.t.Helper()
	return one[int64](e.t, e.pool, `
		INSERT INTO app_request (mitid_id, purpose, display_code, challenge, service, level, expires_at)
		VALUES ($1, 'login', 'AB12', '\x00', 'Test', 'substantial', now() + interval '5 minutes')
		RETURNING id`, mitidID)
}

func TestBlockMitID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, _ := e.mitid()
	req := e.appRequest(m.ID)
	other, _ := e.mitid()
	otherReq := e.appRequest(other.ID)

	// also fails: nothing of the block stays.
	boom := errors.New("sessions could not be ended")
	if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, func(pgx.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("BlockMitID = %v, want the TxFunc's error", err)
	}
	if got, _ := e.store.MitID(ctx, m.ID); got.Status != StatusActive {
		t.Fatalf("status %s after a failed block, want active", got.Status)
	}

	ran := 0
	also := func(tx pgx.Tx) error {
		ran++
		// also sees the block in the same transaction.
		var st string
		if err := tx.QueryRow(ctx, `SELECT status FROM mitid WHERE id = $1`, m.ID).Scan(&st); err != nil || st != "blocked" {
			t.Errorf("inside also: status %q, %v", st, err)
		}
		return nil
	}
	if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, also); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.MitID(ctx, m.ID)
	if got.Status != StatusBlocked || got.BlockedAt == nil || got.BlockReason != BlockStolen {
		t.Errorf("after block: %+v", got)
	}
	if st := one[string](t, e.pool, `SELECT status FROM app_request WHERE id = $1`, req); st != "cancelled" {
		t.Errorf("pending app request is %s, want cancelled", st)
	}
	if st := one[string](t, e.pool, `SELECT status FROM app_request WHERE id = $1`, otherReq); st != "pending" {
		t.Errorf("another MitID's app request is %s, want pending", st)
	}
	// Again: no error, no second entry, also runs again.
	if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, also); err != nil {
		t.Fatalf("second block: %v", err)
	}
	if ran != 2 {
		t.Errorf("also ran %d times, want 2", ran)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'mitid_blocked'`, m.ID); n != 1 {
		t.Errorf("%d mitid_blocked entries, want 1", n)
	}
	if got, _ := e.store.MitID(ctx, m.ID); got.BlockReason != BlockStolen {
		t.Errorf("a second block changed the reason to %s", got.BlockReason)
	}
	// Self-service changes stop.
	if err := e.store.ChangeUsername(ctx, m.ID, "newname", ActorCitizen); !errors.Is(err, ErrMitIDBlocked) {
		t.Errorf("ChangeUsername on a blocked MitID: %v", err)
	}
	if err := e.store.BlockMitID(ctx, m.ID, "bored", ActorCitizen, nil); !errors.Is(err, ErrBlockReasonInvalid) {
		t.Errorf("bad reason: %v", err)
	}
	e.exec(`UPDATE mitid SET status = 'revoked', blocked_at = NULL WHERE id = $1`, other.ID)
	if err := e.store.BlockMitID(ctx, other.ID, BlockLost, ActorCitizen, nil); !errors.Is(err, ErrMitIDRevoked) {
		t.Errorf("revoked: %v", err)
	}
	if err := e.store.BlockMitID(ctx, 999999, BlockLost, ActorCitizen, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
}

func TestBlockPublic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	tests := []struct {
		name string
		// input returns the username and CPR typed for the MitID m with CPR cpr.
		input   func(m MitID) (string, CPR)
		want    error
		blocked bool
	}{
		{"match", func(m MitID) (string, CPR) { return m.Username, m.CPR }, nil, true},
		{"match in another case, CPR with hyphen", func(m MitID) (string, CPR) {
			return " " + strings.ToUpper(m.Username), CPR(m.CPR.String())
		}, nil, true},
		{"wrong CPR", func(m MitID) (string, CPR) { return m.Username, e.person().CPR }, nil, false},
		{"unknown username", func(m MitID) (string, CPR) { return m.Username + "zz", m.CPR }, nil, false},
		{"malformed CPR", func(m MitID) (string, CPR) { return m.Username, "12345" }, ErrCPRInvalid, false},
		{"impossible date", func(m MitID) (string, CPR) { return m.Username, "3102901234" }, ErrCPRInvalid, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := e.mitid()
			username, cpr := tt.input(m)
			var alsoID int64
			err := e.store.BlockPublic(ctx, username, cpr, "192.0.2."+string(rune('1'+i)),
				func(tx pgx.Tx, id int64) error { alsoID = id; return nil })
			if !errors.Is(err, tt.want) {
				t.Fatalf("BlockPublic = %v, want %v", err, tt.want)
			}
			got, _ := e.store.MitID(ctx, m.ID)
			if (got.Status == StatusBlocked) != tt.blocked {
				t.Errorf("status %s, blocked want %v", got.Status, tt.blocked)
			}
			if tt.blocked && (alsoID != m.ID || got.BlockReason != BlockPublicPage) {
				t.Errorf("also got %d, reason %s", alsoID, got.BlockReason)
			}
			if !tt.blocked && alsoID != 0 {
				t.Errorf("also ran without a match")
			}
			if tt.blocked {
				acts, _ := e.store.Activity(ctx, m.ID, 0, 1)
				if acts[0].Kind != ActivityMitIDBlocked || acts[0].Actor != ActorPublic {
					t.Errorf("activity %+v", acts[0])
				}
			}
		})
	}
	t.Run("throttled per address, hit or miss", func(t *testing.T) {
		m, _ := e.mitid()
		for i := range 10 {
			username := "nobody"
			if i == 3 {
				username = m.Username
			}
			if err := e.store.BlockPublic(ctx, username, m.CPR, "203.0.113.7", nil); err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		err := e.store.BlockPublic(ctx, m.Username, m.CPR, "203.0.113.7", nil)
		if !errors.Is(err, ErrThrottled) {
			t.Fatalf("11th attempt: %v, want throttled", err)
		}
	})
}

func TestBlockAuthenticator(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, serial := e.mitid()
	means, _ := e.store.Means(ctx, m.ID)
	token := means[1]
	if token.TokenSerial != serial {
		t.Fatalf("means %+v", means)
	}
	// The only second means may be blocked: a block protects.
	if err := e.store.BlockAuthenticator(ctx, m.ID, token.ID, BlockLost, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.store.Authenticator(ctx, m.ID, token.ID); a.Status != AuthBlocked {
		t.Errorf("status %s", a.Status)
	}
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, serial); st != "blocked" {
		t.Errorf("unit state %s, want blocked", st)
	}
	if err := e.store.BlockAuthenticator(ctx, m.ID, token.ID, BlockLost, ActorCitizen); err != nil {
		t.Errorf("second block: %v", err)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'means_blocked'`, m.ID); n != 1 {
		t.Errorf("%d means_blocked entries, want 1", n)
	}
	// The blocked token no longer logs in.
	_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)})
	if !errors.Is(err, ErrLoginFailed) {
		t.Errorf("login with a blocked token: %v", err)
	}
	other, _ := e.mitid()
	if err := e.store.BlockAuthenticator(ctx, other.ID, token.ID, BlockLost, ActorCitizen); !errors.Is(err, ErrNotFound) {
		t.Errorf("another MitID's means: %v", err)
	}
	// An app's block cancels pending requests.
	req := e.appRequest(m.ID)
	app := one[int64](t, e.pool, `INSERT INTO authenticator (mitid_id, kind, status, device_public_key)
		VALUES ($1, 'app', 'active', '\x01') RETURNING id`, m.ID)
	if err := e.store.BlockAuthenticator(ctx, m.ID, app, BlockStolen, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if st := one[string](t, e.pool, `SELECT status FROM app_request WHERE id = $1`, req); st != "cancelled" {
		t.Errorf("app request %s after blocking the app", st)
	}
}
