package forum

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/db"
)

// Limits of a meeting's fields (the table checks them too).
const (
	MaxTitle    = 200
	MaxPlace    = 200
	MaxLink     = 500
	MaxAgenda   = 8000
	MaxCapacity = 10000
)

// Audience is whom a meeting is for.
type Audience string

// Meetings' audiences.
const (
	ForPrivate  Audience = "private"
	ForBusiness Audience = "business"
	ForAll      Audience = "all"
)

// Audiences lists every audience in the order forms show them.
var Audiences = []Audience{ForPrivate, ForBusiness, ForAll}

// MsgID is the message ID of the audience's display name.
func (a Audience) MsgID() string { return "forum.audience." + string(a) }

// Status is where a meeting stands.
type Status string

// Meeting states.
const (
	Planned   Status = "planned"
	Held      Status = "held"
	Cancelled Status = "cancelled"
)

// Statuses lists every status in the order forms show them.
var Statuses = []Status{Planned, Held, Cancelled}

// MsgID is the message ID of the status's display name.
func (s Status) MsgID() string { return "forum.status." + string(s) }

// Meeting is a forum meeting.
type Meeting struct {
	ID                 int64
	TitleDA, TitleEN   string
	Audience           Audience
	Starts, Ends       time.Time
	Place, VideoURL    string
	AgendaDA, AgendaEN string
	Status             Status
	Capacity, SignedUp int
	SignupDeadline     time.Time
	Created            time.Time
}

// Title is the meeting's title in lang.
func (m Meeting) Title(lang string) string { return Lang(lang, m.TitleDA, m.TitleEN) }

// Agenda is the meeting's agenda (Markdown) in lang; the other language's when it has none.
func (m Meeting) Agenda(lang string) string {
	if a := Lang(lang, m.AgendaDA, m.AgendaEN); a != "" {
		return a
	}
	return Lang(lang, m.AgendaEN, m.AgendaDA)
}

// SignupOpen reports whether sign-ups are taken at now.
func (m Meeting) SignupOpen(now time.Time) bool {
	return m.Status == Planned && now.Before(m.SignupDeadline)
}

// NewMeeting is what an editor gives to create a meeting.
type NewMeeting struct {
	TitleDA, TitleEN   string
	Audience           Audience
	Starts, Ends       time.Time
	Place, VideoURL    string
	AgendaDA, AgendaEN string
	Capacity           int
	SignupDeadline     time.Time
}

// Check returns every rule n breaks, joined in the order of the form's fields, or nil.
func (n NewMeeting) Check() error {
	var errs []error
	broken := func(rule bool, err error) {
		if rule {
			errs = append(errs, err)
		}
	}
	broken(strings.TrimSpace(n.TitleDA) == "" || strings.TrimSpace(n.TitleEN) == "", ErrTitleRequired)
	broken(utf8.RuneCountInString(n.TitleDA) > MaxTitle || utf8.RuneCountInString(n.TitleEN) > MaxTitle ||
		utf8.RuneCountInString(n.Place) > MaxPlace || utf8.RuneCountInString(n.AgendaDA) > MaxAgenda ||
		utf8.RuneCountInString(n.AgendaEN) > MaxAgenda, ErrTooLong)
	broken(!slices.Contains(Audiences, n.Audience), ErrAudienceInvalid)
	broken(n.Starts.IsZero() || !n.Ends.After(n.Starts), ErrTimesInvalid)
	// A link that is no link is no way to take part either: the place is asked for as well.
	linkOK := n.VideoURL == "" || ValidLink(n.VideoURL)
	broken(strings.TrimSpace(n.Place) == "" && (strings.TrimSpace(n.VideoURL) == "" || !linkOK), ErrPlaceRequired)
	broken(!linkOK, ErrLinkInvalid)
	broken(n.Capacity < 1 || n.Capacity > MaxCapacity, ErrCapacityInvalid)
	broken(n.SignupDeadline.IsZero() || n.SignupDeadline.After(n.Starts), ErrDeadlineInvalid)
	return errors.Join(errs...)
}

// trimmed is n without the spaces around its one-line texts.
func (n NewMeeting) trimmed() NewMeeting {
	n.TitleDA, n.TitleEN = strings.TrimSpace(n.TitleDA), strings.TrimSpace(n.TitleEN)
	n.Place, n.VideoURL = strings.TrimSpace(n.Place), strings.TrimSpace(n.VideoURL)
	return n
}

