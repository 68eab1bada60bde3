package app

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign/site"
)

// siteAuditor writes every editor's change of the campaign site's pages and images to the
// audit log in the change's transaction.
type siteAuditor struct{ log *audit.Log }

func (s siteAuditor) event(ctx context.Context, tx pgx.Tx, e site.Event) error {
	subject := "site_page:" + strconv.FormatInt(e.PageID, 10)
	if e.PageID == 0 {
		subject = "site_image:" + strconv.FormatInt(e.ImageID, 10)
	}
	return s.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: subject, Detail: e.Detail})
}
