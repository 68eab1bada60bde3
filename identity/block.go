package identity

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// BlockReason says why a MitID or a means was blocked.
type BlockReason string

// Block reasons. BlockPublicPage is set by the public block page, whose user gives no reason.
const (
	BlockLost            BlockReason = "lost"
	BlockStolen          BlockReason = "stolen"
	BlockMisuseSuspected BlockReason = "misuse_suspected"
	BlockOther           BlockReason = "other"
	BlockPublicPage      BlockReason = "public"
)

// BlockReasons lists every reason; BlockChoices those a person picks from a form.
var (
	BlockReasons = []BlockReason{BlockLost, BlockStolen, BlockMisuseSuspected, BlockOther, BlockPublicPage}
	BlockChoices = []BlockReason{BlockLost, BlockStolen, BlockMisuseSuspected, BlockOther}
)

// MsgID is the message ID of the reason's display name. "other" is a reserved key in the
// locale files (a plural form), so that reason's message is named other_reason.
func (r BlockReason) MsgID() string {
	if r == BlockOther {
		return "identity.block_reason.other_reason"
	}
	return "identity.block_reason." + string(r)
}

// ParseBlockReason reads a reason from a form; anything else is ErrBlockReasonInvalid.
func ParseBlockReason(s string) (BlockReason, error) {
	r := BlockReason(strings.TrimSpace(s))
	for _, ok := range BlockReasons {
		if r == ok {
			return r, nil
		}
	}
	return "", ErrBlockReasonInvalid
}

// BlockAuthenticator blocks one means of a MitID: pending, active or locked becomes blocked.
// Unlike removal it is allowed for the last means, because a block protects: a citizen who
// lost their only code display must be able to stop it at once. It is allowed on a blocked
// MitID too. Blocking a blocked means again changes nothing and records nothing. A blocked
// token unit is blocked in the inventory as well; blocking an app cancels the MitID's pending
// app requests.
func (s *Store) BlockAuthenticator(ctx context.Context, mitidID, id int64, reason BlockReason, actor string) error {
	_, err := s.blockAuthenticator(ctx, mitidID, id, reason, actor, nil)
	return err
}

// blockAuthenticator is BlockAuthenticator with more detail for the activity entry; it returns
// the means as it was before the block.
func (s *Store) blockAuthenticator(ctx context.Context, mitidID, id int64, reason BlockReason, actor string,
	extra map[string]any) (Authenticator, error) {
	if _, err := ParseBlockReason(string(reason)); err != nil {
		return Authenticator{}, err
	}
	var a Authenticator
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		st, err := lockMitID(ctx, tx, mitidID)
		if err != nil {
			return err
		}
		if st == StatusRevoked {
			return ErrMitIDRevoked
		}
		if a, err = authenticatorTx(ctx, tx, mitidID, id); err != nil {
			return err
		}
		if a.Status == AuthBlocked {
			return nil
		}
		if err := s.setAuthStatus(ctx, tx, a, AuthBlocked); err != nil {
			return err
		}
		detail := map[string]any{"means": string(a.Kind), "means_id": a.ID, "reason": string(reason)}
		maps.Copy(detail, extra)
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansBlocked, Actor: actor, Detail: detail})
	})
	return a, err
}

// setAuthStatus moves a means to blocked or revoked, with what follows for its kind: a token
// unit follows in the inventory (blocked, or retired on removal), and an app's pending requests
// are cancelled so that nothing approved a moment ago can still be turned into a login.
func (s *Store) setAuthStatus(ctx context.Context, tx pgx.Tx, a Authenticator, st AuthStatus) error {
	if _, err := tx.Exec(ctx, `UPDATE authenticator SET status = $2 WHERE id = $1`, a.ID, st); err != nil {
		return fmt.Errorf("set means status: %w", err)
	}
	switch {
	case a.Kind.IsToken():
		unit := "blocked"
		if st == AuthRevoked {
			unit = "retired"
		}
		if _, err := tx.Exec(ctx, `UPDATE hw_token SET state = $2, updated_at = $3 WHERE serial = $1`,
			a.TokenSerial, unit, s.now()); err != nil {
			return fmt.Errorf("set token state: %w", err)
		}
	case a.Kind == KindApp:
		return cancelAppRequests(ctx, tx, a.MitIDID)
	}
	return nil
}

func cancelAppRequests(ctx context.Context, tx pgx.Tx, mitidID int64) error {
	_, err := tx.Exec(ctx, `
		UPDATE app_request SET status = 'cancelled', decided_at = now()
		WHERE mitid_id = $1 AND status IN ('pending', 'approved')`, mitidID)
	if err != nil {
		return fmt.Errorf("cancel app requests: %w", err)
	}
	return nil
}

// BlockMitID blocks a whole MitID: no login with any means until the block is lifted. It
// cancels the MitID's pending and approved-but-unused app requests and runs also (the web layer
// ends every session of the MitID there) in the same transaction. Blocking a blocked MitID is
// not an error and records no second entry; also still runs, so a retry after a failed
// session clean-up completes it. A revoked MitID gives ErrMitIDRevoked.
func (s *Store) BlockMitID(ctx context.Context, mitidID int64, reason BlockReason, actor string, also TxFunc) error {
	if _, err := ParseBlockReason(string(reason)); err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.blockMitID(ctx, tx, mitidID, reason, actor, nil); err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, mitidID, ""); err != nil {
			return err
		}
		return also.run(tx)
	})
}

func (s *Store) blockMitID(ctx context.Context, tx pgx.Tx, mitidID int64, reason BlockReason, actor string,
	extra map[string]any) error {
	st, err := lockMitID(ctx, tx, mitidID)
	if err != nil {
		return err
	}
	switch st {
	case StatusRevoked:
		return ErrMitIDRevoked
	case StatusBlocked:
		return nil
	}
	if _, err := tx.Exec(ctx, `
		UPDATE mitid SET status = 'blocked', blocked_at = $2, block_reason = $3 WHERE id = $1`,
		mitidID, s.now(), reason); err != nil {
		return fmt.Errorf("block mitid: %w", err)
	}
	if err := cancelAppRequests(ctx, tx, mitidID); err != nil {
		return err
	}
	detail := map[string]any{"reason": string(reason)}
	maps.Copy(detail, extra)
	return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMitIDBlocked, Actor: actor, Detail: detail})
}

// BlockPublic is the public block page: anyone who knows a username and the CPR number it
// belongs to can block that MitID. Every use counts against the client address (ThrottleBlock),
// hit or miss, and the answer is nil whether or not anything matched, so the page cannot be
// used to find out which usernames exist or whose they are. Only a malformed CPR number is an
// error (ErrCPRInvalid), and ErrThrottled with its wait when the address has used up its attempts. also
// runs in the blocking transaction with the MitID's id (to end its sessions), only on a match.
func (s *Store) BlockPublic(ctx context.Context, username string, cpr CPR, clientAddr string,
	also func(tx pgx.Tx, mitidID int64) error) error {
	cpr, err := ParseCPR(string(cpr))
	if err != nil {
		return err
	}
	if err := s.throttle.Take(ctx, ThrottleBlock, clientAddr); err != nil {
		return err
	}
	username = normUsername(username)
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			SELECT id FROM mitid WHERE lower(username) = lower($1) AND cpr = $2 AND status <> 'revoked'`,
			username, cpr).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("public block: %w", err)
		}
		if err := s.blockMitID(ctx, tx, id, BlockPublicPage, ActorPublic, nil); err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, id, ""); err != nil {
			return err
		}
		if also != nil {
			return also(tx, id)
		}
		return nil
	})
}
