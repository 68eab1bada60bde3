// Package audit keeps the portal's audit log (DESIGN.md §5): an append-only record of every
// staff look-up of a citizen, every staff action and other security events, chained with a key
// and anchored outside the database so that a changed, deleted, reordered or forged entry, and
// entries cut from the end, are reported by Chain.Verify (`portal audit verify`).
//
// Writing and chaining are separate steps, so that audited transactions do not wait for each
// other:
//
//   - Log.Append inserts the entry in the caller's transaction, so an action and its entry
//     commit or roll back together. It takes no lock and reads nothing, so two audited
//     transactions never wait for each other's commits.
//   - Chain.Seal (the sealer: every instance runs it every second, one at a time under a short
//     advisory lock, and once more at shutdown) chains committed entries into audit_seal with an
//     HMAC-SHA256 under the first AUDIT_KEYS key. Chain order is the seal's seq, not the entry
//     id: an entry whose transaction committed late is sealed after entries with higher ids.
//   - Chain.Anchor gives the signed head (seq, hash, count) that a periodic job writes to the
//     log and to AUDIT_ANCHOR_FILE, outside what the database's owner can rewrite.
//
// The trade-off: an entry is unsealed for about a second after its commit (longer while no
// instance runs). In that window only the append-only trigger protects it; Verify counts
// unsealed entries and reports any older than DefaultGrace. Without the key, a changed entry
// cannot be given a valid hash; with the key but without the anchor file, rewriting the chain
// after the newest anchor is still caught by comparing with the anchor.
//
// Never put a secret (password, code, activation code) into an entry's Detail: the log is read
// by staff and kept for ever.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
)

// Action says what happened. The display name of a listed action is message Action.MsgID().
type Action string

// Actions the portal records. Detail keys are listed beside each; a new action needs its name in
// locales/audit.*.toml and a place in Actions.
const (
	ActionCitizenLookup          Action = "citizen_lookup"           // via (cpr, username, case)
	ActionBlockMitID             Action = "block_mitid"              // reason, case
	ActionBlockMeans             Action = "block_means"              // means_id, kind, reason, case
	ActionLiftBlock              Action = "lift_block"               // case
	ActionIssueTemporaryPassword Action = "issue_temporary_password" // case, expires
	ActionIssueActivationCode    Action = "issue_activation_code"    // case, expires
	ActionOrderToken             Action = "order_token"              // kind, case
	ActionVerifyCaller           Action = "verify_caller"            // result, case
	ActionDocumentCheck          Action = "document_check"           // kind, result, cause (borgerservice)
	ActionSendToken              Action = "send_token"               // kind, means_id, order, serial
	ActionStaffCreated           Action = "staff_created"            // roles
	ActionStaffEnrolled          Action = "staff_enrolled"           // (none)
	ActionStaffLogin             Action = "staff_login"              // (none)
	ActionStaffLoginFailed       Action = "staff_login_failed"       // cause
	ActionStaffDisabled          Action = "staff_disabled"           // (none)
	ActionRoleChanged            Action = "role_changed"             // from, to
	ActionStaffUnlocked          Action = "staff_unlocked"           // via, locked
	ActionStaffLocked            Action = "staff_locked"             // until, failures
	ActionStaffEnabled           Action = "staff_enabled"            // was_disabled, was_locked
	ActionStaffEnrolmentIssued   Action = "staff_enrolment_issued"   // replace_keys, keys_removed, links_ended
	// Canned replies (support.CannedReplies); the subject is canned(ID).
	ActionCannedCreated Action = "canned_created" // version, shared
	ActionCannedUpdated Action = "canned_updated" // version, shared
	ActionCannedRetired Action = "canned_retired" // version, shared
	// Staff actions on support cases beyond their timelines (support.StaffAction).
	ActionCaseMerged      Action = "case_merged"       // into
	ActionCaseLinked      Action = "case_linked"       // other
	ActionCaseUnlinked    Action = "case_unlinked"     // other
	ActionCaseBulkChanged Action = "case_bulk_changed" // changed
	ActionCaseChanged     Action = "case_changed"      // changed (status, assignee, priority, properties or tags)

	// Campaign (package campaign): organisations' applications and members, packs and items.
	ActionOrgApplied       Action = "org_applied"             // cvr
	ActionOrgApproved      Action = "org_approved"            // note
	ActionOrgRejected      Action = "org_rejected"            // note
	ActionOrgInvited       Action = "org_member_invited"      // role
	ActionOrgJoined        Action = "org_member_joined"       // role
	ActionOrgRoleChanged   Action = "org_member_role_changed" // member, role
	ActionOrgMemberRemoved Action = "org_member_removed"      // member
	ActionOrgForumMember   Action = "org_forum_member"        // forum
	ActionPackCreated      Action = "pack_created"            // slug
	ActionItemCreated      Action = "pack_item_created"       // title, sha256
	ActionItemVersion      Action = "pack_item_version"       // version, sha256, note
	ActionItemPublished    Action = "pack_item_published"     // status, release_at
	ActionItemWithdrawn    Action = "pack_item_withdrawn"     // status
	ActionItemMoved        Action = "pack_item_moved"         // position
)

