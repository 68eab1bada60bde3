package support

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// EntryKind is the kind of a timeline entry.
type EntryKind string

// Entry kinds.
const (
	// EntryMessage is a message from the citizen (web form, e-mail, or typed in for them).
	EntryMessage EntryKind = "message"
	// EntryReply is an answer to the citizen, sent by e-mail.
	EntryReply EntryKind = "reply"
	// EntryNote is an internal note between staff.
	EntryNote EntryKind = "internal_note"
	// EntryCall is a phone call: start, end, outcome and a note.
	EntryCall EntryKind = "call_log"
	// EntryVerification is a check of the caller's identity: method and result.
	EntryVerification EntryKind = "verification"
	// EntryAction is something done to the citizen's MitID from the case (ActionKind).
	EntryAction EntryKind = "action"
	// EntryStatus, EntryAssignment, EntryPriority and EntryTags record changes of the case.
	EntryStatus     EntryKind = "status_change"
	EntryAssignment EntryKind = "assignment"
	EntryPriority   EntryKind = "priority_change"
	EntryTags       EntryKind = "tags_change"
	// EntryProperty records a change of the category, system, e-mail or phone: Detail["field"]
	// names it, From and To are the old and new value.
	EntryProperty EntryKind = "property_change"
)

// EntryKinds lists every kind.
var EntryKinds = []EntryKind{EntryMessage, EntryReply, EntryNote, EntryCall, EntryVerification,
	EntryAction, EntryStatus, EntryAssignment, EntryPriority, EntryTags,
	EntryMerge, EntryRelated, EntryProperty, EntryCitizenLink}

// MsgID is the message ID of the kind's display name.
func (k EntryKind) MsgID() string { return "support.entry." + string(k) }

// Public reports whether the citizen sees entries of this kind ("my cases"): their messages,
// the replies, and the status changes. Everything else is for staff only.
func (k EntryKind) Public() bool { return k == EntryMessage || k == EntryReply || k == EntryStatus }

// CallOutcome is how a call ended.
type CallOutcome string

// Call outcomes.
const (
	CallSolved      CallOutcome = "solved"
	CallFollowUp    CallOutcome = "follow_up"
	CallTransferred CallOutcome = "transferred"
	CallDropped     CallOutcome = "dropped"
)

// CallOutcomes lists every outcome.
var CallOutcomes = []CallOutcome{CallSolved, CallFollowUp, CallTransferred, CallDropped}

// MsgID is the message ID of the outcome's display name.
func (o CallOutcome) MsgID() string { return "support.call_outcome." + string(o) }

// VerifyMethod is how a caller's identity was checked.
type VerifyMethod string

// Verification methods: a request to the citizen's MitID app, or an identity document shown
// in person.
const (
	VerifyApp        VerifyMethod = "app"
	VerifyIDDocument VerifyMethod = "id_document"
)

// VerifyMethods lists every method.
var VerifyMethods = []VerifyMethod{VerifyApp, VerifyIDDocument}

// MsgID is the message ID of the method's display name.
func (m VerifyMethod) MsgID() string { return "support.verify_method." + string(m) }

// VerifyResult is the outcome of a verification.
type VerifyResult string

// Verification results.
const (
	VerifyApproved  VerifyResult = "approved"
	VerifyRejected  VerifyResult = "rejected"
	VerifyExpired   VerifyResult = "expired"
	VerifyCancelled VerifyResult = "cancelled"
)

// VerifyResults lists every result.
var VerifyResults = []VerifyResult{VerifyApproved, VerifyRejected, VerifyExpired, VerifyCancelled}

// MsgID is the message ID of the result's display name.
func (r VerifyResult) MsgID() string { return "support.verify_result." + string(r) }

// ActionKind is something an agent did to the citizen's MitID from a case. The identity domain
// does the deed; the case records it.
type ActionKind string

// Actions.
const (
	ActionBlock             ActionKind = "block"
	ActionBlockMeans        ActionKind = "block_means"
	ActionLiftBlock         ActionKind = "lift_block"
	ActionTemporaryPassword ActionKind = "temporary_password"
	ActionActivationCode    ActionKind = "activation_code"
	ActionOrderToken        ActionKind = "order_token"
)

