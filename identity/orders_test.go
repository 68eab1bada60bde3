package identity

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/locales"
)

// ordersEnv is env with Orders whose letters are counted instead of rendered (the letter itself
// is the app's wiring, tested in the browser flow).
type ordersEnv struct {
	*env
	orders  *Orders
	mu      sync.Mutex
	shipped []Shipment
	staffID int64
}

func newOrdersEnv(t *testing.T) *ordersEnv {
	oe := &ordersEnv{env: newEnv(t, Config{})}
	oe.orders = NewOrders(oe.store, OrdersConfig{Dispatch: func(_ context.Context, _ pgx.Tx, sh Shipment) error {
		oe.mu.Lock()
		defer oe.mu.Unlock()
		oe.shipped = append(oe.shipped, sh)
		return nil
	}})
	oe.staffID = one[int64](t, oe.pool, `INSERT INTO staff_user (email, name, roles)
		VALUES ('pakke@styrelsen.dk', 'Pia Pakke', '{fulfilment}') RETURNING id`)
	return oe
}

func TestPlaceOrderRules(t *testing.T) {
	t.Parallel()
	e := newOrdersEnv(t)
	ctx := context.Background()
	m, serial := e.mitid()
	kv := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE token_serial = $1`, serial)
	pw := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
	_, otherSerial := e.mitid()
	othersKV := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE token_serial = $1`, otherSerial)

	tests := []struct {
		name     string
		kind     Kind
		reason   OrderReason
		replaces int64
		want     error
	}{
		{"not a token kind", KindChip, OrderFirst, 0, ErrOrderKind},
		{"unknown reason", KindCodeDisplay, "stolen", 0, ErrOrderReason},
		{"lost without the unit it replaces", KindCodeDisplay, OrderLost, 0, ErrOrderReplaces},
		{"replaces the password", KindCodeDisplay, OrderBroken, pw, ErrOrderReplaces},
		{"replaces someone else's unit", KindCodeDisplay, OrderBroken, othersKV, ErrOrderReplaces},
		{"first code display", KindCodeDisplay, OrderFirst, 0, nil},
		{"a second open code display", KindCodeDisplay, OrderBroken, kv, ErrOrderOpen},
		{"an audio reader beside it", KindAudioReader, OrderFirst, 0, nil},
		{"a second open audio reader", KindAudioReader, OrderFirst, 0, ErrOrderOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := e.orders.Place(ctx, m.ID, tt.kind, tt.reason, tt.replaces, ActorCitizen)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Place = %v, want %v", err, tt.want)
			}
			if err == nil && (o.Status != OrderOrdered || o.Kind != tt.kind || o.Replaces != 0) {
				t.Errorf("order %+v", o)
			}
		})
	}

	// The limit counts the period's orders; one cancelled before it was sent does not count.
	list, err := e.orders.ForMitID(ctx, m.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("ForMitID = %v, %v", list, err)
	}
	for _, o := range list {
		if err := e.orders.Cancel(ctx, m.ID, o.ID, ActorCitizen); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := e.orders.Usage(ctx, m.ID); u.Counted != 0 || u.Left() != MaxOrdersPerPeriod {
		t.Fatalf("usage after cancelling unsent orders: %+v", u)
	}
	e.exec(`INSERT INTO token_order (mitid_id, kind, reason, status, created_at, cancelled_at, sent_at, serial, sent_by, sent_to)
		VALUES ($1, 'code_display', 'first', 'cancelled', $2, $2, $2, NULL, NULL, NULL),
		       ($1, 'code_display', 'first', 'cancelled', $2, $2, $2, NULL, NULL, NULL)`, m.ID, e.clock.Now().Add(-24*time.Hour))
	e.exec(`INSERT INTO token_order (mitid_id, kind, reason, status, created_at, cancelled_at, sent_at)
		VALUES ($1, 'code_display', 'first', 'cancelled', $2, $2, $2)`, m.ID, e.clock.Now().Add(-OrderPeriod-time.Hour))
	if _, err := e.orders.Place(ctx, m.ID, KindCodeDisplay, OrderFirst, 0, ActorCitizen); err != nil {
		t.Fatalf("third order in the period: %v", err)
	}
	if _, err := e.orders.Place(ctx, m.ID, KindAudioReader, OrderFirst, 0, ActorCitizen); !errors.Is(err, ErrOrderLimit) {
		t.Fatalf("fourth order in the period: %v, want ErrOrderLimit", err)
	}
	if u, _ := e.orders.Usage(ctx, m.ID); u.Counted != 3 || u.Left() != 0 {
		t.Fatalf("usage at the limit: %+v", u)
	}
	// A year later the old orders no longer count.
	e.clock.Add(OrderPeriod)
	if _, err := e.orders.Place(ctx, m.ID, KindAudioReader, OrderFirst, 0, ActorCitizen); err != nil {
		t.Fatalf("an order a year later: %v", err)
	}
	// A blocked MitID orders nothing.
	if err := e.store.BlockMitID(ctx, m.ID, BlockOther, ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orders.Place(ctx, m.ID, KindCodeDisplay, OrderLost, kv, ActorCitizen); !errors.Is(err, ErrMitIDBlocked) {
		t.Fatalf("order of a blocked MitID: %v", err)
	}
}

// TestParallelOrders places 100 orders for one MitID at once: the count under the MitID's row
// lock lets exactly the allowed number through, whatever the interleaving.
func TestParallelOrders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		earlier int // orders already counted in the period
		want    int
	}{
		{"one open order per kind", 0, 2},
		{"the period's limit", MaxOrdersPerPeriod - 1, 1},
		{"the limit reached", MaxOrdersPerPeriod, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOrdersEnv(t)
			m := e.bareMitID()
			for range tt.earlier {
				e.exec(`INSERT INTO token_order (mitid_id, kind, reason, status, created_at, cancelled_at, sent_at)
					VALUES ($1, 'code_display', 'first', 'cancelled', $2, $2, $2)`, m.ID, e.clock.Now().Add(-time.Hour))
			}
			// Every connection of the pool open first, and every order released at once: a pool
			// that opens its connections one by one while the orders wait would run them in
			// turn, and the test would pass without the lock.
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() { e.exec(`SELECT pg_sleep(0.05)`) })
			}
			wg.Wait()
			start := make(chan struct{})
			errs := make(chan error, 100)
			for i := range 100 {
				kind := []Kind{KindCodeDisplay, KindAudioReader}[i%2]
				wg.Go(func() {
					<-start
					_, err := e.orders.Place(context.Background(), m.ID, kind, OrderFirst, 0, ActorCitizen)
					errs <- err
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			placed := 0
			for err := range errs {
				switch {
				case err == nil:
					placed++
				case !errors.Is(err, ErrOrderOpen) && !errors.Is(err, ErrOrderLimit):
					t.Errorf("unexpected error: %v", err)
				}
			}
			stored := one[int](t, e.pool, `SELECT count(*) FROM token_order WHERE mitid_id = $1 AND status = 'ordered'`, m.ID)
			if placed != tt.want || stored != tt.want {
				t.Fatalf("placed %d, stored %d, want %d", placed, stored, tt.want)
			}
		})
	}
}

