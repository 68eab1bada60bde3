package identity

import (
	"context"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // deadlines are Copenhagen days, also on hosts without a zoneinfo database

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// The move from NemID to MitID (issue 11; docs/campaign.md). A bank selects a person who still
// logs in with NemID; from then on they have NemIDSelectionDays to finish the move. In this
// portal the selected person already has a MitID (every citizen logs in with one): what is left
// is finishing the move, after which the NemID is closed (person.has_nemid false). Once, while
// the deadline has not passed, the citizen may extend it by the configured number of days.
// After the deadline nothing can be extended here: the bank or MitID support must help.

// NemIDSelectionDays is the time to finish the move after a bank's selection.
const NemIDSelectionDays = 30

// DefaultNemIDExtensionDays is the extension when Config.NemIDExtensionDays is 0.
const DefaultNemIDExtensionDays = 30

// NemIDState says where a person is in the move from NemID to MitID.
type NemIDState string

// The states of the move.
const (
	// NemIDNone: the person has no NemID (never had one, or it was closed without a selection).
	NemIDNone NemIDState = "none"
	// NemIDNotSelected: the person still has NemID and may move on their own initiative.
	NemIDNotSelected NemIDState = "not_selected"
	// NemIDSelected: a bank selected the person; the deadline applies.
	NemIDSelected NemIDState = "selected"
	// NemIDDone: the person was selected and has finished the move (the NemID is closed).
	NemIDDone NemIDState = "done"
)

// NemIDStatus is a person's move from NemID to MitID at one moment.
type NemIDStatus struct {
	State NemIDState
	// SelectedAt, Deadline and DaysLeft are set when the person was selected. Deadline is the
	// last Copenhagen day (midnight UTC of that date); DaysLeft counts Copenhagen days from
	// today to it: 0 on the last day, negative once Past.
	SelectedAt time.Time
	Deadline   time.Time
	DaysLeft   int
	Past       bool
	// Extended says the one extension was used: when, and by how many days.
	Extended      bool
	ExtendedAt    time.Time
	ExtensionDays int
}

// CanExtend reports whether the rule allows the extension now: selected, within the deadline
// and not extended before.
func (s NemIDStatus) CanExtend() bool {
	return s.State == NemIDSelected && !s.Past && !s.Extended
}

// Errors of the extension; each is shown as a field-less error summary.
var (
	// ErrNemIDNotSelected: there is no deadline to extend (not selected, or already moved).
	ErrNemIDNotSelected = fault.New("identity", fault.Conflict, "nemid.err.not_selected")
	// ErrNemIDAlreadyExtended: the one extension was already granted.
	ErrNemIDAlreadyExtended = fault.New("identity", fault.Conflict, "nemid.err.already_extended")
	// ErrNemIDDeadlinePassed: the deadline has passed; the bank or support must help.
	ErrNemIDDeadlinePassed = fault.New("identity", fault.Conflict, "nemid.err.deadline_passed")
)

// NemIDMessageIDs lists the message IDs of this file, for the locale test.
func NemIDMessageIDs() []string {
	return []string{ErrNemIDNotSelected.MsgID, ErrNemIDAlreadyExtended.MsgID,
		ErrNemIDDeadlinePassed.MsgID, ActivityNemIDExtended.MsgID()}
}

// copenhagen is the zone whose calendar days the deadline counts.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("Europe/Copenhagen: " + err.Error()) // embedded by time/tzdata: cannot happen
	}
	return loc
}()

