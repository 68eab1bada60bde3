package app_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/mail"
)

// TestMeansUnblockedIsNotified: unblocking a means sends the citizen the change mail, naming it,
// in the unblocking transaction.
func TestMeansUnblockedIsNotified(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	var ids []int64
	for i := range 2 {
		serial := "NOTE" + strconv.FormatInt(m.ID, 10) + "-" + strconv.Itoa(i)
		secret := make([]byte, 20)
		_, _ = rand.Read(secret)
		if _, err := env.App.Tokens.Import(ctx, []identity.TokenSeed{{Serial: serial, Kind: identity.KindCodeDisplay, Secret: secret}}); err != nil {
			t.Fatal(err)
		}
		code, err := env.App.Tokens.Code(ctx, serial, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a, err := env.App.Identity.ActivateToken(ctx, m.ID, serial, code, identity.ActorCitizen)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if err := env.App.Identity.BlockAuthenticator(ctx, m.ID, ids[1], identity.BlockLost, identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Identity.UnblockAuthenticator(ctx, m.ID, ids[1], ids[0], identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	c, err := identity.ContactOf(ctx, env.App.Pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	mails, err := mail.Recent(ctx, env.App.Pool, c.Email, 1)
	if err != nil || len(mails) != 1 {
		t.Fatalf("mails: %v, %v", mails, err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	what := cat.For("da").T(identity.ActivityMeansUnblocked.MsgID())
	if mails[0].Kind != "notification.means_unblocked" || !strings.Contains(mails[0].Text, what) {
		t.Errorf("the last mail is %q and does not name %q:\n%s", mails[0].Kind, what, mails[0].Text)
	}
}