// ActionOrgSubscriptions is an organisation admin's choice of the packs it subscribes to
// (package campaign); detail: added, removed (pack ids).
const ActionOrgSubscriptions Action = "org_subscriptions_changed"

// The campaign site's structured content (package campaign/sitedata): its editors' changes of
// the questions and answers, brokers, timeline and page texts; detail: what was saved.
const (
	ActionQACategorySaved   Action = "qa_category_saved"
	ActionQAEntrySaved      Action = "qa_entry_saved"
	ActionQAEntryVisibility Action = "qa_entry_visibility"
	ActionSiteDataMoved     Action = "sitedata_moved"
	ActionBrokerSaved       Action = "broker_saved"
	ActionTimelineSaved     Action = "timeline_saved"
	ActionTimelineDeleted   Action = "timeline_deleted"
	ActionSiteTextSaved     Action = "site_text_saved"
)

// Campaign pages (package campaign/site): an editor's pages, their versions and images.
const (
	ActionSitePageCreated     Action = "site_page_created"     // slug, kind, parent
	ActionSitePageSaved       Action = "site_page_saved"       // lang, version, note
	ActionSitePagePublished   Action = "site_page_published"   // release_at, da, en (pinned versions)
	ActionSitePageUnpublished Action = "site_page_unpublished" //
	ActionSiteImageAdded      Action = "site_image_added"      // sha256, alt
)

// The campaign editors' newsletter issues (package campaign/newsletter).
const (
	ActionNewsletterCreated Action = "newsletter_issue_created" // subject
	ActionNewsletterUpdated Action = "newsletter_issue_updated" // subject
	ActionNewsletterSent    Action = "newsletter_issue_sent"    // subscribers
)

// The stakeholder forum's editor actions (package campaign/forum, app/forumaudit.go).
const (
	ActionForumMeetingCreated  Action = "forum_meeting_created"  // title, starts_at, capacity
	ActionForumMeetingStatus   Action = "forum_meeting_status"   // from, to (and mailed, no_address when cancelled)
	ActionForumMeetingChanged  Action = "forum_meeting_changed"  // each changed field's from, to; mailed, no_address
	ActionForumFileAdded       Action = "forum_file_added"       // kind, sha256, filename
	ActionForumActivityCreated Action = "forum_activity_created" // title, first, last
	ActionForumActivityDeleted Action = "forum_activity_deleted" // title
	ActionForumQuestionCreated Action = "forum_question_created" // text
	ActionForumQuestionStatus  Action = "forum_question_status"  // open
)

// Feedback rounds of the forum (campaign.Rounds); the subject is feedback_round:ID.
const (
	ActionRoundOpened         Action = "round_opened"           // title, deadline, items
	ActionRoundDeadline       Action = "round_deadline_changed" // deadline
	ActionRoundItemAdded      Action = "round_item_added"       // item
	ActionRoundItemRemoved    Action = "round_item_removed"     // item
	ActionRoundClosed         Action = "round_closed"           // (none)
	ActionRoundCommentHandled Action = "round_comment_handled"  // comment, handled, note
)

// Actions lists every action with a display name.
var Actions = []Action{
	ActionCitizenLookup, ActionBlockMitID, ActionBlockMeans, ActionLiftBlock,
	ActionIssueTemporaryPassword, ActionIssueActivationCode, ActionOrderToken, ActionVerifyCaller,
	ActionDocumentCheck,
	ActionStaffCreated, ActionStaffEnrolled, ActionStaffLogin, ActionStaffLoginFailed,
	ActionStaffDisabled, ActionRoleChanged, ActionStaffUnlocked, ActionStaffLocked, ActionStaffEnabled,
	ActionStaffEnrolmentIssued,
	ActionSendToken,
	ActionCannedCreated, ActionCannedUpdated, ActionCannedRetired,
	ActionCaseMerged, ActionCaseLinked, ActionCaseUnlinked, ActionCaseBulkChanged, ActionCaseChanged,
	ActionOrgApplied, ActionOrgApproved, ActionOrgRejected, ActionOrgInvited, ActionOrgJoined,
	ActionOrgRoleChanged, ActionOrgMemberRemoved, ActionOrgForumMember, ActionOrgSubscriptions,
	ActionPackCreated, ActionItemCreated, ActionItemVersion, ActionItemPublished, ActionItemWithdrawn, ActionItemMoved,
	ActionQACategorySaved, ActionQAEntrySaved, ActionQAEntryVisibility, ActionSiteDataMoved, ActionBrokerSaved,
	ActionTimelineSaved, ActionTimelineDeleted, ActionSiteTextSaved,
	ActionSitePageCreated, ActionSitePageSaved, ActionSitePagePublished, ActionSitePageUnpublished, ActionSiteImageAdded,
	ActionNewsletterCreated, ActionNewsletterUpdated, ActionNewsletterSent,
	ActionForumMeetingCreated, ActionForumMeetingStatus, ActionForumMeetingChanged, ActionForumFileAdded,
	ActionForumActivityCreated, ActionForumActivityDeleted, ActionForumQuestionCreated, ActionForumQuestionStatus,
	ActionRoundOpened, ActionRoundDeadline, ActionRoundItemAdded, ActionRoundItemRemoved, ActionRoundClosed,
	ActionRoundCommentHandled,
}

