package support

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// MaxBulk is the most cases one bulk change takes: a queue page's worth.
const MaxBulk = 100

// BulkChange is what a bulk change does to each case chosen; zero fields leave the case's
// value as it is.
type BulkChange struct {
	// Assign, when set, gives each case to that member of staff, or to nobody (0).
	Assign *int64
	// Status moves each case along the allowed transitions.
	Status CaseStatus
	// AddTag adds one tag.
	AddTag string
}

// BulkItem is one case chosen on the queue list, with the version the agent saw.
type BulkItem struct {
	ID      int64
	Version int
}

// BulkResult says what a bulk change did: the reference codes of the cases changed, of those
// that already were as asked, and those skipped with the rule that stopped each.
type BulkResult struct {
	Changed, Unchanged []string
	Skipped            []BulkSkip
}

// BulkSkip is a case a bulk change left alone, and why: it moved on since the list was shown
// (ErrConflict), is closed (ErrClosed), or the change is not allowed for it (ErrTransition, for
// instance).
type BulkSkip struct {
	Ref string
	Err *Error
}

// Bulk makes change to each case in items as staffID, as if by hand: each case in its own
// transaction, at the version the agent saw, with its timeline entries and an audit entry. A
// case that moved on, is closed or may not be changed so is skipped and the others go on; a
// transaction per case means one such case cannot undo the rest, and no transaction holds
// more than one case's lock. Refused as a whole: no change asked (ErrBulkEmpty), no case or
// more than MaxBulk (ErrBulkCount), an invalid status, tag or assignee.
func (s *Cases) Bulk(ctx context.Context, staffID int64, items []BulkItem, change BulkChange) (BulkResult, error) {
	var res BulkResult
	if err := s.CheckBulk(ctx, items, change); err != nil {
		return res, err
	}
	if change.AddTag != "" {
		tags, _ := normalizeTags([]string{change.AddTag})
		change.AddTag = tags[0]
	}
	for _, it := range items {
		changed := false
		c, err := s.change(ctx, it.ID, it.Version, func(tx pgx.Tx, c Case, now time.Time) error {
			done, err := s.bulkOne(ctx, tx, c, staffID, change, now)
			if err != nil || len(done) == 0 {
				if err == nil {
					err = errUnchanged
				}
				return err
			}
			changed = true
			return s.audit(ctx, tx, StaffAction{StaffID: staffID, Action: "case_bulk_changed", Ref: c.Ref,
				Detail: map[string]any{"changed": done}})
		})
		var fe *Error
		switch {
		case err == nil && changed:
			res.Changed = append(res.Changed, c.Ref)
		case err == nil:
			res.Unchanged = append(res.Unchanged, c.Ref)
		case errors.As(err, &fe) && !errors.Is(err, ErrNotFound):
			ref, gerr := s.Get(ctx, it.ID)
			if gerr != nil {
				return res, gerr
			}
			res.Skipped = append(res.Skipped, BulkSkip{Ref: ref.Ref, Err: fe})
		case errors.Is(err, ErrNotFound):
			// A case that does not exist was never on the agent's list: a forged form.
			return res, ErrNotFound
		default:
			return res, fmt.Errorf("bulk change of case %d: %w", it.ID, err)
		}
	}
	return res, nil
}

// CheckBulk checks a bulk change as Bulk does before it changes a case: every rule broken,
// joined (no change asked, no case or too many, an invalid status or tag, an assignee who may
// not take cases, looked up).
func (s *Cases) CheckBulk(ctx context.Context, items []BulkItem, change BulkChange) error {
	var errs []error
	if change.Assign == nil && change.Status == "" && change.AddTag == "" {
		errs = append(errs, ErrBulkEmpty)
	}
	if len(items) == 0 || len(items) > MaxBulk {
		errs = append(errs, ErrBulkCount)
	}
	if change.Status != "" && !valid(Statuses, change.Status) {
		errs = append(errs, ErrStatusInvalid)
	}
	if change.AddTag != "" {
		_, err := normalizeTags([]string{change.AddTag})
		errs = append(errs, err)
	}
	if change.Assign != nil && *change.Assign != 0 {
		err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error { return checkAssignee(ctx, tx, *change.Assign) })
		if _, isRule := fault.Rules(err); err != nil && !isRule {
			return err
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// bulkOne makes the parts of change that change c, and names them.
func (s *Cases) bulkOne(ctx context.Context, tx pgx.Tx, c Case, staffID int64, change BulkChange, now time.Time) ([]string, error) {
	var done []string
	if change.Assign != nil && *change.Assign != c.AssigneeID {
		if *change.Assign != 0 {
			if err := checkAssignee(ctx, tx, *change.Assign); err != nil {
				return nil, err
			}
		}
		if err := updateCase(ctx, tx, c.ID, now, `assignee_id = $3`, nullID(*change.Assign)); err != nil {
			return nil, err
		}
		_, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryAssignment, StaffID: staffID,
			From: staffValue(c.AssigneeID), To: staffValue(*change.Assign)})
		if err != nil {
			return nil, err
		}
		done = append(done, "assignee")
	}
	if change.Status != "" && change.Status != c.Status {
		if !c.Status.CanMoveTo(change.Status) {
			return nil, ErrTransition
		}
		if err := s.changeStatus(ctx, tx, c, change.Status, staffID, now); err != nil {
			return nil, err
		}
		done = append(done, "status")
	}
	if change.AddTag != "" && !slices.Contains(c.Tags, change.AddTag) {
		if len(c.Tags) >= MaxTags {
			return nil, ErrTooManyTags
		}
		tags := append(slices.Clone(c.Tags), change.AddTag)
		slices.Sort(tags)
		if err := updateCase(ctx, tx, c.ID, now, `tags = $3`, tags); err != nil {
			return nil, err
		}
		_, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryTags, StaffID: staffID,
			Detail: map[string]any{"added": []string{change.AddTag}, "removed": []string{}}})
		if err != nil {
			return nil, err
		}
		done = append(done, "tags")
	}
	return done, nil
}
