package campaign

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/fault"
)

// ErrUnsubscribeInvalid is an unsubscribe link that was not made by this portal (or whose key
// was changed since).
var ErrUnsubscribeInvalid = fault.New("campaign", fault.NotFound, "campaignsubs.err.unsubscribe_invalid")

// NoticeMessageIDs lists the message IDs of this file for the locale test.
func NoticeMessageIDs() []string { return []string{ErrUnsubscribeInvalid.MsgID} }

// Notice is one mail about one item to one member: the item was released (New) or got a new
// version. Unsubscribe is the token of the member's one-click unsubscribe link for the pack.
type Notice struct {
	MitID       int64
	Email       string
	Lang        string
	Pack        Pack
	Item        Item
	New         bool
	Unsubscribe string
}

// noticeBatch is how many items one transaction of Run takes: a transaction holds their rows
// locked while it writes the mails, so it is kept short.
const noticeBatch = 20

// Notices mails subscribed organisations' members about released items and new versions.
type Notices struct {
	pool *pgxpool.Pool
	key  []byte
	send func(ctx context.Context, tx pgx.Tx, n Notice) error
	now  func() time.Time
}

// NewNotices returns Notices that hand each mail to send inside the transaction that marks the
// item notified, and sign unsubscribe links with key (at least 32 bytes).
func NewNotices(pool *pgxpool.Pool, key []byte, send func(ctx context.Context, tx pgx.Tx, n Notice) error) (*Notices, error) {
	if len(key) < 32 {
		return nil, errors.New("campaign: the unsubscribe key needs at least 32 bytes")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("mitidportal pack unsubscribe"))
	return &Notices{pool: pool, key: mac.Sum(nil), send: send, now: time.Now}, nil
}

// SetClock replaces the clock (tests move time past an embargo).
func (n *Notices) SetClock(now func() time.Time) { n.now = now }

// Run sends every notice due: for each published, released item whose current version no mail
// has announced yet, one mail to each member who may see it of each organisation subscribed to
// its pack (a member of two such organisations gets one), except members who unsubscribed from
// the pack. The mails and the item's notified_version are written in one transaction over rows
// locked FOR UPDATE SKIP LOCKED: instances running Run at once share the work, each notice is
// sent once, and a run that dies midway sends nothing (its transaction rolls back). It returns
// the number of mails handed to send.
func (n *Notices) Run(ctx context.Context) (int, error) {
	total := 0
	for {
		sent, items, err := n.batch(ctx)
		total += sent
		if err != nil || items < noticeBatch {
			return total, err
		}
	}
}

