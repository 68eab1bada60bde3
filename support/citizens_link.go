package support

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/identity"
)

// Linking a case to the caller's MitID (issue 9 item 1): a new case from a call for a CPR
// number or username, and linking or relinking an existing case. Each is a look-up of the
// citizen, recorded with the link in one transaction (the Lookup hook).

// resolveCitizen finds the MitID a CPR number or username names for linking a case: the one
// in use (not revoked). ErrCitizenNotFound otherwise.
func resolveCitizen(ctx context.Context, tx pgx.Tx, who string) (int64, string, error) {
	who = strings.TrimSpace(who)
	compact := strings.NewReplacer(" ", "", "-", "").Replace(who)
	where, key, via := `lower(username) = lower($1)`, who, "username"
	if cpr, err := identity.ParseCPR(compact); err == nil {
		where, key, via = `cpr = $1`, string(cpr), "cpr"
	} else if _, err := identity.ValidateUsername(who); err != nil {
		return 0, "", ErrCitizenNotFound
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM mitid WHERE `+where+` AND status <> 'revoked'
		ORDER BY id DESC LIMIT 1`, key).Scan(&id)
	switch {
	case err == pgx.ErrNoRows:
		return 0, via, ErrCitizenNotFound
	case err != nil:
		return 0, via, fmt.Errorf("resolve citizen: %w", err)
	}
	return id, via, nil
}

// OpenLinked opens a case (Open) for the citizen whose CPR number or username who is, looked
// up and recorded as a look-up from the new case in the same transaction. A who that names
// nobody is ErrCitizenNotFound, joined with every other rule n breaks (n is checked as a case
// for a citizen); a CPR look-up that found nobody, and one that found the citizen for a case
// refused, are recorded all the same.
func (s *Cases) OpenLinked(ctx context.Context, n NewCase, who string) (Case, error) {
	if s.lookup == nil {
		return Case{}, ErrCitizenNotFound
	}
	var c Case
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		id, via, rules, err := s.checkLinked(ctx, tx, n, who)
		if err != nil || rules != nil {
			return rules, err
		}
		n.MitIDID = id
		if c, err = s.OpenTx(ctx, tx, n); err != nil {
			return nil, err
		}
		return nil, s.lookup(ctx, tx, Lookup{StaffID: n.StaffID, MitIDIDs: []int64{id}, Via: via, Case: c.Ref})
	})
	return c, err
}

// CheckNew checks a new case as Open (who "") or OpenLinked would, without opening it: every
// rule n breaks, and first ErrCitizenNotFound when who names nobody, joined. A
// form whose own checks failed shows these with its own, so the person sees every wrong field
// at once; a CPR look-up that found nobody is recorded, as OpenLinked records it.
func (s *Cases) CheckNew(ctx context.Context, n NewCase, who string) error {
	if strings.TrimSpace(who) == "" {
		_, err := n.normalize()
		return err
	}
	if s.lookup == nil {
		return ErrCitizenNotFound
	}
	return db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		_, _, rules, err := s.checkLinked(ctx, tx, n, who)
		return rules, err
	})
}

// checkLinked resolves who (the MitID and how it was named, resolveCitizen) and checks n as a
// case for that citizen. rules is every rule broken, the citizen not being found first; a CPR
// look-up that found nobody, and a look-up that found the citizen for a case refused, are
// recorded in tx (the answer tells the agent whether who is a citizen). err is the portal's
// own failure.
func (s *Cases) checkLinked(ctx context.Context, tx pgx.Tx, n NewCase, who string) (id int64, via string, rules, err error) {
	id, via, err = resolveCitizen(ctx, tx, who)
	missing := err == ErrCitizenNotFound
	if err != nil && !missing {
		return 0, via, nil, err
	}
	_, rules = n.check(true)
	if !missing && rules != nil {
		// The refusal shows no "not found", so the agent has learnt that who is a citizen:
		// a look-up of that MitID, recorded though no case is opened.
		return id, via, rules, s.lookup(ctx, tx, Lookup{StaffID: n.StaffID, MitIDIDs: []int64{id}, Via: via})
	}
	if !missing {
		return id, via, nil, nil
	}
	rules = errors.Join(ErrCitizenNotFound, rules)
	if via == "cpr" {
		return 0, via, rules, s.lookup(ctx, tx, Lookup{StaffID: n.StaffID, Via: via})
	}
	return 0, via, rules, nil
}

// LinkCitizen links a case to the citizen whose CPR number or username who is, or to another
// one (a relink): the case row, a citizen_link entry on its timeline and the look-up, in one
// transaction. Linking to the MitID it has already changes nothing.
func (s *Cases) LinkCitizen(ctx context.Context, caseID, staffID int64, who string, expectVersion int) (Case, error) {
	return s.link(ctx, caseID, staffID, expectVersion, func(tx pgx.Tx, _ Case) (int64, string, error) {
		return resolveCitizen(ctx, tx, who)
	})
}

// LinkMitID links a case that has no citizen yet to a MitID the agent is working on (an action
// from the citizen card on a case opened before the caller was known), like LinkCitizen. A
// case linked to another citizen is left alone: ErrConflict.
func (s *Cases) LinkMitID(ctx context.Context, caseID, staffID, mitidID int64, expectVersion int) (Case, error) {
	return s.link(ctx, caseID, staffID, expectVersion, func(_ pgx.Tx, c Case) (int64, string, error) {
		if c.MitIDID != 0 && c.MitIDID != mitidID {
			return 0, "", ErrConflict
		}
		return mitidID, "card", nil
	})
}

// link links the case to the MitID resolve finds, recording the look-up; see LinkCitizen.
func (s *Cases) link(ctx context.Context, caseID, staffID int64, expectVersion int,
	resolve func(pgx.Tx, Case) (int64, string, error)) (Case, error) {
	if s.lookup == nil {
		return Case{}, ErrCitizenNotFound
	}
	var missing error
	c, err := s.change(ctx, caseID, expectVersion, func(tx pgx.Tx, c Case, now time.Time) error {
		id, via, err := resolve(tx, c)
		if err == ErrCitizenNotFound {
			missing = err
			if via == "cpr" {
				return s.lookup(ctx, tx, Lookup{StaffID: staffID, Via: via, Case: c.Ref})
			}
			return errUnchanged
		}
		if err != nil {
			return err
		}
		if err := s.lookup(ctx, tx, Lookup{StaffID: staffID, MitIDIDs: []int64{id}, Via: "link", Case: c.Ref}); err != nil {
			return err
		}
		if id == c.MitIDID {
			return errUnchanged
		}
		if err := updateCase(ctx, tx, c.ID, now, `mitid_id = $3`, id); err != nil {
			return err
		}
		_, err = insertEntry(ctx, tx, Entry{CaseID: c.ID, At: now, Kind: EntryCitizenLink, StaffID: staffID,
			Detail: map[string]any{"from": c.MitIDID, "to": id}})
		return err
	})
	if missing != nil {
		return c, missing
	}
	return c, err
}
