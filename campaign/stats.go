package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/fault"
)

// Errors of the statistics' period.
var (
	ErrPeriodOrder   = fault.New("campaign", fault.Invalid, "campaignsubs.err.period_order")
	ErrPeriodTooLong = fault.New("campaign", fault.Invalid, "campaignsubs.err.period_too_long")
)

// StatsMessageIDs lists the message IDs of this file for the locale test.
func StatsMessageIDs() []string { return []string{ErrPeriodOrder.MsgID, ErrPeriodTooLong.MsgID} }

// MaxStatsDays is the longest period the statistics cover at once: a year, leap day included.
const MaxStatsDays = 366

// ItemDownloads is the downloads of one item.
type ItemDownloads struct {
	ItemID int64
	Title  string
	Pack   Pack
	N      int64
}

// PackDownloads is the downloads of one pack's items.
type PackDownloads struct {
	Pack Pack
	N    int64
}

// KindDownloads is the downloads by members of one kind of organisation; Kind "" is visitors
// who are no member of an approved organisation (organisation_id 0).
type KindDownloads struct {
	Kind Kind
	N    int64
}

// DayDownloads is one day's downloads; every day of the period has one, also without any.
type DayDownloads struct {
	Day time.Time
	N   int64
}

// DownloadRow is one line of the export: an item's downloads on a day by one kind of
// organisation.
type DownloadRow struct {
	Day      time.Time
	ItemID   int64
	Title    string
	PackSlug string
	Kind     Kind
	N        int64
}

// DownloadStats are the downloads of a period, from its first to its last day.
type DownloadStats struct {
	From, To time.Time
	Total    int64
	ByItem   []ItemDownloads // most downloaded first
	ByPack   []PackDownloads // in the packs' order
	ByKind   []KindDownloads // most downloaded first
	ByDay    []DayDownloads
}

// Stats reads the download counts for campaign editors.
type Stats struct{ pool *pgxpool.Pool }

// NewStats returns Stats on pool.
func NewStats(pool *pgxpool.Pool) *Stats { return &Stats{pool: pool} }

// CheckPeriod checks a period of days: from no later than to, at most MaxStatsDays days.
func CheckPeriod(from, to time.Time) error {
	if to.Before(from) {
		return ErrPeriodOrder
	}
	if to.Sub(from) >= MaxStatsDays*24*time.Hour {
		return ErrPeriodTooLong
	}
	return nil
}

// Downloads returns the downloads from the day from to the day to, both included (their
// dates count, not their times). The counts are days in Europe/Copenhagen, as counted.
func (s *Stats) Downloads(ctx context.Context, from, to time.Time) (DownloadStats, error) {
	st := DownloadStats{From: from, To: to}
	if err := CheckPeriod(from, to); err != nil {
		return st, err
	}
	// One read-only snapshot, so the sections add up to the same total.
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			return s.read(ctx, tx, &st)
		})
	return st, err
}

func (s *Stats) read(ctx context.Context, tx pgx.Tx, st *DownloadStats) error {
	from, to := st.From, st.To
	rows, _ := tx.Query(ctx, `
		SELECT i.id, i.title, `+packColumns+`, sum(d.downloads)
		FROM pack_download d JOIN pack_item i ON i.id = d.item_id JOIN pack p ON p.id = i.pack_id
		WHERE d.day BETWEEN $1 AND $2
		GROUP BY i.id, p.id ORDER BY sum(d.downloads) DESC, i.id`, from, to)
	var err error
	st.ByItem, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ItemDownloads, error) {
		var r ItemDownloads
		p := &r.Pack
		err := row.Scan(&r.ItemID, &r.Title, &p.ID, &p.Slug, &p.Audience, &p.TitleDA, &p.TitleEN,
			&p.SummaryDA, &p.SummaryEN, &p.Position, &r.N)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("downloads by item: %w", err)
	}
	rows, _ = tx.Query(ctx, `
		SELECT `+packColumns+`, sum(d.downloads)
		FROM pack_download d JOIN pack_item i ON i.id = d.item_id JOIN pack p ON p.id = i.pack_id
		WHERE d.day BETWEEN $1 AND $2
		GROUP BY p.id ORDER BY p.position, p.id`, from, to)
	st.ByPack, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (PackDownloads, error) {
		var r PackDownloads
		p := &r.Pack
		err := row.Scan(&p.ID, &p.Slug, &p.Audience, &p.TitleDA, &p.TitleEN, &p.SummaryDA, &p.SummaryEN,
			&p.Position, &r.N)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("downloads by pack: %w", err)
	}
	rows, _ = tx.Query(ctx, `
		SELECT coalesce(o.kind, ''), sum(d.downloads)
		FROM pack_download d LEFT JOIN organisation o ON o.id = d.organisation_id
		WHERE d.day BETWEEN $1 AND $2
		GROUP BY 1 ORDER BY 2 DESC, 1`, from, to)
	st.ByKind, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (KindDownloads, error) {
		var r KindDownloads
		err := row.Scan(&r.Kind, &r.N)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("downloads by kind: %w", err)
	}
	rows, _ = tx.Query(ctx, `
		SELECT g.day::date, coalesce(sum(d.downloads), 0)
		FROM generate_series($1::date, $2::date, interval '1 day') AS g(day)
		LEFT JOIN pack_download d ON d.day = g.day::date
		GROUP BY g.day ORDER BY g.day`, from, to)
	st.ByDay, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DayDownloads, error) {
		var r DayDownloads
		err := row.Scan(&r.Day, &r.N)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("downloads by day: %w", err)
	}
	for _, d := range st.ByDay {
		st.Total += d.N
	}
	return nil
}

// Rows returns the period's downloads line by line for the export: per day, item and kind of
// organisation, in that order.
func (s *Stats) Rows(ctx context.Context, from, to time.Time) ([]DownloadRow, error) {
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT d.day, i.id, i.title, p.slug, coalesce(o.kind, ''), sum(d.downloads)
		FROM pack_download d JOIN pack_item i ON i.id = d.item_id JOIN pack p ON p.id = i.pack_id
		LEFT JOIN organisation o ON o.id = d.organisation_id
		WHERE d.day BETWEEN $1 AND $2
		GROUP BY d.day, i.id, p.slug, 5 ORDER BY d.day, i.id, 5`, from, to)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DownloadRow, error) {
		var r DownloadRow
		err := row.Scan(&r.Day, &r.ItemID, &r.Title, &r.PackSlug, &r.Kind, &r.N)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("download rows: %w", err)
	}
	return out, nil
}
