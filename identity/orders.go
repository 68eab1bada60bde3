package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// Ordering a code display or audio code reader (DESIGN.md §3.3): the citizen orders one (Place),
// staff with the fulfilment role send a unit from the inventory to the CPR address (Send, in
// orders_fulfilment.go), and the citizen activates it with ActivateToken, which marks the order
// activated.

// OrderReason says why a unit is ordered.
type OrderReason string

// Order reasons. A lost unit is blocked the moment the new one is ordered; a broken one keeps
// working until the new one is activated, and is retired then.
const (
	OrderFirst  OrderReason = "first"
	OrderLost   OrderReason = "lost"
	OrderBroken OrderReason = "broken"
)

// OrderReasons lists the reasons in the order a form offers them.
var OrderReasons = []OrderReason{OrderFirst, OrderLost, OrderBroken}

// MsgID is the message ID of the reason's display name.
func (r OrderReason) MsgID() string { return "orders.reason." + string(r) }

// ParseOrderReason reads a reason from a form; anything else is ErrOrderReason.
func ParseOrderReason(s string) (OrderReason, error) {
	for _, r := range OrderReasons {
		if string(r) == strings.TrimSpace(s) {
			return r, nil
		}
	}
	return "", ErrOrderReason
}

// OrderStatus is where an order is.
type OrderStatus string

// Order statuses. Ordered and sent orders are open.
const (
	OrderOrdered   OrderStatus = "ordered"
	OrderSent      OrderStatus = "sent"
	OrderActivated OrderStatus = "activated"
	OrderCancelled OrderStatus = "cancelled"
)

// MsgID is the message ID of the status's display name.
func (s OrderStatus) MsgID() string { return "orders.status." + string(s) }

// Open reports whether the order is still on its way.
func (s OrderStatus) Open() bool { return s == OrderOrdered || s == OrderSent }

// The order limit: a unit costs money and its letter goes by post, so a MitID may have at most
// MaxOrdersPerPeriod orders within OrderPeriod (an order cancelled before it was sent does not
// count) and one open order of each kind.
const (
	MaxOrdersPerPeriod = 3
	OrderPeriod        = 365 * 24 * time.Hour
)

// LetterTokenSent is the kind of the letter that goes with a sent unit.
const LetterTokenSent = "token_sent"

// Errors of ordering and fulfilment.
var (
	ErrOrderKind     = fault.New("identity", fault.Invalid, "orders.err.kind")
	ErrOrderReason   = fault.New("identity", fault.Invalid, "orders.err.reason")
	ErrOrderReplaces = fault.New("identity", fault.Invalid, "orders.err.replaces")
	ErrOrderLimit    = fault.New("identity", fault.Conflict, "orders.err.limit")
	ErrOrderOpen     = fault.New("identity", fault.Conflict, "orders.err.open")
	ErrOrderNotOpen  = fault.New("identity", fault.Conflict, "orders.err.not_open")
	ErrOrderUnit     = fault.New("identity", fault.Invalid, "orders.err.unit")
	ErrOrderInactive = fault.New("identity", fault.Conflict, "orders.err.mitid_inactive")
)

// OrderMessageIDs lists the message IDs of ordering: its errors, reasons and statuses.
func OrderMessageIDs() []string {
	ids := []string{}
	for _, e := range []*Error{ErrOrderKind, ErrOrderReason, ErrOrderReplaces, ErrOrderLimit,
		ErrOrderOpen, ErrOrderNotOpen, ErrOrderUnit, ErrOrderInactive} {
		ids = append(ids, e.MsgID)
	}
	for _, r := range OrderReasons {
		ids = append(ids, r.MsgID())
	}
	for _, s := range []OrderStatus{OrderOrdered, OrderSent, OrderActivated, OrderCancelled} {
		ids = append(ids, s.MsgID())
	}
	return ids
}

// Order is one order of a unit.
type Order struct {
	ID      int64
	MitIDID int64
	Kind    Kind
	Reason  OrderReason
	Status  OrderStatus
	// Replaces is the means a lost or broken unit replaces; 0 for a first unit.
	Replaces    int64
	CreatedAt   time.Time
	SentAt      *time.Time
	ActivatedAt *time.Time
	CancelledAt *time.Time
	// Serial, SentBy (a staff ID) and SentTo (the address) are set once the unit is sent.
	Serial string
	SentBy int64
	SentTo string
	// Name and Address are the person's from the register (Queue and Order only).
	Name, Address string
}

