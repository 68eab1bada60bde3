package app

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign/newsletter"
)

// newsAuditor writes the editors' newsletter actions (writing, changing and sending an issue)
// to the audit log in the action's transaction.
type newsAuditor struct{ log *audit.Log }

func (n newsAuditor) issue(ctx context.Context, tx pgx.Tx, e newsletter.Event) error {
	return n.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: "newsletter_issue:" + strconv.FormatInt(e.IssueID, 10), Detail: e.Detail})
}
