package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"mitidportal/campaign"
)

// TestSubscriptions: only an admin of the organisation chooses its packs; each change is
// audited with what was added and removed.
func TestSubscriptions(t *testing.T) {
	t.Parallel()
	e := newNoticeEnv(t)
	ctx := context.Background()
	a, b := e.pack(t, "a"), e.pack(t, "b")
	org, admin := e.org(t, false)
	other, otherAdmin := e.org(t, false)
	member := e.citizen(t)
	e.member(t, org, member, campaign.RoleMember, "da")

	subscribed := func() string {
		t.Helper()
		_, subs, err := e.orgs.Subscriptions(ctx, org, admin)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, sub := range subs {
			s += fmt.Sprintf("%s=%v ", sub.Pack.Slug, sub.Subscribed)
		}
		return s
	}
	for _, tc := range []struct {
		name string
		by   int64
		org  int64
	}{{"a member", member, org}, {"another organisation's admin", otherAdmin, org}, {"an admin, at another organisation", admin, other}} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.orgs.Subscribe(ctx, tc.org, tc.by, []int64{a.ID}); !errors.Is(err, campaign.ErrNotAdmin) {
				t.Errorf("Subscribe: %v", err)
			}
			if _, _, err := e.orgs.Subscriptions(ctx, tc.org, tc.by); !errors.Is(err, campaign.ErrNotAdmin) {
				t.Errorf("Subscriptions: %v", err)
			}
		})
	}
	e.env.events = nil
	steps := []struct {
		ids  []int64
		want string
	}{
		{[]int64{a.ID, b.ID, 99999}, "a=true b=true "},
		{[]int64{b.ID}, "a=false b=true "},
		{[]int64{b.ID}, "a=false b=true "},
		{nil, "a=false b=false "},
	}
	for i, st := range steps {
		if err := e.orgs.Subscribe(ctx, org, admin, st.ids); err != nil {
			t.Fatal(err)
		}
		if got := subscribed(); got != st.want {
			t.Errorf("step %d: %s, want %s", i, got, st.want)
		}
	}
	// Three changes: the repeated choice changed nothing and is not audited.
	var got []string
	for _, ev := range e.env.events {
		got = append(got, fmt.Sprintf("%s %s %v %v", ev.Action, ev.Actor, ev.Detail["added"], ev.Detail["removed"]))
	}
	want := []string{
		fmt.Sprintf("org_subscriptions_changed mitid:%d [%d %d] []", admin, a.ID, b.ID),
		fmt.Sprintf("org_subscriptions_changed mitid:%d [] [%d]", admin, a.ID),
		fmt.Sprintf("org_subscriptions_changed mitid:%d [] [%d]", admin, b.ID),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audited\n%v\nwant\n%v", got, want)
	}
}
