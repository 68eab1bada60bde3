package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"image"
	_ "image/jpeg" // decode JPEG images for thumbnails
	"image/png"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"github.com/jackc/pgx/v5"

	"mitidportal/blob"
	"mitidportal/db"
	"mitidportal/support"
)

// MaxItemSize is the largest file an item version may have.
const MaxItemSize = 200 << 20

// MaxSummary is the longest a pack's summary or an item's description may be.
const MaxSummary = 2000

// ItemTypes maps the content types an item's file may have (sniffed from its first bytes, never
// taken from its name) to the extension its download name gets.
var ItemTypes = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"video/mp4":       ".mp4",
	"application/zip": ".zip",
}

// thumbSize is the box a thumbnail fits in; maxThumbPixels bounds the images scaled (a small
// file can declare a huge image).
const (
	thumbSize      = 320
	maxThumbPixels = 40_000_000
)

// PackEvent is an editor's change, audited inside its transaction.
type PackEvent struct {
	StaffID int64
	Action  string // EventPackCreated, ...
	PackID  int64
	ItemID  int64
	Detail  map[string]any
}

// Pack and item event actions.
const (
	EventPackCreated   = "pack_created"
	EventItemCreated   = "pack_item_created"
	EventItemVersion   = "pack_item_version"
	EventItemPublished = "pack_item_published"
	EventItemWithdrawn = "pack_item_withdrawn"
	EventItemMoved     = "pack_item_moved"
)

// PackHooks are what packs tell the rest of the portal inside a change's transaction.
type PackHooks struct {
	// Audit records an editor's change; without it every change is refused (no staff action
	// goes unaudited).
	Audit func(ctx context.Context, tx pgx.Tx, e PackEvent) error
}

// NewPack is what an editor gives to create a pack.
type NewPack struct {
	Slug                 string
	Audience             Audience
	TitleDA, TitleEN     string
	SummaryDA, SummaryEN string
}

// NewItem is what an editor gives to create an item.
type NewItem struct {
	PackID      int64
	Kind        ItemKind
	Audience    ItemAudience
	Lang        string
	Title       string
	Description string
	Visibility  Visibility
}

// Upload is a file as it arrives: streamed, never held whole in memory.
type Upload struct {
	Filename string
	Body     io.Reader
}

func (p *Packs) audit(ctx context.Context, tx pgx.Tx, e PackEvent) error {
	if p.hooks.Audit == nil {
		return errors.New("campaign: no audit hook: editors' changes are refused")
	}
	return p.hooks.Audit(ctx, tx, e)
}

