package app

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign"
)

// campaignAuditor writes every editor's change of packs and items, and every change of an
// organisation or its members, to the audit log in the change's transaction.
type campaignAuditor struct{ log *audit.Log }

func (c campaignAuditor) pack(ctx context.Context, tx pgx.Tx, e campaign.PackEvent) error {
	subject := "pack:" + strconv.FormatInt(e.PackID, 10)
	if e.ItemID != 0 {
		subject = "pack_item:" + strconv.FormatInt(e.ItemID, 10)
	}
	return c.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: subject, Detail: e.Detail})
}

func (c campaignAuditor) org(ctx context.Context, tx pgx.Tx, e campaign.Event) error {
	return c.log.Append(ctx, tx, audit.Entry{Actor: e.Actor, Action: audit.Action(e.Action),
		Subject: "organisation:" + strconv.FormatInt(e.Org.ID, 10), Detail: e.Detail})
}
