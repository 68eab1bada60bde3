package site

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/db"
	"mitidportal/input"
)

// Page is a page as its editors see it.
type Page struct {
	ID         int64
	Slug       string
	Kind       Kind
	Position   int
	ParentID   int64 // 0: a page of the menu
	ParentSlug string
	Status     Status
	ReleaseAt  *time.Time
	// Pinned is the version visitors read per language (0: none); Latest the newest saved.
	Pinned, Latest map[string]int
	UpdatedAt      time.Time
}

// Released reports whether visitors see the page at now.
func (pg Page) Released(now time.Time) bool {
	return pg.Status == StatusPublished && pg.ReleaseAt != nil && !pg.ReleaseAt.After(now)
}

// NewPage is what an editor gives to create a page.
type NewPage struct {
	Slug     string
	Kind     Kind
	Position int
	// ParentSlug makes the page a child listed on that page ("" for none).
	ParentSlug string
}

// Version is one saved text of a page in one language.
type Version struct {
	Lang      string
	Version   int
	Text      Text
	Note      string
	CreatedBy int64
	By        string // the editor's name, "" when the account is gone
	CreatedAt time.Time
}

const pageColumns = `p.id, p.slug, p.kind, p.position, coalesce(p.parent_id, 0), coalesce(pp.slug, ''),
	p.status, p.release_at, coalesce(p.pinned_da, 0), coalesce(p.pinned_en, 0),
	(SELECT coalesce(max(version), 0) FROM site_page_version v WHERE v.page_id = p.id AND v.lang = 'da'),
	(SELECT coalesce(max(version), 0) FROM site_page_version v WHERE v.page_id = p.id AND v.lang = 'en'),
	p.updated_at`

const pageFrom = ` FROM site_page p LEFT JOIN site_page pp ON pp.id = p.parent_id `

func scanPage(row pgx.Row) (Page, error) {
	var pg Page
	var pda, pen, lda, len_ int
	err := row.Scan(&pg.ID, &pg.Slug, &pg.Kind, &pg.Position, &pg.ParentID, &pg.ParentSlug, &pg.Status,
		&pg.ReleaseAt, &pda, &pen, &lda, &len_, &pg.UpdatedAt)
	pg.Pinned = map[string]int{"da": pda, "en": pen}
	pg.Latest = map[string]int{"da": lda, "en": len_}
	return pg, err
}

// Check checks a new page as Create does, without creating it: every rule broken, joined in
// the order of the form's fields, the parent looked up.
func (p *Pages) Check(ctx context.Context, n NewPage) error {
	return db.TransactOutcome(ctx, p.pool, func(tx pgx.Tx) (error, error) {
		_, rules, err := checkPage(ctx, tx, n)
		return rules, err
	})
}

// checkPage checks n: rules is every rule broken, err the portal's own failure; parent is the
// parent page's id (nil for none).
func checkPage(ctx context.Context, tx pgx.Tx, n NewPage) (parent *int64, rules, err error) {
	var errs []error
	if !ValidSlug(n.Slug) {
		errs = append(errs, ErrSlugInvalid)
	}
	if !slices.Contains(Kinds, n.Kind) {
		errs = append(errs, ErrKindInvalid)
	}
	if n.Position < 0 || n.Position > MaxPosition {
		errs = append(errs, ErrPositionBad)
	}
	switch {
	case n.ParentSlug == "":
	case !ValidSlug(n.ParentSlug) || n.ParentSlug == n.Slug:
		errs = append(errs, ErrParentInvalid)
	default:
		var pid int64
		err := tx.QueryRow(ctx, `SELECT id FROM site_page WHERE slug = $1`, n.ParentSlug).Scan(&pid)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			errs = append(errs, ErrParentInvalid)
		case err != nil:
			return nil, nil, fmt.Errorf("page parent: %w", err)
		default:
			parent = &pid
		}
	}
	return parent, errors.Join(errs...), nil
}

