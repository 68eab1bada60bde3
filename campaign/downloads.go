package campaign

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Downloads counts downloads per item, organisation and day (Europe/Copenhagen) in memory and
// writes them in batches: a download adds to a map under a mutex and never waits for the
// database, so a busy pack costs no write per file and a GET stays free of writes. Run flushes
// every few seconds and once more when it ends (at shutdown); a batch that fails to be written
// is put back and tried again with the next one.
//
// What was counted since the last flush is lost if the process dies without shutting down: a
// statistic, not a record anyone relies on, and the price of keeping the download path free of
// database writes.
type Downloads struct {
	packs *Packs
	loc   *time.Location

	mu     sync.Mutex
	counts map[downloadKey]int64
}

type downloadKey struct {
	item, org int64
	day       string // YYYY-MM-DD in loc
}

// NewDownloads returns a counter that writes to the packs' database, counting days in loc.
func NewDownloads(p *Packs, loc *time.Location) *Downloads {
	return &Downloads{packs: p, loc: loc, counts: map[downloadKey]int64{}}
}

// Add counts one download of item by v (v.OrgID, 0 for a visitor without an organisation) at
// the packs' clock. It only touches memory.
func (d *Downloads) Add(v Viewer, itemID int64) {
	day := d.packs.now().In(d.loc).Format(time.DateOnly)
	k := downloadKey{item: itemID, org: v.OrgID, day: day}
	d.mu.Lock()
	d.counts[k]++
	d.mu.Unlock()
}

// Pending is the number of downloads counted and not yet written.
func (d *Downloads) Pending() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for _, c := range d.counts {
		n += c
	}
	return n
}

// Flush writes what was counted since the last flush in one statement. On failure the counts
// are kept for the next flush.
func (d *Downloads) Flush(ctx context.Context) error {
	d.mu.Lock()
	batch := d.counts
	d.counts = map[downloadKey]int64{}
	d.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	items := make([]int64, 0, len(batch))
	orgs := make([]int64, 0, len(batch))
	days := make([]string, 0, len(batch))
	counts := make([]int64, 0, len(batch))
	for k, n := range batch {
		items, orgs, days, counts = append(items, k.item), append(orgs, k.org), append(days, k.day), append(counts, n)
	}
	// One statement for the whole batch; an item deleted since (none are today) would fail
	// the foreign key, so only existing items are counted.
	_, err := d.packs.pool.Exec(ctx, `
		INSERT INTO pack_download (item_id, organisation_id, day, downloads)
		SELECT b.item_id, b.org_id, b.day::date, b.n
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS b (item_id, org_id, day, n)
		WHERE EXISTS (SELECT 1 FROM pack_item i WHERE i.id = b.item_id)
		ON CONFLICT (item_id, organisation_id, day)
		DO UPDATE SET downloads = pack_download.downloads + EXCLUDED.downloads`,
		items, orgs, days, counts)
	if err != nil {
		d.mu.Lock()
		for k, n := range batch {
			d.counts[k] += n
		}
		d.mu.Unlock()
		return fmt.Errorf("downloads: flush: %w", err)
	}
	return nil
}

// Run flushes every interval until ctx ends, then once more with a short deadline of its own,
// so that a shutdown keeps what was counted.
func (d *Downloads) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := d.Flush(ctx); err != nil {
				log.Warn("download counts", "error", err.Error())
			}
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := d.Flush(fctx); err != nil {
				log.Warn("download counts: final flush", "error", err.Error())
			}
			cancel()
			return
		}
	}
}
