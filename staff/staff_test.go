package staff_test

import (
	"context"
	"errors"
	"testing"

	"mitidportal/db/dbtest"
	"mitidportal/staff"
)

func TestCreate(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t), testConfig)
	u, token, err := s.Create(ctx, " Ada@Example.dk ", "Ada", []string{"admin", "agent", "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "Ada@Example.dk" || len(u.Roles) != 2 || len(token) < 40 {
		t.Errorf("created %+v with token of %d chars", u, len(token))
	}
	got, err := s.ByEmail(ctx, "ada@example.DK")
	if err != nil || got.ID != u.ID {
		t.Errorf("ByEmail = %+v, %v", got, err)
	}
	tests := []struct {
		name, email, person string
		roles               []string
		want                error
	}{
		{"same address other case", "ADA@example.dk", "Ada", []string{"agent"}, staff.ErrEmailTaken},
		{"not an address", "ada", "Ada", []string{"agent"}, staff.ErrInvalidEmail},
		{"display name form", "Ada <b@example.dk>", "Ada", []string{"agent"}, staff.ErrInvalidEmail},
		{"non-ASCII address (the lock-out key is read in SQL)", "søren@example.dk", "Søren", []string{"agent"}, staff.ErrInvalidEmail},
		{"no role", "b@example.dk", "B", nil, staff.ErrInvalidRole},
		{"unknown role", "b@example.dk", "B", []string{"root"}, staff.ErrInvalidRole},
		{"citizen is no staff role", "b@example.dk", "B", []string{"citizen"}, staff.ErrInvalidRole},
		{"no name", "b@example.dk", " ", []string{"agent"}, staff.ErrNameRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := s.Create(ctx, tt.email, tt.person, tt.roles); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.ByEmail(ctx, "nobody@example.dk"); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("unknown address: %v", err)
	}
}
