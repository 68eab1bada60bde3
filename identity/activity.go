package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ActivityKind says what happened to a MitID.
type ActivityKind string

// Activity kinds. The Detail keys each kind carries are listed beside it.
const (
	ActivityMitIDCreated      ActivityKind = "mitid_created"    // assurance
	ActivityLogin             ActivityKind = "login"            // service, level, means (kind), means_id
	ActivityLoginFailed       ActivityKind = "login_failed"     // service, means (kind)
	ActivityMeansLocked       ActivityKind = "means_locked"     // means (kind), means_id, cause
	ActivityPasswordChanged   ActivityKind = "password_changed" // (none)
	ActivityUsernameChanged   ActivityKind = "username_changed" // from, to
	ActivityMeansAdded        ActivityKind = "means_added"      // means (kind), means_id, label, serial (tokens)
	ActivityTokenOrdered      ActivityKind = "token_ordered"    // means (kind), order, order_reason; means_id, serial (OrderToken)
	ActivityMeansRenamed      ActivityKind = "means_renamed"    // means (kind), means_id, from, to
	ActivityMeansBlocked      ActivityKind = "means_blocked"    // means (kind), means_id, reason
	ActivityMeansUnblocked    ActivityKind = "means_unblocked"  // means (kind), means_id, used_means_id
	ActivityMeansRemoved      ActivityKind = "means_removed"    // means (kind), means_id, label
	ActivityMitIDBlocked      ActivityKind = "mitid_blocked"    // reason
	ActivityMitIDUnblocked    ActivityKind = "mitid_unblocked"  // via, assurance, reason (the block's)
	ActivityAppPaired         ActivityKind = "app_paired"       // means_id, device
	ActivityLookupBySupport   ActivityKind = "lookup_by_support"
	ActivityActivationIssued  ActivityKind = "activation_issued"   // purpose, expires, case (by support)
	ActivityVerifiedBySupport ActivityKind = "verified_by_support" // result, app_request_id, case
	// ActivityIdentifiedByApp: the identification app proved the person's identity and an
	// activation code at assurance high was handed over in the browser (identity/idapp).
	ActivityIdentifiedByApp ActivityKind = "identified_by_app" // purpose, hint, key_id, expires
	ActivityRecovered       ActivityKind = "recovered"         // assurance, via, lost_everything
	ActivityMeansRevoked    ActivityKind = "means_revoked"     // count, kinds (all means revoked at recovery)
	// Ordering code devices (orders.go).
	ActivityTokenSent           ActivityKind = "token_sent"            // means (kind), means_id, serial, order, case
	ActivityTokenOrderCancelled ActivityKind = "token_order_cancelled" // means (kind), order, serial
	// The one extension of a NemID deadline (nemid.go).
	ActivityNemIDExtended ActivityKind = "nemid_extended" // days, deadline and previous (yyyy-mm-dd)
)

// ActivityKinds lists every activity kind.
var ActivityKinds = []ActivityKind{
	ActivityMitIDCreated, ActivityLogin, ActivityLoginFailed, ActivityMeansLocked,
	ActivityPasswordChanged, ActivityUsernameChanged, ActivityMeansAdded, ActivityTokenOrdered, ActivityMeansRenamed,
	ActivityMeansBlocked, ActivityMeansRemoved, ActivityMitIDBlocked, ActivityMitIDUnblocked,
	ActivityAppPaired, ActivityLookupBySupport, ActivityActivationIssued, ActivityVerifiedBySupport,
	ActivityIdentifiedByApp,
	ActivityRecovered, ActivityMeansRevoked,
	ActivityTokenSent, ActivityTokenOrderCancelled,
	ActivityMeansUnblocked,
	ActivityNemIDExtended,
}

// MsgID is the message ID of the kind's display name.
func (k ActivityKind) MsgID() string { return "identity.activity." + string(k) }

// Activity is one entry of a MitID's activity log. Detail holds what the entry shows (never a
// secret); after a round trip through the database its numbers are float64, as JSON has them.
type Activity struct {
	ID      int64
	MitIDID int64
	At      time.Time
	Kind    ActivityKind
	// Actor is ActorCitizen, ActorSystem, ActorPublic or StaffActor(id).
	Actor  string
	Detail map[string]any
}

// record writes a into the log in tx and hands it, with ID and At filled in, to
// Config.OnActivity in the same transaction.
func (s *Store) record(ctx context.Context, tx pgx.Tx, a Activity) error {
	if a.Actor == "" {
		a.Actor = ActorSystem
	}
	if a.Detail == nil {
		a.Detail = map[string]any{}
	}
	detail, err := json.Marshal(a.Detail)
	if err != nil {
		return fmt.Errorf("activity detail: %w", err)
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO activity (mitid_id, at, kind, actor, detail) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, at`, a.MitIDID, s.now(), a.Kind, a.Actor, detail).Scan(&a.ID, &a.At)
	if err != nil {
		return fmt.Errorf("record activity: %w", err)
	}
	if s.onActivity != nil {
		if err := s.onActivity(ctx, tx, a); err != nil {
			return fmt.Errorf("on activity %s: %w", a.Kind, err)
		}
	}
	return nil
}

// RecordActivity writes an entry into a MitID's log from another part of the portal, such as
// the support desk looking the citizen up (ActivityLookupBySupport), in tx.
func (s *Store) RecordActivity(ctx context.Context, tx pgx.Tx, a Activity) error {
	return s.record(ctx, tx, a)
}

// MaxActivityPage bounds the limit of one Activity call.
const MaxActivityPage = 200

// Activity returns up to limit entries of a MitID's log, newest first, older than the entry
// beforeID (0: from the newest). The next page starts before the last entry's ID.
func (s *Store) Activity(ctx context.Context, mitidID, beforeID int64, limit int) ([]Activity, error) {
	limit = min(max(limit, 1), MaxActivityPage)
	rows, err := s.pool.Query(ctx, `
		SELECT id, mitid_id, at, kind, actor, detail FROM activity
		WHERE mitid_id = $1 AND ($2 = 0 OR id < $2)
		ORDER BY id DESC LIMIT $3`, mitidID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Activity, error) {
		var a Activity
		err := row.Scan(&a.ID, &a.MitIDID, &a.At, &a.Kind, &a.Actor, &a.Detail)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	return list, nil
}
