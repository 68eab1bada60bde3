// Package forum is the stakeholder forum (DESIGN.md §6, issue 11): meetings with their files
// and sign-ups, the plan by month, and input questions answered once per organisation. Its
// audience is the members (admins or members) of approved organisations that are forum
// members, and the campaign editors, who manage everything. Every read and write takes a Viewer
// built from the database on the request (ViewerOf), so a person whose organisation leaves the
// forum loses access on their next request; editors' changes are audited in their transaction
// through Hooks.
package forum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/blob"
	"mitidportal/fault"
)

// The rules of changing a meeting after its creation (UpdateMeeting).
var (
	// ErrCapacityBelowSeats: an edit may not leave fewer seats than people already signed up.
	ErrCapacityBelowSeats = fault.New("forum", fault.Invalid, "forum.err.capacity_below_seats")
	// ErrMeetingClosed: a held or cancelled meeting is a record; it is not edited.
	ErrMeetingClosed = fault.New("forum", fault.Conflict, "forum.err.meeting_closed")
	// ErrMeetingChanged: another editor saved the meeting after this edit's form was shown.
	ErrMeetingChanged = fault.New("forum", fault.Conflict, "forum.err.meeting_changed")
	errNoNotify       = errors.New("forum: no notify hook: a change participants must hear of is refused")
	// ErrUndeliverable is what Hooks.Notify returns for an address no mail can go to: the
	// participant is skipped and counted as one without an address, and the change goes on.
	ErrUndeliverable = errors.New("forum: the participant's address takes no mail")
)

// Errors of the forum; each carries the message ID a handler shows.
var (
	ErrForbidden       = fault.New("forum", fault.Forbidden, "forum.err.forbidden")
	ErrNotFound        = fault.New("forum", fault.NotFound, "forum.err.not_found")
	ErrTitleRequired   = fault.New("forum", fault.Invalid, "forum.err.title_required")
	ErrTooLong         = fault.New("forum", fault.Invalid, "forum.err.too_long")
	ErrAudienceInvalid = fault.New("forum", fault.Invalid, "forum.err.audience_invalid")
	ErrTimesInvalid    = fault.New("forum", fault.Invalid, "forum.err.times_invalid")
	ErrPlaceRequired   = fault.New("forum", fault.Invalid, "forum.err.place_required")
	ErrLinkInvalid     = fault.New("forum", fault.Invalid, "forum.err.link_invalid")
	ErrCapacityInvalid = fault.New("forum", fault.Invalid, "forum.err.capacity_invalid")
	ErrDeadlineInvalid = fault.New("forum", fault.Invalid, "forum.err.deadline_invalid")
	ErrStatusInvalid   = fault.New("forum", fault.Invalid, "forum.err.status_invalid")
	ErrFull            = fault.New("forum", fault.Conflict, "forum.err.full")
	ErrSignupClosed    = fault.New("forum", fault.Conflict, "forum.err.signup_closed")
	ErrMonthsInvalid   = fault.New("forum", fault.Invalid, "forum.err.months_invalid")
	ErrTextRequired    = fault.New("forum", fault.Invalid, "forum.err.text_required")
	ErrAnswerRequired  = fault.New("forum", fault.Invalid, "forum.err.answer_required")
	ErrAnswerTooLong   = fault.New("forum", fault.Invalid, "forum.err.answer_too_long")
	ErrQuestionClosed  = fault.New("forum", fault.Conflict, "forum.err.question_closed")
	ErrNotOrgMember    = fault.New("forum", fault.Forbidden, "forum.err.not_org_member")
	ErrFileEmpty       = fault.New("forum", fault.Invalid, "forum.err.file_empty")
	ErrFileType        = fault.New("forum", fault.Invalid, "forum.err.file_type")
	ErrFileTooLarge    = fault.New("forum", fault.Invalid, "forum.err.file_too_large")
	ErrFileKindInvalid = fault.New("forum", fault.Invalid, "forum.err.file_kind_invalid")
	ErrNoStore         = fault.New("forum", fault.Unavailable, "forum.err.no_store")
	errNoAudit         = errors.New("forum: no audit hook: editors' changes are refused")
	allErrors          = []*fault.Error{ErrForbidden, ErrNotFound, ErrTitleRequired, ErrTooLong, ErrAudienceInvalid,
		ErrTimesInvalid, ErrPlaceRequired, ErrLinkInvalid, ErrCapacityInvalid, ErrDeadlineInvalid, ErrStatusInvalid,
		ErrFull, ErrSignupClosed, ErrMonthsInvalid, ErrTextRequired, ErrAnswerRequired, ErrAnswerTooLong,
		ErrQuestionClosed, ErrNotOrgMember, ErrFileEmpty, ErrFileType, ErrFileTooLarge, ErrFileKindInvalid, ErrNoStore,
		ErrCapacityBelowSeats, ErrMeetingClosed, ErrMeetingChanged}
)

