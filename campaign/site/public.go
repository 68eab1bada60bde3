package site

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Visitors read published pages whose release time has passed, each in its pinned version;
// anything else is ErrNotFound, so a scheduled page is a 404 until its time.

// Entry is a published page in the menu or in a parent's list of children.
type Entry struct {
	Slug, Title, Summary string
	Kind                 Kind
}

// Shown is a published page as visitors read it in one language.
type Shown struct {
	Page
	Text Text
	// Parent is the page this one is listed under (zero when none).
	Parent Entry
}

// released is the visitors' rule, with the clock as $1 and the language as $2.
const released = ` p.status = 'published' AND p.release_at <= $1 `

// pinnedText joins the pinned version of language $2.
const pinnedText = ` JOIN site_page_version v ON v.page_id = p.id AND v.lang = $2
	AND v.version = CASE WHEN $2 = 'da' THEN p.pinned_da ELSE p.pinned_en END `

// Published returns the page with slug as visitors read it in lang.
func (p *Pages) Published(ctx context.Context, slug, lang string) (Shown, error) {
	return p.shown(ctx, lang, `p.slug = $3`, slug)
}

// Front returns the campaign's front page as visitors read it in lang.
func (p *Pages) Front(ctx context.Context, lang string) (Shown, error) {
	return p.shown(ctx, lang, `p.kind = $3`, string(KindFront))
}

func (p *Pages) shown(ctx context.Context, lang, where string, arg any) (Shown, error) {
	if !slices.Contains(Langs, lang) {
		return Shown{}, ErrNotFound
	}
	var s Shown
	var parentReleased bool
	row := p.pool.QueryRow(ctx, `SELECT `+pageColumns+`, v.title, v.summary, v.body,
			coalesce(pv.title, ''), coalesce(pv.summary, ''), coalesce(pp.status = 'published' AND pp.release_at <= $1, false)`+
		pageFrom+pinnedText+`
		LEFT JOIN site_page_version pv ON pv.page_id = pp.id AND pv.lang = $2
			AND pv.version = CASE WHEN $2 = 'da' THEN pp.pinned_da ELSE pp.pinned_en END
		WHERE`+released+`AND `+where, p.now(), lang, arg)
	var pda, pen, lda, len_ int
	err := row.Scan(&s.ID, &s.Slug, &s.Kind, &s.Position, &s.ParentID, &s.ParentSlug, &s.Status,
		&s.ReleaseAt, &pda, &pen, &lda, &len_, &s.UpdatedAt, &s.Text.Title, &s.Text.Summary, &s.Text.Body,
		&s.Parent.Title, &s.Parent.Summary, &parentReleased)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("published page: %w", err)
	}
	if parentReleased {
		s.Parent.Slug = s.ParentSlug
	} else {
		s.Parent = Entry{} // a parent visitors cannot see is not shown as one
	}
	return s, nil
}

// Menu returns the site's menu in lang: the published pages that have no parent, the front
// page first, then by position.
func (p *Pages) Menu(ctx context.Context, lang string) ([]Entry, error) {
	return p.entries(ctx, lang, `p.parent_id IS NULL ORDER BY p.kind <> 'front', p.position, p.slug`, nil)
}

// Children returns the published pages listed under the page with id, by position.
func (p *Pages) Children(ctx context.Context, lang string, parentID int64) ([]Entry, error) {
	return p.entries(ctx, lang, `p.parent_id = $3 ORDER BY p.position, p.slug`, parentID)
}

func (p *Pages) entries(ctx context.Context, lang, where string, arg any) ([]Entry, error) {
	if !slices.Contains(Langs, lang) {
		return nil, ErrNotFound
	}
	args := []any{p.now(), lang}
	if arg != nil {
		args = append(args, arg)
	}
	rows, err := p.pool.Query(ctx, `SELECT p.slug, p.kind, v.title, v.summary FROM site_page p`+pinnedText+
		`WHERE`+released+`AND `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("site menu: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.Slug, &e.Kind, &e.Title, &e.Summary)
		return e, err
	})
}
