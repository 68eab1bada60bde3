package app

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/support"
)

// cannedAuditor writes every change of a canned reply to the audit log in the change's
// transaction (support.WithCannedAudit): a shared reply is words every agent sends to
// citizens, so who changed it and when must be known.
type cannedAuditor struct{ log *audit.Log }

var cannedActions = map[support.CannedAction]audit.Action{
	support.CannedCreated: audit.ActionCannedCreated,
	support.CannedUpdated: audit.ActionCannedUpdated,
	support.CannedRetired: audit.ActionCannedRetired,
}

func (c cannedAuditor) change(ctx context.Context, tx pgx.Tx, e support.CannedEvent) error {
	return c.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: cannedActions[e.Action],
		Subject: "canned:" + strconv.FormatInt(e.ReplyID, 10),
		Detail:  map[string]any{"version": e.Version, "shared": e.Shared}})
}
