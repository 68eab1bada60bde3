package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/blob"
	"mitidportal/db"
	"mitidportal/input"
)

// Image is an image for pages, kept in the file store.
type Image struct {
	ID        int64
	SHA256    string
	MediaType string
	Size      int64
	Alt       string
	CreatedAt time.Time
}

// URL is where visitors get the image.
func (i Image) URL() string { return ImageURL(i.ID) }

// ImageURL is the address of the image with id.
func ImageURL(id int64) string { return "/kampagne/billede/" + strconv.FormatInt(id, 10) }

// Markdown is the snippet an editor pastes into a page to show the image.
func (i Image) Markdown() string {
	alt := strings.NewReplacer("[", "(", "]", ")").Replace(i.Alt)
	return "![" + alt + "](" + i.URL() + ")"
}

// Store returns the file store images are kept in (nil: none configured).
func (p *Pages) Store() blob.Store { return p.store }

// SniffImage reads the first bytes of an image: PNG or JPEG, sniffed, never by its name, and a
// reader that yields the whole image again. ErrImageEmpty or ErrImageType when it is neither;
// a form whose other fields are wrong calls it to show the file's error with theirs.
func SniffImage(body io.Reader) (mediaType string, whole io.Reader, err error) {
	return blob.SniffKind(body, func(mt string) bool { return mt == "image/png" || mt == "image/jpeg" },
		ErrImageEmpty, ErrImageType)
}

// AddImage streams an image into the file store: PNG or JPEG, sniffed from its first bytes,
// at most MaxImage bytes, with alt text for readers who do not see it.
func (p *Pages) AddImage(ctx context.Context, staffID int64, alt string, body io.Reader) (Image, error) {
	alt = strings.TrimSpace(alt)
	switch {
	case !input.Valid(alt, false):
		return Image{}, ErrBadText
	case alt == "":
		return Image{}, ErrAltRequired
	case utf8.RuneCountInString(alt) > MaxAlt:
		return Image{}, ErrAltTooLong
	case p.store == nil:
		return Image{}, ErrNoStore
	}
	mt, whole, err := SniffImage(body)
	if err != nil {
		return Image{}, err
	}
	info, err := p.store.Put(ctx, whole, MaxImage)
	if errors.Is(err, blob.ErrTooLarge) {
		return Image{}, ErrImageTooLarge
	}
	if err != nil {
		return Image{}, err
	}
	img := Image{SHA256: info.SHA256, MediaType: mt, Size: info.Size, Alt: alt}
	err = db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		img.CreatedAt = p.now()
		if err := tx.QueryRow(ctx, `INSERT INTO site_image (sha256, media_type, size, alt, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, img.SHA256, img.MediaType, img.Size, img.Alt, staffID,
			img.CreatedAt).Scan(&img.ID); err != nil {
			return fmt.Errorf("add image: %w", err)
		}
		return p.audit(ctx, tx, Event{StaffID: staffID, Action: EventImageAdded, ImageID: img.ID,
			Detail: map[string]any{"sha256": img.SHA256, "alt": img.Alt}})
	})
	return img, err
}

// Image returns the image with id.
func (p *Pages) Image(ctx context.Context, id int64) (Image, error) {
	var img Image
	err := p.pool.QueryRow(ctx, `SELECT id, sha256, media_type, size, alt, created_at FROM site_image WHERE id = $1`,
		id).Scan(&img.ID, &img.SHA256, &img.MediaType, &img.Size, &img.Alt, &img.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return img, ErrNotFound
	}
	if err != nil {
		return img, fmt.Errorf("image: %w", err)
	}
	return img, nil
}

// PublishedImage returns image id for a visitor: only when a released page's published text
// (either language) shows it, so an image uploaded for a page still in draft or scheduled
// cannot be fetched by guessing its number before the page is out. Editors read Image.
func (p *Pages) PublishedImage(ctx context.Context, id int64) (Image, error) {
	var img Image
	err := p.pool.QueryRow(ctx, `SELECT i.id, i.sha256, i.media_type, i.size, i.alt, i.created_at
		FROM site_image i
		WHERE i.id = $1 AND EXISTS (
			SELECT 1 FROM site_page pg JOIN site_page_version v ON v.page_id = pg.id
				AND v.version = CASE v.lang WHEN 'da' THEN pg.pinned_da ELSE pg.pinned_en END
			WHERE pg.status = 'published' AND pg.release_at <= $2
				AND v.body ~ ('/kampagne/billede/' || i.id || '([^0-9]|$)'))`,
		id, p.now()).Scan(&img.ID, &img.SHA256, &img.MediaType, &img.Size, &img.Alt, &img.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return img, ErrNotFound
	}
	if err != nil {
		return img, fmt.Errorf("published image: %w", err)
	}
	return img, nil
}

// Images returns the newest images, for the editor's page.
func (p *Pages) Images(ctx context.Context, limit int) ([]Image, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, sha256, media_type, size, alt, created_at FROM site_image
		ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Image, error) {
		var img Image
		err := r.Scan(&img.ID, &img.SHA256, &img.MediaType, &img.Size, &img.Alt, &img.CreatedAt)
		return img, err
	})
}