// MessageIDs lists every message ID this package hands to handlers (a locale test checks them).
func MessageIDs() []string {
	var ids []string
	for _, e := range allErrors {
		ids = append(ids, e.MsgID)
	}
	for _, a := range Audiences {
		ids = append(ids, a.MsgID())
	}
	for _, s := range Statuses {
		ids = append(ids, s.MsgID())
	}
	for _, k := range FileKinds {
		ids = append(ids, k.MsgID())
	}
	return ids
}

// Event is an editor's change, audited inside its transaction.
type Event struct {
	StaffID int64
	Action  string // EventMeetingCreated, ...
	Subject string // "forum_meeting:7", "forum_activity:3", "forum_question:2"
	Detail  map[string]any
}

// The editors' actions.
const (
	EventMeetingCreated  = "forum_meeting_created"
	EventMeetingStatus   = "forum_meeting_status"
	EventMeetingChanged  = "forum_meeting_changed"
	EventFileAdded       = "forum_file_added"
	EventActivityCreated = "forum_activity_created"
	EventActivityDeleted = "forum_activity_deleted"
	EventQuestionCreated = "forum_question_created"
	EventQuestionStatus  = "forum_question_status"
)

// Hooks are what the forum tells the rest of the portal inside a change's transaction.
type Hooks struct {
	// Audit records an editor's change; without it every change is refused.
	Audit func(ctx context.Context, tx pgx.Tx, e Event) error
	// Notify queues the mail that tells one participant their meeting moved or was cancelled;
	// without it such a change is refused while anyone is signed up.
	Notify func(ctx context.Context, tx pgx.Tx, n Notice) error
}

// Org is an approved forum organisation a viewer belongs to.
type Org struct {
	ID   int64
	Name string
}

// Viewer is who asks; what they may see and do follows from it.
type Viewer struct {
	// MitID is the citizen's MitID, 0 for an editor.
	MitID int64
	// Editor: a campaign editor manages everything.
	Editor bool
	// Orgs are the approved forum organisations the citizen is a member or admin of, by id.
	Orgs []Org
}

// Allowed reports whether the viewer may see the forum at all.
func (v Viewer) Allowed() bool { return v.Editor || (v.MitID != 0 && len(v.Orgs) > 0) }

// memberOf reports whether the viewer belongs to forum organisation org.
func (v Viewer) memberOf(org int64) bool {
	for _, o := range v.Orgs {
		if o.ID == org {
			return true
		}
	}
	return false
}

// Forum reads and writes the forum's tables.
type Forum struct {
	pool  *pgxpool.Pool
	store blob.Store
	hooks Hooks
	now   func() time.Time
}

// New returns the forum on pool keeping files in store (nil: no uploads).
func New(pool *pgxpool.Pool, store blob.Store, hooks Hooks) *Forum {
	return &Forum{pool: pool, store: store, hooks: hooks, now: time.Now}
}

// SetClock replaces the clock (tests move time past a deadline).
func (f *Forum) SetClock(now func() time.Time) { f.now = now }

// Store is where the meetings' files are kept, or nil.
func (f *Forum) Store() blob.Store { return f.store }

// ViewerOf reads who mitidID is in the forum: the approved forum organisations they belong to.
// An editor sees everything.
func (f *Forum) ViewerOf(ctx context.Context, mitidID int64, editor bool) (Viewer, error) {
	v := Viewer{MitID: mitidID, Editor: editor}
	if mitidID == 0 {
		return v, nil
	}
	rows, err := f.pool.Query(ctx, `
		SELECT o.id, o.name FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE m.mitid_id = $1 AND o.status = 'approved' AND o.forum_member ORDER BY o.id`, mitidID)
	if err != nil {
		return v, fmt.Errorf("forum viewer: %w", err)
	}
	v.Orgs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Org, error) {
		var o Org
		return o, r.Scan(&o.ID, &o.Name)
	})
	if err != nil {
		return v, fmt.Errorf("forum viewer: %w", err)
	}
	return v, nil
}

func (f *Forum) audit(ctx context.Context, tx pgx.Tx, e Event) error {
	if f.hooks.Audit == nil {
		return errNoAudit
	}
	return f.hooks.Audit(ctx, tx, e)
}

// see refuses a viewer who may not see the forum.
func see(v Viewer) error {
	if !v.Allowed() {
		return ErrForbidden
	}
	return nil
}

// edit refuses anyone but an editor.
func edit(v Viewer) error {
	if !v.Editor {
		return ErrForbidden
	}
	return nil
}

// Lang picks the Danish or English of a pair.
func Lang(lang, da, en string) string {
	if lang == "en" {
		return en
	}
	return da
}
