package forum

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// A planned meeting changes after its creation: an editor edits it (UpdateMeeting) or sets its
// status (SetStatus). Both lock the meeting's row, so parallel sign-ups and edits wait and see
// the change; the participants hear of a new time or place, or of a cancellation, by mail
// queued in the change's transaction (Hooks.Notify).

// MeetingEdit is an editor's change of a planned meeting: its fields as they are to be, and
// the Version of the meeting the editor's form showed.
type MeetingEdit struct {
	NewMeeting
	Version string
}

// Version names the meeting's content as an editor sees it. An edit made from another version
// is refused (ErrMeetingChanged) instead of silently undoing what a parallel editor saved; the
// count of sign-ups is not part of it, so a member signing up does not void an editor's form.
func (m Meeting) Version() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q|%q|%q|%d|%d|%q|%q|%q|%q|%q|%d|%d", m.TitleDA, m.TitleEN, m.Audience, m.Starts.UnixMicro(),
		m.Ends.UnixMicro(), m.Place, m.VideoURL, m.AgendaDA, m.AgendaEN, m.Status, m.Capacity, m.SignupDeadline.UnixMicro())
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Notice tells one participant that their meeting moved (a new time, place or video link) or
// was cancelled.
type Notice struct {
	MitID       int64
	Email, Lang string
	Meeting     Meeting // as it is after the change
	Cancelled   bool
}

// UpdateMeeting changes a planned meeting. The rules are creation's (NewMeeting.Check) and one
// more: no fewer seats than are taken (ErrCapacityBelowSeats), all broken ones joined. A held
// or cancelled meeting is not edited (ErrMeetingClosed); an edit from a version that is no
// longer the meeting's is refused (ErrMeetingChanged). One transaction under the meeting's row
// lock writes the change, queues one mail per participant when the time, place or video link
// changed, and audits the changed fields (from, to) with the number of mails and of
// participants without an address. An edit that changes nothing writes nothing.
func (f *Forum) UpdateMeeting(ctx context.Context, staffID, id int64, e MeetingEdit) (Meeting, error) {
	n := e.trimmed()
	var m Meeting
	err := db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		old, err := lockMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Status != Planned {
			return ErrMeetingClosed
		}
		if e.Version != old.Version() {
			return ErrMeetingChanged
		}
		var seats error
		if n.Capacity >= 1 && n.Capacity < old.SignedUp {
			seats = ErrCapacityBelowSeats
		}
		if err := errors.Join(n.Check(), seats); err != nil {
			return err
		}
		m = old
		detail := changes(old, n)
		if len(detail) == 0 {
			return nil
		}
		m, err = scanMeeting(tx.QueryRow(ctx, `
			UPDATE forum_meeting AS m SET title_da = $2, title_en = $3, audience = $4, starts_at = $5, ends_at = $6,
				place = $7, video_url = $8, agenda_da = $9, agenda_en = $10, capacity = $11, signup_deadline = $12
			WHERE m.id = $1 RETURNING `+meetingColumns,
			id, n.TitleDA, n.TitleEN, n.Audience, n.Starts, n.Ends, n.Place, n.VideoURL, n.AgendaDA, n.AgendaEN,
			n.Capacity, n.SignupDeadline))
		if err != nil {
			return fmt.Errorf("update meeting: %w", err)
		}
		if slices.ContainsFunc(movingFields, func(k string) bool { _, ok := detail[k]; return ok }) {
			if err := f.notify(ctx, tx, m, false, detail); err != nil {
				return err
			}
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventMeetingChanged, Subject: meetingSubject(id), Detail: detail})
	})
	return m, err
}

// movingFields are the changes a participant must hear of: where and when to be.
var movingFields = []string{"starts_at", "ends_at", "place", "video_url"}

