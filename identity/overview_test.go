package identity

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestOverviewAsSeparateReads: the overview's batch reads what MitID, Means, Letters.Unread,
// Orders.ForMitID and NemIDStatusOf read one by one: for a citizen selected for the NemID move
// with an unread letter, an order, a chip and a code display, and for one without any of it. An unknown MitID is
// ErrNotFound.
func TestOverviewAsSeparateReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, Config{})
	letters, orders := NewLetters(e.pool), NewOrders(e.store, OrdersConfig{})
	selected := e.selectedCitizen()
	if err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := letters.AddTx(ctx, tx, selected.CPR, "activation", "Din kode", []byte("%PDF"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := orders.Place(ctx, selected.ID, KindCodeDisplay, OrderFirst, 0, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	// Means of every column type the overview reads as records: a chip's bytes and
	// transports, a code display's serial and last use.
	if _, err := e.store.AddChip(ctx, selected.ID, "Nøgle", chip("key-overview"), ActorCitizen); err != nil {
		t.Fatal(err)
	}
	e.activeToken(selected.ID, KindCodeDisplay)
	plain, _ := e.mitid()
	for name, m := range map[string]MitID{"selected, a letter and an order": selected, "plain": plain} {
		t.Run(name, func(t *testing.T) {
			ov, err := e.store.Overview(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			var want Overview
			if want.MitID, err = e.store.MitID(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			if want.Means, err = e.store.Means(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			if want.Unread, err = letters.Unread(ctx, m.CPR); err != nil {
				t.Fatal(err)
			}
			if want.Orders, err = orders.ForMitID(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			want.NemID, err = e.store.NemIDStatusOf(ctx, m.ID)
			want.HasNemID = err == nil
			if m == selected && (want.Unread != 1 || len(want.Orders) != 1 || len(want.Means) != 3 || want.NemID.State != NemIDSelected) {
				t.Fatalf("set-up: %+v", want)
			}
			if !reflect.DeepEqual(ov, want) {
				t.Errorf("overview\n%+v\nread one by one\n%+v", ov, want)
			}
		})
	}
	if _, err := e.store.Overview(ctx, -1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown MitID: %v", err)
	}
}
