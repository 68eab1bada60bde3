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

// Overview reads the front page's data of one MitID in one statement: the MitID with its
// person's unread letters and NemID move, its means and its orders (the statements Means and
// Orders.ForMitID use, as arrays of records). A MitID that does not exist is ErrNotFound.
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

// overviewSQL reads the MitID whose ID is the SQL expression id (mitidColumns), the count of its
// person's unread letters, whether there is a person row, the person's NemID move (nemidColumns,
// NULL without one), and the MitID's live means and recent orders as arrays of records
// (authRow, Order.targets). The orders' period starts at $2.
func overviewSQL(id string) string {
	return `SELECT m.*, (SELECT count(*) FROM letter l WHERE l.cpr = m.cpr AND l.read_at IS NULL),
		p.cpr IS NOT NULL, ` + nemidColumns + `,
		array(` + liveMeansSQL("m.id", "row("+authenticatorColumns+")") + `),
		array(` + recentOrdersSQL("m.id", "row("+orderColumns+")") + `)
		FROM (SELECT ` + mitidColumns + ` FROM mitid WHERE id = ` + id + `) m LEFT JOIN person p ON p.cpr = m.cpr`
}

// QueueOverview queues Overview's statement into b for the MitID whose ID is the SQL expression
// idSQL, whose parameter is $1 = arg: "$1" and the ID itself, or an expression that finds the
// ID, such as the subject of the session a page's request loads in the same batch
// (session.Ref.SubjectIDSQL), which saves the page a round trip.
func (s *Store) QueueOverview(b *pgx.Batch, idSQL string, arg any) *PendingOverview {
	p := &PendingOverview{}
	ov := &p.ov
	b.Queue(overviewSQL(idSQL), arg, s.now().Add(-OrderPeriod)).QueryRow(func(row pgx.Row) error {
		var (
			person bool
			has    *bool
			r      nemidRow
			means  []record[authRow, *authRow]
			orders []record[Order, *Order]
		)
		m, err := scanMitID(row, &ov.Unread, &person, &has, &r.SelectedAt, &r.Deadline, &r.ExtendedAt, &r.ExtensionDays,
			&means, &orders)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ov.MitID, p.found = m, true
		if person {
			r.HasNemID = has != nil && *has
			ov.NemID, ov.HasNemID = nemidStatus(r, s.now()), true
		}
		ov.Means = make([]Authenticator, len(means))
		for i := range means {
			ov.Means[i] = means[i].row.authenticator()
		}
		ov.Orders = make([]Order, len(orders))
		for i := range orders {
			ov.Orders[i] = orders[i].row
		}
		return nil
	})
	return p
}

// record scans one record of an array of records (array(SELECT row(…))) into R, whose
// targets are the record's fields in order: the same targets that scan R from a row.
type record[R any, P interface {
	*R
	targets() []any
}] struct {
	row R
	t   []any
}

// ScanNull refuses a NULL record: the arrays it reads hold rows.
func (r *record[R, P]) ScanNull() error { return errors.New("record: NULL") }

// ScanIndex is the target of the record's field i (pgtype.CompositeIndexScanner).
func (r *record[R, P]) ScanIndex(i int) any {
	if r.t == nil {
		r.t = P(&r.row).targets()
	}
	return r.t[i]
}