// ValidLink reports whether s is an https link a video meeting may have.
func ValidLink(s string) bool {
	if len(s) > MaxLink {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

const meetingColumns = `m.id, m.title_da, m.title_en, m.audience, m.starts_at, m.ends_at, m.place, m.video_url,
	m.agenda_da, m.agenda_en, m.status, m.capacity, m.signed_up, m.signup_deadline, m.created_at`

func scanMeeting(r pgx.Row) (Meeting, error) {
	var m Meeting
	err := r.Scan(&m.ID, &m.TitleDA, &m.TitleEN, &m.Audience, &m.Starts, &m.Ends, &m.Place, &m.VideoURL,
		&m.AgendaDA, &m.AgendaEN, &m.Status, &m.Capacity, &m.SignedUp, &m.SignupDeadline, &m.Created)
	return m, err
}

// CreateMeeting creates a planned meeting.
func (f *Forum) CreateMeeting(ctx context.Context, staffID int64, n NewMeeting) (Meeting, error) {
	n = n.trimmed()
	if err := n.Check(); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	err := db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		var err error
		m, err = scanMeeting(tx.QueryRow(ctx, `
			INSERT INTO forum_meeting AS m (title_da, title_en, audience, starts_at, ends_at, place, video_url,
				agenda_da, agenda_en, capacity, signup_deadline, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+meetingColumns,
			n.TitleDA, n.TitleEN, n.Audience, n.Starts, n.Ends, n.Place, n.VideoURL, n.AgendaDA, n.AgendaEN,
			n.Capacity, n.SignupDeadline, f.now()))
		if err != nil {
			return fmt.Errorf("create meeting: %w", err)
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventMeetingCreated, Subject: meetingSubject(m.ID),
			Detail: map[string]any{"title": m.TitleDA, "starts_at": m.Starts, "capacity": m.Capacity}})
	})
	return m, err
}

func meetingSubject(id int64) string { return "forum_meeting:" + strconv.FormatInt(id, 10) }

// Meeting returns meeting id if v may see the forum.
func (f *Forum) Meeting(ctx context.Context, v Viewer, id int64) (Meeting, error) {
	if err := see(v); err != nil {
		return Meeting{}, err
	}
	m, err := scanMeeting(f.pool.QueryRow(ctx, `SELECT `+meetingColumns+` FROM forum_meeting m WHERE m.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("meeting: %w", err)
	}
	return m, nil
}

// Meetings returns every meeting in the order they start; upcoming only: those that end after
// now and are not cancelled.
func (f *Forum) Meetings(ctx context.Context, v Viewer, upcoming bool) ([]Meeting, error) {
	if err := see(v); err != nil {
		return nil, err
	}
	rows, err := f.pool.Query(ctx, `SELECT `+meetingColumns+` FROM forum_meeting m
		WHERE NOT $1 OR (m.ends_at > $2 AND m.status = 'planned') ORDER BY m.starts_at, m.id`, upcoming, f.now())
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meeting, error) { return scanMeeting(r) })
}

// SignedUp reports whether v's citizen is signed up for meeting id.
func (f *Forum) SignedUp(ctx context.Context, v Viewer, id int64) (bool, error) {
	if v.MitID == 0 {
		return false, nil
	}
	var yes bool
	err := f.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM forum_signup WHERE meeting_id = $1 AND mitid_id = $2)`,
		id, v.MitID).Scan(&yes)
	return yes, err
}

// SignUp signs v's citizen up for meeting id on behalf of their forum organisation org (the
// first one when org is 0). Taking the seat is one statement: the meeting row's UPDATE checks
// the count against the capacity, and parallel sign-ups wait on its lock and re-check, so the
// capacity holds under any number of them. Signing up twice changes nothing.
func (f *Forum) SignUp(ctx context.Context, v Viewer, id, org int64) error {
	if v.MitID == 0 || len(v.Orgs) == 0 {
		return ErrForbidden
	}
	if org == 0 {
		org = v.Orgs[0].ID
	}
	if !v.memberOf(org) {
		return ErrNotOrgMember
	}
	m, err := f.Meeting(ctx, v, id)
	if err != nil {
		return err
	}
	if yes, err := f.SignedUp(ctx, v, id); err != nil || yes {
		return err
	}
	now := f.now()
	tag, err := f.pool.Exec(ctx, `
		WITH seat AS (
			UPDATE forum_meeting SET signed_up = signed_up + 1
			WHERE id = $1 AND status = 'planned' AND signup_deadline > $4 AND signed_up < capacity
			RETURNING id)
		INSERT INTO forum_signup (meeting_id, mitid_id, organisation_id, created_at)
		SELECT id, $2, $3, $4 FROM seat`, id, v.MitID, org, now)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return nil // a parallel sign-up of the same person won; the statement took no seat
	}
	if err != nil {
		return fmt.Errorf("sign up: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if !m.SignupOpen(now) {
			return ErrSignupClosed
		}
		return ErrFull
	}
	return nil
}

// Cancel takes back v's citizen's sign-up for meeting id (and frees the seat in the same
// statement); one that was not there changes nothing.
func (f *Forum) Cancel(ctx context.Context, v Viewer, id int64) error {
	if err := see(v); err != nil || v.MitID == 0 {
		return ErrForbidden
	}
	_, err := f.pool.Exec(ctx, `
		WITH gone AS (DELETE FROM forum_signup WHERE meeting_id = $1 AND mitid_id = $2 RETURNING meeting_id)
		UPDATE forum_meeting SET signed_up = signed_up - 1 WHERE id IN (SELECT meeting_id FROM gone)`, id, v.MitID)
	if err != nil {
		return fmt.Errorf("cancel sign-up: %w", err)
	}
	return nil
}

// Participant is a person signed up for a meeting.
type Participant struct {
	MitID        int64
	Name         string // the person's name from the register, or their username
	Organisation string
	At           time.Time
}

// Participants lists a meeting's sign-ups in the order they came; editors only.
func (f *Forum) Participants(ctx context.Context, v Viewer, id int64) ([]Participant, error) {
	if err := edit(v); err != nil {
		return nil, err
	}
	rows, err := f.pool.Query(ctx, `
		SELECT s.mitid_id, coalesce(nullif(trim(coalesce(p.given_name, '') || ' ' || coalesce(p.family_name, '')), ''), u.username),
		       o.name, s.created_at
		FROM forum_signup s JOIN mitid u ON u.id = s.mitid_id JOIN organisation o ON o.id = s.organisation_id
		LEFT JOIN person p ON p.cpr = u.cpr
		WHERE s.meeting_id = $1 ORDER BY s.created_at, s.mitid_id`, id)
	if err != nil {
		return nil, fmt.Errorf("participants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Participant, error) {
		var p Participant
		return p, r.Scan(&p.MitID, &p.Name, &p.Organisation, &p.At)
	})
}
