package campaign

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

// MaxComment is the longest comment a forum member may write, in characters.
const MaxComment = 5000

// Comment is a forum member's comment on one item of a round.
type Comment struct {
	ID, RoundID, ItemID, OrgID, MitID int64
	ItemTitle                         string
	Author, OrgName, Body             string
	CreatedAt                         time.Time
	Handled                           bool
	HandledNote                       string
	HandledAt                         *time.Time
}

const roundColumns = `r.id, r.title, r.description, r.deadline, r.status, r.opened_at, r.closed_at`

func scanRound(row pgx.Row, rd *Round, more ...any) error {
	return row.Scan(append([]any{&rd.ID, &rd.Title, &rd.Description, &rd.Deadline, &rd.Status, &rd.OpenedAt,
		&rd.ClosedAt}, more...)...)
}

// Now is the rounds' clock: the moment deadlines are compared with.
func (r *Rounds) Now() time.Time { return r.now() }

// Round returns round id (editors see every round).
func (r *Rounds) Round(ctx context.Context, id int64) (Round, error) {
	var rd Round
	err := scanRound(r.pool.QueryRow(ctx, `SELECT `+roundColumns+` FROM feedback_round r WHERE r.id = $1`, id), &rd)
	if errors.Is(err, pgx.ErrNoRows) {
		return rd, ErrNotFound
	}
	if err != nil {
		return rd, fmt.Errorf("round: %w", err)
	}
	return rd, nil
}

// List returns every round for the editors, open ones first, newest first, with their counts.
func (r *Rounds) List(ctx context.Context) ([]Round, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+roundColumns+`,
		(SELECT count(*) FROM feedback_comment c WHERE c.round_id = r.id),
		(SELECT count(*) FROM feedback_comment c WHERE c.round_id = r.id AND NOT c.handled)
		FROM feedback_round r ORDER BY r.status = 'closed', r.opened_at DESC, r.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Round, error) {
		var rd Round
		return rd, scanRound(row, &rd, &rd.Comments, &rd.Unhandled)
	})
}

// OpenFor returns the rounds v may take part in now: open, before their deadline, for members
// of forum organisations (and editors); nil for anyone else.
func (r *Rounds) OpenFor(ctx context.Context, v Viewer) ([]Round, error) {
	if !v.Forum && !v.Editor {
		return nil, nil
	}
	rows, err := r.pool.Query(ctx, `SELECT `+roundColumns+` FROM feedback_round r
		WHERE r.status = 'open' AND r.deadline > $1 ORDER BY r.deadline, r.id`, r.now())
	if err != nil {
		return nil, fmt.Errorf("open rounds: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Round, error) {
		var rd Round
		return rd, scanRound(row, &rd)
	})
}

// Items returns the round's items that v sees, through the packs' one visibility rule: a
// forum member sees them while the round takes comments, an editor always.
func (r *Rounds) Items(ctx context.Context, v Viewer, roundID int64) ([]Item, error) {
	return r.packs.items(ctx, v, `i.id IN (SELECT item_id FROM feedback_round_item WHERE round_id = $5)
		ORDER BY i.pack_id, i.position, i.id`, roundID)
}

// Candidates returns the items an editor may put into a round: drafts with a file.
func (r *Rounds) Candidates(ctx context.Context) ([]Item, error) {
	return r.packs.items(ctx, Viewer{Editor: true}, `i.status = 'draft' AND i.current_version > $5
		ORDER BY i.pack_id, i.position, i.id`, 0)
}

// Comment stores a forum member's comment on an item of an open round before its deadline,
// under the member's name and their forum organisation (the one with the lowest id). It is
// counted per person before it is stored (ThrottleRoundComment), so parallel posts hold the limit.
func (r *Rounds) Comment(ctx context.Context, v Viewer, roundID, itemID int64, body string) (Comment, error) {
	body = strings.TrimSpace(body)
	if !v.Forum {
		return Comment{}, ErrNotForum
	}
	if body == "" {
		return Comment{}, ErrCommentRequired
	}
	if utf8.RuneCountInString(body) > MaxComment {
		return Comment{}, ErrCommentTooLong
	}
	if r.throttle != nil {
		if err := r.throttle.Take(ctx, ThrottleRoundComment, "mitid:"+strconv.FormatInt(v.MitID, 10)); err != nil {
			return Comment{}, err
		}
	}
	now := r.now()
	c := Comment{RoundID: roundID, ItemID: itemID, MitID: v.MitID, Body: body, CreatedAt: now}
	// One statement: the round must be open and before its deadline, the item in it and the
	// author a member of a forum organisation at the moment of writing.
	err := r.pool.QueryRow(ctx, `
		INSERT INTO feedback_comment (round_id, item_id, organisation_id, mitid_id, author_name, org_name, body, created_at)
		SELECT r.id, ri.item_id, o.id, mi.id, trim(p.given_name || ' ' || p.family_name), o.name, $4, $5
		FROM feedback_round r
		JOIN feedback_round_item ri ON ri.round_id = r.id AND ri.item_id = $2
		JOIN mitid mi ON mi.id = $3 JOIN person p ON p.cpr = mi.cpr
		JOIN LATERAL (SELECT o.id, o.name FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
			WHERE m.mitid_id = $3 AND o.status = 'approved' AND o.forum_member ORDER BY o.id LIMIT 1) o ON true
		WHERE r.id = $1 AND r.status = 'open' AND r.deadline > $5
		RETURNING id, organisation_id, author_name, org_name`, roundID, itemID, v.MitID, body, now).Scan(
		&c.ID, &c.OrgID, &c.Author, &c.OrgName)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, r.whyNot(ctx, roundID, itemID, now)
	}
	if err != nil {
		return c, fmt.Errorf("comment: %w", err)
	}
	return c, nil
}

// whyNot tells why a comment was not taken: the round closed or its deadline passed (shown at
// the form), or the round, the item or the membership is not there.
func (r *Rounds) whyNot(ctx context.Context, roundID, itemID int64, now time.Time) error {
	rd, err := r.Round(ctx, roundID)
	if err != nil {
		return err
	}
	switch {
	case rd.Status != RoundOpen:
		return ErrRoundClosed
	case !rd.Deadline.After(now):
		return ErrRoundExpired
	}
	var in bool
	if err := r.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM feedback_round_item WHERE round_id = $1 AND item_id = $2)`,
		roundID, itemID).Scan(&in); err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	if !in {
		return ErrNotFound
	}
	return ErrNotForum
}

