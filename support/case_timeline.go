package support

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Timeline returns a case's entries and those of the cases merged into it (case_merge.go),
// oldest first: all of them for staff, or only the public ones (EntryKind.Public) for the
// citizen. ErrNotFound when there is no such case.
func (s *Cases) Timeline(ctx context.Context, caseID int64, includeInternal bool) ([]Entry, error) {
	var out []Entry
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM support_case WHERE id = $1)`, caseID).Scan(&exists); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
		if !exists {
			return ErrNotFound
		}
		rows, err := tx.Query(ctx, `
			SELECT `+entryColumns+` FROM support_entry
			WHERE `+timelineCases+` AND ($2 OR kind IN ('message', 'reply', 'status_change'))
			ORDER BY at, id`, caseID, includeInternal)
		if err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
		out, err = pgx.CollectRows(rows, scanEntry)
		return err
	})
	return out, err
}

// NewMessage is a message from the citizen on an existing case.
type NewMessage struct {
	CaseID int64
	Body   string
	// MessageID is the incoming mail's Message-ID. A mail seen before is not recorded again:
	// AddMessage returns the entry it made the first time.
	MessageID string
	// StaffID is the agent who typed the message in for the citizen; 0 when the citizen wrote.
	StaffID int64
	// Attachments are the files sent with the message, already in the blob store.
	Attachments []NewAttachment
}

// AddMessage records a message from the citizen and adds it to the case's search text. A case
// waiting for the citizen, or resolved, goes back to open (their answer restarts the deadline
// clocks); a closed case refuses the message (ErrClosed): the citizen opens a new one. A message
// the citizen wrote themselves marks the case unread and tells the assignee (Hooks.CitizenWrote);
// the assignee's next reply, note, call or status change (a trigger, migration 00022) or
// MarkRead clears the marker.
func (s *Cases) AddMessage(ctx context.Context, m NewMessage) (Entry, error) {
	body, err := checkBody(m.Body)
	if err != nil {
		return Entry{}, err
	}
	if m.MessageID != "" && !messageIDPattern.MatchString(m.MessageID) {
		return Entry{}, ErrMessageIDInvalid
	}
	var e Entry
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, m.CaseID)
		if err == nil {
			c, err = survivorOf(ctx, tx, c) // a merged case's messages go to its survivor
		}
		if err != nil {
			return err
		}
		if m.MessageID != "" {
			rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM support_entry WHERE message_id = $1`, m.MessageID)
			if err != nil {
				return fmt.Errorf("look up message: %w", err)
			}
			e, err = pgx.CollectExactlyOneRow(rows, scanEntry)
			if err == nil {
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("look up message: %w", err)
			}
		}
		if c.Status == StatusClosed {
			return ErrClosed
		}
		now := s.now()
		e, err = insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryMessage, StaffID: m.StaffID,
			Body: body, MessageID: m.MessageID})
		if err != nil {
			return err
		}
		if err := insertAttachments(ctx, tx, e, m.Attachments); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE support_case SET search = search || setweight(to_tsvector('danish', $2), 'B')
			WHERE id = $1`, c.ID, body)
		if err != nil {
			return fmt.Errorf("index message: %w", err)
		}
		if c.Status == StatusWaiting || c.Status == StatusResolved {
			if err := s.changeStatus(ctx, tx, c, StatusOpen, m.StaffID, now); err != nil {
				return err
			}
		}
		if m.StaffID != 0 {
			return nil // typed in by an agent on a call: nothing new for the desk to read
		}
		return s.markUnread(ctx, tx, c, now)
	})
	return e, err
}

// markUnread marks c unread since now, unless it already is since earlier, and tells its
// assignee.
func (s *Cases) markUnread(ctx context.Context, tx pgx.Tx, c Case, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE support_case SET unread_since = coalesce(unread_since, $2) WHERE id = $1`, c.ID, now)
	if err != nil {
		return fmt.Errorf("mark unread: %w", err)
	}
	if c.AssigneeID == 0 || s.hooks.CitizenWrote == nil {
		return nil
	}
	return s.hooks.CitizenWrote(ctx, tx, c)
}

// MarkRead clears the unread marker of a case (the "mark as read" button). It is not a change of
// the case (no version, no timeline entry): only who has seen what.
func (s *Cases) MarkRead(ctx context.Context, caseID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE support_case SET unread_since = NULL WHERE id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Reply is an answer to the citizen.
type Reply struct {
	CaseID, StaffID int64
	Body            string
	// MessageID is the Message-ID of the mail the reply goes out as (the outbox's), so the
	// citizen's answer to it finds the case; "" when no mail is sent.
	MessageID string
}

// AddReply records a reply in a transaction of its own. The first reply meets the
// first-response deadline. To send the mail atomically with the entry, use AddReplyTx in the
// transaction that puts the mail in the outbox.
func (s *Cases) AddReply(ctx context.Context, r Reply) (Entry, error) {
	var e Entry
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		e, err = s.AddReplyTx(ctx, tx, r)
		return err
	})
	return e, err
}

