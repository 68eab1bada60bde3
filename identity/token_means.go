package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// OrderToken sends an in-stock unit of kind (code display or audio code reader) to the MitID's
// CPR address: the unit is marked sent to the MitID and appears among its means as pending
// until ActivateToken. It returns the pending means (with the serial the letter names), or
// ErrTokenOutOfStock.
func (s *Store) OrderToken(ctx context.Context, mitidID int64, kind Kind, actor string) (Authenticator, error) {
	if !kind.IsToken() {
		return Authenticator{}, fmt.Errorf("order token: kind %q", kind)
	}
	var a Authenticator
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		var serial string
		// SKIP LOCKED: parallel orders take different units instead of queueing for one.
		err := tx.QueryRow(ctx, `
			SELECT serial FROM hw_token WHERE state = 'in_stock' AND kind = $1
			ORDER BY imported_at, serial LIMIT 1 FOR UPDATE SKIP LOCKED`, kind).Scan(&serial)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrTokenOutOfStock
		}
		if err != nil {
			return fmt.Errorf("order token: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE hw_token SET state = 'sent', mitid_id = $2, updated_at = $3
			WHERE serial = $1`, serial, mitidID, s.now()); err != nil {
			return fmt.Errorf("order token: %w", err)
		}
		a, err = scanAuthenticator(tx.QueryRow(ctx, `
			INSERT INTO authenticator AS a (mitid_id, kind, status, token_serial) VALUES ($1, $2, 'pending', $3)
			RETURNING `+authenticatorColumns, mitidID, kind, serial))
		if err != nil {
			return fmt.Errorf("order token: %w", err)
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityTokenOrdered, Actor: actor,
			Detail: map[string]any{"means": string(kind), "means_id": a.ID, "serial": serial}})
	})
	return a, err
}

// ActivateToken makes a hardware unit an active means of the MitID: a unit in stock (handed
// over in person) or one sent to this MitID, proven to be in the citizen's hands by its current
// code (which is then used up like a login code). An unknown serial, or a unit that is active,
// blocked, retired or sent to someone else, is ErrTokenUnusable; a wrong code ErrCodeWrong.
// Every attempt counts against the MitID first (ThrottleActivation, keyed "mitid:ID"), so that
// nobody can try serials and codes without end, and a success gives it back; past the bound the
// answer is ErrThrottled with its wait.
func (s *Store) ActivateToken(ctx context.Context, mitidID int64, serial, code, actor string) (Authenticator, error) {
	return s.activateToken(ctx, mitidID, serial, code, actor, false)
}

// activateToken is ActivateToken; first refuses a MitID that can log in already
// (ActivateFirstToken).
func (s *Store) activateToken(ctx context.Context, mitidID int64, serial, code, actor string, first bool) (Authenticator, error) {
	serial = strings.TrimSpace(serial)
	// Counted before the unit is looked up (one statement); a success gives it back.
	key := "mitid:" + strconv.FormatInt(mitidID, 10)
	if err := s.throttle.Take(ctx, ThrottleActivation, key); err != nil {
		return Authenticator{}, err
	}
	var a Authenticator
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		lock := lockActiveMitID
		if first {
			lock = requireFirstMeans
		}
		if err := lock(ctx, tx, mitidID); err != nil {
			return err, nil
		}
		u, err := s.tokens.unit(ctx, tx, serial, "FOR UPDATE")
		if errors.Is(err, ErrNotFound) {
			return ErrTokenUnusable, nil
		}
		if err != nil {
			return nil, err
		}
		sentHere := u.State == "sent" && u.MitIDID != nil && *u.MitIDID == mitidID
		if u.State != "in_stock" && !sentHere {
			return ErrTokenUnusable, nil
		}
		ok, err := s.tokens.verify(ctx, tx, u, code, s.now())
		if err != nil {
			return nil, err
		}
		if !ok {
			return ErrCodeWrong, nil
		}
		a, err = s.activateUnit(ctx, tx, mitidID, u, actor)
		return nil, err
	})
	if err != nil {
		return Authenticator{}, err
	}
	_ = s.throttle.Refund(ctx, ThrottleActivation, key)
	return a, nil
}

// activateUnit makes the unit u an active means of the MitID in tx: the pending means
// OrderToken made becomes active, a unit from stock gets a new one.
func (s *Store) activateUnit(ctx context.Context, tx pgx.Tx, mitidID int64, u tokenUnit, actor string) (Authenticator, error) {
	if _, err := tx.Exec(ctx, `UPDATE hw_token SET state = 'active', mitid_id = $2, updated_at = $3
		WHERE serial = $1`, u.Serial, mitidID, s.now()); err != nil {
		return Authenticator{}, fmt.Errorf("activate token: %w", err)
	}
	a, err := scanAuthenticator(tx.QueryRow(ctx, `
		UPDATE authenticator AS a SET status = 'active', failed_count = 0
		WHERE token_serial = $1 AND mitid_id = $2 AND status = 'pending'
		RETURNING `+authenticatorColumns, u.Serial, mitidID))
	if errors.Is(err, pgx.ErrNoRows) {
		a, err = scanAuthenticator(tx.QueryRow(ctx, `
			INSERT INTO authenticator AS a (mitid_id, kind, status, token_serial) VALUES ($1, $2, 'active', $3)
			RETURNING `+authenticatorColumns, mitidID, u.Kind, u.Serial))
	}
	if err != nil {
		return Authenticator{}, fmt.Errorf("activate token: %w", err)
	}
	if err := s.orderActivated(ctx, tx, mitidID, u.Serial, actor); err != nil {
		return Authenticator{}, err
	}
	return a, s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansAdded, Actor: actor,
		Detail: map[string]any{"means": string(a.Kind), "means_id": a.ID, "serial": u.Serial}})
}