const orderColumns = `o.id, o.mitid_id, o.kind, o.reason, o.status, coalesce(o.replaces, 0), o.created_at,
	o.sent_at, o.activated_at, o.cancelled_at, coalesce(o.serial, ''), coalesce(o.sent_by, 0), coalesce(o.sent_to, '')`

func scanOrder(row pgx.Row, more ...any) (Order, error) {
	var o Order
	err := row.Scan(append(o.targets(), more...)...)
	return o, err
}

// targets are the scan targets of orderColumns, in order.
func (o *Order) targets() []any {
	return []any{&o.ID, &o.MitIDID, &o.Kind, &o.Reason, &o.Status, &o.Replaces, &o.CreatedAt,
		&o.SentAt, &o.ActivatedAt, &o.CancelledAt, &o.Serial, &o.SentBy, &o.SentTo}
}

// Shipment is a unit on its way: the order as sent and the person it goes to.
type Shipment struct {
	Person Person
	Order  Order
}

// OrdersConfig holds what Orders needs besides the Store.
type OrdersConfig struct {
	// Dispatch, when set, puts the letter with the serial in the person's letter box in the
	// transaction that sends the unit; an error sends nothing.
	Dispatch func(ctx context.Context, tx pgx.Tx, sh Shipment) error
}

// Orders are the orders of code displays and audio code readers. Its changes are changes of a
// MitID, so it records them in the Store's activity log (and through it the notification and,
// for staff, the audit entry) in the same transaction.
type Orders struct {
	s        *Store
	dispatch func(ctx context.Context, tx pgx.Tx, sh Shipment) error
}

// NewOrders returns the orders kept beside s.
func NewOrders(s *Store, cfg OrdersConfig) *Orders {
	return &Orders{s: s, dispatch: cfg.Dispatch}
}

// OrderUsage is how much of the order limit a MitID has used.
type OrderUsage struct {
	// Counted is the number of orders within OrderPeriod that count against the limit.
	Counted int
	// OpenKinds are the kinds with an open order.
	OpenKinds []Kind
}

// Left is the number of orders the MitID may still place in the period.
func (u OrderUsage) Left() int { return max(0, MaxOrdersPerPeriod-u.Counted) }

// usage counts a MitID's orders in one statement: the rule of what counts is written here only.
func (o *Orders) usage(ctx context.Context, q Querier, mitidID int64) (OrderUsage, error) {
	var u OrderUsage
	var open []string
	err := q.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE created_at > $2 AND (status <> 'cancelled' OR sent_at IS NOT NULL)),
		       coalesce(array_agg(DISTINCT kind) FILTER (WHERE status IN ('ordered', 'sent')), '{}')
		FROM token_order WHERE mitid_id = $1`, mitidID, o.s.now().Add(-OrderPeriod)).Scan(&u.Counted, &open)
	if err != nil {
		return u, fmt.Errorf("order usage: %w", err)
	}
	for _, k := range open {
		u.OpenKinds = append(u.OpenKinds, Kind(k))
	}
	return u, nil
}

// Usage returns how much of the order limit the MitID has used.
func (o *Orders) Usage(ctx context.Context, mitidID int64) (OrderUsage, error) {
	return o.usage(ctx, o.s.pool, mitidID)
}

// Place orders a unit of kind for an active MitID, to be sent to the person's address in the
// register. A lost or broken unit names the means it replaces (replaces, a code display or
// audio code reader of this MitID that is not removed); a lost one is blocked at once, in the
// same transaction. The count against the limit is taken under the MitID's row lock, so that
// parallel orders cannot pass it together: ErrOrderOpen for a second open order of a kind,
// ErrOrderLimit past MaxOrdersPerPeriod.
func (o *Orders) Place(ctx context.Context, mitidID int64, kind Kind, reason OrderReason, replaces int64, actor string) (Order, error) {
	if !kind.IsToken() {
		return Order{}, ErrOrderKind
	}
	if _, err := ParseOrderReason(string(reason)); err != nil {
		return Order{}, err
	}
	if reason == OrderFirst {
		replaces = 0
	} else if replaces == 0 {
		return Order{}, ErrOrderReplaces
	}
	var ord Order
	err := db.Transact(ctx, o.s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		u, err := o.usage(ctx, tx, mitidID)
		if err != nil {
			return err
		}
		for _, k := range u.OpenKinds {
			if k == kind {
				return ErrOrderOpen
			}
		}
		if u.Counted >= MaxOrdersPerPeriod {
			return ErrOrderLimit
		}
		var old Authenticator
		if replaces != 0 {
			old, err = authenticatorTx(ctx, tx, mitidID, replaces)
			if errors.Is(err, ErrNotFound) || err == nil && (!old.Kind.IsToken() || old.Status == AuthRevoked) {
				return ErrOrderReplaces
			}
			if err != nil {
				return err
			}
		}
		var rep *int64
		if replaces != 0 {
			rep = &replaces
		}
		ord, err = scanOrder(tx.QueryRow(ctx, `
			INSERT INTO token_order AS o (mitid_id, kind, reason, replaces, created_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+orderColumns, mitidID, kind, reason, rep, o.s.now()))
		if err != nil {
			return fmt.Errorf("place order: %w", err)
		}
		if reason == OrderLost && old.Status != AuthBlocked {
			if err := o.s.setAuthStatus(ctx, tx, old, AuthBlocked); err != nil {
				return err
			}
			if err := o.s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansBlocked, Actor: actor,
				Detail: map[string]any{"means": string(old.Kind), "means_id": old.ID, "reason": string(BlockLost),
					"order": ord.ID}}); err != nil {
				return err
			}
		}
		return o.s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityTokenOrdered, Actor: actor,
			Detail: map[string]any{"means": string(kind), "order": ord.ID, "order_reason": string(reason)}})
	})
	return ord, err
}