// CreatePack creates a pack at the end of the list.
func (p *Packs) CreatePack(ctx context.Context, staffID int64, n NewPack) (Pack, error) {
	pk := Pack{Slug: n.Slug, Audience: n.Audience, TitleDA: strings.TrimSpace(n.TitleDA),
		TitleEN: strings.TrimSpace(n.TitleEN), SummaryDA: strings.TrimSpace(n.SummaryDA),
		SummaryEN: strings.TrimSpace(n.SummaryEN)}
	if !validSlug(pk.Slug) {
		return pk, ErrSlugInvalid
	}
	if !slices.Contains(Audiences, pk.Audience) {
		return pk, ErrAudienceInvalid
	}
	if pk.TitleDA == "" || pk.TitleEN == "" {
		return pk, ErrTitleRequired
	}
	if utf8.RuneCountInString(pk.TitleDA) > MaxName || utf8.RuneCountInString(pk.TitleEN) > MaxName {
		return pk, ErrNameTooLong
	}
	if utf8.RuneCountInString(pk.SummaryDA) > MaxSummary || utf8.RuneCountInString(pk.SummaryEN) > MaxSummary {
		return pk, ErrNoteTooLong
	}
	err := db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO pack (slug, audience, title_da, title_en, summary_da, summary_en, position, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(position), 0) + 1 FROM pack), $7)
			ON CONFLICT (slug) DO NOTHING RETURNING id, position`,
			pk.Slug, pk.Audience, pk.TitleDA, pk.TitleEN, pk.SummaryDA, pk.SummaryEN, p.now()).Scan(&pk.ID, &pk.Position)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrSlugTaken
		}
		if err != nil {
			return fmt.Errorf("create pack: %w", err)
		}
		return p.audit(ctx, tx, PackEvent{StaffID: staffID, Action: EventPackCreated, PackID: pk.ID,
			Detail: map[string]any{"slug": pk.Slug}})
	})
	return pk, err
}

// CreateItem creates a draft item at the end of its pack with up as its first version.
func (p *Packs) CreateItem(ctx context.Context, staffID int64, n NewItem, up Upload) (Item, error) {
	it := Item{PackID: n.PackID, Kind: n.Kind, Audience: n.Audience, Lang: n.Lang,
		Title: strings.TrimSpace(n.Title), Description: strings.TrimSpace(n.Description),
		Visibility: n.Visibility, Status: ItemDraft}
	if err := it.check(); err != nil {
		return it, err
	}
	ver, err := p.keep(ctx, up)
	if err != nil {
		return it, err
	}
	err = db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		if err := lockPack(ctx, tx, it.PackID); err != nil {
			return err
		}
		now := p.now()
		err := tx.QueryRow(ctx, `
			INSERT INTO pack_item (pack_id, position, kind, audience, lang, title, description, visibility,
				current_version, created_at, updated_at)
			VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM pack_item WHERE pack_id = $1),
				$2, $3, $4, $5, $6, $7, 1, $8, $8)
			RETURNING id, position`,
			it.PackID, it.Kind, it.Audience, it.Lang, it.Title, it.Description, it.Visibility, now).Scan(&it.ID, &it.Position)
		if err != nil {
			return fmt.Errorf("create item: %w", err)
		}
		ver.Version, ver.CreatedBy, ver.CreatedAt = 1, staffID, now
		if err := insertVersion(ctx, tx, it.ID, ver); err != nil {
			return err
		}
		it.Current = ver
		return p.audit(ctx, tx, PackEvent{StaffID: staffID, Action: EventItemCreated, PackID: it.PackID,
			ItemID: it.ID, Detail: map[string]any{"title": it.Title, "sha256": ver.SHA256}})
	})
	return it, err
}

// AddVersion adds up as the item's new current version with a change note.
func (p *Packs) AddVersion(ctx context.Context, staffID, itemID int64, up Upload, note string) (Version, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Version{}, ErrNoteTooLong
	}
	ver, err := p.keep(ctx, up)
	if err != nil {
		return ver, err
	}
	err = db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		var packID int64
		now := p.now()
		err := tx.QueryRow(ctx, `UPDATE pack_item SET current_version = current_version + 1, updated_at = $2
			WHERE id = $1 RETURNING pack_id, current_version`, itemID, now).Scan(&packID, &ver.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("add version: %w", err)
		}
		ver.ChangeNote, ver.CreatedBy, ver.CreatedAt = note, staffID, now
		if err := insertVersion(ctx, tx, itemID, ver); err != nil {
			return err
		}
		return p.audit(ctx, tx, PackEvent{StaffID: staffID, Action: EventItemVersion, PackID: packID,
			ItemID: itemID, Detail: map[string]any{"version": ver.Version, "sha256": ver.SHA256, "note": note}})
	})
	return ver, err
}

// Publish publishes an item, released at releaseAt: a time in the future schedules it (the
// embargo), nobody but editors sees it before. Publishing a published item moves its release.
func (p *Packs) Publish(ctx context.Context, staffID, itemID int64, releaseAt time.Time) error {
	return p.setStatus(ctx, staffID, itemID, ItemPublished, &releaseAt, EventItemPublished)
}

// Withdraw takes an item back from everyone but editors.
func (p *Packs) Withdraw(ctx context.Context, staffID, itemID int64) error {
	return p.setStatus(ctx, staffID, itemID, ItemWithdrawn, nil, EventItemWithdrawn)
}

func (p *Packs) setStatus(ctx context.Context, staffID, itemID int64, status ItemStatus, release *time.Time, action string) error {
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		var packID int64
		err := tx.QueryRow(ctx, `UPDATE pack_item SET status = $2, release_at = coalesce($3, release_at),
			updated_at = $4 WHERE id = $1 RETURNING pack_id`, itemID, status, release, p.now()).Scan(&packID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("item status: %w", err)
		}
		detail := map[string]any{"status": string(status)}
		if release != nil {
			detail["release_at"] = release.UTC().Format(time.RFC3339)
		}
		return p.audit(ctx, tx, PackEvent{StaffID: staffID, Action: action, PackID: packID, ItemID: itemID, Detail: detail})
	})
}

// Move moves an item one place up (delta -1) or down (+1) in its pack; at either end nothing moves.
func (p *Packs) Move(ctx context.Context, staffID, itemID int64, delta int) error {
	if delta != -1 && delta != 1 {
		return ErrNotFound
	}
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		var packID int64
		if err := tx.QueryRow(ctx, `SELECT pack_id FROM pack_item WHERE id = $1`, itemID).Scan(&packID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("move: %w", err)
		}
		// The pack's lock orders every reordering of its items.
		if err := lockPack(ctx, tx, packID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM pack_item WHERE pack_id = $1 ORDER BY position, id`, packID)
		if err != nil {
			return fmt.Errorf("move: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("move: %w", err)
		}
		i := slices.Index(ids, itemID)
		j := i + delta
		if j < 0 || j >= len(ids) {
			return nil
		}
		ids[i], ids[j] = ids[j], ids[i]
		if _, err := tx.Exec(ctx, `UPDATE pack_item SET position = o.n FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n)
			WHERE pack_item.id = o.id`, ids); err != nil {
			return fmt.Errorf("move: %w", err)
		}
		return p.audit(ctx, tx, PackEvent{StaffID: staffID, Action: EventItemMoved, PackID: packID, ItemID: itemID,
			Detail: map[string]any{"position": j + 1}})
	})
}

