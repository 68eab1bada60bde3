package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Subscriber is what the confirmation and unsubscribe pages show.
type Subscriber struct {
	ID     int64
	Email  string
	Lang   string
	Status string // pending, active or unsubscribed
}

// normalize checks a typed address and language and returns the address in lower case.
func normalize(email, lang string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || len(email) > MaxEmail || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", ErrEmailInvalid
	}
	if lang != "da" && lang != "en" {
		return "", ErrLangInvalid
	}
	return email, nil
}

// take counts one attempt from client address addr for address email, under both keys,
// before any other work: the count and its check are one statement in the throttle.
func (n *Newsletter) take(ctx context.Context, addr, email string) error {
	if n.throttle == nil {
		return nil
	}
	h := sha256.Sum256([]byte(email))
	for _, key := range []string{addr, "mail:" + hex.EncodeToString(h[:12])} {
		if err := n.throttle.Take(ctx, ThrottleSubscribe, key); err != nil {
			return err
		}
	}
	return nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Subscribe asks, from client address addr, for issues to email in lang. A new, pending or
// unsubscribed address becomes pending with a fresh confirmation link mailed to it (earlier
// links stop working); an active one is left as it is and gets a mail with its unsubscribe
// link. The caller answers the same in every case, so the page tells nobody whether an
// address is subscribed.
func (n *Newsletter) Subscribe(ctx context.Context, addr, email, lang string) error {
	email, err := normalize(email, lang)
	if err != nil {
		return err
	}
	if err := n.take(ctx, addr, email); err != nil {
		return err
	}
	token := rand.Text()
	now := n.now()
	expires := now.Add(PendingLifetime)
	return db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		var id int64
		var pending bool
		// One statement, so that parallel subscriptions of one address cannot both insert.
		err := tx.QueryRow(ctx, `
			INSERT INTO newsletter_subscriber (email, lang, status, confirm_hash, confirm_expires, created_at)
			VALUES ($1, $2, 'pending', $3, $4, $5)
			ON CONFLICT (email) DO UPDATE SET
				lang = CASE WHEN newsletter_subscriber.status = 'active' THEN newsletter_subscriber.lang ELSE EXCLUDED.lang END,
				confirm_hash = CASE WHEN newsletter_subscriber.status = 'active' THEN NULL ELSE EXCLUDED.confirm_hash END,
				confirm_expires = CASE WHEN newsletter_subscriber.status = 'active' THEN NULL ELSE EXCLUDED.confirm_expires END,
				status = CASE WHEN newsletter_subscriber.status = 'active' THEN 'active' ELSE 'pending' END
			RETURNING id, status = 'pending'`,
			email, lang, tokenHash(token), expires, now).Scan(&id, &pending)
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		if !pending {
			return n.mail(ctx, tx, Mail{Kind: MailAlready, Email: email, Lang: lang, Token: n.token(id)})
		}
		return n.mail(ctx, tx, Mail{Kind: MailConfirm, Email: email, Lang: lang, Token: token, Expires: expires})
	})
}

// ConfirmTarget returns the pending subscription a confirmation token would confirm, without
// changing anything (the page behind the link shows a button: mail scanners follow links).
func (n *Newsletter) ConfirmTarget(ctx context.Context, token string) (Subscriber, error) {
	var s Subscriber
	err := n.pool.QueryRow(ctx, `
		SELECT id, email, lang, status FROM newsletter_subscriber
		WHERE confirm_hash = $1 AND status = 'pending' AND confirm_expires > $2`,
		tokenHash(token), n.now()).Scan(&s.ID, &s.Email, &s.Lang, &s.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrTokenInvalid
	}
	if err != nil {
		return s, fmt.Errorf("confirm target: %w", err)
	}
	return s, nil
}

// Confirm makes the subscription of a confirmation token active. The token works once: the
// statement that activates the subscription clears it, so a second POST (or a parallel one)
// finds nothing and is ErrTokenInvalid, as is an expired token.
func (n *Newsletter) Confirm(ctx context.Context, token string) (Subscriber, error) {
	var s Subscriber
	err := n.pool.QueryRow(ctx, `
		UPDATE newsletter_subscriber SET status = 'active', confirmed_at = $2, unsubscribed_at = NULL,
			confirm_hash = NULL, confirm_expires = NULL
		WHERE confirm_hash = $1 AND status = 'pending' AND confirm_expires > $2
		RETURNING id, email, lang, status`, tokenHash(token), n.now()).Scan(&s.ID, &s.Email, &s.Lang, &s.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrTokenInvalid
	}
	if err != nil {
		return s, fmt.Errorf("confirm: %w", err)
	}
	return s, nil
}

