package support

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// Timeline kinds of merging and relating cases; staff only (EntryKind.Public).
const (
	// EntryMerge is on both cases of a merge: Detail "into" (on the merged case) or "from" (on
	// the survivor) holds the other case's reference code.
	EntryMerge EntryKind = "merge"
	// EntryRelated is on both cases of a link or an unlink: Detail "ref" is the other case's
	// reference code, "linked" whether they were linked (true) or unlinked (false).
	EntryRelated EntryKind = "related"
)

// Errors of merging, relating and bulk changes.
var (
	ErrMergeSelf          = fault.New("support", fault.Invalid, "support.err.merge_self")
	ErrMergeTargetUnknown = fault.New("support", fault.Invalid, "support.err.merge_target_unknown")
	ErrMergeTarget        = fault.New("support", fault.Conflict, "support.err.merge_target")
	ErrMergeChain         = fault.New("support", fault.Conflict, "support.err.merge_chain")
	ErrMergeCitizens      = fault.New("support", fault.Invalid, "support.err.merge_citizens")
	// ErrMergeCitizenless: a citizen's case merged into a case of nobody's would leave the
	// citizen without either timeline (they see the cases linked to their MitID).
	ErrMergeCitizenless = fault.New("support", fault.Invalid, "support.err.merge_citizenless")
	ErrRelatedSelf      = fault.New("support", fault.Invalid, "support.err.related_self")
	ErrRelatedUnknown   = fault.New("support", fault.Invalid, "support.err.related_unknown")
	ErrTooManyRelated   = fault.New("support", fault.Invalid, "support.err.too_many_related")
	ErrBulkEmpty        = fault.New("support", fault.Invalid, "support.err.bulk_empty")
	ErrBulkCount        = fault.New("support", fault.Invalid, "support.err.bulk_count")
)

var mergeErrors = []*Error{ErrMergeSelf, ErrMergeTargetUnknown, ErrMergeTarget, ErrMergeChain,
	ErrMergeCitizens, ErrMergeCitizenless, ErrRelatedSelf, ErrRelatedUnknown, ErrTooManyRelated, ErrBulkEmpty, ErrBulkCount}

// StaffAction is a change of cases by a member of staff that the audit log keeps beyond the
// timeline: a merge, a link or unlink of related cases, a change in bulk. Hooks.Audit writes
// it in the change's transaction.
type StaffAction struct {
	StaffID int64
	// Action is "case_changed", "case_merged", "case_linked", "case_unlinked" or
	// "case_bulk_changed".
	Action string
	// Ref is the reference code of the case changed (the merged one for a merge).
	Ref    string
	Detail map[string]any
}

// audit hands a to the audit hook in tx; without a hook the change is refused, so that a
// staff action is never made unaudited by a wiring mistake.
func (s *Cases) audit(ctx context.Context, tx pgx.Tx, a StaffAction) error {
	if s.hooks.Audit == nil {
		return errors.New("support: no audit hook for " + a.Action)
	}
	return s.hooks.Audit(ctx, tx, a)
}

