package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reason says how the chain is broken.
type Reason string

// Reasons Verify reports.
const (
	// ReasonContentChanged: the seal's hash does not match the entry and the seal (an entry's
	// actor, action, subject, detail or time changed, seals swapped, or hashes recomputed
	// without the key).
	ReasonContentChanged Reason = "content changed"
	// ReasonUnknownKey: the seal names a key id that AUDIT_KEYS does not hold (forged, or made
	// with a key removed from the configuration too early).
	ReasonUnknownKey Reason = "sealed with an unknown key id"
	// ReasonEntryMissing: the seal is there but its entry is not (the entry was deleted).
	ReasonEntryMissing Reason = "entry deleted (its seal remains)"
	// ReasonMissing: the seal verifies, but seals before it are missing (deleted).
	ReasonMissing Reason = "entry before it missing (deleted)"
	// ReasonUnlinked: the seal verifies, but its prev_hash is not the hash of the seal before
	// it: seals were inserted or reordered with the key.
	ReasonUnlinked Reason = "not linked to the entry before it (rewritten, inserted or reordered)"
	// ReasonTruncated: the chain is intact but shorter than the newest anchor says it was.
	ReasonTruncated Reason = "truncated tail: entries that the newest anchor covers are missing"
	// ReasonAnchorMismatch: the entry at the anchored seq has another hash than the anchor
	// recorded: the chain was rewritten (with the key) after the anchor.
	ReasonAnchorMismatch Reason = "changed: the hash differs from the newest anchor's"
	// ReasonAnchorForged: the anchor's MAC does not verify with the configured keys.
	ReasonAnchorForged Reason = "the newest anchor is not signed by a configured key"
	// ReasonUnsealed: a committed entry older than the grace period has no seal (its pending
	// marker was deleted, or it was inserted around Log.Append).
	ReasonUnsealed Reason = "not sealed (inserted around the portal or its pending marker deleted)"
)

// DefaultGrace is how long a committed entry may stay unsealed before Verify reports it. The
// sealer runs every second; a minute leaves room for a slow database or a restart.
const DefaultGrace = time.Minute

// Break is the first problem Verify found. Seq is the chain position (0 when the entry has
// none, as for ReasonUnsealed); EntryID is the audit_log id (0 when unknown, as for the first
// missing entry of a truncated tail).
type Break struct {
	Seq     int64
	EntryID int64
	Reason  Reason
}

// VerifyOptions are Verify's inputs besides the chain.
type VerifyOptions struct {
	// Anchor is the newest anchor; nil when there is none, and then the tail cannot be checked.
	Anchor *Anchor
	// Grace is how old an unsealed entry may be; DefaultGrace when 0.
	Grace time.Duration
}

// Report is the result of Verify.
type Report struct {
	// Entries counts the seals verified in seq order before the first break (all of them when
	// the chain is intact).
	Entries int64
	// LastSeq, LastID and Head are the seq, entry id and hash of the last verified seal (0, 0
	// and zeros when none).
	LastSeq, LastID int64
	Head            []byte
	// Unsealed counts entries that have no seal yet (committed after the last seal).
	Unsealed int64
	// Anchored is true when an anchor was given and the chain matches it.
	Anchored bool
	// Broken is the first problem, nil when the log is intact.
	Broken *Break
}

// Intact reports whether the whole log verified.
func (r Report) Intact() bool { return r.Broken == nil }

