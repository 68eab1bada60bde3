package campaign_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"mitidportal/campaign"
)

// downloadRows reads pack_download as "item/org/day" → downloads.
func downloadRows(t *testing.T, e *packEnv) map[[3]any]int64 {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT item_id, organisation_id, day::text, downloads FROM pack_download`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[[3]any]int64{}
	for rows.Next() {
		var item, org, n int64
		var day string
		if err := rows.Scan(&item, &org, &day, &n); err != nil {
			t.Fatal(err)
		}
		got[[3]any{item, org, day}] = n
	}
	return got
}

// TestDownloadCounts: 100 parallel downloads are exactly 100 after a flush, nothing is written
// before it, days follow Copenhagen's calendar, and a failed flush keeps its counts.
func TestDownloadCounts(t *testing.T) {
	t.Parallel()
	e := newPackEnv(t)
	ctx := context.Background()
	pk, err := e.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Privat", TitleEN: "Private"})
	if err != nil {
		t.Fatal(err)
	}
	it, err := e.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Flyer", Visibility: campaign.VisiblePublic}, pdf("x"))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	d := campaign.NewDownloads(e.packs, loc)
	// 23:30 UTC on 5 December is 00:30 on 6 December in Copenhagen.
	e.now = time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC)

	t.Run("100 parallel downloads", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() { d.Add(campaign.Viewer{OrgID: int64(i % 2)}, it.ID) })
		}
		wg.Wait()
		if rows := downloadRows(t, e); len(rows) != 0 {
			t.Fatalf("written before a flush: %v", rows)
		}
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		got := downloadRows(t, e)
		want := map[[3]any]int64{{it.ID, int64(0), "2026-12-06"}: 50, {it.ID, int64(1), "2026-12-06"}: 50}
		if len(got) != len(want) || got[[3]any{it.ID, int64(0), "2026-12-06"}] != 50 ||
			got[[3]any{it.ID, int64(1), "2026-12-06"}] != 50 {
			t.Errorf("rows %v, want %v", got, want)
		}
	})
	t.Run("a second batch adds to the first", func(t *testing.T) {
		d.Add(campaign.Viewer{}, it.ID)
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := downloadRows(t, e)[[3]any{it.ID, int64(0), "2026-12-06"}]; n != 51 {
			t.Errorf("downloads %d, want 51", n)
		}
	})
	t.Run("a failed flush keeps its counts", func(t *testing.T) {
		d.Add(campaign.Viewer{}, it.ID)
		dead, cancel := context.WithCancel(ctx)
		cancel()
		if err := d.Flush(dead); err == nil {
			t.Fatal("a flush with a cancelled context succeeded")
		}
		if d.Pending() != 1 {
			t.Fatalf("pending %d after a failed flush, want 1", d.Pending())
		}
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := downloadRows(t, e)[[3]any{it.ID, int64(0), "2026-12-06"}]; n != 52 {
			t.Errorf("downloads %d, want 52", n)
		}
	})
	t.Run("run flushes at its end", func(t *testing.T) {
		d.Add(campaign.Viewer{OrgID: 1}, it.ID)
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { d.Run(rctx, time.Hour, nil); close(done) }()
		stop()
		<-done
		if n := downloadRows(t, e)[[3]any{it.ID, int64(1), "2026-12-06"}]; n != 51 {
			t.Errorf("downloads %d after shutdown, want 51", n)
		}
	})
}
