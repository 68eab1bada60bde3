package support

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// AgentFigures are one agent's figures on the supervisor dashboard (Cases.AgentStats). A case
// counts for its assignee as of now; StaffID 0 collects the unassigned cases. Times are wall
// clock time (the deadlines count opening hours; these say how long a citizen waited),
// rounded to the second.
type AgentFigures struct {
	StaffID int64
	// Handled is the number of cases resolved in the period (resolved or closed now), and
	// MedianHandling the median of their time from opening to resolution.
	Handled        int
	MedianHandling time.Duration
	// Open is the number of cases not resolved or closed, now.
	Open int
	// Responded is the number of cases whose first response (a reply or a logged call) fell
	// in the period, and MedianFirstResponse the median of their time from opening to it.
	Responded           int
	MedianFirstResponse time.Duration
}

// AgentStats returns the figures of every active agent and supervisor (zeros included) and of
// anyone else with cases in them, by staff id.
func (s *Cases) AgentStats(ctx context.Context, p Period) ([]AgentFigures, error) {
	if err := p.Check(s.schedule.Location()); err != nil {
		return nil, err
	}
	start, end := p.bounds(s.schedule.Location())
	rows, err := s.pool.Query(ctx, `
		WITH handled AS (
			SELECT coalesce(assignee_id, 0) AS staff_id, count(*) AS n,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)::float8) AS m
			FROM support_case WHERE resolved_at >= $1 AND resolved_at < $2 GROUP BY 1
		), responded AS (
			SELECT coalesce(assignee_id, 0) AS staff_id, count(*) AS n,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)::float8) AS m
			FROM support_case WHERE first_response_at >= $1 AND first_response_at < $2 GROUP BY 1
		), open AS (
			SELECT coalesce(assignee_id, 0) AS staff_id, count(*) AS n
			-- the active statuses by name: the partial index support_case_assignee has them so
			FROM support_case WHERE status IN ('new', 'open', 'waiting_for_citizen') GROUP BY 1
		), people AS (
			SELECT id AS staff_id FROM staff_user WHERE `+assignable+`
			UNION SELECT staff_id FROM handled UNION SELECT staff_id FROM responded UNION SELECT staff_id FROM open
		)
		SELECT p.staff_id, coalesce(h.n, 0), coalesce(h.m, 0), coalesce(o.n, 0), coalesce(r.n, 0), coalesce(r.m, 0)
		FROM people p LEFT JOIN handled h USING (staff_id) LEFT JOIN open o USING (staff_id)
			LEFT JOIN responded r USING (staff_id)
		ORDER BY p.staff_id`, start, end)
	if err != nil {
		return nil, fmt.Errorf("agent stats: %w", err)
	}
	var (
		out            []AgentFigures
		a              AgentFigures
		handled, first float64
	)
	_, err = pgx.ForEachRow(rows, []any{&a.StaffID, &a.Handled, &handled, &a.Open, &a.Responded, &first}, func() error {
		a.MedianHandling = time.Duration(math.Round(handled)) * time.Second
		a.MedianFirstResponse = time.Duration(math.Round(first)) * time.Second
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agent stats: %w", err)
	}
	return out, nil
}

// DeadlineOutcome is how one deadline of a case went, as the dashboard counts it
// (Compliance): met in time, breached, or not settled yet ("").
type DeadlineOutcome string

// The outcomes of a deadline.
const (
	OutcomeMet      DeadlineOutcome = "met"
	OutcomeBreached DeadlineOutcome = "breached"
	OutcomePending  DeadlineOutcome = ""
)

// CaseRow is one case in the per-case export (Cases.EachCase). Times not reached are zero.
type CaseRow struct {
	Ref                              string
	Created, FirstResponse, Resolved time.Time
	System                           System
	Category                         Category
	Channel                          Channel
	Priority                         Priority
	Status                           CaseStatus
	FirstResponseMet, ResolutionMet  DeadlineOutcome
}

// EachCase calls fn with every case opened in the period, oldest first, as of now. Rows are
// read one at a time from one query, so an export of a year of cases never sits in memory;
// an error from fn stops the query.
func (s *Cases) EachCase(ctx context.Context, p Period, fn func(CaseRow) error) error {
	if err := p.Check(s.schedule.Location()); err != nil {
		return err
	}
	start, end := p.bounds(s.schedule.Location())
	rows, err := s.pool.Query(ctx, `
		SELECT ref, created_at, coalesce(first_response_at, 'epoch'), coalesce(resolved_at, 'epoch'),
			system, category, channel, priority, status,
			CASE WHEN first_response_at IS NOT NULL
					AND (first_response_due IS NULL OR first_response_at <= first_response_due) THEN 'met'
				WHEN first_response_due < $3 THEN 'breached' ELSE '' END,
			CASE WHEN resolved_at IS NOT NULL
					AND (resolution_due IS NULL OR resolved_at <= resolution_due) THEN 'met'
				WHEN resolution_due < $3 THEN 'breached' ELSE '' END
		FROM support_case WHERE created_at >= $1 AND created_at < $2
		ORDER BY created_at, id`, start, end, s.now())
	if err != nil {
		return fmt.Errorf("export cases: %w", err)
	}
	var r CaseRow
	_, err = pgx.ForEachRow(rows, []any{&r.Ref, &r.Created, &r.FirstResponse, &r.Resolved, &r.System, &r.Category,
		&r.Channel, &r.Priority, &r.Status, &r.FirstResponseMet, &r.ResolutionMet}, func() error {
		row := r
		for _, t := range []*time.Time{&row.FirstResponse, &row.Resolved} {
			if t.Unix() == 0 {
				*t = time.Time{}
			}
		}
		return fn(row)
	})
	if err != nil {
		return fmt.Errorf("export cases: %w", err)
	}
	return nil
}