// changes is the audit detail of changing old to n: each changed field with its from and to.
func changes(old Meeting, n NewMeeting) map[string]any {
	d := map[string]any{}
	diff := func(field string, from, to any, same bool) {
		if !same {
			d[field] = map[string]any{"from": from, "to": to}
		}
	}
	diff("title_da", old.TitleDA, n.TitleDA, old.TitleDA == n.TitleDA)
	diff("title_en", old.TitleEN, n.TitleEN, old.TitleEN == n.TitleEN)
	diff("audience", string(old.Audience), string(n.Audience), old.Audience == n.Audience)
	diff("starts_at", old.Starts, n.Starts, old.Starts.UnixMicro() == n.Starts.UnixMicro())
	diff("ends_at", old.Ends, n.Ends, old.Ends.UnixMicro() == n.Ends.UnixMicro())
	diff("place", old.Place, n.Place, old.Place == n.Place)
	diff("video_url", old.VideoURL, n.VideoURL, old.VideoURL == n.VideoURL)
	diff("agenda_da", old.AgendaDA, n.AgendaDA, old.AgendaDA == n.AgendaDA)
	diff("agenda_en", old.AgendaEN, n.AgendaEN, old.AgendaEN == n.AgendaEN)
	diff("capacity", old.Capacity, n.Capacity, old.Capacity == n.Capacity)
	diff("signup_deadline", old.SignupDeadline, n.SignupDeadline, old.SignupDeadline.UnixMicro() == n.SignupDeadline.UnixMicro())
	return d
}

// SetStatus marks a meeting planned, held or cancelled. Cancelling a planned meeting mails
// every participant in the same transaction.
func (f *Forum) SetStatus(ctx context.Context, staffID, id int64, s Status) error {
	if !slices.Contains(Statuses, s) {
		return ErrStatusInvalid
	}
	return db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		m, err := lockMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE forum_meeting SET status = $2 WHERE id = $1`, id, s); err != nil {
			return fmt.Errorf("meeting status: %w", err)
		}
		detail := map[string]any{"from": string(m.Status), "to": string(s)}
		if m.Status == Planned && s == Cancelled {
			m.Status = s
			if err := f.notify(ctx, tx, m, true, detail); err != nil {
				return err
			}
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventMeetingStatus, Subject: meetingSubject(id), Detail: detail})
	})
}

// lockMeeting reads meeting id and locks its row until tx ends.
func lockMeeting(ctx context.Context, tx pgx.Tx, id int64) (Meeting, error) {
	m, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingColumns+` FROM forum_meeting m WHERE m.id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("meeting: %w", err)
	}
	return m, nil
}

// notify queues a Notice to each participant of m and counts them in detail: "mailed", and
// "no_address" for those skipped. A participant is written to at the address and in the
// language of their membership of the organisation they signed up for; when that membership
// is gone, of their first other membership; else at the register's address (MitID contact
// data) in Danish; with none of these, or one that takes no mail (ErrUndeliverable), they are
// skipped.
func (f *Forum) notify(ctx context.Context, tx pgx.Tx, m Meeting, cancelled bool, detail map[string]any) error {
	rows, err := tx.Query(ctx, `
		SELECT s.mitid_id, coalesce(own.email, other.email, nullif(trim(p.email), ''), ''),
		       coalesce(own.lang, other.lang, 'da')
		FROM forum_signup s JOIN mitid u ON u.id = s.mitid_id
		LEFT JOIN person p ON p.cpr = u.cpr
		LEFT JOIN organisation_member own ON own.organisation_id = s.organisation_id AND own.mitid_id = s.mitid_id
		LEFT JOIN LATERAL (SELECT o.email, o.lang FROM organisation_member o WHERE o.mitid_id = s.mitid_id
		                   ORDER BY o.organisation_id LIMIT 1) other ON true
		WHERE s.meeting_id = $1 ORDER BY s.created_at, s.mitid_id`, m.ID)
	if err != nil {
		return fmt.Errorf("meeting participants: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notice, error) {
		n := Notice{Meeting: m, Cancelled: cancelled}
		return n, r.Scan(&n.MitID, &n.Email, &n.Lang)
	})
	if err != nil {
		return fmt.Errorf("meeting participants: %w", err)
	}
	mailed, without := 0, 0
	for _, n := range list {
		if n.Email == "" {
			without++
			continue
		}
		if f.hooks.Notify == nil {
			return errNoNotify
		}
		if err := f.hooks.Notify(ctx, tx, n); errors.Is(err, ErrUndeliverable) {
			without++
			continue
		} else if err != nil {
			return err
		}
		mailed++
	}
	detail["mailed"], detail["no_address"] = mailed, without
	return nil
}
