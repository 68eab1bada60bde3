package identity

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// StaffAct is a member of staff acting on a citizen's MitID from the support desk, from a case
// or not. Every look-up and change made this way is an entry in the citizen's activity log
// with the case's reference, and Config.OnActivity (wired to the audit log) writes the audit
// entry in the same transaction: an action and its audit entry commit or roll back together.
type StaffAct struct {
	StaffID int64
	// Case is the reference of the support case the action is taken from, or "".
	Case string
}

// Actor is the activity log's actor of the act.
func (a StaffAct) Actor() string { return StaffActor(a.StaffID) }

func (a StaffAct) detail(d map[string]any) map[string]any {
	if d == nil {
		d = map[string]any{}
	}
	if a.Case != "" {
		d["case"] = a.Case
	}
	return d
}

// RecordLookup records that a member of staff looked the citizen up (the citizen card), via
// "id", "case", "cpr" or "username".
func (s *Store) RecordLookup(ctx context.Context, mitidID int64, by StaffAct, via string) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityLookupBySupport, Actor: by.Actor(),
			Detail: by.detail(map[string]any{"via": via})})
	})
}

// BlockMitIDByStaff blocks a whole MitID on the citizen's behalf (a phone call: no verification
// needed, a block protects) and ends its sessions, like BlockMitID.
func (s *Store) BlockMitIDByStaff(ctx context.Context, mitidID int64, reason BlockReason, by StaffAct) error {
	if _, err := ParseBlockReason(string(reason)); err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.blockMitID(ctx, tx, mitidID, reason, by.Actor(), by.detail(nil)); err != nil {
			return err
		}
		return s.endSessions(ctx, tx, mitidID, "")
	})
}

// BlockMeansByStaff blocks one means on the citizen's behalf and returns it as it was.
func (s *Store) BlockMeansByStaff(ctx context.Context, mitidID, meansID int64, reason BlockReason, by StaffAct) (Authenticator, error) {
	return s.blockAuthenticator(ctx, mitidID, meansID, reason, by.Actor(), by.detail(nil))
}

// IssueTemporaryPasswordByStaff issues a temporary password (IssueTemporaryPassword) for the
// agent to read out after verifying the caller, and returns it with its expiry.
func (s *Store) IssueTemporaryPasswordByStaff(ctx context.Context, mitidID int64, by StaffAct) (string, time.Time, error) {
	return s.issueTemporaryPassword(ctx, mitidID, by.Actor(), by.detail(nil), nil)
}

// RecordVerification records the answer the citizen gave in the app to support's question
// "are you on the phone with us?" (result "approved", "rejected" or "expired").
func (s *Store) RecordVerification(ctx context.Context, mitidID int64, by StaffAct, result string, appRequestID int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityVerifiedBySupport, Actor: by.Actor(),
			Detail: by.detail(map[string]any{"result": result, "app_request_id": appRequestID})})
	})
}