// Actions lists every action.
var Actions = []ActionKind{ActionBlock, ActionBlockMeans, ActionLiftBlock, ActionTemporaryPassword,
	ActionActivationCode, ActionOrderToken}

// MsgID is the message ID of the action's display name.
func (a ActionKind) MsgID() string { return "support.action." + string(a) }

// Entry is one event on a case's timeline. Entries are never changed or deleted (the
// database refuses it); the fields of other kinds are zero.
type Entry struct {
	ID     int64
	CaseID int64
	At     time.Time
	Kind   EntryKind
	// StaffID is who recorded the entry; 0 for the citizen or the system.
	StaffID int64
	// Body is the text of a message, reply or note, or an agent's note on a call, verification
	// or action.
	Body string
	// MessageID is the mail's Message-ID: the outgoing mail of a reply or an incoming mail.
	// The newest entry with one is what a new reply answers (In-Reply-To).
	MessageID string
	// CallStart and CallEnd bound a call; Outcome is how it ended.
	CallStart, CallEnd time.Time
	Outcome            CallOutcome
	// Method and Result of a verification.
	Method VerifyMethod
	Result VerifyResult
	// Action is what was done.
	Action ActionKind
	// From and To of a change: statuses, priorities, or staff ids in decimal for an
	// assignment ("" for nobody).
	From, To string
	// Detail holds the rest: an action's means or reason, a verification's app request, a
	// tags change's added and removed tags. Never a secret.
	Detail map[string]any
}

// CallDuration is how long a call lasted.
func (e Entry) CallDuration() time.Duration { return e.CallEnd.Sub(e.CallStart) }

// Assignees returns the staff ids of an assignment entry; 0 for nobody.
func (e Entry) Assignees() (from, to int64) {
	from, _ = strconv.ParseInt(e.From, 10, 64)
	to, _ = strconv.ParseInt(e.To, 10, 64)
	return from, to
}

func staffValue(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// messageIDPattern is a Message-ID as the outbox writes it: angle brackets around a left and
// right part without spaces, brackets or line breaks.
var messageIDPattern = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)

const entryColumns = `id, case_id, at, kind, coalesce(staff_id, 0), body, coalesce(message_id, ''),
	call_start, call_end, coalesce(outcome, ''), coalesce(method, ''), coalesce(result, ''),
	coalesce(action, ''), coalesce(from_value, ''), coalesce(to_value, ''), detail`

func scanEntry(row pgx.CollectableRow) (Entry, error) {
	var (
		e          Entry
		start, end *time.Time
	)
	err := row.Scan(&e.ID, &e.CaseID, &e.At, &e.Kind, &e.StaffID, &e.Body, &e.MessageID, &start,
		&end, &e.Outcome, &e.Method, &e.Result, &e.Action, &e.From, &e.To, &e.Detail)
	if start != nil {
		e.CallStart, e.CallEnd = *start, *end
	}
	return e, err
}

// insertEntry appends e to its case's timeline.
func insertEntry(ctx context.Context, tx pgx.Tx, e Entry) (Entry, error) {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var from, to *string
	if e.Kind == EntryStatus || e.Kind == EntryAssignment || e.Kind == EntryPriority || e.Kind == EntryProperty {
		from, to = &e.From, &e.To
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO support_entry (case_id, at, kind, staff_id, body, message_id, call_start, call_end,
			outcome, method, result, action, from_value, to_value, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		RETURNING `+entryColumns,
		e.CaseID, e.At, e.Kind, nullID(e.StaffID), e.Body, null(e.MessageID), nullTime(e.CallStart),
		nullTime(e.CallEnd), null(string(e.Outcome)), null(string(e.Method)), null(string(e.Result)),
		null(string(e.Action)), from, to, e.Detail)
	if err != nil {
		return Entry{}, fmt.Errorf("insert %s entry: %w", e.Kind, err)
	}
	out, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	if err != nil {
		return Entry{}, fmt.Errorf("insert %s entry: %w", e.Kind, err)
	}
	return out, nil
}
