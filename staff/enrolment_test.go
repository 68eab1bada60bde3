package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mitidportal/db/dbtest"
	"mitidportal/staff"
)

func TestHashNewPassword(t *testing.T) {
	tests := []struct {
		name, password string
		want           error
	}{
		{"good", "Blaa-Hest-Cykler-Hjem", nil},
		{"seven characters", "Ab1-xyz", staff.ErrPasswordTooShort},
		{"65 characters", strings.Repeat("Ab1-x", 13), staff.ErrPasswordTooLong},
		{"the e-mail address", "ada.lovelace@styrelsen.dk", staff.ErrPasswordHasEmail},
		{"the address's name part, other case", "Hej-ADA.Lovelace-99", staff.ErrPasswordHasEmail},
		{"common", "adgangskode123", staff.ErrPasswordCommon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash, err := staff.HashNewPassword(tt.password, "ada.lovelace@styrelsen.dk")
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if (hash != "") != (tt.want == nil) {
				t.Errorf("hash %q with err %v", hash, err)
			}
		})
	}
}

func TestEnrolmentIsSingleUseAndExpires(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	s := staff.NewStore(pool, testConfig)
	hash, err := staff.HashNewPassword(staffPassword, "x@example.dk")
	if err != nil {
		t.Fatal(err)
	}
	_, taken := enrolled(t, s, "taken@example.dk", "agent")

	tests := []struct {
		name string
		// before runs between creating the account and completing the enrolment.
		before func(t *testing.T, u staff.User, ref string)
		key    func() staff.Credential
		want   error
	}{
		{"completes once", nil, func() staff.Credential { return newKey(t) }, nil},
		{"expired", func(t *testing.T, u staff.User, _ string) {
			if _, err := pool.Exec(ctx, `UPDATE staff_enrolment SET expires_at = now() - interval '1 second' WHERE staff_id = $1`, u.ID); err != nil {
				t.Fatal(err)
			}
		}, func() staff.Credential { return newKey(t) }, staff.ErrEnrolmentInvalid},
		{"account disabled meanwhile", func(t *testing.T, u staff.User, _ string) {
			if err := s.Disable(ctx, 0, u.ID); err != nil {
				t.Fatal(err)
			}
		}, func() staff.Credential { return newKey(t) }, staff.ErrEnrolmentInvalid},
		{"used meanwhile in another tab", func(t *testing.T, _ staff.User, ref string) {
			if _, err := s.CompleteEnrolment(ctx, ref, hash, newKey(t)); err != nil {
				t.Fatal(err)
			}
		}, func() staff.Credential { return newKey(t) }, staff.ErrEnrolmentInvalid},
		{"key of another staff member", nil, func() staff.Credential { return taken }, staff.ErrKeyRegistered},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, token, err := s.Create(ctx, "e"+string(rune('a'+i))+"@example.dk", "E", []string{"agent"})
			if err != nil {
				t.Fatal(err)
			}
			e, err := s.OpenEnrolment(ctx, token)
			if err != nil || e.User.ID != u.ID {
				t.Fatalf("OpenEnrolment = %+v, %v", e, err)
			}
			if d := time.Until(e.ExpiresAt); d < staff.EnrolmentLifetime-time.Minute || d > staff.EnrolmentLifetime {
				t.Errorf("the link expires in %s, want %s", d, staff.EnrolmentLifetime)
			}
			if tt.before != nil {
				tt.before(t, u, e.Ref)
			}
			got, err := s.CompleteEnrolment(ctx, e.Ref, hash, tt.key())
			if !errors.Is(err, tt.want) {
				t.Fatalf("CompleteEnrolment: %v, want %v", err, tt.want)
			}
			if tt.want == staff.ErrKeyRegistered {
				// Nothing of the failed enrolment stays: the link still works, no password is set.
				if _, err := s.OpenEnrolment(ctx, token); err != nil {
					t.Errorf("after a refused key the link does not work: %v", err)
				}
				if u, _ := s.ByID(ctx, u.ID); u.Enrolled || u.Keys != 0 {
					t.Errorf("after a refused key: %+v", u)
				}
				return
			}
			if tt.want != nil {
				return
			}
			if !got.Enrolled || got.Keys != 1 || got.Status() != staff.StatusActive {
				t.Errorf("after enrolment: %+v, status %s", got, got.Status())
			}
			// The link is used up: neither the token nor the reference works again.
			if _, err := s.OpenEnrolment(ctx, token); !errors.Is(err, staff.ErrEnrolmentInvalid) {
				t.Errorf("token after use: %v", err)
			}
			if _, err := s.EnrolmentByRef(ctx, e.Ref); !errors.Is(err, staff.ErrEnrolmentInvalid) {
				t.Errorf("reference after use: %v", err)
			}
			if _, err := s.CompleteEnrolment(ctx, e.Ref, hash, newKey(t)); !errors.Is(err, staff.ErrEnrolmentInvalid) {
				t.Errorf("second completion: %v", err)
			}
		})
	}
	for _, bad := range []string{"", "nonsense", "!!!"} {
		if _, err := s.OpenEnrolment(ctx, bad); !errors.Is(err, staff.ErrEnrolmentInvalid) {
			t.Errorf("OpenEnrolment(%q) = %v", bad, err)
		}
		if _, err := s.EnrolmentByRef(ctx, bad); !errors.Is(err, staff.ErrEnrolmentInvalid) {
			t.Errorf("EnrolmentByRef(%q) = %v", bad, err)
		}
	}
}
