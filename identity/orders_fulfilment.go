package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Fulfilment: staff with the fulfilment role take the oldest orders first, pick a unit of the
// right kind from the inventory and send it; the citizen's activation closes the order.

// queueColumns are an order's columns with the person's name and address from the register.
const queueColumns = orderColumns + `, p.given_name || ' ' || p.family_name,
	p.address_line || ', ' || p.postcode || ' ' || p.city`

const queueFrom = ` FROM token_order o JOIN mitid m ON m.id = o.mitid_id JOIN person p ON p.cpr = m.cpr`

// MaxQueue bounds the orders one Queue call returns.
const MaxQueue = 500

// Queue returns the orders waiting to be sent, oldest first, with the person's name and address.
func (o *Orders) Queue(ctx context.Context) ([]Order, error) {
	rows, err := o.s.pool.Query(ctx, `SELECT `+queueColumns+queueFrom+`
		WHERE o.status = 'ordered' ORDER BY o.created_at, o.id LIMIT $1`, MaxQueue)
	if err != nil {
		return nil, fmt.Errorf("order queue: %w", err)
	}
	return collectQueued(rows)
}

func collectQueued(rows pgx.Rows) ([]Order, error) {
	var out []Order
	defer rows.Close()
	for rows.Next() {
		var name, addr string
		ord, err := scanOrder(rows, &name, &addr)
		if err != nil {
			return nil, fmt.Errorf("order queue: %w", err)
		}
		ord.Name, ord.Address = name, addr
		out = append(out, ord)
	}
	return out, rows.Err()
}

// Order returns one order with the person's name and address, or ErrNotFound.
func (o *Orders) Order(ctx context.Context, id int64) (Order, error) {
	rows, err := o.s.pool.Query(ctx, `SELECT `+queueColumns+queueFrom+` WHERE o.id = $1`, id)
	if err != nil {
		return Order{}, fmt.Errorf("order: %w", err)
	}
	list, err := collectQueued(rows)
	if err != nil {
		return Order{}, err
	}
	if len(list) == 0 {
		return Order{}, ErrNotFound
	}
	return list[0], nil
}

// InStock returns up to limit serials of units of kind in stock, the oldest first: those the
// fulfilment page offers.
func (o *Orders) InStock(ctx context.Context, kind Kind, limit int) ([]string, error) {
	rows, err := o.s.pool.Query(ctx, `SELECT serial FROM hw_token WHERE state = 'in_stock' AND kind = $1
		ORDER BY imported_at, serial LIMIT $2`, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("units in stock: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Send sends the unit with the typed serial (matched without regard to case, spaces and
// hyphens) for an order waiting to be sent: the unit must be in stock and of the order's kind.
// In one transaction the unit is marked sent to the MitID, a pending means is made for it, the
// order records the unit, the member of staff and the register's address, the letter with the
// serial goes into the letter box (OrdersConfig.Dispatch), and the activity entry is written,
// with the notification and the audit entry (Config.OnActivity).
func (o *Orders) Send(ctx context.Context, orderID int64, serial string, by StaffAct) (Order, error) {
	var ord Order
	err := db.Transact(ctx, o.s.pool, func(tx pgx.Tx) error {
		// The MitID's row lock first, then the order's, in the order Place, Cancel and the
		// activation take them, so that a cancelling at the same moment waits instead of
		// deadlocking.
		var mitidID int64
		err := tx.QueryRow(ctx, `SELECT mitid_id FROM token_order WHERE id = $1`, orderID).Scan(&mitidID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("send order: %w", err)
		}
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return err
			}
			return ErrOrderInactive
		}
		ord, err = scanOrder(tx.QueryRow(ctx, `SELECT `+orderColumns+` FROM token_order o WHERE o.id = $1 FOR UPDATE`, orderID))
		if err != nil {
			return fmt.Errorf("send order: %w", err)
		}
		if ord.Status != OrderOrdered {
			return ErrOrderNotOpen
		}
		u, err := o.s.tokens.unit(ctx, tx, serial, "FOR UPDATE")
		if errors.Is(err, ErrNotFound) {
			return ErrOrderUnit
		}
		if err != nil {
			return err
		}
		if u.State != "in_stock" || u.Kind != ord.Kind {
			return ErrOrderUnit
		}
		p, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person
			WHERE cpr = (SELECT cpr FROM mitid WHERE id = $1)`, ord.MitIDID))
		if err != nil {
			return fmt.Errorf("send order: person: %w", err)
		}
		now := o.s.now()
		if _, err := tx.Exec(ctx, `UPDATE hw_token SET state = 'sent', mitid_id = $2, updated_at = $3
			WHERE serial = $1`, u.Serial, ord.MitIDID, now); err != nil {
			return fmt.Errorf("send order: %w", err)
		}
		a, err := scanAuthenticator(tx.QueryRow(ctx, `
			INSERT INTO authenticator AS a (mitid_id, kind, status, token_serial) VALUES ($1, $2, 'pending', $3)
			RETURNING `+authenticatorColumns, ord.MitIDID, u.Kind, u.Serial))
		if err != nil {
			return fmt.Errorf("send order: %w", err)
		}
		ord, err = scanOrder(tx.QueryRow(ctx, `
			UPDATE token_order AS o SET status = 'sent', serial = $2, sent_at = $3, sent_by = $4, sent_to = $5
			WHERE o.id = $1 RETURNING `+orderColumns,
			ord.ID, u.Serial, now, by.StaffID, p.AddressLine+", "+p.Postcode+" "+p.City))
		if err != nil {
			return fmt.Errorf("send order: %w", err)
		}
		ord.Name, ord.Address = p.FullName(), ord.SentTo
		if o.dispatch != nil {
			if err := o.dispatch(ctx, tx, Shipment{Person: p, Order: ord}); err != nil {
				return err
			}
		}
		return o.s.record(ctx, tx, Activity{MitIDID: ord.MitIDID, Kind: ActivityTokenSent, Actor: by.Actor(),
			Detail: by.detail(map[string]any{"means": string(u.Kind), "means_id": a.ID, "serial": u.Serial, "order": ord.ID})})
	})
	return ord, err
}

// orderActivated closes the order of the unit serial, if it was sent to the MitID by an order,
// in the transaction that activates the unit (activateUnit); a unit that replaces a broken one
// retires that one now that the new one works.
func (s *Store) orderActivated(ctx context.Context, tx pgx.Tx, mitidID int64, serial, actor string) error {
	var (
		id       int64
		reason   OrderReason
		replaces *int64
	)
	err := tx.QueryRow(ctx, `
		UPDATE token_order SET status = 'activated', activated_at = $3
		WHERE serial = $1 AND mitid_id = $2 AND status = 'sent'
		RETURNING id, reason, replaces`, serial, mitidID, s.now()).Scan(&id, &reason, &replaces)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // a unit from stock, handed over in person
	}
	if err != nil {
		return fmt.Errorf("order activated: %w", err)
	}
	if reason != OrderBroken || replaces == nil {
		return nil
	}
	old, err := authenticatorTx(ctx, tx, mitidID, *replaces)
	if errors.Is(err, ErrNotFound) {
		return nil // removed meanwhile
	}
	if err != nil {
		return fmt.Errorf("order activated: replaced means: %w", err)
	}
	if err := s.setAuthStatus(ctx, tx, old, AuthRevoked); err != nil {
		return err
	}
	return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansRemoved, Actor: actor,
		Detail: map[string]any{"means": string(old.Kind), "means_id": old.ID, "label": old.Label, "order": id}})
}