// MsgID is the message ID of the action's display name.
func (a Action) MsgID() string { return "audit.action." + string(a) }

// ActorSystem is the actor of entries the portal writes on its own behalf.
const ActorSystem = "system"

// Staff names a member of staff as actor or subject: "staff:12".
func Staff(id int64) string { return "staff:" + strconv.FormatInt(id, 10) }

// MitID names a citizen's MitID as subject: "mitid:7".
func MitID(id int64) string { return "mitid:" + strconv.FormatInt(id, 10) }

// Case names a support case by its reference code as subject: "case:ABCDEF".
func Case(ref string) string { return "case:" + ref }

// Entry is what a caller records. Actor and Action are required; Subject may be empty for an
// event about nothing in particular.
type Entry struct {
	Actor   string
	Action  Action
	Subject string
	// Detail is stored as a JSON object; after a round trip its numbers are float64.
	Detail map[string]any
}

// Record is a stored entry.
type Record struct {
	ID int64
	At time.Time
	Entry
}

// Log reads and appends the audit log. Chaining is Chain's job; Log needs no key.
type Log struct{ pool *pgxpool.Pool }

// NewLog returns a Log on pool.
func NewLog(pool *pgxpool.Pool) *Log { return &Log{pool: pool} }

// Append adds e to the log in tx, so that an action and its entry commit or roll back together.
// It only inserts (the entry and its pending marker, in one statement): no lock and no read of
// the chain, so it may be called at any step of a transaction of any isolation level, and
// concurrent audited transactions do not wait for each other. The sealer chains the entry about
// a second after tx commits. A rolled-back append leaves nothing behind but an unused id.
func (l *Log) Append(ctx context.Context, tx pgx.Tx, e Entry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("audit: entry without actor or action: %q %q", e.Actor, e.Action)
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	raw, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("audit: detail: %w", err)
	}
	// clock_timestamp, not now(): the time of the event, not of the start of a transaction
	// that may have run for a while before it.
	_, err = tx.Exec(ctx, `
		WITH e AS (
			INSERT INTO audit_log (at, actor, action, subject, detail)
			VALUES (clock_timestamp(), $1, $2, $3, $4::jsonb) RETURNING id)
		INSERT INTO audit_pending (entry_id) SELECT id FROM e`,
		e.Actor, string(e.Action), e.Subject, string(raw))
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// AppendNow adds e to the log in a transaction of its own.
func (l *Log) AppendNow(ctx context.Context, e Entry) error {
	return db.Transact(ctx, l.pool, func(tx pgx.Tx) error { return l.Append(ctx, tx, e) })
}

// Filter selects entries for List. Empty fields match everything; set fields must all match.
type Filter struct {
	Subject string
	// Subjects matches an entry about any of them (a citizen is "mitid:7" once they have a MitID
	// and "person:CPR" before); nil matches everything, an empty non-nil list nothing.
	Subjects []string
	Actor    string
	Action   Action
	// From and To bound the entry's time: From <= at < To; a zero time does not bound.
	From, To time.Time
	// Before lists entries older than this id (0: from the newest); the next page starts before
	// the last entry's ID.
	Before int64
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
}

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// List returns entries matching f, newest first, whether sealed yet or not.
func (l *Log) List(ctx context.Context, f Filter) ([]Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// Conditions are added only when used, so that the planner sees a plain indexed query.
	var where []string
	args := []any{limit}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Subjects != nil && len(f.Subjects) == 0 {
		return nil, nil
	}
	if f.Subject != "" {
		add("subject = $%d", f.Subject)
	}
	if f.Subjects != nil {
		add("subject = ANY ($%d)", f.Subjects)
	}
	// The actor is a condition of the query, never a filter applied after reading: a page
	// limited to one actor (an agent's own actions) cannot show anyone else's entries.
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Action != "" {
		add("action = $%d", string(f.Action))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To)
	}
	if f.Before > 0 {
		add("id < $%d", f.Before)
	}
	q := `SELECT id, at, actor, action, subject, detail FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := l.pool.Query(ctx, q+` ORDER BY id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var r Record
		err := row.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Subject, &r.Detail)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return list, nil
}
