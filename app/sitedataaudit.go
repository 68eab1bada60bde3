package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign/sitedata"
)

// siteDataAuditor writes every editor's change of the campaign site's Q&A, brokers, timeline
// and page texts to the audit log in the change's transaction.
type siteDataAuditor struct{ log *audit.Log }

func (s siteDataAuditor) change(ctx context.Context, tx pgx.Tx, e sitedata.Event) error {
	return s.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: e.Subject, Detail: e.Detail})
}
