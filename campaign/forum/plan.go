package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Activity is an editor's line in the plan, from its first to its last month.
type Activity struct {
	ID                    int64
	TitleDA, TitleEN      string
	FirstMonth, LastMonth time.Time // the first day of each month, at UTC midnight
}

// Title is the activity's title in lang.
func (a Activity) Title(lang string) string { return Lang(lang, a.TitleDA, a.TitleEN) }

// Month is the first day of t's month at UTC midnight: the plan counts in calendar months.
func Month(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

// CreateActivity adds a line to the plan.
func (f *Forum) CreateActivity(ctx context.Context, staffID int64, a Activity) (Activity, error) {
	a.TitleDA, a.TitleEN = strings.TrimSpace(a.TitleDA), strings.TrimSpace(a.TitleEN)
	switch {
	case a.TitleDA == "" || a.TitleEN == "":
		return a, ErrTitleRequired
	case utf8.RuneCountInString(a.TitleDA) > MaxTitle || utf8.RuneCountInString(a.TitleEN) > MaxTitle:
		return a, ErrTooLong
	case a.FirstMonth.IsZero() || a.LastMonth.Before(a.FirstMonth) || a.FirstMonth.Year() < 2000 ||
		a.LastMonth.Year() > 2100:
		return a, ErrMonthsInvalid
	}
	a.FirstMonth, a.LastMonth = Month(a.FirstMonth), Month(a.LastMonth)
	err := db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO forum_activity (title_da, title_en, first_month, last_month, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.TitleDA, a.TitleEN, a.FirstMonth, a.LastMonth, f.now()).Scan(&a.ID); err != nil {
			return fmt.Errorf("create activity: %w", err)
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventActivityCreated, Subject: activitySubject(a.ID),
			Detail: map[string]any{"title": a.TitleDA, "first": a.FirstMonth.Format("2006-01"), "last": a.LastMonth.Format("2006-01")}})
	})
	return a, err
}

func activitySubject(id int64) string { return "forum_activity:" + strconv.FormatInt(id, 10) }

// DeleteActivity takes a line out of the plan.
func (f *Forum) DeleteActivity(ctx context.Context, staffID, id int64) error {
	return db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `DELETE FROM forum_activity WHERE id = $1 RETURNING title_da`, id).Scan(&title)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("delete activity: %w", err)
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventActivityDeleted, Subject: activitySubject(id),
			Detail: map[string]any{"title": title}})
	})
}

// Activities lists the plan's lines that touch the months from first to last (every line when
// both are zero), in the order they start.
func (f *Forum) Activities(ctx context.Context, v Viewer, first, last time.Time) ([]Activity, error) {
	if err := see(v); err != nil {
		return nil, err
	}
	all := first.IsZero() && last.IsZero()
	rows, err := f.pool.Query(ctx, `SELECT id, title_da, title_en, first_month, last_month FROM forum_activity
		WHERE $1 OR (first_month <= $3 AND last_month >= $2) ORDER BY first_month, id`, all, first, last)
	if err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Activity, error) {
		var a Activity
		return a, r.Scan(&a.ID, &a.TitleDA, &a.TitleEN, &a.FirstMonth, &a.LastMonth)
	})
}

// PlanRow is one line of the plan: a meeting or an activity, marked in the months it covers.
type PlanRow struct {
	TitleDA, TitleEN string
	MeetingID        int64 // 0 for an activity
	Marks            []bool
}

// Plan is the forum's plan for some months: its column heads and its lines.
type Plan struct {
	Months []time.Time
	Rows   []PlanRow
}

// Plan is the plan for the n months from first's month: the meetings (not cancelled) in the
// month they start in Copenhagen time (loc), and the editors' activities.
func (f *Forum) Plan(ctx context.Context, v Viewer, first time.Time, n int, loc *time.Location) (Plan, error) {
	var p Plan
	first = Month(first)
	for i := range n {
		p.Months = append(p.Months, first.AddDate(0, i, 0))
	}
	last := p.Months[n-1]
	meetings, err := f.Meetings(ctx, v, false)
	if err != nil {
		return p, err
	}
	acts, err := f.Activities(ctx, v, first, last)
	if err != nil {
		return p, err
	}
	for _, m := range meetings {
		if m.Status == Cancelled {
			continue
		}
		at := Month(m.Starts.In(loc))
		if at.Before(first) || at.After(last) {
			continue
		}
		row := PlanRow{TitleDA: m.TitleDA, TitleEN: m.TitleEN, MeetingID: m.ID, Marks: make([]bool, n)}
		for i, mo := range p.Months {
			row.Marks[i] = mo.Equal(at)
		}
		p.Rows = append(p.Rows, row)
	}
	for _, a := range acts {
		row := PlanRow{TitleDA: a.TitleDA, TitleEN: a.TitleEN, Marks: make([]bool, n)}
		for i, mo := range p.Months {
			row.Marks[i] = !mo.Before(a.FirstMonth) && !mo.After(a.LastMonth)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}