// HistoryEntry is a version in an item's history, with the name of the editor who uploaded it.
type HistoryEntry struct {
	Version
	By string // the editor's name, "" when the account is gone
}

// History returns every version of an item, newest first, for its editors.
func (p *Packs) History(ctx context.Context, itemID int64) ([]HistoryEntry, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+versionColumns+`, coalesce(s.name, '')
		FROM pack_item_version iv LEFT JOIN staff_user s ON s.id = iv.created_by
		WHERE iv.item_id = $1 ORDER BY iv.version DESC`, itemID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (HistoryEntry, error) {
		var h HistoryEntry
		v := &h.Version
		err := row.Scan(&v.Version, &v.SHA256, &v.Size, &v.MediaType, &v.Filename, &v.Thumb, &v.ChangeNote,
			&v.CreatedBy, &v.CreatedAt, &v.CRC32, &h.By)
		return h, err
	})
}

// PackByID returns the pack with id.
func (p *Packs) PackByID(ctx context.Context, id int64) (Pack, error) {
	var pk Pack
	err := p.pool.QueryRow(ctx, `SELECT `+packColumns+` FROM pack p WHERE p.id = $1`, id).Scan(
		&pk.ID, &pk.Slug, &pk.Audience, &pk.TitleDA, &pk.TitleEN, &pk.SummaryDA, &pk.SummaryEN, &pk.Position)
	if errors.Is(err, pgx.ErrNoRows) {
		return pk, ErrNotFound
	}
	if err != nil {
		return pk, fmt.Errorf("pack: %w", err)
	}
	return pk, nil
}

func lockPack(ctx context.Context, tx pgx.Tx, packID int64) error {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM pack WHERE id = $1 FOR UPDATE`, packID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("lock pack: %w", err)
	}
	return nil
}

func insertVersion(ctx context.Context, tx pgx.Tx, itemID int64, v Version) error {
	var thumb *string
	if v.Thumb != "" {
		thumb = &v.Thumb
	}
	_, err := tx.Exec(ctx, `INSERT INTO pack_item_version (item_id, version, sha256, size, media_type, filename,
		thumb_sha256, change_note, created_by, created_at, crc32) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		itemID, v.Version, v.SHA256, v.Size, v.MediaType, v.Filename, thumb, v.ChangeNote, v.CreatedBy, v.CreatedAt, v.CRC32)
	if err != nil {
		return fmt.Errorf("insert version: %w", err)
	}
	return nil
}

// SniffItem reads the first bytes of an item's file: its type (one of ItemTypes, sniffed,
// never by its name) and a reader that yields the whole file again. ErrFileEmpty or
// ErrFileType when it is no item; a form whose other fields are wrong calls it to show the
// file's error with theirs.
func SniffItem(body io.Reader) (mediaType string, whole io.Reader, err error) {
	return blob.SniffKind(body, IsItemType, ErrFileEmpty, ErrFileType)
}

