package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign"
)

// DemoOrgs returns organisations on the app's database, audited like a.Orgs, whose invitations
// go to invited instead of the mail: the demo seed makes its organisation's admin and member
// through the real approval and invitation flow and accepts the links itself.
func (a *App) DemoOrgs(invited func(campaign.Invitation)) *campaign.Orgs {
	auditor := campaignAuditor{log: a.Audit}
	orgs := campaign.NewOrgs(a.Pool, campaign.Hooks{Audit: auditor.org,
		Invite: func(_ context.Context, _ pgx.Tx, inv campaign.Invitation) error {
			invited(inv)
			return nil
		}})
	if a.cfg.Now != nil {
		orgs.SetClock(a.cfg.Now)
	}
	return orgs
}
