package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/identity"
)

// staffAuditor writes the audit entry of every look-up and change a member of staff makes to a
// citizen's MitID, from the activity identity records, in the same transaction
// (identity.Config.OnActivity): the action and its audit entry commit or roll back together,
// and no handler composes them.
type staffAuditor struct{ log *audit.Log }

// staffActions maps an activity made by staff to its audit action.
var staffActions = map[identity.ActivityKind]audit.Action{
	identity.ActivityLookupBySupport:   audit.ActionCitizenLookup,
	identity.ActivityMitIDBlocked:      audit.ActionBlockMitID,
	identity.ActivityMeansBlocked:      audit.ActionBlockMeans,
	identity.ActivityMitIDUnblocked:    audit.ActionLiftBlock,
	identity.ActivityActivationIssued:  audit.ActionIssueActivationCode,
	identity.ActivityTokenOrdered:      audit.ActionOrderToken,
	identity.ActivityVerifiedBySupport: audit.ActionVerifyCaller,
	identity.ActivityTokenSent:         audit.ActionSendToken,
}

// auditDetail lists the activity detail keys an audit entry keeps (never a secret).
var auditDetail = []string{"case", "via", "reason", "means_id", "means", "purpose", "expires", "result", "app_request_id",
	"assurance", "order", "serial"}

// alwaysAudited lists the activities audited whoever the actor is. Lifting a block is how a
// stolen MitID comes back (DESIGN.md §3.6), so every lift is in the audit log, also the one a
// citizen makes with a code from borgerservice, the identification app or support's letter.
var alwaysAudited = map[identity.ActivityKind]bool{identity.ActivityMitIDUnblocked: true}

func (s *staffAuditor) activity(ctx context.Context, tx pgx.Tx, a identity.Activity) error {
	actor := a.Actor
	if id, ok := strings.CutPrefix(a.Actor, "staff:"); ok {
		staffID, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			// Never let a staff action pass unaudited: refuse it instead.
			return fmt.Errorf("audit: staff actor %q", a.Actor)
		}
		actor = audit.Staff(staffID)
	} else if !alwaysAudited[a.Kind] {
		return nil
	}
	action, ok := staffActions[a.Kind]
	if a.Kind == identity.ActivityPasswordChanged && a.Detail["temporary"] == true {
		action, ok = audit.ActionIssueTemporaryPassword, true
	}
	if !ok {
		return nil
	}
	detail := map[string]any{}
	for _, k := range auditDetail {
		if v, ok := a.Detail[k]; ok {
			detail[k] = v
		}
	}
	if m, ok := detail["means"]; ok {
		detail["kind"] = m // the audit log's name for the means' kind
		delete(detail, "means")
	}
	return s.log.Append(ctx, tx, audit.Entry{Actor: actor, Action: action,
		Subject: audit.MitID(a.MitIDID), Detail: detail})
}

// both runs the hooks one after the other in the same transaction.
func both(hooks ...func(context.Context, pgx.Tx, identity.Activity) error) func(context.Context, pgx.Tx, identity.Activity) error {
	return func(ctx context.Context, tx pgx.Tx, a identity.Activity) error {
		for _, h := range hooks {
			if err := h(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	}
}
