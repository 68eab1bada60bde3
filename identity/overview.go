package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Overview is what the self-service front page shows of one MitID.
type Overview struct {
	MitID MitID
	// Means are the MitID's means that are not revoked, oldest first.
	Means []Authenticator
	// Unread counts the unread letters to the MitID's person.
	Unread int
	// Orders are the open orders of a code display or chip and those of the last OrderPeriod.
	Orders []Order
	// NemID is the person's NemID transition; HasNemID is false when there is no person row.
	NemID    NemIDStatus
	HasNemID bool
}

// Overview reads the front page's data of one MitID in one round trip: the five reads of MitID,
// Means, Letters.Unread, Orders.ForMitID and NemIDStatusOf (the same statements where they
// take a MitID's ID) sent as one batch, which PostgreSQL
// runs in one implicit transaction (one snapshot). A MitID that does not exist is ErrNotFound.
func (s *Store) Overview(ctx context.Context, mitidID int64) (Overview, error) {
	b := &pgx.Batch{}
	p := s.QueueOverview(b, "$1", mitidID)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return Overview{}, fmt.Errorf("overview: %w", err)
	}
	ov, ok := p.Result()
	if !ok {
		return Overview{}, ErrNotFound
	}
	return ov, nil
}

// PendingOverview is an overview queued in a batch: its result once the batch has run.
type PendingOverview struct {
	ov    Overview
	found bool
}

// Result is the overview, and false when the MitID was not found (or the batch has not run).
func (p *PendingOverview) Result() (Overview, bool) { return p.ov, p.found }

// QueueOverview queues Overview's five reads into b for the MitID whose ID is the SQL
// expression idSQL, whose parameter is $1 = arg: "$1" and the ID itself, or an expression
// that finds the ID, such as the subject of the session a page's request loads in the same
// batch (session.Ref.SubjectIDSQL), which saves the page a round trip.
func (s *Store) QueueOverview(b *pgx.Batch, idSQL string, arg any) *PendingOverview {
	p := &PendingOverview{}
	ov := &p.ov
	b.Queue(`SELECT `+mitidColumns+` FROM mitid WHERE id = `+idSQL, arg).QueryRow(func(row pgx.Row) error {
		m, err := scanMitID(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		ov.MitID, p.found = m, err == nil
		return err
	})
	b.Queue(ofID(liveMeansQuery, idSQL), arg).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Authenticator, error) { return scanAuthenticator(row) })
		ov.Means = list
		return err
	})
	b.Queue(`SELECT count(*) FROM letter WHERE cpr = (SELECT cpr FROM mitid WHERE id = `+idSQL+`) AND read_at IS NULL`,
		arg).QueryRow(func(row pgx.Row) error { return row.Scan(&ov.Unread) })
	b.Queue(ofID(recentOrdersQuery, idSQL), arg, s.now().Add(-OrderPeriod)).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Order, error) { return scanOrder(row) })
		ov.Orders = list
		return err
	})
	b.Queue(ofID(nemidOfMitIDQuery, idSQL), arg).QueryRow(func(row pgx.Row) error {
		r, err := scanNemID(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err == nil {
			ov.NemID, ov.HasNemID = nemidStatus(r, s.now()), true
		}
		return err
	})
	return p
}

// ofID is query, which takes a MitID's ID as $1, with the ID given by the expression idSQL
// instead. The queries it rewrites have at most nine parameters, so "$1" is only ever $1
// (TestOverviewQueriesRewrite).
func ofID(query, idSQL string) string {
	if idSQL == "$1" {
		return query
	}
	return strings.ReplaceAll(query, "$1", idSQL)
}
