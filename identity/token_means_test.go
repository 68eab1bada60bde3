package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestActivateToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.bareMitID()
	other := e.bareMitID()

	ordered, err := e.store.OrderToken(ctx, m.ID, KindAudioReader, ActorCitizen)
	if !errors.Is(err, ErrTokenOutOfStock) {
		t.Fatalf("ordering from an empty stock: %v, %v", ordered, err)
	}
	stock := e.importToken(KindCodeDisplay)
	reader := e.importToken(KindAudioReader)
	ordered, err = e.store.OrderToken(ctx, m.ID, KindAudioReader, ActorCitizen)
	if err != nil || ordered.TokenSerial != reader || ordered.Status != AuthPending {
		t.Fatalf("OrderToken = %+v, %v", ordered, err)
	}
	sentElsewhere := e.importToken(KindCodeDisplay)
	if _, err := e.store.OrderToken(ctx, other.ID, KindCodeDisplay, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	// OrderToken took the oldest unit in stock of that kind: stock, so sentElsewhere stays.
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, stock); st != "sent" {
		t.Fatalf("ordered unit: %s", st)
	}
	e.exec(`UPDATE hw_token SET state = 'in_stock', mitid_id = NULL WHERE serial = $1`, stock)
	e.exec(`UPDATE authenticator SET status = 'revoked' WHERE token_serial = $1`, stock)
	e.exec(`UPDATE hw_token SET state = 'sent', mitid_id = $2 WHERE serial = $1`, sentElsewhere, other.ID)

	tests := []struct {
		name   string
		serial string
		code   func(serial string) string
		want   error
	}{
		{"unknown serial", "NOPE", func(string) string { return "123456" }, ErrTokenUnusable},
		{"sent to someone else", sentElsewhere, e.code, ErrTokenUnusable},
		{"wrong code", stock, e.wrongCode, ErrCodeWrong},
		{"unit from stock", stock, e.code, nil},
		{"already active", stock, e.code, ErrTokenUnusable},
		{"ordered unit", " " + reader + " ", e.code, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Add(30e9)
			a, err := e.store.ActivateToken(ctx, m.ID, tt.serial, tt.code(trim(tt.serial)), ActorCitizen)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ActivateToken = %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if a.Status != AuthActive || a.TokenSerial != trim(tt.serial) || a.MitIDID != m.ID {
				t.Errorf("activated %+v", a)
			}
			if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, a.TokenSerial); st != "active" {
				t.Errorf("unit state %s", st)
			}
		})
	}
	// The ordered unit's pending means became the active one: no second row.
	if n := one[int](t, e.pool, `SELECT count(*) FROM authenticator WHERE token_serial = $1`, reader); n != 1 {
		t.Errorf("%d means for the ordered unit", n)
	}
	// Failures counted: unknown, elsewhere, wrong code, already active.
	if n := one[int](t, e.pool, `SELECT count FROM throttle_counter WHERE key = $1`,
		ThrottleKey(ThrottleActivation, "mitid:"+itoa(m.ID))); n != 4 {
		t.Errorf("%d activation failures counted, want 4", n)
	}
	for range 6 {
		_, _ = e.store.ActivateToken(ctx, m.ID, "NOPE", "000000", ActorCitizen)
	}
	if _, err := e.store.ActivateToken(ctx, m.ID, "NOPE", "000000", ActorCitizen); !errors.Is(err, ErrThrottled) {
		t.Errorf("after 10 failures: %v, want throttled", err)
	}
	if err := e.store.BlockMitID(ctx, other.ID, BlockLost, ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ActivateToken(ctx, other.ID, sentElsewhere, e.code(sentElsewhere), ActorCitizen); !errors.Is(err, ErrMitIDBlocked) {
		t.Errorf("blocked MitID: %v", err)
	}
}

// TestActivateTokenParallel tries 100 serials on one MitID at once: exactly the bound are
// looked at, the rest are refused before any work.
func TestActivateTokenParallel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	m := e.bareMitID()
	bound := DefaultThrottleRules[ThrottleActivation].Max
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results = map[error]int{}
		start   = make(chan struct{})
	)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.store.ActivateToken(context.Background(), m.ID, fmt.Sprintf("NOPE%d", i), "000000", ActorCitizen)
			if errors.Is(err, ErrThrottled) {
				err = ErrThrottled
			}
			mu.Lock()
			results[err]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if results[ErrTokenUnusable] != bound || results[ErrThrottled] != 100-bound {
		t.Errorf("results %v, want %d looked at and %d throttled", results, bound, 100-bound)
	}
}
