package support

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// MaxRelated bounds the cases related to one case, so a case page stays readable and a
// script cannot link a case to every other.
const MaxRelated = 50

// Link relates the case caseID to the case with reference code otherRef, both ways, as
// staffID: a timeline entry on both cases and an audit entry, in one transaction with both
// rows locked in id order. Linking cases already related changes nothing and is no error.
// Refused: a case related to itself (ErrRelatedSelf), an unknown reference
// (ErrRelatedUnknown), more than MaxRelated (ErrTooManyRelated). Closed cases may be
// related: an old case is often the reason a new one is related to it.
func (s *Cases) Link(ctx context.Context, caseID, staffID int64, otherRef string) (Case, error) {
	other, err := s.ByRef(ctx, otherRef)
	if errors.Is(err, ErrNotFound) {
		return Case{}, ErrRelatedUnknown
	}
	if err != nil {
		return Case{}, err
	}
	if other.ID == caseID {
		return Case{}, ErrRelatedSelf
	}
	return other, s.relate(ctx, caseID, other.ID, staffID, true)
}

// Unlink ends the relation of the cases caseID and otherID, both ways; cases that are not
// related are left as they are.
func (s *Cases) Unlink(ctx context.Context, caseID, staffID, otherID int64) error {
	if caseID == otherID {
		return ErrRelatedSelf
	}
	return s.relate(ctx, caseID, otherID, staffID, false)
}

func (s *Cases) relate(ctx context.Context, caseID, otherID, staffID int64, link bool) error {
	low, high := min(caseID, otherID), max(caseID, otherID)
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		locked, err := lockCases(ctx, tx, caseID, otherID)
		if err != nil {
			return err
		}
		now := s.now()
		var n int64
		if link {
			// The count and the insert are one statement, so parallel links cannot pass the
			// bound together (both rows are locked anyway; this keeps the rule in one place).
			tag, err := tx.Exec(ctx, `
				INSERT INTO support_case_related (low_id, high_id, staff_id, created_at)
				SELECT $1, $2, $3, $4
				WHERE (SELECT count(*) FROM support_case_related WHERE $1 IN (low_id, high_id)) < $5
				  AND (SELECT count(*) FROM support_case_related WHERE $2 IN (low_id, high_id)) < $5
				ON CONFLICT DO NOTHING`, low, high, staffID, now, MaxRelated)
			if err != nil {
				return fmt.Errorf("link cases: %w", err)
			}
			if n = tag.RowsAffected(); n == 0 {
				var exists bool
				err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM support_case_related
					WHERE low_id = $1 AND high_id = $2)`, low, high).Scan(&exists)
				if err != nil {
					return fmt.Errorf("link cases: %w", err)
				}
				if !exists {
					return ErrTooManyRelated
				}
			}
		} else {
			tag, err := tx.Exec(ctx, `DELETE FROM support_case_related WHERE low_id = $1 AND high_id = $2`, low, high)
			if err != nil {
				return fmt.Errorf("unlink cases: %w", err)
			}
			n = tag.RowsAffected()
		}
		if n == 0 {
			return nil
		}
		c, o := locked[caseID], locked[otherID]
		for _, e := range []Entry{
			{CaseID: c.ID, Detail: map[string]any{"ref": o.Ref, "linked": link}},
			{CaseID: o.ID, Detail: map[string]any{"ref": c.Ref, "linked": link}},
		} {
			e.At, e.Kind, e.StaffID = now, EntryRelated, staffID
			if _, err := insertEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		action := "case_linked"
		if !link {
			action = "case_unlinked"
		}
		return s.audit(ctx, tx, StaffAction{StaffID: staffID, Action: action, Ref: c.Ref,
			Detail: map[string]any{"other": o.Ref}})
	})
}

// Related returns the cases related to a case, by reference code.
func (s *Cases) Related(ctx context.Context, caseID int64) ([]Case, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+caseColumns+` FROM support_case WHERE id IN (
			SELECT high_id FROM support_case_related WHERE low_id = $1
			UNION ALL SELECT low_id FROM support_case_related WHERE high_id = $1)
		ORDER BY ref`, caseID)
	if err != nil {
		return nil, fmt.Errorf("related cases: %w", err)
	}
	return pgx.CollectRows(rows, collectCase)
}
