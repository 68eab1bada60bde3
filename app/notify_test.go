package app_test

import (
	"context"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
)

// TestChangesAreNotifiedByMail changes a MitID through the identity store, as the pages do, and
// checks that each change put one mail in the outbox, in Danish and English, naming the change;
// the same store without a change sends nothing more.
func TestChangesAreNotifiedByMail(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	c, err := identity.ContactOf(ctx, env.App.Pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email == "" {
		t.Fatal("NewCitizen made a person without an e-mail address")
	}
	count := func() int {
		t.Helper()
		mails, err := mail.Recent(ctx, env.App.Pool, c.Email, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(mails)
	}
	before := count()
	if before != 1 {
		t.Errorf("%d mails after creating the MitID, want 1 (mitid_created)", before)
	}
	if err := env.App.Identity.ChangePassword(ctx, m.ID, "En helt ny og lang sætning 42", identity.ActorCitizen, ""); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Identity.ChangeUsername(ctx, m.ID, m.Username+"x", identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before+2 {
		t.Fatalf("%d mails after two changes, want %d", got, before+2)
	}
	mails, _ := mail.Recent(ctx, env.App.Pool, c.Email, 1)
	last := mails[0]
	for _, want := range []string{"Der er sket en ændring", "Your MitID has been changed", "brugernavn", "username"} {
		if !strings.Contains(last.Subject+last.Text, want) && !strings.Contains(strings.ToLower(last.Text), want) {
			t.Errorf("the mail lacks %q:\n%s\n%s", want, last.Subject, last.Text)
		}
	}
	if last.Kind != "notification.username_changed" {
		t.Errorf("mail kind %q", last.Kind)
	}
	// A refused change (a common password) changes nothing and sends nothing.
	if err := env.App.Identity.ChangePassword(ctx, m.ID, "password", identity.ActorCitizen, ""); err == nil {
		t.Fatal("a common password was accepted")
	}
	if got := count(); got != before+2 {
		t.Errorf("a refused change sent a mail: %d mails", got)
	}
}