// AddReplyTx is AddReply in the caller's transaction.
func (s *Cases) AddReplyTx(ctx context.Context, tx pgx.Tx, r Reply) (Entry, error) {
	body, err := checkBody(r.Body)
	if err != nil {
		return Entry{}, err
	}
	if r.MessageID != "" && !messageIDPattern.MatchString(r.MessageID) {
		return Entry{}, ErrMessageIDInvalid
	}
	if r.StaffID == 0 {
		return Entry{}, errors.New("support: a reply needs the member of staff")
	}
	c, err := lockCase(ctx, tx, r.CaseID)
	if err != nil {
		return Entry{}, err
	}
	if c.Status == StatusClosed {
		return Entry{}, ErrClosed
	}
	now := s.now()
	e, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryReply, StaffID: r.StaffID,
		Body: body, MessageID: r.MessageID})
	if err != nil {
		return Entry{}, err
	}
	return e, s.firstResponse(ctx, tx, c, now)
}

// AddNote records an internal note whatever the case's version: the system's notes (staffID
// 0) and those of scripts. The case page writes notes with WriteNote. Notes are the one thing a
// closed case still takes.
func (s *Cases) AddNote(ctx context.Context, caseID, staffID int64, body string) (Entry, error) {
	body, err := checkBody(body)
	if err != nil {
		return Entry{}, err
	}
	return s.appendEntry(ctx, caseID, true, nil, Entry{Kind: EntryNote, StaffID: staffID, Body: body})
}

// Call is a phone call with the citizen on a case.
type Call struct {
	CaseID, StaffID int64
	Start, End      time.Time
	Outcome         CallOutcome
	// Note is the agent's summary; optional.
	Note string
	// Version is the case version the call's form was made on (ErrRepeated, ErrWrittenStale).
	Version int
}

// maxCall bounds a call's length, to catch a start or end typed on the wrong day.
const maxCall = 12 * time.Hour

// LogCall records a call from the case page, made on case version call.Version. A call
// meets the first-response deadline, at the call's start or at the opening of the case if the
// case was opened during the call.
func (s *Cases) LogCall(ctx context.Context, call Call) (Entry, error) {
	note, err := checkNote(call.Note)
	if err != nil {
		return Entry{}, err
	}
	switch {
	case call.Start.IsZero() || call.End.Before(call.Start) || call.End.Sub(call.Start) > maxCall ||
		call.End.After(s.now().Add(time.Minute)):
		return Entry{}, ErrCallTimes
	case !valid(CallOutcomes, call.Outcome):
		return Entry{}, ErrOutcomeInvalid
	}
	return s.appendEntry(ctx, call.CaseID, false, &call.Version, Entry{Kind: EntryCall, StaffID: call.StaffID, Body: note,
		CallStart: call.Start, CallEnd: call.End, Outcome: call.Outcome})
}

// Verification is a check of the caller's identity.
type Verification struct {
	CaseID, StaffID int64
	Method          VerifyMethod
	Result          VerifyResult
	// AppRequestID is the app request of an app verification (identity's app_request); 0 for
	// none.
	AppRequestID int64
	Note         string
}

// RecordVerification records a verification and its result.
func (s *Cases) RecordVerification(ctx context.Context, v Verification) (Entry, error) {
	note, err := checkNote(v.Note)
	if err != nil {
		return Entry{}, err
	}
	switch {
	case !valid(VerifyMethods, v.Method):
		return Entry{}, ErrVerifyMethodInvalid
	case !valid(VerifyResults, v.Result):
		return Entry{}, ErrVerifyResultInvalid
	}
	detail := map[string]any{}
	if v.AppRequestID != 0 {
		detail["app_request_id"] = v.AppRequestID
	}
	return s.appendEntry(ctx, v.CaseID, false, nil, Entry{Kind: EntryVerification, StaffID: v.StaffID, Body: note,
		Method: v.Method, Result: v.Result, Detail: detail})
}

// Action is something done to the citizen's MitID from a case.
type Action struct {
	CaseID, StaffID int64
	Kind            ActionKind
	// Detail says what the action touched: the means id, the block reason, the letter. Never
	// the temporary password or activation code itself.
	Detail map[string]any
	Note   string
}

