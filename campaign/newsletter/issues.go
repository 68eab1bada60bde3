package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/markdown"
)

// Status is where an issue is in its life.
type Status string

// The statuses of an issue.
const (
	Draft   Status = "draft"
	Sending Status = "sending"
	Sent    Status = "sent"
)

// MsgID is the message ID of the status's display name.
func (s Status) MsgID() string { return "newsletter.status." + string(s) }

// Text is an issue's subject and Markdown body in both languages.
type Text struct {
	SubjectDA, BodyDA string
	SubjectEN, BodyEN string
}

// Subject is the subject in lang.
func (t Text) Subject(lang string) string {
	if lang == "en" {
		return t.SubjectEN
	}
	return t.SubjectDA
}

// Body is the Markdown body in lang.
func (t Text) Body(lang string) string {
	if lang == "en" {
		return t.BodyEN
	}
	return t.BodyDA
}

// Issue is a newsletter issue with its send's progress.
type Issue struct {
	ID int64
	Text
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SendRequestedAt *time.Time
	SentAt          *time.Time
	// Delivered is how many subscribers the issue has been queued for; Remaining how many
	// active subscribers it has not reached yet (0 once sent).
	Delivered int
	Remaining int
}

// FieldError is a broken rule of Text with the form field it is about: subject_da, body_en, ...
type FieldError struct {
	Field string
	Err   error
}

func (f FieldError) Error() string { return f.Field + ": " + f.Err.Error() }
func (f FieldError) Unwrap() error { return f.Err }

// normalize trims the subjects and checks every field; the first rule broken is returned as a
// FieldError naming its field.
func (t Text) normalize() (Text, error) {
	t.SubjectDA, t.SubjectEN = strings.TrimSpace(t.SubjectDA), strings.TrimSpace(t.SubjectEN)
	for _, f := range []struct {
		name, lang string
		subject    bool
	}{{"subject_da", "da", true}, {"body_da", "da", false}, {"subject_en", "en", true}, {"body_en", "en", false}} {
		v := t.Body(f.lang)
		if f.subject {
			v = t.Subject(f.lang)
		}
		switch {
		case f.subject && v == "":
			return t, FieldError{f.name, ErrSubjectRequired}
		case f.subject && (utf8.RuneCountInString(v) > MaxSubject || strings.ContainsAny(v, "\r\n")):
			return t, FieldError{f.name, ErrSubjectTooLong}
		case !f.subject && strings.TrimSpace(v) == "":
			return t, FieldError{f.name, ErrBodyRequired}
		case !f.subject && len(v) > markdown.MaxLen:
			return t, FieldError{f.name, ErrBodyTooLong}
		}
	}
	return t, nil
}

const issueColumns = `i.id, i.subject_da, i.body_da, i.subject_en, i.body_en, i.status, i.created_at, i.updated_at,
	i.send_requested_at, i.sent_at,
	(SELECT count(*) FROM newsletter_delivery d WHERE d.issue_id = i.id),
	CASE WHEN i.status = 'sent' THEN 0 ELSE (SELECT count(*) FROM newsletter_subscriber s WHERE s.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM newsletter_delivery d WHERE d.issue_id = i.id AND d.subscriber_id = s.id)) END`

func scanIssue(row pgx.Row) (Issue, error) {
	var is Issue
	err := row.Scan(&is.ID, &is.SubjectDA, &is.BodyDA, &is.SubjectEN, &is.BodyEN, &is.Status, &is.CreatedAt,
		&is.UpdatedAt, &is.SendRequestedAt, &is.SentAt, &is.Delivered, &is.Remaining)
	if errors.Is(err, pgx.ErrNoRows) {
		return is, ErrNotFound
	}
	return is, err
}

// Issues returns every issue, newest first (drafts, sends in progress and the history).
func (n *Newsletter) Issues(ctx context.Context) ([]Issue, error) {
	rows, err := n.pool.Query(ctx, `SELECT `+issueColumns+` FROM newsletter_issue i ORDER BY i.created_at DESC, i.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("issues: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Issue, error) { return scanIssue(row) })
}

// Issue returns one issue.
func (n *Newsletter) Issue(ctx context.Context, id int64) (Issue, error) {
	return scanIssue(n.pool.QueryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issue i WHERE i.id = $1`, id))
}

