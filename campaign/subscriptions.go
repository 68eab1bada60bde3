package campaign

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// EventSubscriptions is an admin's change of the packs an organisation subscribes to; its
// detail names the packs added and removed. It is audited in the organisation's history like
// every other change of its members.
const EventSubscriptions = "org_subscriptions_changed"

// Subscription is a pack and whether an organisation subscribes to it.
type Subscription struct {
	Pack       Pack
	Subscribed bool
}

// Subscriptions returns every pack, in their order, with whether organisation orgID subscribes
// to it, for byMitID, who must be an admin of that organisation.
func (o *Orgs) Subscriptions(ctx context.Context, orgID, byMitID int64) (Organisation, []Subscription, error) {
	var org Organisation
	var subs []Subscription
	err := pgx.BeginTxFunc(ctx, o.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if org, err = orgByID(ctx, tx, orgID); err != nil {
			return err
		}
		if err := requireAdmin(ctx, tx, orgID, byMitID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT `+packColumns+`, s.pack_id IS NOT NULL
			FROM pack p LEFT JOIN pack_subscription s ON s.pack_id = p.id AND s.organisation_id = $1
			ORDER BY p.position, p.id`, orgID)
		if err != nil {
			return fmt.Errorf("subscriptions: %w", err)
		}
		subs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Subscription, error) {
			var s Subscription
			p := &s.Pack
			err := row.Scan(&p.ID, &p.Slug, &p.Audience, &p.TitleDA, &p.TitleEN, &p.SummaryDA, &p.SummaryEN,
				&p.Position, &s.Subscribed)
			return s, err
		})
		return err
	})
	return org, subs, err
}

// Subscribe makes packIDs the packs organisation orgID subscribes to, as its admin byMitID;
// packs not named are unsubscribed. Unknown pack ids are ignored (a pack cannot be deleted,
// so only a forged form names one). The change is audited when something changed.
func (o *Orgs) Subscribe(ctx context.Context, orgID, byMitID int64, packIDs []int64) error {
	return db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		org, err := lockOrg(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := requireAdmin(ctx, tx, orgID, byMitID); err != nil {
			return err
		}
		if org.Status != OrgApproved {
			return ErrNotApproved
		}
		if packIDs == nil {
			packIDs = []int64{} // ANY(NULL) matches nothing, and NOT of it neither
		}
		var removed, added []int64
		err = tx.QueryRow(ctx, `
			WITH gone AS (
				DELETE FROM pack_subscription WHERE organisation_id = $1 AND NOT (pack_id = ANY($2))
				RETURNING pack_id),
			new AS (
				INSERT INTO pack_subscription (organisation_id, pack_id, created_at)
				SELECT $1, p.id, $3 FROM pack p WHERE p.id = ANY($2)
				ON CONFLICT DO NOTHING RETURNING pack_id)
			SELECT coalesce((SELECT array_agg(pack_id ORDER BY pack_id) FROM gone), '{}'),
			       coalesce((SELECT array_agg(pack_id ORDER BY pack_id) FROM new), '{}')`,
			orgID, packIDs, o.now()).Scan(&removed, &added)
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		if len(removed) == 0 && len(added) == 0 {
			return nil
		}
		return o.audit(ctx, tx, Event{Actor: mitidActor(byMitID), Action: EventSubscriptions, Org: org,
			Detail: map[string]any{"added": added, "removed": removed}})
	})
}
