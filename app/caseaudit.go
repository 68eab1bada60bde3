package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/support"
)

// caseAudit writes a staff action on support cases (a merge, a link, a bulk change) to the
// audit log in the action's transaction (support.Hooks.Audit). a.Audit is set after the case
// store is built, and read only when an action runs.
func (a *App) caseAudit(ctx context.Context, tx pgx.Tx, act support.StaffAction) error {
	return a.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(act.StaffID), Action: audit.Action(act.Action),
		Subject: audit.Case(act.Ref), Detail: act.Detail})
}
