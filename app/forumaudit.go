package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign/forum"
)

// forumAuditor writes every campaign editor's change of the forum (meetings, their files and
// status, the plan's activities, input questions) to the audit log in the change's transaction.
type forumAuditor struct{ log *audit.Log }

func (f forumAuditor) change(ctx context.Context, tx pgx.Tx, e forum.Event) error {
	return f.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: e.Subject, Detail: e.Detail})
}