// batch notifies up to noticeBatch items in one transaction.
func (n *Notices) batch(ctx context.Context) (sent, items int, err error) {
	err = db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		sent, items = 0, 0
		rows, err := tx.Query(ctx, `
			SELECT `+itemColumns+`, `+versionColumns+`, i.notified_version
			FROM pack_item i JOIN pack_item_version iv ON iv.item_id = i.id AND iv.version = i.current_version
			WHERE i.status = 'published' AND i.release_at <= $1 AND i.notified_version < i.current_version
			ORDER BY i.release_at, i.id LIMIT $2
			FOR UPDATE OF i SKIP LOCKED`, n.now(), noticeBatch)
		if err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		type due struct {
			item     Item
			notified int
		}
		todo, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (due, error) {
			var d due
			v := &d.item.Current
			it := &d.item
			err := row.Scan(&it.ID, &it.PackID, &it.Position, &it.Kind, &it.Audience, &it.Lang, &it.Title,
				&it.Description, &it.Visibility, &it.Status, &it.ReleaseAt,
				&v.Version, &v.SHA256, &v.Size, &v.MediaType, &v.Filename, &v.Thumb, &v.ChangeNote,
				&v.CreatedBy, &v.CreatedAt, &v.CRC32, &d.notified)
			return d, err
		})
		if err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		items = len(todo)
		for _, d := range todo {
			k, err := n.notify(ctx, tx, d.item, d.notified == 0)
			if err != nil {
				return err
			}
			sent += k
			if _, err := tx.Exec(ctx, `UPDATE pack_item SET notified_version = $2 WHERE id = $1`,
				d.item.ID, d.item.Current.Version); err != nil {
				return fmt.Errorf("notified: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return sent, items, nil
}

// notify hands one item's mails to send. The recipients are the members of approved
// organisations subscribed to the item's pack, once each (the address and language of their
// membership in the subscribed organisation with the lowest id), who may see the item: an item
// in review only members of a forum organisation, as visibleTo has it.
func (n *Notices) notify(ctx context.Context, tx pgx.Tx, it Item, isNew bool) (int, error) {
	var pk Pack
	err := tx.QueryRow(ctx, `SELECT `+packColumns+` FROM pack p WHERE p.id = $1`, it.PackID).Scan(
		&pk.ID, &pk.Slug, &pk.Audience, &pk.TitleDA, &pk.TitleEN, &pk.SummaryDA, &pk.SummaryEN, &pk.Position)
	if err != nil {
		return 0, fmt.Errorf("notice pack: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT ON (m.mitid_id) m.mitid_id, m.email, m.lang
		FROM pack_subscription s
		JOIN organisation o ON o.id = s.organisation_id AND o.status = 'approved'
		JOIN organisation_member m ON m.organisation_id = o.id
		WHERE s.pack_id = $1
		  AND NOT EXISTS (SELECT 1 FROM pack_unsubscription u WHERE u.mitid_id = m.mitid_id AND u.pack_id = $1)
		  AND ($2 <> 'review' OR EXISTS (SELECT 1 FROM organisation_member fm
		      JOIN organisation fo ON fo.id = fm.organisation_id
		      WHERE fm.mitid_id = m.mitid_id AND fo.status = 'approved' AND fo.forum_member))
		ORDER BY m.mitid_id, o.id`, pk.ID, it.Visibility)
	if err != nil {
		return 0, fmt.Errorf("notice recipients: %w", err)
	}
	recipients, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Notice, error) {
		nt := Notice{Pack: pk, Item: it, New: isNew}
		err := row.Scan(&nt.MitID, &nt.Email, &nt.Lang)
		return nt, err
	})
	if err != nil {
		return 0, fmt.Errorf("notice recipients: %w", err)
	}
	for _, nt := range recipients {
		nt.Unsubscribe = n.token(nt.MitID, pk.ID)
		if err := n.send(ctx, tx, nt); err != nil {
			return 0, err
		}
	}
	return len(recipients), nil
}

// token is the unsubscribe link's token: the MitID and pack ids with a MAC over them. It needs
// no table and works as long as the key does; it can only ever unsubscribe that one member
// from that one pack, so a forwarded mail gives away nothing more.
func (n *Notices) token(mitidID, packID int64) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(mitidID))
	b = binary.BigEndian.AppendUint64(b, uint64(packID))
	return base64.RawURLEncoding.EncodeToString(append(b, n.mac(b)...))
}

func (n *Notices) mac(ids []byte) []byte {
	m := hmac.New(sha256.New, n.key)
	m.Write(ids)
	return m.Sum(nil)[:16]
}

// parse checks a token and returns its MitID and pack ids.
func (n *Notices) parse(token string) (mitidID, packID int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 || !hmac.Equal(b[16:], n.mac(b[:16])) {
		return 0, 0, ErrUnsubscribeInvalid
	}
	return int64(binary.BigEndian.Uint64(b[:8])), int64(binary.BigEndian.Uint64(b[8:16])), nil
}

// UnsubscribeTarget returns the pack a token unsubscribes from, without changing anything (the
// page behind the link, which shows a button).
func (n *Notices) UnsubscribeTarget(ctx context.Context, token string) (Pack, error) {
	_, packID, err := n.parse(token)
	if err != nil {
		return Pack{}, err
	}
	var pk Pack
	err = n.pool.QueryRow(ctx, `SELECT `+packColumns+` FROM pack p WHERE p.id = $1`, packID).Scan(
		&pk.ID, &pk.Slug, &pk.Audience, &pk.TitleDA, &pk.TitleEN, &pk.SummaryDA, &pk.SummaryEN, &pk.Position)
	if errors.Is(err, pgx.ErrNoRows) {
		return pk, ErrUnsubscribeInvalid
	}
	if err != nil {
		return pk, fmt.Errorf("unsubscribe pack: %w", err)
	}
	return pk, nil
}

// Unsubscribe stops the mails of a token's pack to its member, from every organisation they
// belong to; other packs' mails go on. Unsubscribing twice is no error (mail clients may POST
// the link more than once).
func (n *Notices) Unsubscribe(ctx context.Context, token string) (Pack, error) {
	pk, err := n.UnsubscribeTarget(ctx, token)
	if err != nil {
		return pk, err
	}
	mitidID, _, _ := n.parse(token)
	_, err = n.pool.Exec(ctx, `INSERT INTO pack_unsubscription (mitid_id, pack_id, created_at)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM mitid WHERE id = $1) ON CONFLICT DO NOTHING`,
		mitidID, pk.ID, n.now())
	if err != nil {
		return pk, fmt.Errorf("unsubscribe: %w", err)
	}
	return pk, nil
}