// Create creates a draft page without text.
func (p *Pages) Create(ctx context.Context, staffID int64, n NewPage) (Page, error) {
	var id int64
	err := db.TransactOutcome(ctx, p.pool, func(tx pgx.Tx) (error, error) {
		parent, rules, err := checkPage(ctx, tx, n)
		if err != nil || rules != nil {
			return rules, err
		}
		now := p.now()
		err = tx.QueryRow(ctx, `INSERT INTO site_page (slug, kind, position, parent_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (slug) DO NOTHING RETURNING id`,
			n.Slug, n.Kind, n.Position, parent, now).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrSlugTaken, nil
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.ConstraintName == "site_page_one_front" {
			return nil, ErrFrontTaken // the failed INSERT left the transaction unusable
		}
		if err != nil {
			return nil, fmt.Errorf("create page: %w", err)
		}
		return nil, p.audit(ctx, tx, Event{StaffID: staffID, Action: EventPageCreated, PageID: id,
			Detail: map[string]any{"slug": n.Slug, "kind": string(n.Kind), "parent": n.ParentSlug}})
	})
	if err != nil {
		return Page{}, err
	}
	return p.ByID(ctx, id)
}

// Save saves t as the newest version of the page's text in lang. A published page keeps its
// pinned versions: visitors see the new text when the page is published again.
func (p *Pages) Save(ctx context.Context, staffID, pageID int64, lang string, t Text, note string) (Version, error) {
	if !slices.Contains(Langs, lang) {
		return Version{}, ErrLangInvalid
	}
	t, err := t.check()
	if err != nil {
		return Version{}, err
	}
	note = strings.TrimSpace(note)
	if !input.Valid(note, true) {
		return Version{}, ErrBadText
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return Version{}, ErrNoteTooLong
	}
	v := Version{Lang: lang, Text: t, Note: note, CreatedBy: staffID}
	err = db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		v.CreatedAt = p.now()
		// The page's row lock orders concurrent saves, so version numbers never collide.
		tag, err := tx.Exec(ctx, `UPDATE site_page SET updated_at = $2 WHERE id = $1`, pageID, v.CreatedAt)
		if err != nil {
			return fmt.Errorf("save page: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		err = tx.QueryRow(ctx, `INSERT INTO site_page_version (page_id, lang, version, title, summary, body,
				change_note, created_by, created_at)
			SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8
			FROM site_page_version WHERE page_id = $1 AND lang = $2 RETURNING version`,
			pageID, lang, t.Title, t.Summary, t.Body, note, staffID, v.CreatedAt).Scan(&v.Version)
		if err != nil {
			return fmt.Errorf("save page: %w", err)
		}
		return p.audit(ctx, tx, Event{StaffID: staffID, Action: EventPageSaved, PageID: pageID,
			Detail: map[string]any{"lang": lang, "version": v.Version, "note": note}})
	})
	return v, err
}

// Publish pins the newest version of each language and releases the page at at: a time ahead
// of now schedules it. It is refused unless both languages have text.
func (p *Pages) Publish(ctx context.Context, staffID, pageID int64, at time.Time) error {
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		var da, en int
		err := tx.QueryRow(ctx, `SELECT
			(SELECT coalesce(max(version), 0) FROM site_page_version WHERE page_id = p.id AND lang = 'da'),
			(SELECT coalesce(max(version), 0) FROM site_page_version WHERE page_id = p.id AND lang = 'en')
			FROM site_page p WHERE p.id = $1 FOR UPDATE`, pageID).Scan(&da, &en)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("publish page: %w", err)
		}
		if da == 0 || en == 0 {
			return ErrBothLanguages
		}
		if _, err := tx.Exec(ctx, `UPDATE site_page SET status = 'published', release_at = $2, pinned_da = $3,
			pinned_en = $4, updated_at = $5 WHERE id = $1`, pageID, at, da, en, p.now()); err != nil {
			return fmt.Errorf("publish page: %w", err)
		}
		return p.audit(ctx, tx, Event{StaffID: staffID, Action: EventPagePublished, PageID: pageID,
			Detail: map[string]any{"release_at": at.UTC().Format(time.RFC3339), "da": da, "en": en}})
	})
}

// Unpublish takes a page back from visitors; its versions stay.
func (p *Pages) Unpublish(ctx context.Context, staffID, pageID int64) error {
	return db.Transact(ctx, p.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE site_page SET status = 'draft', updated_at = $2 WHERE id = $1`, pageID, p.now())
		if err != nil {
			return fmt.Errorf("unpublish page: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return p.audit(ctx, tx, Event{StaffID: staffID, Action: EventPageUnpublished, PageID: pageID})
	})
}

