package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"mitidportal/app"
	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// TestSeedNemID: the demo citizen can log in (MitID with a code display), is selected with 18
// days left, is printed with the seed's output, and a second seed changes nothing.
func TestSeedNemID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t, apptest.Options{})
	var out bytes.Buffer
	env := &environment{stdout: &out}
	if err := seedNemID(ctx, env, app.Config{}, e.App); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{nemidDemoUsername, nemidDemoSerial, "18 days left"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	m, err := e.App.Identity.MitIDByUsername(ctx, nemidDemoUsername)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.App.Identity.NemIDStatusOf(ctx, m.ID)
	if err != nil || st.State != identity.NemIDSelected || st.DaysLeft != 18 || !st.CanExtend() {
		t.Fatalf("status %+v %v", st, err)
	}
	rows := func() (n int) {
		err := e.App.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM mitid)
			+ (SELECT count(*) FROM authenticator) + (SELECT count(*) FROM activity)`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	if err := seedNemID(ctx, env, app.Config{}, e.App); err != nil {
		t.Fatal(err)
	}
	if after := rows(); after != before {
		t.Errorf("the second seed added %d rows", after-before)
	}
	if again, _ := e.App.Identity.NemIDStatusOf(ctx, m.ID); !again.Deadline.Equal(st.Deadline) {
		t.Errorf("the second seed moved the deadline from %v to %v", st.Deadline, again.Deadline)
	}
}
