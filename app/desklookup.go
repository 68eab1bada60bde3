package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/identity"
	"mitidportal/support"
)

// deskLookup records the support desk's look-ups of citizens (support.LookupHook) in the
// transaction that read them: each MitID's activity log (and through identity's OnActivity the
// audit log), or, for a CPR number that found nobody, an audit entry without a subject. The
// number itself is never written.
func (a *App) deskLookup(ctx context.Context, tx pgx.Tx, l support.Lookup) error {
	if len(l.MitIDIDs) == 0 {
		d := map[string]any{"via": l.Via, "found": 0}
		if l.Case != "" {
			d["case"] = l.Case
		}
		return a.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(l.StaffID), Action: audit.ActionCitizenLookup, Detail: d})
	}
	by := identity.StaffAct{StaffID: l.StaffID, Case: l.Case}
	for _, id := range l.MitIDIDs {
		d := map[string]any{"via": l.Via}
		if l.Case != "" {
			d["case"] = l.Case
		}
		if err := a.Identity.RecordActivity(ctx, tx, identity.Activity{MitIDID: id,
			Kind: identity.ActivityLookupBySupport, Actor: by.Actor(), Detail: d}); err != nil {
			return err
		}
	}
	return nil
}
