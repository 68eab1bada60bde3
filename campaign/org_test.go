package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/campaign"
	"mitidportal/db/dbtest"
	"mitidportal/fault"
	"mitidportal/identity"
)

func TestNormalizeCVR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"24256790", "24256790", true}, // Novo Nordisk A/S
		{"DK 24 25 67 90", "24256790", true},
		{"dk24256790", "24256790", true},
		{"2425-6790", "24256790", true},
		{"24256791", "", false}, // last digit changed
		{"42256790", "", false}, // two digits swapped
		{"2425679", "", false},
		{"242567900", "", false},
		{"2425679O", "", false},
		{"00000000", "", false},
		{"", "", false},
		{"２４２５６７９０", "", false}, // full-width digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := campaign.NormalizeCVR(tt.in)
			if tt.ok && (err != nil || got != tt.want) || !tt.ok && !errors.Is(err, campaign.ErrCVRInvalid) {
				t.Errorf("NormalizeCVR(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
}

// env is a fresh database with Orgs whose hooks record what they were told.
type env struct {
	pool    *pgxpool.Pool
	orgs    *campaign.Orgs
	mu      sync.Mutex
	events  []campaign.Event
	invites []campaign.Invitation
	now     time.Time
	n       int
}

func newEnv(t *testing.T) *env {
	e := &env{pool: dbtest.New(t), now: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	e.orgs = campaign.NewOrgs(e.pool, campaign.Hooks{
		Audit: func(_ context.Context, _ pgx.Tx, ev campaign.Event) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
			return nil
		},
		Invite: func(_ context.Context, _ pgx.Tx, inv campaign.Invitation) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.invites = append(e.invites, inv)
			return nil
		},
	})
	e.orgs.SetClock(func() time.Time { return e.now })
	return e
}

// citizen inserts a person with a MitID and returns the MitID's id.
func (e *env) citizen(t *testing.T) int64 {
	t.Helper()
	e.n++
	cpr := fmt.Sprintf("01017%05d", e.n)
	ctx := context.Background()
	_, err := e.pool.Exec(ctx, `INSERT INTO person (cpr, given_name, family_name, birth_date, address_line, postcode, city)
		VALUES ($1, 'Mette', $2, '1970-01-01', 'Vej 1', '8000', 'Aarhus')`, cpr, fmt.Sprintf("Hansen%d", e.n))
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := e.pool.QueryRow(ctx, `INSERT INTO mitid (cpr, username, identity_assurance) VALUES ($1, $2, 'substantial') RETURNING id`,
		cpr, fmt.Sprintf("user%d", e.n)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) lastInvite(t *testing.T) campaign.Invitation {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.invites) == 0 {
		t.Fatal("no invitation was mailed")
	}
	return e.invites[len(e.invites)-1]
}

var library = campaign.Application{CVR: "24256790", Name: "Aarhus Bibliotekerne", Kind: campaign.KindLibrary,
	ContactName: "Mette Hansen", ContactEmail: "mette@example.dk", Lang: "da"}

