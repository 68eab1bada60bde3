package sitedata

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Audience is who an activity of the timeline is for.
type Audience string

// The audiences of the timeline.
const (
	AudiencePrivate  Audience = "private"
	AudienceBusiness Audience = "business"
	AudienceAll      Audience = "all"
)

// Audiences lists the audiences in the order forms show them.
var Audiences = []Audience{AudiencePrivate, AudienceBusiness, AudienceAll}

// MsgID is the audience's display name.
func (a Audience) MsgID() string { return "sitedata.audience." + string(a) }

// Month is a calendar month: the first day of it, at midnight UTC.
type Month struct{ time.Time }

// MonthOf is the month t falls in, on the Copenhagen calendar.
func MonthOf(t time.Time) Month {
	t = t.In(copenhagen)
	return Month{time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)}
}

var copenhagen = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return time.UTC
	}
	return l
}()

// AddMonths is the month n months later (earlier for a negative n).
func (m Month) AddMonths(n int) Month { return Month{m.AddDate(0, n, 0)} }

// String is the month the Danish way: mm-åååå.
func (m Month) String() string { return fmt.Sprintf("%02d-%04d", int(m.Month()), m.Year()) }

// ParseMonth reads mm-åååå (also m-åååå and mm.åååå), as editors type it.
func ParseMonth(v string) (Month, error) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ".", "-")
	mm, yy, ok := strings.Cut(v, "-")
	m, err1 := strconv.Atoi(mm)
	y, err2 := strconv.Atoi(yy)
	if !ok || err1 != nil || err2 != nil || len(mm) > 2 || len(yy) != 4 || m < 1 || m > 12 || y < 2000 || y > 2100 {
		return Month{}, ErrMonthInvalid
	}
	return Month{time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)}, nil
}

// Activity is one line of the campaign's plan.
type Activity struct {
	ID               int64
	TitleDA, TitleEN string
	Audience         Audience
	Start, End       Month
	Position         int
}

// Title is the activity's title in lang.
func (a Activity) Title(lang string) string { return pick(lang, a.TitleDA, a.TitleEN) }

// Activities lists the plan by start month, then the order editors gave.
func (s *Store) Activities(ctx context.Context) ([]Activity, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, title_da, title_en, audience, start_month, end_month, position
		FROM timeline_activity ORDER BY start_month, position, id`)
	if err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	return pgx.CollectRows(rows, scanActivity)
}

func scanActivity(r pgx.CollectableRow) (Activity, error) {
	var a Activity
	err := r.Scan(&a.ID, &a.TitleDA, &a.TitleEN, &a.Audience, &a.Start.Time, &a.End.Time, &a.Position)
	a.Start.Time, a.End.Time = a.Start.UTC(), a.End.UTC()
	return a, err
}

// Activity returns one activity.
func (s *Store) Activity(ctx context.Context, id int64) (Activity, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, title_da, title_en, audience, start_month, end_month, position
		FROM timeline_activity WHERE id = $1`, id)
	if err != nil {
		return Activity{}, fmt.Errorf("activity: %w", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanActivity)
	return a, notFound(err, "activity")
}

// SaveActivity creates an activity (a.ID 0) or changes one.
func (s *Store) SaveActivity(ctx context.Context, staffID int64, a Activity) (Activity, error) {
	var err error
	if a.TitleDA, err = text(a.TitleDA, MaxName, ErrNameRequired); err != nil {
		return a, err
	}
	if a.TitleEN, err = text(a.TitleEN, MaxName, ErrNameRequired); err != nil {
		return a, err
	}
	if !slices.Contains(Audiences, a.Audience) {
		return a, ErrAudienceInvalid
	}
	if a.Start.IsZero() || a.End.IsZero() {
		return a, ErrMonthInvalid
	}
	if a.End.Before(a.Start.Time) {
		return a, ErrMonthOrder
	}
	e := Event{Action: EventActivitySaved, Detail: map[string]any{"title_da": a.TitleDA, "start": a.Start.String(),
		"end": a.End.String(), "audience": string(a.Audience)}}
	err = s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		var err error
		if a.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO timeline_activity (title_da, title_en, audience, start_month, end_month, position)
				VALUES ($1, $2, $3, $4, $5, (SELECT coalesce(max(position), 0) + 1 FROM timeline_activity)) RETURNING id, position`,
				a.TitleDA, a.TitleEN, a.Audience, a.Start.Time, a.End.Time).Scan(&a.ID, &a.Position)
		} else {
			err = tx.QueryRow(ctx, `UPDATE timeline_activity SET title_da = $2, title_en = $3, audience = $4,
				start_month = $5, end_month = $6 WHERE id = $1 RETURNING position`,
				a.ID, a.TitleDA, a.TitleEN, a.Audience, a.Start.Time, a.End.Time).Scan(&a.Position)
		}
		e.Subject = fmt.Sprintf("timeline_activity:%d", a.ID)
		return notFound(err, "save activity")
	})
	return a, err
}

// DeleteActivity removes an activity from the plan (the audit entry keeps what it was).
func (s *Store) DeleteActivity(ctx context.Context, staffID, id int64) error {
	e := Event{Action: EventActivityGone, Subject: fmt.Sprintf("timeline_activity:%d", id)}
	return s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `DELETE FROM timeline_activity WHERE id = $1 RETURNING title_da`, id).Scan(&title)
		e.Detail = map[string]any{"title_da": title}
		return notFound(err, "delete activity")
	})
}
