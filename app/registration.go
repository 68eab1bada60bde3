package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/identity"
)

// registrationActions maps a step of a registration in person to its audit action.
var registrationActions = map[identity.RegistrationStep]audit.Action{
	identity.StepLookup:   audit.ActionCitizenLookup,
	identity.StepDocument: audit.ActionDocumentCheck,
	identity.StepCode:     audit.ActionIssueActivationCode,
}

// registration writes the audit entry of a registration officer's step
// (identity.RegistrationConfig.Audit) in the step's transaction. A person without a MitID is
// named by CPR number: the entry must say whom the officer looked up or issued a code for.
func (s *staffAuditor) registration(ctx context.Context, tx pgx.Tx, r identity.RegistrationAudit) error {
	subject := "person:" + string(r.CPR)
	if r.MitIDID != 0 {
		subject = audit.MitID(r.MitIDID)
	}
	return s.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(r.StaffID), Action: registrationActions[r.Step],
		Subject: subject, Detail: r.Detail})
}