// IsItemType reports whether a sniffed type is one of ItemTypes (the packs' and the forum's files).
func IsItemType(mediaType string) bool {
	_, ok := ItemTypes[mediaType]
	return ok
}

// keep streams an upload into the store while it is hashed: its type is sniffed from the first
// bytes, and an image gets a thumbnail. Content already stored is not stored twice.
func (p *Packs) keep(ctx context.Context, up Upload) (Version, error) {
	if p.store == nil {
		return Version{}, ErrNoStore
	}
	mediaType, whole, err := SniffItem(up.Body)
	if err != nil {
		return Version{}, err
	}
	ext := ItemTypes[mediaType]
	// The CRC-32 is taken on the way into the store, for the packs' ZIP (see Version.CRC32).
	sum := &crcReader{r: whole, crc: crc32.NewIEEE()}
	info, err := p.store.Put(ctx, sum, MaxItemSize)
	if errors.Is(err, blob.ErrTooLarge) {
		return Version{}, ErrFileTooLarge
	}
	if err != nil {
		return Version{}, err
	}
	ver := Version{SHA256: info.SHA256, Size: info.Size, MediaType: mediaType, Filename: downloadName(up.Filename, ext),
		CRC32: -1}
	if sum.n == info.Size { // the store read it all (it must, to hash it): the checksum is whole
		ver.CRC32 = int64(sum.crc.Sum32())
	}
	if mediaType == "image/png" || mediaType == "image/jpeg" {
		ver.Thumb, err = p.thumbnail(ctx, info.SHA256)
		if err != nil {
			return ver, err
		}
	}
	return ver, nil
}

// downloadName is the sender's file name made safe, with the extension of its sniffed type.
func downloadName(name, ext string) string {
	name = support.SanitizeName(name)
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" {
		base = "file"
	}
	return base + ext
}

// thumbnail scales the stored image sha to fit thumbSize and stores it as PNG; "" when the
// image cannot be read or is too large to scale (its type icon is shown instead).
func (p *Packs) thumbnail(ctx context.Context, sha string) (string, error) {
	obj, err := p.store.Open(ctx, sha)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	cfg, _, err := image.DecodeConfig(obj)
	if err != nil || cfg.Width*cfg.Height > maxThumbPixels {
		return "", nil
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("thumbnail: %w", err)
	}
	img, err := imaging.Decode(obj, imaging.AutoOrientation(true))
	if err != nil {
		return "", nil
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, imaging.Fit(img, thumbSize, thumbSize, imaging.Lanczos)); err != nil {
		return "", fmt.Errorf("thumbnail: %w", err)
	}
	info, err := p.store.Put(ctx, &buf, MaxItemSize)
	if err != nil {
		return "", err
	}
	return info.SHA256, nil
}

// Check returns every rule the new item breaks, joined in the order of its form's fields
// (errors.Join; nil when none), so that a form can show each wrong field at once. CreateItem
// checks the same before it stores a byte.
func (n NewItem) Check() error {
	return Item{Kind: n.Kind, Audience: n.Audience, Lang: n.Lang, Title: strings.TrimSpace(n.Title),
		Description: strings.TrimSpace(n.Description), Visibility: n.Visibility}.check()
}

func (it Item) check() error {
	var errs []error
	rule := func(broken bool, err error) {
		if broken {
			errs = append(errs, err)
		}
	}
	rule(it.Title == "", ErrTitleRequired)
	rule(utf8.RuneCountInString(it.Title) > MaxName, ErrNameTooLong)
	rule(utf8.RuneCountInString(it.Description) > MaxSummary, ErrNoteTooLong)
	rule(!slices.Contains(ItemKinds, it.Kind), ErrItemKindInvalid)
	rule(!slices.Contains(ItemAudiences, it.Audience), ErrAudienceInvalid)
	rule(it.Lang != "da" && it.Lang != "en", ErrLangInvalid)
	rule(!slices.Contains(Visibilities, it.Visibility), ErrVisibilityInvalid)
	return errors.Join(errs...)
}

func validSlug(s string) bool {
	if s == "" || len(s) > 60 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// crcReader passes reads through and keeps the CRC-32 and length of what went by.
type crcReader struct {
	r   io.Reader
	crc hash.Hash32
	n   int64
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc.Write(p[:n])
	c.n += int64(n)
	return n, err
}
