package support

import (
	"context"
	"testing"
	"time"

	"mitidportal/db/dbtest"
)

// TestRefCollisionRetries forces the code generator to repeat itself and checks that the store
// draws again on a taken code, and gives up after maxRefTries.
func TestRefCollisionRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := NewCases(dbtest.New(t), DefaultSchedule(time.UTC))
	draws := 0
	seq := []string{"SATEBX", "SATEBX", "SATEBX", "KAGEMX"}
	cases.newRef = func() (string, error) {
		draws++
		return seq[(draws-1)%len(seq)], nil
	}
	n := NewCase{Channel: ChannelPhone, System: SystemVirk, Category: CategoryBusiness, Name: "Ane", Phone: "12345678", Subject: "Fuldmagt"}
	first, err := cases.Open(ctx, n)
	if err != nil || first.Ref != "SATEBX" || draws != 1 {
		t.Fatalf("first case: %q, %v after %d draws", first.Ref, err, draws)
	}
	second, err := cases.Open(ctx, n)
	if err != nil || second.Ref != "KAGEMX" || draws != 4 {
		t.Fatalf("second case: %q, %v after %d draws; want KAGEMX after 4", second.Ref, err, draws)
	}
	cases.newRef = func() (string, error) { draws++; return "KAGEMX", nil }
	draws = 0
	if _, err := cases.Open(ctx, n); err == nil || draws != maxRefTries {
		t.Fatalf("all codes taken: %v after %d draws; want an error after %d", err, draws, maxRefTries)
	}
}
