package support

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/db/dbtest"
)

// TestOpenDeadlinesAsRefreshed checks that the deadlines OpenTx computes and stores with the
// case are those refreshDeadlines computes from the stored row, which every later change
// uses: in and out of opening hours, around the clock, for each priority, with an opening time
// that has nanoseconds PostgreSQL does not keep.
func TestOpenDeadlinesAsRefreshed(t *testing.T) {
	ctx := context.Background()
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	pool := dbtest.New(t)
	var now time.Time
	cases := NewCases(pool, DefaultSchedule(cph), WithClock(func() time.Time { return now }))
	for _, tt := range []struct {
		name     string
		at       time.Time
		category Category
		priority Priority
	}{
		{"weekday, normal", time.Date(2026, 11, 24, 9, 0, 0, 123456789, cph), CategoryLogin, ""},
		{"friday evening, low", time.Date(2026, 11, 27, 19, 59, 59, 999999999, cph), CategoryOther, PriorityLow},
		{"sunday night, high", time.Date(2026, 11, 29, 23, 30, 0, 500, cph), CategoryLostMeans, PriorityHigh},
		{"identity theft, around the clock", time.Date(2026, 12, 24, 3, 0, 0, 1, cph), CategoryIdentityTheft, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			opened, err := cases.Open(ctx, NewCase{Channel: ChannelWeb, System: SystemMitID, Category: tt.category,
				Priority: tt.priority, Name: "Jens Jensen", Email: "jens@example.dk", Subject: "Kan ikke logge på"})
			if err != nil {
				t.Fatal(err)
			}
			if opened.FirstResponse.Due.IsZero() || opened.Resolution.Due.IsZero() {
				t.Fatalf("opened without deadlines: %+v %+v", opened.FirstResponse, opened.Resolution)
			}
			err = db.Transact(ctx, pool, func(tx pgx.Tx) error { return cases.refreshDeadlines(ctx, tx, opened.ID) })
			if err != nil {
				t.Fatal(err)
			}
			refreshed, err := cases.Get(ctx, opened.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range []struct {
				name      string
				got, want Deadline
			}{{"first response", opened.FirstResponse, refreshed.FirstResponse}, {"resolution", opened.Resolution, refreshed.Resolution}} {
				if !d.got.Due.Equal(d.want.Due) || !d.got.Warn.Equal(d.want.Warn) || d.got.Left != d.want.Left {
					t.Errorf("%s at opening %+v, refreshed %+v", d.name, d.got, d.want)
				}
			}
			if !opened.NextDue.Equal(refreshed.NextDue) {
				t.Errorf("next due at opening %s, refreshed %s", opened.NextDue, refreshed.NextDue)
			}
		})
	}
}
