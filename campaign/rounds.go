package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/fault"
)

// Feedback rounds: an editor opens a round on draft items; while it is open and before its
// deadline, members of forum organisations see the drafts (visibleTo in packs.go) and comment
// on them per item (rounds_comments.go).

// MaxRoundDescription is the longest a round's description (Markdown) may be, in characters.
const MaxRoundDescription = 5000

// RoundStatus is whether a round takes part in the forum.
type RoundStatus string

// Round states.
const (
	RoundOpen   RoundStatus = "open"
	RoundClosed RoundStatus = "closed"
)

// MsgID is the message ID of the status's display name.
func (s RoundStatus) MsgID() string { return "rounds.status." + string(s) }

// Errors of feedback rounds.
var (
	ErrRoundTitle       = fault.New("campaign", fault.Invalid, "rounds.err.title_required")
	ErrRoundTitleLong   = fault.New("campaign", fault.Invalid, "rounds.err.title_too_long")
	ErrRoundDescLong    = fault.New("campaign", fault.Invalid, "rounds.err.description_too_long")
	ErrRoundDeadline    = fault.New("campaign", fault.Invalid, "rounds.err.deadline_past")
	ErrRoundNoItems     = fault.New("campaign", fault.Invalid, "rounds.err.no_items")
	ErrRoundItemInvalid = fault.New("campaign", fault.Invalid, "rounds.err.item_not_draft")
	ErrRoundClosed      = fault.New("campaign", fault.Conflict, "rounds.err.closed")
	ErrRoundExpired     = fault.New("campaign", fault.Conflict, "rounds.err.deadline_passed")
	ErrNotForum         = fault.New("campaign", fault.Forbidden, "rounds.err.not_forum")
	ErrCommentRequired  = fault.New("campaign", fault.Invalid, "rounds.err.comment_required")
	ErrCommentTooLong   = fault.New("campaign", fault.Invalid, "rounds.err.comment_too_long")
)

// RoundMessageIDs lists the message IDs of feedback rounds for the locale test.
func RoundMessageIDs() []string {
	ids := []string{RoundOpen.MsgID(), RoundClosed.MsgID()}
	for _, e := range []*fault.Error{ErrRoundTitle, ErrRoundTitleLong, ErrRoundDescLong, ErrRoundDeadline,
		ErrRoundNoItems, ErrRoundItemInvalid, ErrRoundClosed, ErrRoundExpired, ErrNotForum, ErrCommentRequired,
		ErrCommentTooLong} {
		ids = append(ids, e.MsgID)
	}
	return ids
}

// Round is a feedback round.
type Round struct {
	ID          int64
	Title       string
	Description string // Markdown
	Deadline    time.Time
	Status      RoundStatus
	OpenedAt    time.Time
	ClosedAt    *time.Time
	// Comments and Unhandled count the round's comments (editors' list only).
	Comments, Unhandled int
}

// Accepting reports whether forum members see the round's drafts and may comment at now.
func (r Round) Accepting(now time.Time) bool { return r.Status == RoundOpen && now.Before(r.Deadline) }

// NewRound is what an editor gives to open a round.
type NewRound struct {
	Title, Description string
	Deadline           time.Time
	Items              []int64
	// FormKey is the one-time key of the form that opens it (db.Once): the same form sent
	// again opens nothing and gives the round it opened. "" (a seed, no form) has none.
	FormKey string
}

// formKeyRound is the purpose of the opening form's keys.
const formKeyRound = "round_open"

// RoundEvent is an editor's change of a round, audited inside its transaction.
type RoundEvent struct {
	StaffID int64
	Action  string // EventRoundOpened, ...
	RoundID int64
	Detail  map[string]any
}

// Round event actions.
const (
	EventRoundOpened         = "round_opened"
	EventRoundDeadline       = "round_deadline_changed"
	EventRoundItemAdded      = "round_item_added"
	EventRoundItemRemoved    = "round_item_removed"
	EventRoundClosed         = "round_closed"
	EventRoundCommentHandled = "round_comment_handled"
)

// RoundNotice is the mail that tells one forum member a round has opened.
type RoundNotice struct {
	MitID       int64
	Email, Lang string
	Round       Round
}