const commentColumns = `c.id, c.round_id, c.item_id, c.organisation_id, c.mitid_id, i.title, c.author_name, c.org_name,
	c.body, c.created_at, c.handled, c.handled_note, c.handled_at`

func (r *Rounds) comments(ctx context.Context, where string, args ...any) ([]Comment, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+commentColumns+`
		FROM feedback_comment c JOIN pack_item i ON i.id = c.item_id
		WHERE `+where+` ORDER BY i.pack_id, i.position, c.item_id, c.created_at, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("comments: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Comment, error) {
		var c Comment
		err := row.Scan(&c.ID, &c.RoundID, &c.ItemID, &c.OrgID, &c.MitID, &c.ItemTitle, &c.Author, &c.OrgName,
			&c.Body, &c.CreatedAt, &c.Handled, &c.HandledNote, &c.HandledAt)
		return c, err
	})
}

// Comments returns a round's comments for the editors, by item and time; only the unhandled
// ones when unhandled is set.
func (r *Rounds) Comments(ctx context.Context, roundID int64, unhandled bool) ([]Comment, error) {
	return r.comments(ctx, `c.round_id = $1 AND NOT (c.handled AND $2)`, roundID, unhandled)
}

// OrgComments returns the comments on a round written by v's forum organisations. Members do
// not see other organisations' comments: organisations give their feedback to the agency, not
// to each other.
func (r *Rounds) OrgComments(ctx context.Context, v Viewer, roundID int64) ([]Comment, error) {
	if !v.Forum {
		return nil, nil
	}
	return r.comments(ctx, `c.round_id = $1 AND c.organisation_id IN (SELECT m.organisation_id
		FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE m.mitid_id = $2 AND o.status = 'approved' AND o.forum_member)`, roundID, v.MitID)
}

// MarkHandled marks a comment of round roundID handled or not, with an optional note, as
// editor staffID (audited). Also after the round has closed: handling comes after.
func (r *Rounds) MarkHandled(ctx context.Context, staffID, roundID, commentID int64, handled bool, note string) error {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return ErrNoteTooLong
	}
	return db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		now := r.now()
		tag, err := tx.Exec(ctx, `UPDATE feedback_comment SET handled = $3, handled_note = $4,
			handled_by = CASE WHEN $3 THEN $5::bigint END, handled_at = CASE WHEN $3 THEN $6::timestamptz END
			WHERE id = $2 AND round_id = $1`, roundID, commentID, handled, note, staffID, now)
		if err != nil {
			return fmt.Errorf("mark handled: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return r.audit(ctx, tx, RoundEvent{StaffID: staffID, Action: EventRoundCommentHandled, RoundID: roundID,
			Detail: map[string]any{"comment": commentID, "handled": handled, "note": note}})
	})
}