// List returns every page for its editors, in menu order.
func (p *Pages) List(ctx context.Context) ([]Page, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+pageColumns+pageFrom+`ORDER BY p.kind <> 'front', p.position, p.slug`)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Page, error) { return scanPage(r) })
}

// ByID returns the page with id.
func (p *Pages) ByID(ctx context.Context, id int64) (Page, error) {
	return p.one(ctx, `p.id = $1`, id)
}

// BySlug returns the page with slug, whatever its status (for editors).
func (p *Pages) BySlug(ctx context.Context, slug string) (Page, error) {
	return p.one(ctx, `p.slug = $1`, slug)
}

func (p *Pages) one(ctx context.Context, where string, arg any) (Page, error) {
	pg, err := scanPage(p.pool.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+`WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return pg, ErrNotFound
	}
	if err != nil {
		return pg, fmt.Errorf("page: %w", err)
	}
	return pg, nil
}

// Versions returns every version of a page's text in lang, newest first.
func (p *Pages) Versions(ctx context.Context, pageID int64, lang string) ([]Version, error) {
	rows, err := p.pool.Query(ctx, `SELECT v.lang, v.version, v.title, v.summary, v.body, v.change_note,
			v.created_by, coalesce(s.name, ''), v.created_at
		FROM site_page_version v LEFT JOIN staff_user s ON s.id = v.created_by
		WHERE v.page_id = $1 AND v.lang = $2 ORDER BY v.version DESC`, pageID, lang)
	if err != nil {
		return nil, fmt.Errorf("page versions: %w", err)
	}
	return pgx.CollectRows(rows, scanVersion)
}

func scanVersion(r pgx.CollectableRow) (Version, error) {
	var v Version
	err := r.Scan(&v.Lang, &v.Version, &v.Text.Title, &v.Text.Summary, &v.Text.Body, &v.Note, &v.CreatedBy,
		&v.By, &v.CreatedAt)
	return v, err
}

// Version returns version n of a page's text in lang; n = 0 is the newest.
func (p *Pages) Version(ctx context.Context, pageID int64, lang string, n int) (Version, error) {
	rows, err := p.pool.Query(ctx, `SELECT v.lang, v.version, v.title, v.summary, v.body, v.change_note,
			v.created_by, coalesce(s.name, ''), v.created_at
		FROM site_page_version v LEFT JOIN staff_user s ON s.id = v.created_by
		WHERE v.page_id = $1 AND v.lang = $2 AND ($3 = 0 OR v.version = $3) ORDER BY v.version DESC LIMIT 1`,
		pageID, lang, n)
	if err != nil {
		return Version{}, fmt.Errorf("page version: %w", err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// Titles returns the newest title of every page in lang, by page id (pages without text in
// lang are absent).
func (p *Pages) Titles(ctx context.Context, lang string) (map[int64]string, error) {
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT ON (page_id) page_id, title FROM site_page_version
		WHERE lang = $1 ORDER BY page_id, version DESC`, lang)
	if err != nil {
		return nil, fmt.Errorf("page titles: %w", err)
	}
	out := map[int64]string{}
	var id int64
	var title string
	_, err = pgx.ForEachRow(rows, []any{&id, &title}, func() error { out[id] = title; return nil })
	return out, err
}
