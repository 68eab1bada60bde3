package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"mitidportal/campaign"
	"mitidportal/locales"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestDownloadStats: counts per item, pack, kind of organisation (0: none) and day over a
// period, read from rows inserted as the download counter writes them.
func TestDownloadStats(t *testing.T) {
	t.Parallel()
	e := newNoticeEnv(t)
	ctx := context.Background()
	a, b := e.pack(t, "a"), e.pack(t, "b")
	ia := e.item(t, a, campaign.VisiblePublic, e.now)
	ib := e.item(t, b, campaign.VisiblePublic, e.now)
	org, _ := e.org(t, false) // a library
	for _, r := range []struct {
		item, org int64
		day       string
		n         int
	}{
		{ia.ID, 0, "2026-11-01", 5},
		{ia.ID, org, "2026-11-01", 2},
		{ib.ID, org, "2026-11-03", 4},
		{ib.ID, 0, "2026-10-31", 100},   // before the period
		{ia.ID, org, "2026-11-04", 100}, // after it
	} {
		if _, err := e.pool.Exec(ctx, `INSERT INTO pack_download (item_id, organisation_id, day, downloads) VALUES ($1, $2, $3, $4)`,
			r.item, r.org, day(r.day), r.n); err != nil {
			t.Fatal(err)
		}
	}
	st, err := campaign.NewStats(e.pool).Downloads(ctx, day("2026-11-01"), day("2026-11-03"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got any, want string) {
		t.Run(name, func(t *testing.T) {
			if s := fmt.Sprint(got); s != want {
				t.Errorf("got %s, want %s", s, want)
			}
		})
	}
	var items, packs, kinds, days []string
	for _, r := range st.ByItem {
		items = append(items, fmt.Sprintf("%d/%s=%d", r.ItemID, r.Pack.Slug, r.N))
	}
	for _, r := range st.ByPack {
		packs = append(packs, fmt.Sprintf("%s=%d", r.Pack.Slug, r.N))
	}
	for _, r := range st.ByKind {
		kinds = append(kinds, fmt.Sprintf("%q=%d", r.Kind, r.N))
	}
	for _, r := range st.ByDay {
		days = append(days, fmt.Sprintf("%s=%d", r.Day.Format(time.DateOnly), r.N))
	}
	check("total", st.Total, "11")
	check("by item, most first", items, fmt.Sprintf("[%d/a=7 %d/b=4]", ia.ID, ib.ID))
	check("by pack", packs, "[a=7 b=4]")
	check("by kind, none for organisation 0", kinds, `["library"=6 ""=5]`)
	check("every day", days, "[2026-11-01=7 2026-11-02=0 2026-11-03=4]")

	rows, err := campaign.NewStats(e.pool).Rows(ctx, day("2026-11-01"), day("2026-11-03"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("%s %d %s %q %d", r.Day.Format(time.DateOnly), r.ItemID, r.PackSlug, r.Kind, r.N))
	}
	check("rows", lines, fmt.Sprintf(`[2026-11-01 %[1]d a "" 5 2026-11-01 %[1]d a "library" 2 2026-11-03 %[2]d b "library" 4]`, ia.ID, ib.ID))

	for _, tc := range []struct {
		name     string
		from, to string
		want     error
	}{
		{"to before from", "2026-11-02", "2026-11-01", campaign.ErrPeriodOrder},
		{"longer than 366 days", "2025-01-01", "2026-01-02", campaign.ErrPeriodTooLong},
		{"a leap year is fine", "2024-01-01", "2024-12-31", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := campaign.NewStats(e.pool).Downloads(ctx, day(tc.from), day(tc.to))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSubsMessagesExist: the message IDs of subscriptions, notices and statistics exist in
// every language.
func TestSubsMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range append(campaign.NoticeMessageIDs(), campaign.StatsMessageIDs()...) {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