// Create stores a draft issue written by editor staffID (audited).
func (n *Newsletter) Create(ctx context.Context, staffID int64, t Text) (Issue, error) {
	t, err := t.normalize()
	if err != nil {
		return Issue{}, err
	}
	var is Issue
	err = db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		var id int64
		now := n.now()
		if err := tx.QueryRow(ctx, `
			INSERT INTO newsletter_issue (subject_da, body_da, subject_en, body_en, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			t.SubjectDA, t.BodyDA, t.SubjectEN, t.BodyEN, staffID, now).Scan(&id); err != nil {
			return fmt.Errorf("create issue: %w", err)
		}
		is = Issue{ID: id, Text: t, Status: Draft, CreatedAt: now, UpdatedAt: now}
		return n.audit(ctx, tx, Event{StaffID: staffID, Action: EventIssueCreated, IssueID: id,
			Detail: map[string]any{"subject": t.SubjectDA}})
	})
	return is, err
}

// Update replaces a draft's text, as editor staffID (audited); an issue being sent or sent is
// ErrNotDraft.
func (n *Newsletter) Update(ctx context.Context, staffID, id int64, t Text) error {
	t, err := t.normalize()
	if err != nil {
		return err
	}
	return db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE newsletter_issue SET subject_da = $2, body_da = $3, subject_en = $4, body_en = $5, updated_at = $6
			WHERE id = $1 AND status = 'draft'`, id, t.SubjectDA, t.BodyDA, t.SubjectEN, t.BodyEN, n.now())
		if err != nil {
			return fmt.Errorf("update issue: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return n.notDraft(ctx, tx, id)
		}
		return n.audit(ctx, tx, Event{StaffID: staffID, Action: EventIssueUpdated, IssueID: id,
			Detail: map[string]any{"subject": t.SubjectDA}})
	})
}

// notDraft tells why an issue could not be changed: it does not exist, or it is no draft.
func (n *Newsletter) notDraft(ctx context.Context, tx pgx.Tx, id int64) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM newsletter_issue WHERE id = $1)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("issue: %w", err)
	}
	if !exists {
		return ErrNotFound
	}
	return ErrNotDraft
}

// Send starts sending a draft to every active subscriber, as editor staffID (audited): the
// issue becomes sending, the job's work (Run), and the job is queued in the same transaction.
// Sending twice is ErrNotDraft, however many editors press the button at once.
func (n *Newsletter) Send(ctx context.Context, staffID, id int64) error {
	return db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		var subscribers int
		err := tx.QueryRow(ctx, `
			UPDATE newsletter_issue SET status = 'sending', send_requested_by = $2, send_requested_at = $3
			WHERE id = $1 AND status = 'draft'
			RETURNING (SELECT count(*) FROM newsletter_subscriber WHERE status = 'active')`,
			id, staffID, n.now()).Scan(&subscribers)
		if errors.Is(err, pgx.ErrNoRows) {
			return n.notDraft(ctx, tx, id)
		}
		if err != nil {
			return fmt.Errorf("send issue: %w", err)
		}
		if err := n.audit(ctx, tx, Event{StaffID: staffID, Action: EventIssueSent, IssueID: id,
			Detail: map[string]any{"subscribers": subscribers}}); err != nil {
			return err
		}
		if n.hooks.Queue == nil {
			return nil
		}
		return n.hooks.Queue(ctx, tx, id)
	})
}

// PreviewToken stands in for the unsubscribe token in a preview.
const PreviewToken = "EKSEMPEL"

// Preview is the issue as the mail a subscriber in lang gets (Hooks.Compose), with a sample
// unsubscribe link.
func (n *Newsletter) Preview(ctx context.Context, id int64, lang string) (Issue, Rendered, error) {
	is, err := n.Issue(ctx, id)
	if err != nil || n.hooks.Compose == nil {
		return is, Rendered{}, err
	}
	return is, n.hooks.Compose(IssueMail{IssueID: id, Email: "abonnent@eksempel.dk", Lang: lang,
		Subject: is.Subject(lang), Body: is.Body(lang), Unsubscribe: PreviewToken}), nil
}

// Active is how many subscribers would get an issue sent now.
func (n *Newsletter) Active(ctx context.Context) (int, error) {
	var k int
	err := n.pool.QueryRow(ctx, `SELECT count(*) FROM newsletter_subscriber WHERE status = 'active'`).Scan(&k)
	return k, err
}
