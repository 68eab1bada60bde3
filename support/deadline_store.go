package support

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// refreshDeadlines recomputes a case's deadlines from its row and its timeline's status
// changes (Schedule.Deadlines) and stores them, in the transaction of the change that moved
// them. Computing from the whole history rather than adjusting stored values keeps one rule
// for every path: a pause, a reopening, a first response and a change of priority.
func (s *Cases) refreshDeadlines(ctx context.Context, tx pgx.Tx, caseID int64) error {
	var (
		t  Timing
		fr *time.Time
	)
	err := tx.QueryRow(ctx, `
		SELECT created_at, category, priority, first_response_at FROM support_case WHERE id = $1`,
		caseID).Scan(&t.Opened, &t.Category, &t.Priority, &fr)
	if err != nil {
		return fmt.Errorf("deadlines of case %d: %w", caseID, err)
	}
	if fr != nil {
		t.FirstResponse = *fr
	}
	rows, err := tx.Query(ctx, `
		SELECT at, to_value FROM support_entry WHERE case_id = $1 AND kind = 'status_change' ORDER BY id`, caseID)
	if err != nil {
		return fmt.Errorf("status history of case %d: %w", caseID, err)
	}
	t.Changes, err = pgx.CollectRows(rows, pgx.RowToStructByPos[StatusChange])
	if err != nil {
		return fmt.Errorf("status history of case %d: %w", caseID, err)
	}
	first, res := s.schedule.Deadlines(t)
	_, err = tx.Exec(ctx, `
		UPDATE support_case SET first_response_due = $2, first_response_warn = $3, first_response_left = $4,
			resolution_due = $5, resolution_warn = $6, resolution_left = $7
		WHERE id = $1`, caseID,
		nullTime(first.Due), nullTime(first.Warn), stoppedLeft(first),
		nullTime(res.Due), nullTime(res.Warn), stoppedLeft(res))
	if err != nil {
		return fmt.Errorf("store deadlines of case %d: %w", caseID, err)
	}
	return nil
}

// stoppedLeft is the time left of a deadline whose clock has stopped, NULL while it runs.
func stoppedLeft(d Deadline) *time.Duration {
	if !d.Due.IsZero() {
		return nil
	}
	return &d.Left
}
