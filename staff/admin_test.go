package staff_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/db/dbtest"
	"mitidportal/staff"
)

// TestAdminsCannotLockThemselvesOut: an admin keeps their own admin role and account, and the
// last enabled admin keeps the role and stays enabled, whoever asks.
func TestAdminsCannotLockThemselvesOut(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t), testConfig)
	ada, _ := enrolled(t, s, "ada@example.dk", "admin")
	bo, _ := enrolled(t, s, "bo@example.dk", "admin", "agent")
	cy, _ := enrolled(t, s, "cy@example.dk", "agent")

	tests := []struct {
		name   string
		change func() error
		want   error
	}{
		{"own admin role", func() error {
			_, err := s.SetRoles(ctx, ada.ID, ada.ID, []string{"agent"}, nil)
			return err
		}, staff.ErrOwnAdminRole},
		{"disable oneself", func() error { return s.Disable(ctx, ada.ID, ada.ID, nil) }, staff.ErrDisableSelf},
		{"no role", func() error {
			_, err := s.SetRoles(ctx, ada.ID, cy.ID, nil, nil)
			return err
		}, staff.ErrInvalidRole},
		{"unknown account", func() error { return s.Disable(ctx, ada.ID, 999999, nil) }, staff.ErrNotFound},
		// Two admins: one may take the other's role; then Bo is the last admin.
		{"another admin's role", func() error {
			_, err := s.SetRoles(ctx, bo.ID, ada.ID, []string{"supervisor"}, nil)
			return err
		}, nil},
		{"last admin's role", func() error {
			_, err := s.SetRoles(ctx, ada.ID, bo.ID, []string{"agent"}, nil)
			return err
		}, staff.ErrLastAdmin},
		{"disable the last admin", func() error { return s.Disable(ctx, cy.ID, bo.ID, nil) }, staff.ErrLastAdmin},
		{"give the role back", func() error {
			_, err := s.SetRoles(ctx, bo.ID, ada.ID, []string{"admin"}, nil)
			return err
		}, nil},
		{"disable one of two admins", func() error { return s.Disable(ctx, ada.ID, bo.ID, nil) }, nil},
		// A disabled admin does not count: Ada is the last enabled one now.
		{"disabled admins do not count", func() error { return s.Disable(ctx, cy.ID, ada.ID, nil) }, staff.ErrLastAdmin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.change(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	got, err := s.ByID(ctx, ada.ID)
	if err != nil || !got.HasRole("admin") || got.Status() != staff.StatusActive {
		t.Errorf("Ada at the end: %+v, %v", got, err)
	}
}

// TestChangesRunTheirTxFunc: the caller's work (ending sessions) runs in the change's own
// transaction, and its failure undoes the change.
func TestChangesRunTheirTxFunc(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t), testConfig)
	admin, _ := enrolled(t, s, "admin@example.dk", "admin")
	agent, _ := enrolled(t, s, "agent@example.dk", "agent")
	boom := errors.New("boom")
	fail := func(pgx.Tx) error { return boom }

	if _, err := s.SetRoles(ctx, admin.ID, agent.ID, []string{"supervisor"}, fail); !errors.Is(err, boom) {
		t.Errorf("SetRoles with a failing TxFunc: %v", err)
	}
	if err := s.Disable(ctx, admin.ID, agent.ID, fail); !errors.Is(err, boom) {
		t.Errorf("Disable with a failing TxFunc: %v", err)
	}
	if got, _ := s.ByID(ctx, agent.ID); !slices.Equal(got.Roles, []string{"agent"}) || got.DisabledAt != nil {
		t.Errorf("failed changes stayed: %+v", got)
	}

	ran := 0
	count := func(pgx.Tx) error { ran++; return nil }
	got, err := s.SetRoles(ctx, admin.ID, agent.ID, []string{"supervisor", "agent", "agent"}, count)
	if err != nil || !slices.Equal(got.Roles, []string{"agent", "supervisor"}) {
		t.Errorf("SetRoles = %+v, %v", got, err)
	}
	if err := s.Disable(ctx, admin.ID, agent.ID, count); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Errorf("the TxFunc ran %d times, want 2", ran)
	}
	if _, err := s.CheckPassword(ctx, agent.Email, staffPassword); !errors.Is(err, staff.ErrLoginFailed) {
		t.Errorf("a disabled account passes the password step: %v", err)
	}
	if err := s.Enable(ctx, agent.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckPassword(ctx, agent.Email, staffPassword); err != nil {
		t.Errorf("after enabling: %v", err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Email != "admin@example.dk" || list[1].Keys != 1 {
		t.Errorf("List = %+v, %v", list, err)
	}
}