// RoundHooks are what rounds tell the rest of the portal inside a change's transaction.
type RoundHooks struct {
	// Audit records an editor's change; without it every change is refused.
	Audit func(ctx context.Context, tx pgx.Tx, e RoundEvent) error
	// Opened queues the notice of a new round to one forum member (once per member).
	Opened func(ctx context.Context, tx pgx.Tx, n RoundNotice) error
}

// ThrottleRoundComment is the throttle purpose of members' comments, counted per person.
const ThrottleRoundComment = "round-comment"

// CommentLimit comments per person in CommentWindow: far more than anyone types, few enough
// that a script cannot bury the editors.
const (
	CommentLimit  = 30
	CommentWindow = time.Hour
)

// Rounds reads and writes feedback rounds and their comments.
type Rounds struct {
	pool     *pgxpool.Pool
	packs    *Packs
	hooks    RoundHooks
	throttle Throttle
	now      func() time.Time
}

// NewRounds returns Rounds on pool whose items are read through packs (and its clock).
func NewRounds(pool *pgxpool.Pool, packs *Packs, hooks RoundHooks, throttle Throttle) *Rounds {
	return &Rounds{pool: pool, packs: packs, hooks: hooks, throttle: throttle, now: func() time.Time { return packs.now() }}
}

func (r *Rounds) audit(ctx context.Context, tx pgx.Tx, e RoundEvent) error {
	if r.hooks.Audit == nil {
		return errors.New("campaign: no audit hook: editors' changes are refused")
	}
	return r.hooks.Audit(ctx, tx, e)
}

func checkRound(n *NewRound, now time.Time) error {
	n.Title, n.Description = strings.TrimSpace(n.Title), strings.TrimSpace(n.Description)
	switch {
	case n.Title == "":
		return ErrRoundTitle
	case utf8.RuneCountInString(n.Title) > MaxName:
		return ErrRoundTitleLong
	case utf8.RuneCountInString(n.Description) > MaxRoundDescription:
		return ErrRoundDescLong
	case !n.Deadline.After(now):
		return ErrRoundDeadline
	case len(n.Items) == 0:
		return ErrRoundNoItems
	}
	return nil
}

// Open opens a round on draft items that have a file, as editor staffID, and queues a notice
// to every member of a forum organisation in the same transaction. The form sent again (the
// same n.FormKey) opens no second round and mails nobody again: it returns the first.
func (r *Rounds) Open(ctx context.Context, staffID int64, n NewRound) (Round, error) {
	now := r.now()
	if err := checkRound(&n, now); err != nil {
		return Round{}, err
	}
	slices.Sort(n.Items)
	n.Items = slices.Compact(n.Items)
	rd := Round{Title: n.Title, Description: n.Description, Deadline: n.Deadline, Status: RoundOpen, OpenedAt: now}
	made := true
	err := db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		var err error
		rd.ID, made, err = db.Once(ctx, tx, formKeyRound, staffID, n.FormKey, now, func() (int64, error) {
			err := r.open(ctx, tx, staffID, &rd, n.Items)
			return rd.ID, err
		})
		return err
	})
	if err != nil || made {
		return rd, err
	}
	return r.Round(ctx, rd.ID)
}

// open inserts rd (setting its ID) with its items, audits it and mails the forum, in tx.
func (r *Rounds) open(ctx context.Context, tx pgx.Tx, staffID int64, rd *Round, items []int64) error {
	if err := tx.QueryRow(ctx, `INSERT INTO feedback_round (title, description, deadline, opened_by, opened_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, rd.Title, rd.Description, rd.Deadline, staffID, rd.OpenedAt).Scan(&rd.ID); err != nil {
		return fmt.Errorf("open round: %w", err)
	}
	for _, id := range items {
		if err := addItem(ctx, tx, rd.ID, id, rd.OpenedAt); err != nil {
			return err
		}
	}
	if err := r.audit(ctx, tx, RoundEvent{StaffID: staffID, Action: EventRoundOpened, RoundID: rd.ID,
		Detail: map[string]any{"title": rd.Title, "deadline": rd.Deadline, "items": items}}); err != nil {
		return err
	}
	return r.notify(ctx, tx, *rd)
}

// addItem puts a draft item with a file into a round; anything else is ErrRoundItemInvalid.
func addItem(ctx context.Context, tx pgx.Tx, roundID, itemID int64, now time.Time) error {
	tag, err := tx.Exec(ctx, `INSERT INTO feedback_round_item (round_id, item_id, added_at)
		SELECT $1, i.id, $3 FROM pack_item i WHERE i.id = $2 AND i.status = 'draft' AND i.current_version > 0
		ON CONFLICT DO NOTHING`, roundID, itemID, now)
	if err != nil {
		return fmt.Errorf("round item: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var in bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM feedback_round_item WHERE round_id = $1 AND item_id = $2)`,
			roundID, itemID).Scan(&in); err != nil {
			return fmt.Errorf("round item: %w", err)
		}
		if !in {
			return ErrRoundItemInvalid
		}
	}
	return nil
}

