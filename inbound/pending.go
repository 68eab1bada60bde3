// Package inbound is what citizens send the support desk outside a staff screen: web-form
// submissions of anonymous citizens that wait until their e-mail address is confirmed
// (Pending), and mail replies that land on their case (Receiver, served over SMTP by Server).
package inbound

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/support"
)

// PendingTTL is how long the confirmation link of an anonymous submission works.
const PendingTTL = 24 * time.Hour

// ErrTokenInvalid is returned by Confirm for a link that is unknown, used or expired; the
// three are not told apart.
var ErrTokenInvalid = fault.New("inbound", fault.NotFound, "inbound.err.token_invalid")

// Submission is what the contact form sends: the case to open once the address is confirmed.
type Submission struct {
	System   support.System
	Category support.Category
	Subject  string
	Message  string
	Name     string
	Email    string
	// Lang is the language of the pages and mails, "da" or "en".
	Lang string
	// Attachments are the files sent with the form, already in the blob store; they go with the
	// case's first message.
	Attachments []support.NewAttachment
}

// Check trims s and returns it, or the first rule it breaks as a support error (the same rules
// support.Cases.Open applies), so a confirmed submission always opens. Name and e-mail are
// checked only when anonymous is true.
func (s Submission) Check(anonymous bool) (Submission, error) {
	s.Subject, s.Message = strings.TrimSpace(s.Subject), strings.TrimSpace(s.Message)
	s.Name, s.Email = strings.TrimSpace(s.Name), strings.TrimSpace(s.Email)
	switch {
	case !contains(support.Systems, s.System):
		return s, support.ErrSystemInvalid
	case !contains(support.Categories, s.Category):
		return s, support.ErrCategoryInvalid
	case s.Subject == "":
		return s, support.ErrSubjectRequired
	case utf8.RuneCountInString(s.Subject) > support.MaxSubject || strings.ContainsAny(s.Subject, "\r\n"):
		return s, support.ErrSubjectTooLong
	case s.Message == "":
		return s, support.ErrBodyRequired
	case utf8.RuneCountInString(s.Message) > support.MaxBody:
		return s, support.ErrBodyTooLong
	case s.Lang != "da" && s.Lang != "en":
		return s, support.ErrLangInvalid
	}
	if err := support.CheckAttachments(s.Attachments); err != nil {
		return s, err
	}
	if !anonymous {
		return s, nil
	}
	switch {
	case s.Name == "":
		return s, support.ErrNameRequired
	case utf8.RuneCountInString(s.Name) > support.MaxName:
		return s, support.ErrNameTooLong
	case s.Email == "":
		return s, support.ErrContactRequired
	}
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || len(s.Email) > 254 {
		return s, support.ErrEmailInvalid
	}
	return s, nil
}

func contains[T comparable](all []T, v T) bool {
	for _, x := range all {
		if x == v {
			return true
		}
	}
	return false
}

// Pending stores anonymous submissions until their address is confirmed.
type Pending struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewPending returns the store of pending submissions in pool.
func NewPending(pool *pgxpool.Pool) *Pending { return &Pending{pool: pool, now: time.Now} }

// Create stores s (checked with Check(true)) and calls send in the same transaction with the
// token for the confirmation link, so the submission exists exactly when its mail is queued.
// Only the token's hash is stored.
func (p *Pending) Create(ctx context.Context, s Submission, send func(tx pgx.Tx, token string) error) error {
	s, err := s.Check(true)
	if err != nil {
		return err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("confirmation token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := p.now()
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO contact_pending (token_hash, system, category, subject, message, name, email,
				lang, created_at, expires_at, attachments)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			tokenHash(token), s.System, s.Category, s.Subject, s.Message, s.Name, s.Email, s.Lang,
			now, now.Add(PendingTTL), attachmentsJSON(s.Attachments))
		if err != nil {
			return fmt.Errorf("store pending submission: %w", err)
		}
		return send(tx, token)
	})
}

// Lookup returns the submission of token without using it up, for the page that asks the
// citizen to confirm (a GET, which must not spend the link). ErrTokenInvalid for an unknown,
// used or expired token.
func (p *Pending) Lookup(ctx context.Context, token string) (Submission, error) {
	if len(token) != 43 {
		return Submission{}, ErrTokenInvalid
	}
	var s Submission
	err := p.pool.QueryRow(ctx, `
		SELECT system, category, subject, message, name, email, lang, attachments FROM contact_pending
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash(token), p.now()).
		Scan(&s.System, &s.Category, &s.Subject, &s.Message, &s.Name, &s.Email, &s.Lang, &s.Attachments)
	if errors.Is(err, pgx.ErrNoRows) {
		return Submission{}, ErrTokenInvalid
	}
	if err != nil {
		return Submission{}, fmt.Errorf("read pending submission: %w", err)
	}
	return s, nil
}

// Confirm uses up the submission of token: it calls open with the submission in a
// transaction that holds the submission's row and deletes it, so a link opens at most one
// case even when followed twice at once. An error from open keeps the link usable.
// ErrTokenInvalid for an unknown, used or expired token.
func (p *Pending) Confirm(ctx context.Context, token string, open func(tx pgx.Tx, s Submission) error) error {
	if len(token) != 43 {
		return ErrTokenInvalid
	}
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		var (
			id int64
			s  Submission
		)
		err := tx.QueryRow(ctx, `
			SELECT id, system, category, subject, message, name, email, lang, attachments FROM contact_pending
			WHERE token_hash = $1 AND expires_at > $2
			FOR UPDATE`, tokenHash(token), p.now()).
			Scan(&id, &s.System, &s.Category, &s.Subject, &s.Message, &s.Name, &s.Email, &s.Lang, &s.Attachments)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrTokenInvalid
		}
		if err != nil {
			return fmt.Errorf("read pending submission: %w", err)
		}
		if err := open(tx, s); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM contact_pending WHERE id = $1`, id); err != nil {
			return fmt.Errorf("use up pending submission: %w", err)
		}
		return nil
	})
}

// Prune deletes expired submissions and returns how many, for a periodic clean-up.
func (p *Pending) Prune(ctx context.Context) (int64, error) {
	tag, err := p.pool.Exec(ctx, `DELETE FROM contact_pending WHERE expires_at <= $1`, p.now())
	if err != nil {
		return 0, fmt.Errorf("prune pending submissions: %w", err)
	}
	return tag.RowsAffected(), nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// attachmentsJSON is the files of a submission as the attachments column keeps them (never
// null: the column is an array).
func attachmentsJSON(files []support.NewAttachment) []support.NewAttachment {
	if files == nil {
		return []support.NewAttachment{}
	}
	return files
}
