package support

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// The changes below each name the case version they were made on (Case.Version): when
// another change came first they fail with ErrConflict and change nothing, and the agent
// sees the case as it now is. Each writes its timeline entry and adds one to the version. A
// change to what the case already is (assigning the assignee again) does nothing and is no
// error. A closed case refuses them all (ErrClosed).

// SetStatus moves a case to another status along the allowed transitions (CaseStatus.CanMoveTo,
// else ErrTransition), restarting or stopping the deadline clocks.
func (s *Cases) SetStatus(ctx context.Context, caseID, staffID int64, to CaseStatus, expectVersion int) (Case, error) {
	if !valid(Statuses, to) {
		return Case{}, ErrStatusInvalid
	}
	return s.change(ctx, caseID, expectVersion, s.audited(ctx, staffID, "status", func(tx pgx.Tx, c Case, now time.Time) error {
		if !c.Status.CanMoveTo(to) {
			return ErrTransition
		}
		return s.changeStatus(ctx, tx, c, to, staffID, now)
	}))
}

// Assign gives the case to a member of staff (an agent or supervisor who is not disabled,
// else ErrAssigneeInvalid), or takes it from them with assigneeID 0.
func (s *Cases) Assign(ctx context.Context, caseID, staffID, assigneeID int64, expectVersion int) (Case, error) {
	return s.change(ctx, caseID, expectVersion, s.audited(ctx, staffID, "assignee", func(tx pgx.Tx, c Case, now time.Time) error {
		if c.AssigneeID == assigneeID {
			return errUnchanged
		}
		if assigneeID != 0 {
			if err := checkAssignee(ctx, tx, assigneeID); err != nil {
				return err
			}
		}
		if err := updateCase(ctx, tx, c.ID, now, `assignee_id = $3`, nullID(assigneeID)); err != nil {
			return err
		}
		_, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryAssignment, StaffID: staffID,
			From: staffValue(c.AssigneeID), To: staffValue(assigneeID)})
		return err
	}))
}

// Assignable is a member of staff a case may be assigned to, with their workload.
type Assignable struct {
	ID   int64
	Name string
	// Open counts their active cases (new, open or waiting for the citizen).
	Open int
}