// CopenhagenDate is t's calendar date in Copenhagen, as midnight UTC of that date (the way
// PostgreSQL's date reads back).
func CopenhagenDate(t time.Time) time.Time {
	y, m, d := t.In(copenhagen).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// nemidRow is what the register keeps about a person's move.
type nemidRow struct {
	HasNemID      bool
	SelectedAt    *time.Time
	Deadline      *time.Time
	ExtendedAt    *time.Time
	ExtensionDays *int32
}

// nemidStatus applies the rule to row at now.
func nemidStatus(r nemidRow, now time.Time) NemIDStatus {
	switch {
	case r.SelectedAt == nil && !r.HasNemID:
		return NemIDStatus{State: NemIDNone}
	case r.SelectedAt == nil:
		return NemIDStatus{State: NemIDNotSelected}
	}
	st := NemIDStatus{State: NemIDSelected, SelectedAt: *r.SelectedAt, Deadline: *r.Deadline}
	if !r.HasNemID {
		st.State = NemIDDone
	}
	if r.ExtendedAt != nil {
		st.Extended, st.ExtendedAt = true, *r.ExtendedAt
		if r.ExtensionDays != nil {
			st.ExtensionDays = int(*r.ExtensionDays)
		}
	}
	// Dates at midnight UTC are whole days apart: no daylight-saving hour in between.
	st.DaysLeft = int(st.Deadline.Sub(CopenhagenDate(now)).Hours() / 24)
	st.Past = st.DaysLeft < 0
	return st
}

const nemidColumns = `p.has_nemid, p.nemid_selected_at, p.nemid_deadline, p.nemid_extended_at, p.nemid_extension_days`

// nemidOfMitIDQuery reads the NemID move of the person who holds MitID $1.
const nemidOfMitIDQuery = `SELECT ` + nemidColumns + ` FROM mitid m JOIN person p ON p.cpr = m.cpr WHERE m.id = $1`

func scanNemID(row pgx.Row) (nemidRow, error) {
	var r nemidRow
	err := row.Scan(&r.HasNemID, &r.SelectedAt, &r.Deadline, &r.ExtendedAt, &r.ExtensionDays)
	return r, err
}

// NemIDStatusOf returns the move of the person who holds MitID mitidID, now; ErrNotFound for
// an unknown MitID.
func (s *Store) NemIDStatusOf(ctx context.Context, mitidID int64) (NemIDStatus, error) {
	r, err := scanNemID(s.pool.QueryRow(ctx, nemidOfMitIDQuery, mitidID))
	if errors.Is(err, pgx.ErrNoRows) {
		return NemIDStatus{}, ErrNotFound
	}
	if err != nil {
		return NemIDStatus{}, fmt.Errorf("nemid status: %w", err)
	}
	return nemidStatus(r, s.now()), nil
}

// NemIDExtensionDays is the number of days one extension adds.
func (s *Store) NemIDExtensionDays() int { return s.nemidExtension }

// ExtendNemID grants the one extension of the deadline of the person who holds MitID mitidID,
// by NemIDExtensionDays, and records it in the activity log in the same transaction. One
// UPDATE decides, so of any number of parallel requests exactly one extends. It refuses with
// ErrNemIDNotSelected, ErrNemIDAlreadyExtended or ErrNemIDDeadlinePassed (on the last day the
// deadline has not passed yet).
func (s *Store) ExtendNemID(ctx context.Context, mitidID int64, actor string) (NemIDStatus, error) {
	now := s.now()
	days := s.nemidExtension
	var out NemIDStatus
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := scanNemID(tx.QueryRow(ctx, `
			UPDATE person p SET nemid_deadline = p.nemid_deadline + $2::integer,
				nemid_extended_at = $3, nemid_extension_days = $2
			FROM mitid m
			WHERE m.id = $1 AND p.cpr = m.cpr AND p.has_nemid AND p.nemid_selected_at IS NOT NULL
				AND p.nemid_extended_at IS NULL AND p.nemid_deadline >= $4::date
			RETURNING `+nemidColumns, mitidID, days, now, CopenhagenDate(now).Format(time.DateOnly)))
		if errors.Is(err, pgx.ErrNoRows) {
			return s.whyNoExtension(ctx, tx, mitidID, now)
		}
		if err != nil {
			return fmt.Errorf("extend nemid: %w", err)
		}
		out = nemidStatus(r, now)
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityNemIDExtended, Actor: actor,
			Detail: map[string]any{"days": days, "deadline": out.Deadline.Format(time.DateOnly),
				"previous": out.Deadline.AddDate(0, 0, -days).Format(time.DateOnly)}})
	})
	if err != nil {
		return NemIDStatus{}, err
	}
	return out, nil
}

// whyNoExtension reads, in tx after the extension's UPDATE matched nothing, which rule refused
// it: the error to show, or ErrNotFound for an unknown MitID.
func (s *Store) whyNoExtension(ctx context.Context, tx pgx.Tx, mitidID int64, now time.Time) error {
	r, err := scanNemID(tx.QueryRow(ctx, nemidOfMitIDQuery, mitidID))
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("nemid status: %w", err)
	}
	st := nemidStatus(r, now)
	switch {
	case st.State != NemIDSelected:
		return ErrNemIDNotSelected
	case st.Extended:
		return ErrNemIDAlreadyExtended
	default:
		return ErrNemIDDeadlinePassed
	}
}

// SelectForNemIDMove records that a bank selected the person at a NemID login at moment at:
// the person has NemID, and the deadline is the selection's Copenhagen date plus
// NemIDSelectionDays. A person selected before keeps their first selection (a bank asks at
// every login; the deadline does not move), so calling it again changes nothing.
func (r *Persons) SelectForNemIDMove(ctx context.Context, cpr CPR, at time.Time) error {
	tag, err := r.pool.Exec(ctx, `
		UPDATE person SET has_nemid = true, nemid_selected_at = $2, nemid_deadline = $3::date
		WHERE cpr = $1 AND nemid_selected_at IS NULL`,
		cpr, at, CopenhagenDate(at).AddDate(0, 0, NemIDSelectionDays).Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("select for nemid move: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := r.ByCPR(ctx, cpr); err != nil {
			return err
		}
	}
	return nil
}

// SetHasNemID records what the register says about the person's NemID: open (true) or closed
// (false; for a selected person that finishes the move).
func (r *Persons) SetHasNemID(ctx context.Context, cpr CPR, has bool) error {
	tag, err := r.pool.Exec(ctx, `UPDATE person SET has_nemid = $2 WHERE cpr = $1`, cpr, has)
	if err != nil {
		return fmt.Errorf("set has nemid: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
