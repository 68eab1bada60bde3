package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLoginWithCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	// counts are what the attempt left: on the username as typed and on the client address.
	type counts struct{ username, address int }
	tests := []struct {
		name string
		// setup may change the fresh MitID and returns the input to try.
		setup  func(m MitID, serial string) LoginInput
		want   error
		counts counts
	}{
		{"right password and code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, nil, counts{}},
		{"username in another case with spaces", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: "  " + strings.ToUpper(m.Username) + " ", Password: testPassword, Code: e.code(serial)}
		}, nil, counts{}},
		{"code typed with a space", func(m MitID, serial string) LoginInput {
			c := e.code(serial)
			return LoginInput{Username: m.Username, Password: testPassword, Code: c[:3] + " " + c[3:]}
		}, nil, counts{}},
		{"wrong password", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword + "x", Code: e.code(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"wrong code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.wrongCode(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"no code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword}
		}, ErrLoginFailed, counts{1, 1}},
		{"unknown username", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username + "x", Password: testPassword, Code: e.code(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"blocked MitID, right password", func(m MitID, serial string) LoginInput {
			if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrMitIDBlocked, counts{1, 1}},
		{"blocked MitID, wrong password says nothing of the block", func(m MitID, serial string) LoginInput {
			if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return LoginInput{Username: m.Username, Password: "wrong-password", Code: e.code(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"blocked password, right password", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'blocked' WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrAuthenticatorUnused, counts{1, 1}},
		{"blocked password, wrong password says nothing of it", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'blocked' WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
			return LoginInput{Username: m.Username, Password: "wrong-password", Code: e.code(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"blocked token", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'blocked' WHERE token_serial = $1`, serial)
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrLoginFailed, counts{1, 1}},
		{"expired temporary password", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET must_change = true, expires_at = $2 WHERE mitid_id = $1 AND kind = 'password'`,
				m.ID, e.clock.Now().Add(-time.Minute))
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrPasswordExpired, counts{1, 1}},
		{"code of a unit of another MitID", func(m MitID, serial string) LoginInput {
			_, other := e.mitid()
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(other)}
		}, ErrLoginFailed, counts{1, 1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, serial := e.mitid()
			in := tt.setup(m, serial)
			in.Service, in.ClientAddr = "Testtjenesten", fmt.Sprintf("192.0.2.%d", i+1)
			login, err := e.store.LoginWithCode(ctx, in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("LoginWithCode = %v, want %v", err, tt.want)
			}
			if got := e.counts(in); got != tt.counts {
				t.Errorf("counts %+v, want %+v", got, tt.counts)
			}
			if tt.want != nil {
				return
			}
			if login.MitID.ID != m.ID || login.Means.Kind != KindCodeDisplay || login.Level != LevelSubstantial {
				t.Errorf("login = %+v", login)
			}
			acts, _ := e.store.Activity(ctx, m.ID, 0, 1)
			if len(acts) != 1 || acts[0].Kind != ActivityLogin || acts[0].Detail["service"] != "Testtjenesten" ||
				acts[0].Detail["level"] != "substantial" || acts[0].Detail["means"] != "code_display" {
				t.Errorf("last activity %+v, want a login with service, level and means", acts)
			}
			if one[*time.Time](t, e.pool, `SELECT last_used_at FROM authenticator WHERE token_serial = $1`, serial) == nil {
				t.Error("last_used_at not set")
			}
			// The same code does not log in twice.
			if _, err := e.store.LoginWithCode(ctx, in); !errors.Is(err, ErrLoginFailed) {
				t.Errorf("replayed code: %v, want ErrLoginFailed", err)
			}
		})
	}
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

func TestLoginSuccessResetsCountersAndTemporaryPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, serial := e.mitid()
	wrong := LoginInput{Username: m.Username, Password: "nope-nope-nope", ClientAddr: "192.0.2.1"}
	for range 3 {
		if _, err := e.store.LoginWithCode(ctx, wrong); !errors.Is(err, ErrLoginFailed) {
			t.Fatal(err)
		}
	}
	e.exec(`UPDATE authenticator SET must_change = true, expires_at = $2 WHERE mitid_id = $1 AND kind = 'password'`,
		m.ID, e.clock.Now().Add(time.Hour))
	login, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if !login.MustChangePassword {
		t.Error("MustChangePassword not set for a temporary password")
	}
	if got := e.counts(wrong); got.username != 0 || got.address != 3 {
		t.Errorf("counts after success %+v, want the username's cleared and the address's 3 failures kept", got)
	}
	// The temporary password is not spent by a login: until it is changed or expires, a lost
	// session is replaced by logging in with it again, which must change it again.
	e.clock.Add(30 * time.Second)
	if login, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.1"}); err != nil || !login.MustChangePassword {
		t.Errorf("a second login with the temporary password: %v, must change %v; want a login that must change it",
			err, login.MustChangePassword)
	}
	if err := e.store.ChangePassword(ctx, m.ID, "Nyt-og-bedre-kodeord-9", ActorCitizen, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(30 * time.Second)
	login, err = e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: "Nyt-og-bedre-kodeord-9",
		Code: e.code(serial), ClientAddr: "192.0.2.1"})
	if err != nil || login.MustChangePassword {
		t.Errorf("after the change: %v, must change %v", err, login.MustChangePassword)
	}
}

// counts reads what in's attempts left on its username and its client address.
func (e *env) counts(in LoginInput) struct{ username, address int } {
	e.t.Helper()
	n, err := e.store.lockouts.Failures(context.Background(), CitizenKey(in.Username))
	if err != nil {
		e.t.Fatal(err)
	}
	var addr int
	err = e.pool.QueryRow(context.Background(), `SELECT coalesce((SELECT count FROM throttle_counter WHERE key = $1), 0)`,
		ThrottleKey(ThrottleLogin, in.ClientAddr)).Scan(&addr)
	if err != nil {
		e.t.Fatal(err)
	}
	return struct{ username, address int }{n, addr}
}
