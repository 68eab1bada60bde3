package app

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/mail"
)

// notifier writes the notification mail of a change to a MitID into the outbox, in the same
// transaction as the change (identity.Config.OnActivity): the citizen hears of every change of
// means, password, username and every block, and a change that rolls back sends nothing.
type notifier struct {
	outbox     *mail.Outbox
	catalog    *locales.Catalog
	baseURL    string
	blockPhone string
	loc        *time.Location
}

// notifying lists the activities that send a mail. Logins do not: they are in the activity log,
// and a mail per login would teach people to ignore these mails.
var notifying = map[identity.ActivityKind]bool{
	identity.ActivityMitIDCreated:    true,
	identity.ActivityPasswordChanged: true,
	identity.ActivityUsernameChanged: true,
	identity.ActivityMeansAdded:      true,
	identity.ActivityMeansRenamed:    true,
	identity.ActivityMeansBlocked:    true,
	identity.ActivityMeansUnblocked:  true,
	identity.ActivityMeansRemoved:    true,
	identity.ActivityMitIDBlocked:    true,
	identity.ActivityMeansLocked:     true,
	identity.ActivityAppPaired:       true,
	// Someone proved to be the citizen with the identification app: if it was not them, they
	// must hear of it before the code is used.
	identity.ActivityIdentifiedByApp: true,
	// Recovery and lifting a block (DESIGN.md §3.5, §3.6).
	identity.ActivityRecovered:      true,
	identity.ActivityMeansRevoked:   true,
	identity.ActivityMitIDUnblocked: true,
	// Ordering code devices: an order in the citizen's name, the unit on its way, a cancelling.
	identity.ActivityTokenOrdered:        true,
	identity.ActivityTokenSent:           true,
	identity.ActivityTokenOrderCancelled: true,
}

func (n *notifier) activity(ctx context.Context, tx pgx.Tx, a identity.Activity) error {
	if !notifying[a.Kind] {
		return nil
	}
	c, err := identity.ContactOf(ctx, tx, a.MitIDID)
	if err != nil {
		return err
	}
	if c.Email == "" {
		return nil // the register knows no address; the activity log still shows the change
	}
	at := a.At
	if at.IsZero() {
		at = time.Now()
	}
	data := map[string]any{
		"Name": c.GivenName, "Time": at.In(n.loc).Format("02.01.2006 15.04"),
		"URL": n.baseURL + "/mitid/aktivitet", "Phone": n.blockPhone,
	}
	// Danish first, then English, in one mail: the register does not know the language the
	// citizen prefers, and a security notice must be understood.
	da, en := n.catalog.For("da"), n.catalog.For("en")
	body := func(t *locales.Translator) string {
		d := map[string]any{"What": t.T(a.Kind.MsgID())}
		for k, v := range data {
			d[k] = v
		}
		return t.T("mail.change.body", d)
	}
	_, err = n.outbox.Enqueue(ctx, tx, mail.Message{
		To:      c.Email,
		Subject: da.T("mail.change.subject") + " / " + en.T("mail.change.subject"),
		Text:    body(da) + "\n\n----\n\n" + body(en),
		Kind:    "notification." + string(a.Kind),
	})
	if err != nil {
		return fmt.Errorf("notification of %s: %w", a.Kind, err)
	}
	return nil
}
