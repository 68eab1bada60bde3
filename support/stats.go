package support

import (
	"context"
	"fmt"
	"math"
	"time"

	"mitidportal/fault"

	"github.com/jackc/pgx/v5"
)

// Period is a span of whole days in the desk's time zone (Schedule.Location), the first and
// the last day included. Only the dates of From and To count, read in that time zone.
type Period struct{ From, To time.Time }

// MaxPeriodDays is the longest period the dashboard shows: a leap year.
const MaxPeriodDays = 366

// Errors of a period; each carries the message ID the dashboard shows.
var (
	ErrPeriodOrder   = fault.New("support", fault.Invalid, "dashboard.err.period_order")
	ErrPeriodTooLong = fault.New("support", fault.Invalid, "dashboard.err.period_too_long")
)

// Days returns every day of the period, each at midnight in loc.
func (p Period) Days(loc *time.Location) []time.Time {
	start, end := p.bounds(loc)
	var days []time.Time
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// Check refuses a period that ends before it starts or is longer than MaxPeriodDays.
func (p Period) Check(loc *time.Location) error {
	start, end := p.bounds(loc)
	switch {
	case !start.Before(end):
		return ErrPeriodOrder
	case start.AddDate(0, 0, MaxPeriodDays).Before(end):
		return ErrPeriodTooLong
	}
	return nil
}

// bounds returns the start of the first day and the start of the day after the last, in loc.
func (p Period) bounds(loc *time.Location) (start, end time.Time) {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	return day(p.From), day(p.To).AddDate(0, 0, 1)
}

// Count is how many cases have one value of a field (a system, category or channel).
type Count struct {
	Key   string // the value, e.g. "mitid"
	MsgID string // message ID of its display name
	N     int
}

// Compliance is how one kind of deadline went in a period. A deadline counts in the period in
// which it was settled: met in time when the first response (or the resolution) happened in
// the period no later than the deadline; breached when the deadline fell in the period, before
// now, without having been met by then (a late response counts as breached, at the deadline).
// Deadlines still running, or paused with time left, are not settled and not counted.
type Compliance struct {
	Met, Breached int
}

// Due is the number of deadlines settled in the period.
func (c Compliance) Due() int { return c.Met + c.Breached }

// Percent is the share met in time, rounded to a whole percent; ok is false when none was due.
func (c Compliance) Percent() (p int, ok bool) {
	if c.Due() == 0 {
		return 0, false
	}
	return int(math.Round(100 * float64(c.Met) / float64(c.Due()))), true
}

// DayCount is a number for one day.
type DayCount struct {
	Day time.Time // midnight in the desk's time zone
	N   int
}

// Stats are the supervisor dashboard's figures over a period (Cases.Stats).
type Stats struct {
	Period Period
	// Opened is the number of cases opened (created) in the period. BySystem, ByCategory and
	// ByChannel divide them, with every value in the order of Systems, Categories and
	// Channels, zeros included.
	Opened                          int
	BySystem, ByCategory, ByChannel []Count
	// FirstResponse and Resolution are deadline compliance (Compliance).
	FirstResponse, Resolution Compliance
	// BlocksPerDay has every day of the period with the number of identity-theft cases on
	// which an agent blocked the MitID or one of its means that day (a case blocked on two
	// days counts on both, twice on one day once). Blocks is their sum.
	BlocksPerDay []DayCount
	Blocks       int
	// Resolved is the number of cases resolved in the period (resolved or closed now), and
	// MedianHandling the median of their time from opening to resolution, in clock time,
	// rounded to the second; zero when none.
	Resolved       int
	MedianHandling time.Duration
}

// Stats computes the dashboard's figures for the period, as of now, in one snapshot.
func (s *Cases) Stats(ctx context.Context, p Period) (Stats, error) {
	loc := s.schedule.Location()
	if err := p.Check(loc); err != nil {
		return Stats{}, err
	}
	start, end := p.bounds(loc)
	now := s.now()
	st := Stats{Period: p}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := volumes(ctx, tx, start, end, &st); err != nil {
		return Stats{}, err
	}
	if err := compliance(ctx, tx, start, end, now, &st); err != nil {
		return Stats{}, err
	}
	if err := blocksPerDay(ctx, tx, start, end, loc, p, &st); err != nil {
		return Stats{}, err
	}
	if err := handling(ctx, tx, start, end, &st); err != nil {
		return Stats{}, err
	}
	return st, tx.Commit(ctx)
}

// volumes counts the cases opened in [start, end) per system, category and channel.
func volumes(ctx context.Context, tx pgx.Tx, start, end time.Time, st *Stats) error {
	rows, err := tx.Query(ctx, `
		SELECT system, category, channel, count(*) FROM support_case
		WHERE created_at >= $1 AND created_at < $2
		GROUP BY system, category, channel`, start, end)
	if err != nil {
		return fmt.Errorf("stats volumes: %w", err)
	}
	bySystem, byCategory, byChannel := map[System]int{}, map[Category]int{}, map[Channel]int{}
	var (
		sys System
		cat Category
		ch  Channel
		n   int
	)
	_, err = pgx.ForEachRow(rows, []any{&sys, &cat, &ch, &n}, func() error {
		bySystem[sys] += n
		byCategory[cat] += n
		byChannel[ch] += n
		st.Opened += n
		return nil
	})
	if err != nil {
		return fmt.Errorf("stats volumes: %w", err)
	}
	st.BySystem = counts(Systems, bySystem)
	st.ByCategory = counts(Categories, byCategory)
	st.ByChannel = counts(Channels, byChannel)
	return nil
}

func counts[T interface {
	~string
	MsgID() string
}](all []T, n map[T]int) []Count {
	out := make([]Count, 0, len(all))
	for _, v := range all {
		out = append(out, Count{Key: string(v), MsgID: v.MsgID(), N: n[v]})
	}
	return out
}

// compliance counts the deadlines settled in [start, end) (Compliance). A deadline met in
// time has no stored due time (its clock stopped with time left) or one equal to the moment
// it was met; a breached one keeps its due time.
func compliance(ctx context.Context, tx pgx.Tx, start, end, now time.Time, st *Stats) error {
	// One count per deadline and outcome, each on the index of the time it counts by
	// (migration 00039), rather than one pass over every case ever opened.
	err := tx.QueryRow(ctx, `
		SELECT
			(SELECT count(*) FROM support_case WHERE first_response_at >= $1 AND first_response_at < $2
				AND (first_response_due IS NULL OR first_response_at <= first_response_due)),
			(SELECT count(*) FROM support_case WHERE first_response_due >= $1 AND first_response_due < $2
				AND first_response_due < $3
				AND (first_response_at IS NULL OR first_response_at > first_response_due)),
			(SELECT count(*) FROM support_case WHERE resolved_at >= $1 AND resolved_at < $2
				AND (resolution_due IS NULL OR resolved_at <= resolution_due)),
			(SELECT count(*) FROM support_case WHERE resolution_due >= $1 AND resolution_due < $2
				AND resolution_due < $3
				AND (resolved_at IS NULL OR resolved_at > resolution_due))`, start, end, now).Scan(
		&st.FirstResponse.Met, &st.FirstResponse.Breached, &st.Resolution.Met, &st.Resolution.Breached)
	if err != nil {
		return fmt.Errorf("stats compliance: %w", err)
	}
	return nil
}

// blocksPerDay counts, per day of the period in loc, the identity-theft cases with a block of
// the MitID or of a means recorded that day.
func blocksPerDay(ctx context.Context, tx pgx.Tx, start, end time.Time, loc *time.Location, p Period, st *Stats) error {
	rows, err := tx.Query(ctx, `
		SELECT e.case_id, e.at FROM support_entry e JOIN support_case c ON c.id = e.case_id
		WHERE c.category = 'identity_theft' AND e.kind = 'action' AND e.action IN ('block', 'block_means')
			AND e.at >= $1 AND e.at < $2`, start, end)
	if err != nil {
		return fmt.Errorf("stats blocks: %w", err)
	}
	type caseDay struct {
		id  int64
		day string
	}
	seen := map[caseDay]bool{}
	perDay := map[string]int{}
	var (
		id int64
		at time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &at}, func() error {
		d := at.In(loc).Format(time.DateOnly)
		if !seen[caseDay{id, d}] {
			seen[caseDay{id, d}] = true
			perDay[d]++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stats blocks: %w", err)
	}
	for _, d := range p.Days(loc) {
		n := perDay[d.Format(time.DateOnly)]
		st.BlocksPerDay = append(st.BlocksPerDay, DayCount{Day: d, N: n})
		st.Blocks += n
	}
	return nil
}

// handling finds the cases resolved in [start, end) and the median of their handling time.
func handling(ctx context.Context, tx pgx.Tx, start, end time.Time, st *Stats) error {
	var median float64
	err := tx.QueryRow(ctx, `
		SELECT count(*), coalesce(percentile_cont(0.5) WITHIN GROUP
			(ORDER BY extract(epoch FROM resolved_at - created_at)::float8), 0)
		FROM support_case WHERE resolved_at >= $1 AND resolved_at < $2`, start, end).Scan(&st.Resolved, &median)
	if err != nil {
		return fmt.Errorf("stats handling time: %w", err)
	}
	st.MedianHandling = time.Duration(math.Round(median)) * time.Second
	return nil
}