// RecordAction records an action. The caller has done it (package identity) and records it
// here; the two are separate transactions, and the audit log holds the action either way.
func (s *Cases) RecordAction(ctx context.Context, a Action) (Entry, error) {
	note, err := checkNote(a.Note)
	if err != nil {
		return Entry{}, err
	}
	if !valid(Actions, a.Kind) || a.StaffID == 0 {
		return Entry{}, ErrActionInvalid
	}
	return s.appendEntry(ctx, a.CaseID, false, nil, Entry{Kind: EntryAction, StaffID: a.StaffID, Body: note,
		Action: a.Kind, Detail: a.Detail})
}

// appendEntry adds e to an open case (or to a closed one when closedToo), and counts a call
// as the first response. With expectVersion, e is written from a form made on that version of
// the case (checkWritten).
func (s *Cases) appendEntry(ctx context.Context, caseID int64, closedToo bool, expectVersion *int, e Entry) (Entry, error) {
	var out Entry
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if expectVersion != nil {
			if err := s.checkWritten(ctx, tx, c, *expectVersion, e); err != nil {
				return err
			}
		}
		if c.Status == StatusClosed && !closedToo {
			return ErrClosed
		}
		now := s.now()
		e.CaseID, e.At = c.ID, now
		if out, err = insertEntry(ctx, tx, e); err != nil {
			return err
		}
		if e.Kind == EntryCall {
			at := e.CallStart
			if at.Before(c.CreatedAt) {
				at = c.CreatedAt
			}
			return s.firstResponse(ctx, tx, c, at)
		}
		return nil
	})
	return out, err
}

// firstResponse marks the case's first response at at unless it has one.
func (s *Cases) firstResponse(ctx context.Context, tx pgx.Tx, c Case, at time.Time) error {
	if !c.FirstResponse.Met.IsZero() {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE support_case SET first_response_at = $2 WHERE id = $1`, c.ID, at); err != nil {
		return fmt.Errorf("first response: %w", err)
	}
	return s.refreshDeadlines(ctx, tx, c.ID)
}

func checkBody(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrBodyRequired
	}
	return checkNote(s)
}

func checkNote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxBody {
		return "", ErrBodyTooLong
	}
	return s, nil
}

// CheckReply checks a reply and the status it moves the case to ("" keeps it) as
// ReplyAndSetStatus does, before it looks at the case: every rule broken, the body's first.
func CheckReply(body string, status CaseStatus) error {
	_, err := checkBody(body)
	if status != "" && !valid(Statuses, status) {
		err = errors.Join(err, ErrStatusInvalid)
	}
	return err
}

// ReplyAndSetStatus is ReplyByMail that also moves the case to status, in the same
// transaction: a reply usually hands the case to the citizen (StatusWaiting), and the status
// change is on the timeline after the reply. status "" or the case's own status leaves it as
// it is; a status the case may not move to is ErrTransition and sends nothing. The reply's
// form was made on case version expectVersion: a form sent again is ErrRepeated, one from
// before someone else's change ErrWrittenStale, and neither sends anything.
func (s *Cases) ReplyAndSetStatus(ctx context.Context, caseID, staffID int64, to, body string, status CaseStatus, expectVersion int) (Entry, error) {
	if s.hooks.ReplyMail == nil {
		return Entry{}, errors.New("support: no mail hook for replies")
	}
	var noAddress error
	if to == "" {
		noAddress = ErrContactRequired
	}
	if err := errors.Join(noAddress, CheckReply(body, status)); err != nil {
		return Entry{}, err
	}
	body, _ = checkBody(body)
	var e Entry
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.checkWritten(ctx, tx, c, expectVersion, Entry{Kind: EntryReply, StaffID: staffID, Body: body}); err != nil {
			return err
		}
		switch {
		case c.Status == StatusClosed:
			return ErrClosed
		case status != "" && status != c.Status && !c.Status.CanMoveTo(status):
			return ErrTransition
		}
		var inReplyTo string
		err = tx.QueryRow(ctx, `
			SELECT message_id FROM support_entry WHERE case_id = $1 AND message_id <> ''
			ORDER BY id DESC LIMIT 1`, caseID).Scan(&inReplyTo)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("newest mail of case: %w", err)
		}
		msgID, err := s.hooks.ReplyMail(ctx, tx, c, ReplyMail{To: to, Body: body, InReplyTo: inReplyTo})
		if err != nil {
			return err
		}
		e, err = s.AddReplyTx(ctx, tx, Reply{CaseID: caseID, StaffID: staffID, Body: body, MessageID: msgID})
		if err != nil || status == "" || status == c.Status {
			return err
		}
		return s.audited(ctx, staffID, "status", func(tx pgx.Tx, c Case, now time.Time) error {
			return s.changeStatus(ctx, tx, c, status, staffID, now)
		})(tx, c, e.At)
	})
	return e, err
}
