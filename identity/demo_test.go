package identity

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestDemoCitizens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	citizens := DemoCitizens(rand.New(rand.NewPCG(1, 2)))
	for range 2 { // the second run changes nothing
		for _, c := range citizens {
			if _, err := e.store.SetUpDemoCitizen(ctx, c); err != nil {
				t.Fatalf("%s: %v", c.Username, err)
			}
		}
	}
	for _, c := range citizens {
		if c.Username == "" {
			if _, err := e.store.MitIDByCPR(ctx, c.Person.CPR); !errors.Is(err, ErrNotFound) {
				t.Errorf("person-only citizen has a MitID: %v", err)
			}
			continue
		}
		_, err := e.store.LoginWithCode(ctx, LoginInput{Username: c.Username, Password: c.Password,
			Code: e.code(c.Token.Serial), ClientAddr: "192.0.2.1"})
		want := error(nil)
		if c.Blocked {
			want = ErrMitIDBlocked
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: login %v, want %v", c.Username, err, want)
		}
	}
}