// TestApplyApproveInviteJoin walks an organisation's way in: it applies, an editor approves it,
// the contact person accepts the mailed invitation as admin and invites a member, who joins.
func TestApplyApproveInviteJoin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	org, err := e.orgs.Apply(ctx, library)
	if err != nil {
		t.Fatal(err)
	}
	if org.Status != campaign.OrgPending {
		t.Fatalf("status %s", org.Status)
	}
	if _, err := e.orgs.Apply(ctx, library); !errors.Is(err, campaign.ErrCVRTaken) {
		t.Errorf("second application with the same CVR: %v", err)
	}
	if org, err = e.orgs.Decide(ctx, org.ID, 7, true, "Velkommen"); err != nil || org.Status != campaign.OrgApproved {
		t.Fatalf("approve: %+v %v", org, err)
	}
	if _, err := e.orgs.Decide(ctx, org.ID, 8, false, ""); !errors.Is(err, campaign.ErrAlreadyDecided) {
		t.Errorf("second decision: %v", err)
	}
	inv := e.lastInvite(t)
	if inv.Email != "mette@example.dk" || inv.Role != campaign.RoleAdmin || inv.Token == "" {
		t.Fatalf("first admin's invitation %+v", inv)
	}
	admin, member := e.citizen(t), e.citizen(t)
	got, role, err := e.orgs.InvitationOf(ctx, inv.Token)
	if err != nil || got.ID != org.ID || role != campaign.RoleAdmin {
		t.Fatalf("InvitationOf: %+v %s %v", got, role, err)
	}
	if _, err := e.orgs.Accept(ctx, inv.Token, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Accept(ctx, inv.Token, member); !errors.Is(err, campaign.ErrInvitationInvalid) {
		t.Errorf("invitation used twice: %v", err)
	}
	if err := e.orgs.Invite(ctx, org.ID, member, "x@example.dk", campaign.RoleMember, "da"); !errors.Is(err, campaign.ErrNotAdmin) {
		t.Errorf("a non-member invited: %v", err)
	}
	if err := e.orgs.Invite(ctx, org.ID, admin, "lars@example.dk", campaign.RoleMember, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, member); err != nil {
		t.Fatal(err)
	}
	ms, err := e.orgs.MembershipsOf(ctx, member)
	if err != nil || len(ms) != 1 || ms[0].Role != campaign.RoleMember || ms[0].Org.ID != org.ID {
		t.Errorf("memberships %+v %v", ms, err)
	}
	members, err := e.orgs.Members(ctx, org.ID)
	if err != nil || len(members) != 2 || members[0].Role != campaign.RoleAdmin || members[1].Email != "lars@example.dk" {
		t.Errorf("members %+v %v", members, err)
	}
	var actions []string
	for _, ev := range e.events {
		actions = append(actions, ev.Action)
	}
	want := fmt.Sprint([]string{campaign.EventApplied, campaign.EventApproved, campaign.EventInvited,
		campaign.EventJoined, campaign.EventInvited, campaign.EventJoined})
	if fmt.Sprint(actions) != want {
		t.Errorf("audited %v, want %s", actions, want)
	}
	if e.events[1].Actor != "staff:7" {
		t.Errorf("approval by %q", e.events[1].Actor)
	}
}

func TestApplicationRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := func(f func(*campaign.Application)) campaign.Application {
		a := library
		f(&a)
		return a
	}
	tests := []struct {
		name string
		app  campaign.Application
		want error
	}{
		{"bad CVR", mod(func(a *campaign.Application) { a.CVR = "12345678" }), campaign.ErrCVRInvalid},
		{"no name", mod(func(a *campaign.Application) { a.Name = "  " }), campaign.ErrNameRequired},
		{"long name", mod(func(a *campaign.Application) { a.Name = string(make([]rune, 201)) }), campaign.ErrNameTooLong},
		{"unknown kind", mod(func(a *campaign.Application) { a.Kind = "bank" }), campaign.ErrKindInvalid},
		{"bad e-mail", mod(func(a *campaign.Application) { a.ContactEmail = "mette" }), campaign.ErrEmailInvalid},
		{"named e-mail", mod(func(a *campaign.Application) { a.ContactEmail = "Mette <m@example.dk>" }), campaign.ErrEmailInvalid},
		{"language", mod(func(a *campaign.Application) { a.Lang = "sv" }), campaign.ErrLangInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.orgs.Apply(context.Background(), tt.app); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	// A rejected organisation may apply again.
	ctx := context.Background()
	org, err := e.orgs.Apply(ctx, library)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Decide(ctx, org.ID, 1, false, "Ikke en interesseorganisation"); err != nil {
		t.Fatal(err)
	}
	if len(e.invites) != 0 {
		t.Error("a rejection sent an invitation")
	}
	if _, err := e.orgs.Apply(ctx, library); err != nil {
		t.Errorf("applying again after a rejection: %v", err)
	}
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	org, _ := e.orgs.Apply(ctx, library)
	if _, err := e.orgs.Decide(ctx, org.ID, 1, true, ""); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(campaign.InvitationLifetime + time.Second)
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, e.citizen(t)); !errors.Is(err, campaign.ErrInvitationInvalid) {
		t.Errorf("expired invitation: %v", err)
	}
}