// recentOrdersQuery reads MitID $1's open orders and those created after $2, newest first.
var recentOrdersQuery = recentOrdersSQL("$1", orderColumns)

// recentOrdersSQL is recentOrdersQuery for the MitID whose ID is the SQL expression id, which
// may use $1 but no other parameter, selecting cols: orderColumns, or one record of them (the
// overview reads them as an array).
func recentOrdersSQL(id, cols string) string {
	return `SELECT ` + cols + ` FROM token_order o
		WHERE o.mitid_id = ` + id + ` AND (o.status IN ('ordered', 'sent') OR o.created_at > $2)
		ORDER BY o.created_at DESC, o.id DESC LIMIT 20`
}

// ForMitID returns the MitID's open orders and those of the last OrderPeriod, newest first.
func (o *Orders) ForMitID(ctx context.Context, mitidID int64) ([]Order, error) {
	rows, err := o.s.pool.Query(ctx, recentOrdersQuery, mitidID, o.s.now().Add(-OrderPeriod))
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Order, error) { return scanOrder(row) })
}

// Cancel cancels an open order of the MitID. A unit already sent is retired with its pending
// means: it has left our hands and is never handed out again. A lost unit stays blocked.
func (o *Orders) Cancel(ctx context.Context, mitidID, orderID int64, actor string) error {
	return db.Transact(ctx, o.s.pool, func(tx pgx.Tx) error {
		if _, err := lockMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		ord, err := scanOrder(tx.QueryRow(ctx, `SELECT `+orderColumns+` FROM token_order o
			WHERE o.id = $1 AND o.mitid_id = $2 FOR UPDATE`, orderID, mitidID))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("cancel order: %w", err)
		}
		if !ord.Status.Open() {
			return ErrOrderNotOpen
		}
		if ord.Status == OrderSent {
			// Its means is pending, or blocked if the citizen blocked it meanwhile.
			sent, err := scanAuthenticator(tx.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
				WHERE a.token_serial = $1 AND a.mitid_id = $2 AND a.status <> 'revoked'`, ord.Serial, mitidID))
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return fmt.Errorf("cancel order: sent means: %w", err)
			default:
				if err := o.s.setAuthStatus(ctx, tx, sent, AuthRevoked); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE token_order SET status = 'cancelled', cancelled_at = $2 WHERE id = $1`,
			ord.ID, o.s.now()); err != nil {
			return fmt.Errorf("cancel order: %w", err)
		}
		return o.s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityTokenOrderCancelled, Actor: actor,
			Detail: map[string]any{"means": string(ord.Kind), "order": ord.ID, "serial": ord.Serial}})
	})
}