// token is a subscriber's unsubscribe token: the id and a MAC over it. It needs no table, so
// every issue mail can carry it, and it can only ever unsubscribe that one address.
func (n *Newsletter) token(id int64) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(id))
	return base64.RawURLEncoding.EncodeToString(append(b, n.mac(b)...))
}

func (n *Newsletter) mac(id []byte) []byte {
	m := hmac.New(sha256.New, n.key)
	m.Write(id)
	return m.Sum(nil)[:16]
}

func (n *Newsletter) parse(token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 24 || !hmac.Equal(b[8:], n.mac(b[:8])) {
		return 0, ErrTokenInvalid
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// UnsubscribeTarget returns the subscriber of an unsubscribe token without changing anything.
func (n *Newsletter) UnsubscribeTarget(ctx context.Context, token string) (Subscriber, error) {
	id, err := n.parse(token)
	if err != nil {
		return Subscriber{}, err
	}
	var s Subscriber
	err = n.pool.QueryRow(ctx, `SELECT id, email, lang, status FROM newsletter_subscriber WHERE id = $1`, id).
		Scan(&s.ID, &s.Email, &s.Lang, &s.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrTokenInvalid
	}
	if err != nil {
		return s, fmt.Errorf("unsubscribe target: %w", err)
	}
	return s, nil
}

// Unsubscribe stops every issue to the subscriber of token, including the rest of a send
// under way (each batch picks active subscribers only). Unsubscribing twice is no error: mail
// clients may POST the one-click link more than once.
func (n *Newsletter) Unsubscribe(ctx context.Context, token string) (Subscriber, error) {
	s, err := n.UnsubscribeTarget(ctx, token)
	if err != nil {
		return s, err
	}
	_, err = n.pool.Exec(ctx, `
		UPDATE newsletter_subscriber SET status = 'unsubscribed', unsubscribed_at = $2,
			confirm_hash = NULL, confirm_expires = NULL
		WHERE id = $1 AND status <> 'unsubscribed'`, s.ID, n.now())
	if err != nil {
		return s, fmt.Errorf("unsubscribe: %w", err)
	}
	s.Status = "unsubscribed"
	return s, nil
}

// RequestUnsubscribe mails the unsubscribe link to email, asked for from client address addr,
// when the address is subscribed; otherwise it does nothing. Counted like Subscribe; the
// caller answers the same either way.
func (n *Newsletter) RequestUnsubscribe(ctx context.Context, addr, email string) error {
	email, err := normalize(email, "da")
	if err != nil {
		return err
	}
	if err := n.take(ctx, addr, email); err != nil {
		return err
	}
	return db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		var id int64
		var lang string
		err := tx.QueryRow(ctx, `SELECT id, lang FROM newsletter_subscriber WHERE email = $1 AND status = 'active'`,
			email).Scan(&id, &lang)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unsubscribe request: %w", err)
		}
		return n.mail(ctx, tx, Mail{Kind: MailUnsubscribe, Email: email, Lang: lang, Token: n.token(id)})
	})
}

// Prune ends pending subscriptions whose link expired: an address never confirmed is deleted;
// one that had been subscribed before (and has issues in its history) goes back to
// unsubscribed. It returns how many it ended.
func (n *Newsletter) Prune(ctx context.Context) (int64, error) {
	var total int64
	err := db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM newsletter_subscriber
			WHERE status = 'pending' AND confirm_expires <= $1 AND confirmed_at IS NULL`, n.now())
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		total = tag.RowsAffected()
		tag, err = tx.Exec(ctx, `UPDATE newsletter_subscriber SET status = 'unsubscribed',
				confirm_hash = NULL, confirm_expires = NULL
			WHERE status = 'pending' AND confirm_expires <= $1`, n.now())
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		total += tag.RowsAffected()
		return nil
	})
	return total, err
}

// AddConfirmed makes email an active subscriber in lang without a confirmation mail, for an
// address whose owner has confirmed elsewhere (the demo's seeded subscribers). An address
// already known is left as it is; it reports whether one was added.
func (n *Newsletter) AddConfirmed(ctx context.Context, email, lang string) (bool, error) {
	email, err := normalize(email, lang)
	if err != nil {
		return false, err
	}
	tag, err := n.pool.Exec(ctx, `INSERT INTO newsletter_subscriber (email, lang, status, created_at, confirmed_at)
		VALUES ($1, $2, 'active', $3, $3) ON CONFLICT (email) DO NOTHING`, email, lang, n.now())
	if err != nil {
		return false, fmt.Errorf("add subscriber: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