// Assignables lists the staff Assign accepts (agents and supervisors who are not disabled) by
// name, each with their count of active cases, for the case page's assign select.
func (s *Cases) Assignables(ctx context.Context) ([]Assignable, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT u.id, u.name, (SELECT count(*) FROM support_case c
			WHERE c.assignee_id = u.id AND c.status IN ('new', 'open', 'waiting_for_citizen'))
		FROM staff_user u
		WHERE `+assignable+`
		ORDER BY u.name, u.id`)
	if err != nil {
		return nil, fmt.Errorf("assignable staff: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Assignable])
}

// SetPriority changes the priority and with it the deadlines, which then count the new spans
// from the opening of the case. An identity-theft case stays urgent (ErrIdentityTheftUrgent).
func (s *Cases) SetPriority(ctx context.Context, caseID, staffID int64, p Priority, expectVersion int) (Case, error) {
	if !valid(Priorities, p) {
		return Case{}, ErrPriorityInvalid
	}
	return s.change(ctx, caseID, expectVersion, s.audited(ctx, staffID, "priority", func(tx pgx.Tx, c Case, now time.Time) error {
		switch {
		case c.Priority == p:
			return errUnchanged
		case c.Category == CategoryIdentityTheft:
			return ErrIdentityTheftUrgent
		}
		if err := updateCase(ctx, tx, c.ID, now, `priority = $3`, p); err != nil {
			return err
		}
		_, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryPriority, StaffID: staffID,
			From: string(c.Priority), To: string(p)})
		if err != nil {
			return err
		}
		return s.refreshDeadlines(ctx, tx, c.ID)
	}))
}

// Properties are what the case page's properties form edits.
type Properties struct {
	Priority     Priority
	Category     Category
	System       System
	Email, Phone string
}

// CheckProperties returns every rule p breaks as c's new properties, joined (errors.Join), as
// SetProperties would refuse them, and changes nothing: a form refused for its own checks
// shows these with its own, so the person sees every wrong field at once.
func CheckProperties(c Case, p Properties) error {
	_, err := p.check(c)
	return err
}

// check is p as c's new properties, checked as a new case with them would be, and an
// identity-theft case kept urgent.
func (p Properties) check(c Case) (NewCase, error) {
	n, err := NewCase{Channel: c.Channel, System: p.System, Category: p.Category, Priority: p.Priority,
		MitIDID: c.MitIDID, Name: c.Name, Email: p.Email, Phone: p.Phone, Lang: c.Lang, Subject: c.Subject}.normalize()
	if c.Category == CategoryIdentityTheft && p.Category == CategoryIdentityTheft && p.Priority != PriorityUrgent {
		err = errors.Join(ErrIdentityTheftUrgent, err)
	}
	return n, err
}

// SetProperties changes priority, category, system, e-mail and phone at once, checked as a new
// case is (NewCase.normalize: a case without a MitID keeps a way to reach the caller), with one
// timeline entry per property changed. An identity-theft case stays urgent: moving a case to
// that category makes it urgent, and lowering an identity-theft case's priority is
// ErrIdentityTheftUrgent. A priority change counts the deadlines anew (SetPriority).
func (s *Cases) SetProperties(ctx context.Context, caseID, staffID int64, p Properties, expectVersion int) (Case, error) {
	return s.change(ctx, caseID, expectVersion, s.audited(ctx, staffID, "properties", func(tx pgx.Tx, c Case, now time.Time) error {
		n, err := p.check(c)
		if err != nil {
			return err
		}
		changes := []struct {
			field, from, to string
		}{
			{"priority", string(c.Priority), string(n.Priority)},
			{"category", string(c.Category), string(n.Category)},
			{"system", string(c.System), string(n.System)},
			{"email", c.Email, n.Email},
			{"phone", c.Phone, n.Phone},
		}
		changed := false
		for _, ch := range changes {
			if ch.from == ch.to {
				continue
			}
			changed = true
			e := Entry{CaseID: c.ID, At: now, Kind: EntryProperty, StaffID: staffID, From: ch.from, To: ch.to,
				Detail: map[string]any{"field": ch.field}}
			if ch.field == "priority" {
				e.Kind, e.Detail = EntryPriority, nil
			}
			if _, err := insertEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		if !changed {
			return errUnchanged
		}
		_, err = tx.Exec(ctx, `UPDATE support_case SET priority = $3, category = $4, system = $5,
			contact_email = $6, contact_phone = $7, version = version + 1, updated_at = $2 WHERE id = $1`,
			c.ID, now, n.Priority, n.Category, n.System, n.Email, n.Phone)
		if err != nil {
			return fmt.Errorf("update case properties: %w", err)
		}
		if n.Priority != c.Priority {
			return s.refreshDeadlines(ctx, tx, c.ID)
		}
		return nil
	}))
}

// SetTags replaces the case's tags (normalizeTags: trimmed, lower case, sorted, without
// duplicates). The entry's detail lists the tags added and removed.
func (s *Cases) SetTags(ctx context.Context, caseID, staffID int64, tags []string, expectVersion int) (Case, error) {
	tags, err := normalizeTags(tags)
	if err != nil {
		return Case{}, err
	}
	return s.change(ctx, caseID, expectVersion, s.audited(ctx, staffID, "tags", func(tx pgx.Tx, c Case, now time.Time) error {
		if slices.Equal(c.Tags, tags) {
			return errUnchanged
		}
		if err := updateCase(ctx, tx, c.ID, now, `tags = $3`, tags); err != nil {
			return err
		}
		added, removed := []string{}, []string{}
		for _, t := range tags {
			if !slices.Contains(c.Tags, t) {
				added = append(added, t)
			}
		}
		for _, t := range c.Tags {
			if !slices.Contains(tags, t) {
				removed = append(removed, t)
			}
		}
		_, err := insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryTags, StaffID: staffID,
			Detail: map[string]any{"added": added, "removed": removed}})
		return err
	}))
}

// audited makes fn, a change of one property of a case by a member of staff, write the
// staff action to the audit log in its transaction (Hooks.Audit), as a bulk change does: the
// timeline tells the case's story, the audit log who changed what across all cases. A change
// that changes nothing writes nothing.
func (s *Cases) audited(ctx context.Context, staffID int64, what string, fn func(pgx.Tx, Case, time.Time) error) func(pgx.Tx, Case, time.Time) error {
	return func(tx pgx.Tx, c Case, now time.Time) error {
		if err := fn(tx, c, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, StaffAction{StaffID: staffID, Action: "case_changed", Ref: c.Ref,
			Detail: map[string]any{"changed": []string{what}}})
	}
}

// errUnchanged ends a change that would change nothing; change turns it into success.
var errUnchanged = errors.New("support: unchanged")

// change runs fn on the locked case when it is still at expectVersion and not closed, and
// returns the case as fn left it.
func (s *Cases) change(ctx context.Context, caseID int64, expectVersion int, fn func(pgx.Tx, Case, time.Time) error) (Case, error) {
	var out Case
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		switch {
		case c.Version != expectVersion:
			return ErrConflict
		case c.Status == StatusClosed:
			return ErrClosed
		}
		switch err := fn(tx, c, s.now()); err {
		case nil:
		case errUnchanged:
			out = c
			return nil
		default:
			return err
		}
		out, err = getCase(ctx, tx, `id = $1`, c.ID)
		return err
	})
	return out, err
}

// changeStatus moves c to status to and records it; the resolution time is set on resolving
// and cleared on reopening.
func (s *Cases) changeStatus(ctx context.Context, tx pgx.Tx, c Case, to CaseStatus, staffID int64, now time.Time) error {
	err := updateCase(ctx, tx, c.ID, now, `status = $3,
		resolved_at = CASE WHEN $3 = 'resolved' THEN $2 WHEN $3 = 'closed' THEN resolved_at END`, to)
	if err != nil {
		return err
	}
	_, err = insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryStatus, StaffID: staffID,
		From: string(c.Status), To: string(to)})
	if err != nil {
		return err
	}
	return s.refreshDeadlines(ctx, tx, c.ID)
}

// updateCase sets one change ($3) on the case row and adds one to its version.
func updateCase(ctx context.Context, tx pgx.Tx, id int64, now time.Time, set string, value any) error {
	_, err := tx.Exec(ctx, `UPDATE support_case SET `+set+`, version = version + 1, updated_at = $2
		WHERE id = $1`, id, now, value)
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	return nil
}

// Tag limits.
const (
	MaxTags   = 20
	MaxTagLen = 40
)

var tagPattern = regexp.MustCompile(`^[\p{Ll}\p{Nd}][\p{Ll}\p{Nd} _-]*$`)

// normalizeTags trims and lower-cases tags, drops empty ones and duplicates and sorts them. A
// tag is letters, digits, spaces, hyphens and underscores (ErrTagInvalid); at most MaxTags.
func normalizeTags(in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
		if t == "" {
			continue
		}
		if len([]rune(t)) > MaxTagLen || !tagPattern.MatchString(t) {
			return nil, ErrTagInvalid
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, ErrTooManyTags
	}
	slices.Sort(out)
	return out, nil
}