// notify queues the round's notice to each member of an approved forum organisation once, in
// the language and at the address of their membership in the forum organisation with the
// lowest id.
func (r *Rounds) notify(ctx context.Context, tx pgx.Tx, rd Round) error {
	if r.hooks.Opened == nil {
		return nil
	}
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT ON (m.mitid_id) m.mitid_id, m.email, m.lang
		FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE o.status = 'approved' AND o.forum_member ORDER BY m.mitid_id, o.id`)
	if err != nil {
		return fmt.Errorf("round recipients: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RoundNotice, error) {
		n := RoundNotice{Round: rd}
		return n, row.Scan(&n.MitID, &n.Email, &n.Lang)
	})
	if err != nil {
		return fmt.Errorf("round recipients: %w", err)
	}
	for _, n := range list {
		if err := r.hooks.Opened(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// change runs fn on an open round, locked, and audits it; a closed round is ErrRoundClosed.
func (r *Rounds) change(ctx context.Context, staffID, roundID int64, action string, detail map[string]any,
	fn func(tx pgx.Tx) error) error {
	return db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		var status RoundStatus
		err := tx.QueryRow(ctx, `SELECT status FROM feedback_round WHERE id = $1 FOR UPDATE`, roundID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("round: %w", err)
		}
		if status != RoundOpen {
			return ErrRoundClosed
		}
		if err := fn(tx); err != nil {
			return err
		}
		return r.audit(ctx, tx, RoundEvent{StaffID: staffID, Action: action, RoundID: roundID, Detail: detail})
	})
}

// SetDeadline moves an open round's deadline; it must lie ahead.
func (r *Rounds) SetDeadline(ctx context.Context, staffID, roundID int64, deadline time.Time) error {
	if !deadline.After(r.now()) {
		return ErrRoundDeadline
	}
	return r.change(ctx, staffID, roundID, EventRoundDeadline, map[string]any{"deadline": deadline}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE feedback_round SET deadline = $2 WHERE id = $1`, roundID, deadline)
		return err
	})
}

// AddItem adds a draft item with a file to an open round.
func (r *Rounds) AddItem(ctx context.Context, staffID, roundID, itemID int64) error {
	return r.change(ctx, staffID, roundID, EventRoundItemAdded, map[string]any{"item": itemID}, func(tx pgx.Tx) error {
		return addItem(ctx, tx, roundID, itemID, r.now())
	})
}

// RemoveItem takes an item out of an open round (its comments stay); an item not in the round
// is ErrNotFound.
func (r *Rounds) RemoveItem(ctx context.Context, staffID, roundID, itemID int64) error {
	return r.change(ctx, staffID, roundID, EventRoundItemRemoved, map[string]any{"item": itemID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM feedback_round_item WHERE round_id = $1 AND item_id = $2`, roundID, itemID)
		if err != nil {
			return fmt.Errorf("remove round item: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Close closes an open round: its drafts are the editors' again and no more comments are taken.
func (r *Rounds) Close(ctx context.Context, staffID, roundID int64) error {
	return r.change(ctx, staffID, roundID, EventRoundClosed, nil, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE feedback_round SET status = 'closed', closed_by = $2, closed_at = $3 WHERE id = $1`,
			roundID, staffID, r.now())
		return err
	})
}