func TestLostOrderBlocksTheOldUnitAtOnce(t *testing.T) {
	t.Parallel()
	e := newOrdersEnv(t)
	ctx := context.Background()
	m, serial := e.mitid()
	kv := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE token_serial = $1`, serial)
	if _, err := e.orders.Place(ctx, m.ID, KindCodeDisplay, OrderLost, kv, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE id = $1`, kv); st != "blocked" {
		t.Errorf("lost means: %s, want blocked", st)
	}
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, serial); st != "blocked" {
		t.Errorf("lost unit: %s, want blocked", st)
	}
	kinds := activityKinds(t, e.store, m.ID)
	if kinds[0] != ActivityTokenOrdered || kinds[1] != ActivityMeansBlocked {
		t.Errorf("activity %v", kinds[:2])
	}
	// The blocked unit's code no longer logs in.
	e.clock.Add(30 * time.Second)
	if _, err := e.store.ActivateToken(ctx, m.ID, serial, e.code(serial), ActorCitizen); !errors.Is(err, ErrTokenUnusable) {
		t.Errorf("the lost unit activates again: %v", err)
	}
}

func TestSendAndActivate(t *testing.T) {
	t.Parallel()
	e := newOrdersEnv(t)
	ctx := context.Background()
	by := StaffAct{StaffID: e.staffID}
	m, oldSerial := e.mitid()
	oldKV := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE token_serial = $1`, oldSerial)
	ord, err := e.orders.Place(ctx, m.ID, KindCodeDisplay, OrderBroken, oldKV, ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	reader := e.importToken(KindAudioReader)
	unit := e.importToken(KindCodeDisplay) // T000nnn
	other := e.bareMitID()
	elsewhere := e.importToken(KindCodeDisplay)
	e.exec(`UPDATE hw_token SET state = 'sent', mitid_id = $2 WHERE serial = $1`, elsewhere, other.ID)

	q, err := e.orders.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].ID != ord.ID || q[0].Name == "" || !strings.Contains(q[0].Address, ",") {
		t.Fatalf("Queue = %+v, %v", q, err)
	}
	// "t 000-123" for T000123: lower case, a space and a hyphen.
	typed := strings.ToLower(unit[:1]) + " " + unit[1:4] + "-" + unit[4:]
	tests := []struct {
		name   string
		serial string
		want   error
	}{
		{"unknown serial", "NOPE-1", ErrOrderUnit},
		{"a unit of another kind", reader, ErrOrderUnit},
		{"a unit sent to someone else", elsewhere, ErrOrderUnit},
		{"the old unit", oldSerial, ErrOrderUnit},
		{"typed in lower case with spaces", typed, nil},
		{"sent already", unit, ErrOrderNotOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.orders.Send(ctx, ord.ID, tt.serial, by)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Send = %v, want %v", err, tt.want)
			}
			if err == nil && (got.Status != OrderSent || got.Serial != unit || got.SentBy != e.staffID || got.SentTo == "") {
				t.Errorf("sent order %+v", got)
			}
		})
	}
	if len(e.shipped) != 1 || e.shipped[0].Order.Serial != unit || e.shipped[0].Person.CPR != m.CPR {
		t.Fatalf("letters: %+v", e.shipped)
	}
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, unit); st != "sent" {
		t.Errorf("sent unit: %s", st)
	}
	if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE token_serial = $1`, unit); st != "pending" {
		t.Errorf("sent unit's means: %s", st)
	}
	if k := activityKinds(t, e.store, m.ID)[0]; k != ActivityTokenSent {
		t.Errorf("last activity %s", k)
	}
	if q, _ := e.orders.Queue(ctx); len(q) != 0 {
		t.Errorf("the sent order is still queued: %+v", q)
	}
	// The broken unit works until the new one is activated, typed as loosely as staff did.
	if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE id = $1`, oldKV); st != "active" {
		t.Errorf("broken unit before activation: %s", st)
	}
	e.clock.Add(30 * time.Second)
	if _, err := e.store.ActivateToken(ctx, m.ID, typed, e.code(unit), ActorCitizen); err != nil {
		t.Fatal(err)
	}
	got, err := e.orders.Order(ctx, ord.ID)
	if err != nil || got.Status != OrderActivated || got.ActivatedAt == nil {
		t.Fatalf("order after activation: %+v, %v", got, err)
	}
	if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE id = $1`, oldKV); st != "revoked" {
		t.Errorf("broken means after activation: %s, want revoked", st)
	}
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, oldSerial); st != "retired" {
		t.Errorf("broken unit after activation: %s, want retired", st)
	}
	if err := e.orders.Cancel(ctx, m.ID, ord.ID, ActorCitizen); !errors.Is(err, ErrOrderNotOpen) {
		t.Errorf("cancelling an activated order: %v", err)
	}
}

func TestCancelSentOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		blocked bool // the citizen blocked the unit's pending means before cancelling
	}{
		{"pending unit", false},
		{"unit blocked meanwhile", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOrdersEnv(t)
			ctx := context.Background()
			m := e.bareMitID()
			other := e.bareMitID()
			ord, err := e.orders.Place(ctx, m.ID, KindAudioReader, OrderFirst, 0, ActorCitizen)
			if err != nil {
				t.Fatal(err)
			}
			unit := e.importToken(KindAudioReader)
			if _, err := e.orders.Send(ctx, ord.ID, unit, StaffAct{StaffID: e.staffID}); err != nil {
				t.Fatal(err)
			}
			if tt.blocked {
				id := one[int64](t, e.pool, `SELECT id FROM authenticator WHERE token_serial = $1`, unit)
				if err := e.store.BlockAuthenticator(ctx, m.ID, id, BlockLost, ActorCitizen); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.orders.Cancel(ctx, other.ID, ord.ID, ActorCitizen); !errors.Is(err, ErrNotFound) {
				t.Fatalf("cancelling someone else's order: %v", err)
			}
			if err := e.orders.Cancel(ctx, m.ID, ord.ID, ActorCitizen); err != nil {
				t.Fatal(err)
			}
			if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, unit); st != "retired" {
				t.Errorf("unit of a cancelled sent order: %s, want retired", st)
			}
			if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE token_serial = $1`, unit); st != "revoked" {
				t.Errorf("means of a cancelled sent order: %s, want revoked", st)
			}
			// Sent, then cancelled: it still counts against the limit.
			if u, _ := e.orders.Usage(ctx, m.ID); u.Counted != 1 || len(u.OpenKinds) != 0 {
				t.Errorf("usage %+v", u)
			}
			if err := e.orders.Cancel(ctx, m.ID, ord.ID, ActorCitizen); !errors.Is(err, ErrOrderNotOpen) {
				t.Errorf("cancelling twice: %v", err)
			}
		})
	}
}

func TestOrderMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range OrderMessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}

// TestParallelSends sends one unit for 20 orders at once: the unit's row lock lets exactly one
// order have it, and the others are told it is not in stock.
func TestParallelSends(t *testing.T) {
	t.Parallel()
	e := newOrdersEnv(t)
	ctx := context.Background()
	unit := e.importToken(KindCodeDisplay)
	var ids []int64
	for range 20 {
		o, err := e.orders.Place(ctx, e.bareMitID().ID, KindCodeDisplay, OrderFirst, 0, ActorCitizen)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { e.exec(`SELECT pg_sleep(0.05)`) })
	}
	wg.Wait()
	start := make(chan struct{})
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Go(func() {
			<-start
			_, err := e.orders.Send(ctx, id, unit, StaffAct{StaffID: e.staffID})
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	sent := 0
	for err := range errs {
		switch {
		case err == nil:
			sent++
		case !errors.Is(err, ErrOrderUnit):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM authenticator WHERE token_serial = $1`, unit); sent != 1 || n != 1 {
		t.Fatalf("%d sends, %d means for the unit; want 1", sent, n)
	}
}
