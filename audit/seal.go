package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sealLockKey is the advisory lock that one sealer at a time holds for one short batch ("aseal"
// in ASCII). It is never held by Append, so audited transactions never wait for it.
const sealLockKey int64 = 0x617365616c

// sealBatch bounds one sealing transaction, so the lock is held for milliseconds even after a
// backlog (the migration's historic entries, an outage of every instance).
const sealBatch = 1000

// Chain seals committed entries into the keyed chain (audit_seal), anchors its head and verifies
// it. It needs the audit keys; Log, which only appends and lists, does not.
type Chain struct {
	pool *pgxpool.Pool
	keys Keyring
}

// NewChain returns the chain on pool with keys; the first key seals.
func NewChain(pool *pgxpool.Pool, keys Keyring) (*Chain, error) {
	if keys.Empty() {
		return nil, errors.New("audit: AUDIT_KEYS is not set")
	}
	return &Chain{pool: pool, keys: keys}, nil
}

// Seal chains every entry committed so far, waiting for another sealer to finish first, and
// returns how many it sealed. Entries are sealed in id order within a batch; an entry whose
// transaction commits after a later one was sealed is sealed after it (chain order is seq).
func (c *Chain) Seal(ctx context.Context) (int, error) { return c.seal(ctx, true) }

// TrySeal is Seal that returns at once (0, nil) when another sealer holds the lock: instances
// that tick at the same time do not queue behind each other.
func (c *Chain) TrySeal(ctx context.Context) (int, error) { return c.seal(ctx, false) }

func (c *Chain) seal(ctx context.Context, wait bool) (int, error) {
	total := 0
	for {
		n, err := c.sealBatch(ctx, wait)
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

// sealBatch seals up to sealBatch pending entries in one READ COMMITTED transaction: after the
// lock each statement sees everything the previous sealer committed, so the head read here is
// the real head.
func (c *Chain) sealBatch(ctx context.Context, wait bool) (int, error) {
	n := 0
	err := pgx.BeginTxFunc(ctx, c.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		n = 0
		if wait {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLockKey); err != nil {
				return err
			}
		} else {
			var locked bool
			if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, sealLockKey).Scan(&locked); err != nil || !locked {
				return err
			}
		}
		seq, head, err := readHead(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT l.id, l.at, l.actor, l.action, l.subject, l.detail::text
			FROM audit_pending p JOIN audit_log l ON l.id = p.entry_id
			ORDER BY p.entry_id LIMIT $1`, sealBatch)
		if err != nil {
			return err
		}
		pending, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sealed, error) {
			var s sealed
			err := r.Scan(&s.entryID, &s.at, &s.actor, &s.action, &s.subject, &s.detail)
			return s, err
		})
		if err != nil || len(pending) == 0 {
			return err
		}
		key := c.keys.signer()
		var (
			seqs, ids []int64
			keyIDs    []string
			prevs     [][]byte
			hashes    [][]byte
		)
		for _, s := range pending {
			seq++
			s.seq, s.keyID, s.prev = seq, key.ID, head
			if head, err = s.hash(key.Secret); err != nil {
				return fmt.Errorf("entry %d: %w", s.entryID, err)
			}
			seqs, ids, keyIDs = append(seqs, s.seq), append(ids, s.entryID), append(keyIDs, s.keyID)
			prevs, hashes = append(prevs, s.prev), append(hashes, head)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO audit_seal (seq, entry_id, key_id, prev_hash, hash)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bytea[], $5::bytea[])`,
			seqs, ids, keyIDs, prevs, hashes); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_pending WHERE entry_id = ANY($1)`, ids); err != nil {
			return err
		}
		n = len(pending)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("audit: seal: %w", err)
	}
	return n, nil
}

// readHead returns the last seal's seq and hash (0 and genesis when there is none).
func readHead(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, bytes.Clone(genesis[:]), nil
	}
	return seq, hash, err
}

// Run seals every interval until ctx ends. Every instance runs it; TrySeal lets one seal at a
// time. Failures are logged and retried at the next tick: an entry waits, it is never lost.
func (c *Chain) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.TrySeal(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "audit sealer", "error", err.Error())
		}
	}
}
