package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Letter kinds.
const (
	LetterActivation = "activation"
)

// Letter is one letter in a citizen's letter box: the stand-in for the letters the portal sends
// to the address in the CPR register. The PDF itself is read with Letters.PDF.
type Letter struct {
	ID        int64
	CPR       CPR
	Kind      string
	Subject   string
	CreatedAt time.Time
	ReadAt    *time.Time
	// Recipient is the person's full name; filled by Recent only (the demo mailbox).
	Recipient string
}

// Letters is the letter box.
type Letters struct{ pool *pgxpool.Pool }

// NewLetters returns the letter box kept in pool's database.
func NewLetters(pool *pgxpool.Pool) *Letters { return &Letters{pool: pool} }

// AddTx puts a letter in the box within the caller's transaction, so a letter exists exactly
// when what it reports (an activation code) does.
func (l *Letters) AddTx(ctx context.Context, tx pgx.Tx, cpr CPR, kind, subject string, pdf []byte) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO letter (cpr, kind, subject, pdf) VALUES ($1, $2, $3, $4) RETURNING id`,
		cpr, kind, subject, pdf).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add letter: %w", err)
	}
	return id, nil
}

// List returns the person's letters, newest first.
func (l *Letters) List(ctx context.Context, cpr CPR) ([]Letter, error) {
	rows, err := l.pool.Query(ctx, `
		SELECT id, cpr, kind, subject, created_at, read_at, '' FROM letter
		WHERE cpr = $1 ORDER BY id DESC LIMIT 200`, cpr)
	if err != nil {
		return nil, fmt.Errorf("list letters: %w", err)
	}
	return pgx.CollectRows(rows, scanLetter)
}

// Unread counts the person's unread letters.
func (l *Letters) Unread(ctx context.Context, cpr CPR) (int, error) {
	var n int
	err := l.pool.QueryRow(ctx, `SELECT count(*) FROM letter WHERE cpr = $1 AND read_at IS NULL`, cpr).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count letters: %w", err)
	}
	return n, nil
}

// MarkRead marks a letter of the person with that CPR number read (once: the first time
// stays); another person's letter is ErrNotFound, the same as a letter that does not exist.
// Opening a letter from the letter box is a POST that calls this and then shows the PDF, so that
// the GET of the PDF only reads.
func (l *Letters) MarkRead(ctx context.Context, cpr CPR, id int64) error {
	tag, err := l.pool.Exec(ctx, `UPDATE letter SET read_at = coalesce(read_at, now()) WHERE id = $1 AND cpr = $2`,
		id, cpr)
	if err != nil {
		return fmt.Errorf("mark letter read: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// PDF returns a letter of the person with that CPR number; another person's letter is
// ErrNotFound, the same as a letter that does not exist. It writes nothing (MarkRead does).
func (l *Letters) PDF(ctx context.Context, cpr CPR, id int64) (Letter, []byte, error) {
	var (
		lt  Letter
		pdf []byte
	)
	err := l.pool.QueryRow(ctx, `
		SELECT id, cpr, kind, subject, created_at, read_at, pdf FROM letter
		WHERE id = $1 AND cpr = $2`, id, cpr).
		Scan(&lt.ID, &lt.CPR, &lt.Kind, &lt.Subject, &lt.CreatedAt, &lt.ReadAt, &pdf)
	if errors.Is(err, pgx.ErrNoRows) {
		return Letter{}, nil, ErrNotFound
	}
	if err != nil {
		return Letter{}, nil, fmt.Errorf("read letter: %w", err)
	}
	return lt, pdf, nil
}

// Recent returns the newest letters of everybody, with the recipient's name, for the demo
// mailbox (which exists only in demo mode, where every person is invented).
func (l *Letters) Recent(ctx context.Context, limit int) ([]Letter, error) {
	rows, err := l.pool.Query(ctx, `
		SELECT l.id, l.cpr, l.kind, l.subject, l.created_at, l.read_at, p.given_name || ' ' || p.family_name
		FROM letter l JOIN person p ON p.cpr = l.cpr
		ORDER BY l.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent letters: %w", err)
	}
	return pgx.CollectRows(rows, scanLetter)
}

// AnyPDF returns any letter's PDF, for the demo mailbox only.
func (l *Letters) AnyPDF(ctx context.Context, id int64) ([]byte, error) {
	var pdf []byte
	err := l.pool.QueryRow(ctx, `SELECT pdf FROM letter WHERE id = $1`, id).Scan(&pdf)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read letter: %w", err)
	}
	return pdf, nil
}

func scanLetter(row pgx.CollectableRow) (Letter, error) {
	var lt Letter
	err := row.Scan(&lt.ID, &lt.CPR, &lt.Kind, &lt.Subject, &lt.CreatedAt, &lt.ReadAt, &lt.Recipient)
	return lt, err
}
