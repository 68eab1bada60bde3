package db

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Form keys keep a form that makes something (a feedback round, a canned reply) from making
// it twice: the form carries a random one-time key, rendered with it (NewFormKey), and the
// action records the key in its own transaction with the id of what it made (Once). The same
// form sent again (a double click, the back button and "send again", a reload of the answer)
// waits for the first sending's transaction, finds its key and gets the first one's id instead
// of making another; two renders of the form have two keys and make two things. A key is
// recorded per purpose and per person, and kept a day (FormKeyLife, PruneFormKeys).

// FormKeyLife is how long a used key is kept; a form sent again later makes a new thing.
const FormKeyLife = 24 * time.Hour

// formKeyBytes is the randomness of a key: 128 bits, 22 characters of base64url.
const formKeyBytes = 16

// ErrFormKey is a form key that NewFormKey did not make (missing, or forged): the form always
// carries one, so the request is refused.
var ErrFormKey = errors.New("db: malformed form key")

// NewFormKey returns a fresh random form key.
func NewFormKey() string {
	b := make([]byte, formKeyBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidFormKey reports whether key has the shape NewFormKey gives.
func ValidFormKey(key string) bool {
	b, err := base64.RawURLEncoding.DecodeString(key)
	return err == nil && len(b) == formKeyBytes
}

// Once runs act in tx as the one action of the form with key, sent by actor for purpose, and
// records the id act returns; made is true. When the key was recorded before (the form sent
// again), act does not run: id is what the first sending made and made is false. A sending
// that runs beside the first waits until the first commits or rolls back; after a rollback it
// acts itself. An error of act rolls the key back with the rest, so the form can be sent again.
// Key "" is no form (a seed, a script): act runs and nothing is recorded; the web layer refuses
// a form sent without its key.
func Once(ctx context.Context, tx pgx.Tx, purpose string, actor int64, key string, now time.Time,
	act func() (int64, error)) (id int64, made bool, err error) {
	if key == "" {
		id, err = act()
		return id, err == nil, err
	}
	if !ValidFormKey(key) {
		return 0, false, ErrFormKey
	}
	tag, err := tx.Exec(ctx, `INSERT INTO form_key (purpose, actor, key, made_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, purpose, actor, key, now)
	if err != nil {
		return 0, false, fmt.Errorf("record form key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		// A statement of its own: it sees the row the first sending committed.
		err := tx.QueryRow(ctx, `SELECT result_id FROM form_key WHERE purpose = $1 AND actor = $2 AND key = $3`,
			purpose, actor, key).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("form key's result: %w", err)
		}
		return id, false, nil
	}
	if id, err = act(); err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE form_key SET result_id = $4 WHERE purpose = $1 AND actor = $2 AND key = $3`,
		purpose, actor, key, id); err != nil {
		return 0, false, fmt.Errorf("record form key's result: %w", err)
	}
	return id, true, nil
}

// PruneFormKeys deletes the keys used longer than FormKeyLife before now, for the periodic
// clean-up, and returns how many.
func PruneFormKeys(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM form_key WHERE made_at < $1`, now.Add(-FormKeyLife))
	if err != nil {
		return 0, fmt.Errorf("prune form keys: %w", err)
	}
	return tag.RowsAffected(), nil
}