// Verify walks the whole chain in seq order in one read-only snapshot, one row at a time
// (constant memory), and stops at the first seal that breaks it. Then it checks the newest
// anchor (the anchored seal must exist with the anchored hash, and no fewer entries may be
// sealed) and looks for entries left unsealed beyond the grace period. It does not seal; call
// Seal first to cover entries committed just now.
func (c *Chain) Verify(ctx context.Context, opts VerifyOptions) (Report, error) {
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	rep := Report{Head: genesis[:]}
	err := pgx.BeginTxFunc(ctx, c.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			anchorHash, err := c.walk(ctx, tx, &rep, opts.Anchor)
			if err != nil {
				return err
			}
			if rep.Broken == nil && opts.Anchor != nil {
				rep.Broken = c.checkAnchor(rep, *opts.Anchor, anchorHash)
				rep.Anchored = rep.Broken == nil
			}
			var stale, oldest int64
			err = tx.QueryRow(ctx, `
				SELECT count(*), count(*) FILTER (WHERE at < now() - make_interval(secs => $1)),
				       coalesce(min(id) FILTER (WHERE at < now() - make_interval(secs => $1)), 0)
				FROM audit_log l WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.entry_id = l.id)`,
				opts.Grace.Seconds()).Scan(&rep.Unsealed, &stale, &oldest)
			if err != nil {
				return err
			}
			if rep.Broken == nil && stale > 0 {
				rep.Broken = &Break{EntryID: oldest, Reason: ReasonUnsealed}
			}
			return nil
		})
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	return rep, nil
}

// walk verifies the seals in seq order into rep and returns the hash found at the anchor's seq
// (nil when the chain does not reach it).
func (c *Chain) walk(ctx context.Context, tx pgx.Tx, rep *Report, anchor *Anchor) ([]byte, error) {
	// LEFT JOIN: a seal whose entry was deleted must show up, not vanish from the walk.
	rows, err := tx.Query(ctx, `
		SELECT s.seq, s.entry_id, s.key_id, s.prev_hash, s.hash, l.id IS NOT NULL,
		       coalesce(l.at, 'epoch'), coalesce(l.actor, ''), coalesce(l.action, ''),
		       coalesce(l.subject, ''), coalesce(l.detail::text, '{}')
		FROM audit_seal s LEFT JOIN audit_log l ON l.id = s.entry_id ORDER BY s.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		s          sealed
		hash       []byte
		exists     bool
		anchorHash []byte
	)
	for rows.Next() {
		err := rows.Scan(&s.seq, &s.entryID, &s.keyID, &s.prev, &hash, &exists,
			&s.at, &s.actor, &s.action, &s.subject, &s.detail)
		if err != nil {
			return nil, err
		}
		if rep.Broken = c.check(s, hash, exists, rep); rep.Broken != nil {
			return anchorHash, nil
		}
		rep.Entries++
		rep.LastSeq, rep.LastID, rep.Head = s.seq, s.entryID, bytes.Clone(hash)
		if anchor != nil && s.seq == anchor.Seq {
			anchorHash = rep.Head
		}
	}
	return anchorHash, rows.Err()
}

// check verifies one seal against the chain so far.
func (c *Chain) check(s sealed, hash []byte, exists bool, rep *Report) *Break {
	brk := func(r Reason) *Break { return &Break{Seq: s.seq, EntryID: s.entryID, Reason: r} }
	key, ok := c.keys.secret(s.keyID)
	if !ok {
		return brk(ReasonUnknownKey)
	}
	if !exists {
		return brk(ReasonEntryMissing)
	}
	want, err := s.hash(key)
	if err != nil || !hmac.Equal(want, hash) {
		return brk(ReasonContentChanged)
	}
	if s.seq != rep.LastSeq+1 {
		return brk(ReasonMissing)
	}
	if !bytes.Equal(s.prev, rep.Head) {
		return brk(ReasonUnlinked)
	}
	return nil
}

// checkAnchor compares an intact chain with the newest anchor.
func (c *Chain) checkAnchor(rep Report, a Anchor, found []byte) *Break {
	key, ok := c.keys.secret(a.KeyID)
	if !ok || !hmac.Equal(a.mac(key), a.MAC) {
		return &Break{Seq: a.Seq, Reason: ReasonAnchorForged}
	}
	if a.Seq == 0 && rep.Entries >= a.Count {
		return nil // anchored when the chain was empty
	}
	if rep.LastSeq < a.Seq || rep.Entries < a.Count {
		return &Break{Seq: rep.LastSeq + 1, Reason: ReasonTruncated}
	}
	if !bytes.Equal(found, a.Hash) {
		return &Break{Seq: a.Seq, Reason: ReasonAnchorMismatch}
	}
	return nil
}
