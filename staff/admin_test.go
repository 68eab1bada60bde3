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
			_, err := s.SetRoles(ctx, ada.ID, ada.ID, []string{"agent"})
			return err
		}, staff.ErrOwnAdminRole},
		{"disable oneself", func() error { return s.Disable(ctx, ada.ID, ada.ID) }, staff.ErrDisableSelf},
		{"no role", func() error {
			_, err := s.SetRoles(ctx, ada.ID, cy.ID, nil)
			return err
		}, staff.ErrInvalidRole},
		{"unknown account", func() error { return s.Disable(ctx, ada.ID, 999999) }, staff.ErrNotFound},
		// Two admins: one may take the other's role; then Bo is the last admin.
		{"another admin's role", func() error {
			_, err := s.SetRoles(ctx, bo.ID, ada.ID, []string{"supervisor"})
			return err
		}, nil},
		{"last admin's role", func() error {
			_, err := s.SetRoles(ctx, ada.ID, bo.ID, []string{"agent"})
			return err
		}, staff.ErrLastAdmin},
		{"disable the last admin", func() error { return s.Disable(ctx, cy.ID, bo.ID) }, staff.ErrLastAdmin},
		{"give the role back", func() error {
			_, err := s.SetRoles(ctx, bo.ID, ada.ID, []string{"admin"})
			return err
		}, nil},
		{"disable one of two admins", func() error { return s.Disable(ctx, ada.ID, bo.ID) }, nil},
		// A disabled admin does not count: Ada is the last enabled one now.
		{"disabled admins do not count", func() error { return s.Disable(ctx, cy.ID, ada.ID) }, staff.ErrLastAdmin},
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

// TestChangesEndSessionsInTheirTransaction: the account's sessions end (Config.EndSessions) in
// the change's own transaction, and a failure to end them undoes the change.
func TestChangesEndSessionsInTheirTransaction(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	failing, ended := false, []int64{}
	cfg := testConfig
	cfg.EndSessions = func(_ context.Context, _ pgx.Tx, id int64) error {
		if failing {
			return boom
		}
		ended = append(ended, id)
		return nil
	}
	s := staff.NewStore(dbtest.New(t), cfg)
	admin, _ := enrolled(t, s, "admin@example.dk", "admin")
	agent, _ := enrolled(t, s, "agent@example.dk", "agent")

	failing = true
	if _, err := s.SetRoles(ctx, admin.ID, agent.ID, []string{"supervisor"}); !errors.Is(err, boom) {
		t.Errorf("SetRoles when sessions cannot end: %v", err)
	}
	if err := s.Disable(ctx, admin.ID, agent.ID); !errors.Is(err, boom) {
		t.Errorf("Disable when sessions cannot end: %v", err)
	}
	if got, _ := s.ByID(ctx, agent.ID); !slices.Equal(got.Roles, []string{"agent"}) || got.DisabledAt != nil {
		t.Errorf("failed changes stayed: %+v", got)
	}

	failing = false
	got, err := s.SetRoles(ctx, admin.ID, agent.ID, []string{"supervisor", "agent", "agent"})
	if err != nil || !slices.Equal(got.Roles, []string{"agent", "supervisor"}) {
		t.Errorf("SetRoles = %+v, %v", got, err)
	}
	if err := s.Disable(ctx, admin.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ended, []int64{agent.ID, agent.ID}) {
		t.Errorf("sessions ended for %v, want the agent's twice", ended)
	}
	if _, err := s.CheckPassword(ctx, agent.Email, staffPassword); !errors.Is(err, staff.ErrLoginFailed) {
		t.Errorf("a disabled account passes the password step: %v", err)
	}
	if err := s.Enable(ctx, admin.ID, agent.ID); err != nil {
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
