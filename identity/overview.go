package identity

import (
	"context"
	"errors"
	"fmt"

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
	var (
		ov    Overview
		found bool
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT `+mitidColumns+` FROM mitid WHERE id = $1`, mitidID).QueryRow(func(row pgx.Row) error {
		m, err := scanMitID(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		ov.MitID, found = m, err == nil
		return err
	})
	b.Queue(liveMeansQuery, mitidID).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Authenticator, error) { return scanAuthenticator(row) })
		ov.Means = list
		return err
	})
	b.Queue(`SELECT count(*) FROM letter WHERE cpr = (SELECT cpr FROM mitid WHERE id = $1) AND read_at IS NULL`,
		mitidID).QueryRow(func(row pgx.Row) error { return row.Scan(&ov.Unread) })
	b.Queue(recentOrdersQuery, mitidID, s.now().Add(-OrderPeriod)).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Order, error) { return scanOrder(row) })
		ov.Orders = list
		return err
	})
	b.Queue(nemidOfMitIDQuery, mitidID).QueryRow(func(row pgx.Row) error {
		r, err := scanNemID(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err == nil {
			ov.NemID, ov.HasNemID = nemidStatus(r, s.now()), true
		}
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return Overview{}, fmt.Errorf("overview: %w", err)
	}
	if !found {
		return Overview{}, ErrNotFound
	}
	return ov, nil
}