// Merge closes the duplicate case dupID as merged into the case with reference code intoRef
// (the survivor), as staffID, when the duplicate is still at expectVersion. The duplicate's
// entries stay where they were written (the timeline is append-only); the survivor's
// Timeline shows them with its own in time order, and a citizen's later message to the
// duplicate lands on the survivor (AddMessage). Both cases get an EntryMerge, the duplicate a
// status change to closed, the survivor the duplicate's search text, and the audit log an
// entry, all in one transaction. Refused: merging a case into itself (ErrMergeSelf), into a
// closed or merged case (ErrMergeTarget), a case that is itself a survivor (ErrMergeChain, so
// one hop always finds the survivor), a closed duplicate (ErrClosed), cases of two different
// citizens (ErrMergeCitizens), and a citizen's case into a case linked to nobody
// (ErrMergeCitizenless: the other way round, or after linking the survivor, the citizen
// keeps seeing the survivor's timeline).
func (s *Cases) Merge(ctx context.Context, dupID, staffID int64, intoRef string, expectVersion int) (Case, error) {
	into, err := s.ByRef(ctx, intoRef)
	if errors.Is(err, ErrNotFound) {
		return Case{}, ErrMergeTargetUnknown
	}
	if err != nil {
		return Case{}, err
	}
	if into.ID == dupID {
		return Case{}, ErrMergeSelf
	}
	var out Case
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		locked, err := lockCases(ctx, tx, dupID, into.ID)
		if err != nil {
			return err
		}
		dup, sur := locked[dupID], locked[into.ID]
		switch {
		case dup.Version != expectVersion:
			return ErrConflict
		case dup.Status == StatusClosed:
			return ErrClosed
		case sur.Status == StatusClosed:
			return ErrMergeTarget
		case dup.MitIDID != 0 && sur.MitIDID != 0 && dup.MitIDID != sur.MitIDID:
			return ErrMergeCitizens
		case dup.MitIDID != 0 && sur.MitIDID == 0:
			return ErrMergeCitizenless
		}
		var survivors int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM support_case WHERE merged_into = $1`, dup.ID).Scan(&survivors); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if survivors > 0 {
			return ErrMergeChain
		}
		now := s.now()
		// Closing needs a resolution time (a closed case has one); a merged case that was never
		// resolved is resolved by the merge.
		_, err = tx.Exec(ctx, `
			UPDATE support_case SET status = 'closed', merged_into = $2, resolved_at = coalesce(resolved_at, $3),
				version = version + 1, updated_at = $3
			WHERE id = $1`, dup.ID, sur.ID, now)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		_, err = tx.Exec(ctx, `
			UPDATE support_case SET search = search || (SELECT search FROM support_case WHERE id = $2),
				updated_at = $3
			WHERE id = $1`, sur.ID, dup.ID, now)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for _, e := range []Entry{
			{CaseID: dup.ID, Kind: EntryStatus, From: string(dup.Status), To: string(StatusClosed)},
			{CaseID: dup.ID, Kind: EntryMerge, Detail: map[string]any{"into": sur.Ref}},
			{CaseID: sur.ID, Kind: EntryMerge, Detail: map[string]any{"from": dup.Ref}},
		} {
			e.At, e.StaffID = now, staffID
			if _, err := insertEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := s.refreshDeadlines(ctx, tx, dup.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, StaffAction{StaffID: staffID, Action: "case_merged", Ref: dup.Ref,
			Detail: map[string]any{"into": sur.Ref}}); err != nil {
			return err
		}
		out, err = getCase(ctx, tx, `id = $1`, sur.ID)
		return err
	})
	return out, err
}

// lockCases locks the cases with the ids given in id order, so that two transactions locking
// the same pair (two agents merging A into B and B into A) wait for each other instead of
// deadlocking.
func lockCases(ctx context.Context, tx pgx.Tx, a, b int64) (map[int64]Case, error) {
	if a > b {
		a, b = b, a
	}
	out := map[int64]Case{}
	for _, id := range []int64{a, b} {
		c, err := lockCase(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, nil
}

// MergedInto returns the survivor a merged case was merged into, or ErrNotFound when the case
// was not merged.
func (s *Cases) MergedInto(ctx context.Context, caseID int64) (Case, error) {
	return getCase(ctx, s.pool, `id = (SELECT merged_into FROM support_case WHERE id = $1)`, caseID)
}

// MergedFrom returns the cases merged into a case, oldest first.
func (s *Cases) MergedFrom(ctx context.Context, caseID int64) ([]Case, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+caseColumns+` FROM support_case WHERE merged_into = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("merged cases: %w", err)
	}
	return pgx.CollectRows(rows, collectCase)
}

// survivorOf is c, or when c was merged its survivor, locked: where a citizen's message to c
// belongs. c is locked by the caller; a merged case never changes again, so reading its
// survivor under that lock is final.
func survivorOf(ctx context.Context, tx pgx.Tx, c Case) (Case, error) {
	var into *int64
	if err := tx.QueryRow(ctx, `SELECT merged_into FROM support_case WHERE id = $1`, c.ID).Scan(&into); err != nil {
		return Case{}, fmt.Errorf("survivor: %w", err)
	}
	if into == nil {
		return c, nil
	}
	return lockCase(ctx, tx, *into)
}

// timelineCases selects the cases whose entries a case's timeline shows ($1 the case, $2
// whether staff are reading): its own and those of the cases merged into it. A citizen sees a
// merged case's entries only when it is theirs too (the same MitID), since the two may have
// been merged by an agent who judged them one matter.
const timelineCases = `case_id IN (SELECT $1::bigint UNION ALL
	SELECT m.id FROM support_case m JOIN support_case s ON s.id = m.merged_into
	WHERE m.merged_into = $1 AND ($2 OR m.mitid_id = s.mitid_id))`