// TestNeverWithoutAnAdmin: the last admin can neither step down nor leave nor be removed, and
// two admins demoting each other at the same moment cannot both succeed.
func TestNeverWithoutAnAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	org, _ := e.orgs.Apply(ctx, library)
	if _, err := e.orgs.Decide(ctx, org.ID, 1, true, ""); err != nil {
		t.Fatal(err)
	}
	a, b := e.citizen(t), e.citizen(t)
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, a); err != nil {
		t.Fatal(err)
	}
	if err := e.orgs.SetRole(ctx, org.ID, a, a, campaign.RoleMember); !errors.Is(err, campaign.ErrLastAdmin) {
		t.Errorf("last admin stepped down: %v", err)
	}
	if err := e.orgs.Remove(ctx, org.ID, a, a); !errors.Is(err, campaign.ErrLastAdmin) {
		t.Errorf("last admin left: %v", err)
	}
	if err := e.orgs.Invite(ctx, org.ID, a, "b@example.dk", campaign.RoleAdmin, "da"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, b); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		var ok atomic.Int32
		var wg sync.WaitGroup
		for _, pair := range [][2]int64{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.orgs.SetRole(ctx, org.ID, pair[0], pair[1], campaign.RoleMember); err == nil {
					ok.Add(1)
				} else if !errors.Is(err, campaign.ErrLastAdmin) && !errors.Is(err, campaign.ErrNotAdmin) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("round %d: %d demotions succeeded, want 1", round, ok.Load())
		}
		// Make both admins again for the next round.
		ms, _ := e.orgs.Members(ctx, org.ID)
		var admin, other int64
		for _, m := range ms {
			if m.Role == campaign.RoleAdmin {
				admin = m.MitIDID
			} else {
				other = m.MitIDID
			}
		}
		if err := e.orgs.SetRole(ctx, org.ID, admin, other, campaign.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoleIn: the role a citizen holds in one organisation, read fresh, and nothing for a
// stranger, another organisation's member or a member of an organisation not approved.
func TestRoleIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	org, err := e.orgs.Apply(ctx, library)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Decide(ctx, org.ID, 7, true, ""); err != nil {
		t.Fatal(err)
	}
	admin, member, stranger := e.citizen(t), e.citizen(t), e.citizen(t)
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, admin); err != nil {
		t.Fatal(err)
	}
	if err := e.orgs.Invite(ctx, org.ID, admin, "m@example.dk", campaign.RoleMember, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs.Accept(ctx, e.lastInvite(t).Token, member); err != nil {
		t.Fatal(err)
	}
	other, err := e.orgs.Apply(ctx, campaign.Application{CVR: "10150817", Name: "Pending", Kind: campaign.KindSchool,
		ContactName: "X", ContactEmail: "x@example.dk", Lang: "da"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		org, mitid  int64
		want        campaign.MemberRole
		wantMissing bool
	}{
		{"admin", org.ID, admin, campaign.RoleAdmin, false},
		{"member", org.ID, member, campaign.RoleMember, false},
		{"stranger", org.ID, stranger, "", true},
		{"pending organisation", other.ID, admin, "", true},
		{"no such organisation", org.ID + 1000, admin, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.orgs.RoleIn(ctx, tt.org, tt.mitid)
			if tt.wantMissing && !errors.Is(err, campaign.ErrNotFound) || !tt.wantMissing && (err != nil || got != tt.want) {
				t.Errorf("RoleIn = %q, %v", got, err)
			}
		})
	}
	// Handing admin on shows at once.
	if err := e.orgs.SetRole(ctx, org.ID, admin, member, campaign.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if got, err := e.orgs.RoleIn(ctx, org.ID, member); err != nil || got != campaign.RoleAdmin {
		t.Errorf("after handing admin on: %q, %v", got, err)
	}
}

// TestApplyFromIsCounted: applications are counted per client address and per contact
// address, valid ones only, before anything is stored; one over either limit is refused with
// the throttle's error and stores nothing.
func TestApplyFromIsCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.orgs.SetThrottle(identity.NewAddressThrottle(e.pool, map[string]identity.ThrottleRule{
		campaign.ThrottleApply: {Max: 2, Window: time.Hour}}))
	app := func(cvr, email string) campaign.Application {
		a := library
		a.CVR, a.ContactEmail = cvr, email
		return a
	}
	tests := []struct {
		name, addr string
		app        campaign.Application
		throttled  bool
	}{
		{"invalid: not counted", "10.0.0.1", app("24256791", "a@example.dk"), false},
		{"first from the address", "10.0.0.1", app("10000009", "a@example.dk"), false},
		{"second from the address", "10.0.0.1", app("10000017", "b@example.dk"), false},
		{"third from the address", "10.0.0.1", app("10000025", "c@example.dk"), true},
		{"second to a@, other address", "10.0.0.2", app("10000033", "A@example.dk"), false},
		{"third to a@", "10.0.0.3", app("10000041", "a@example.dk"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.orgs.ApplyFrom(ctx, tt.addr, tt.app)
			_, throttled := fault.OfKind(err, fault.Throttled)
			if throttled != tt.throttled || !throttled && tt.app.CVR != "24256791" && err != nil {
				t.Errorf("ApplyFrom: %v, want throttled %v", err, tt.throttled)
			}
		})
	}
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM organisation`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d organisations stored, want 3 (%v)", n, err)
	}
}
