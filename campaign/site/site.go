// Package site is the campaign site's pages (issue 11): pages that campaign editors write in
// the product, in Danish and English, in Markdown. Every save is a new numbered version of one
// language's text; publishing pins the newest version of each language, so an edit of a
// published page is a draft that visitors do not see until it is published again. A page is
// published only when both languages have text, and a release time in the future schedules it:
// visitors' reads compare the release time with the clock, so no job has to run. Images for
// pages live in the file store (package blob). Every editor's change is audited in its
// transaction through Hooks.
package site

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/blob"
	"mitidportal/fault"
	"mitidportal/input"
	"mitidportal/markdown"
)

// Limits of a page's text, counted in characters (the body in bytes, as markdown.MaxLen).
const (
	MaxTitle   = 200
	MaxSummary = 500
	MaxBody    = markdown.MaxLen
	MaxNote    = 1000
	MaxAlt     = 200
	// MaxImage is the largest image an editor may upload.
	MaxImage = 5 << 20
	// MaxPosition bounds a page's place in the menu.
	MaxPosition = 100000
)

// Langs are the languages every page is written in; a page is published only with both.
var Langs = []string{"da", "en"}

// Kind is what a page is: the campaign's front page, an article or a guide.
type Kind string

// The kinds of page.
const (
	KindFront   Kind = "front"
	KindArticle Kind = "article"
	KindGuide   Kind = "guide"
)

// Kinds lists the kinds in the order editors choose from.
var Kinds = []Kind{KindFront, KindArticle, KindGuide}

// MsgID is the message ID of the kind's display name.
func (k Kind) MsgID() string { return "site.kind." + string(k) }

// Status is a page's state: a draft (never published, or taken back) or published (perhaps
// scheduled: released at a time still ahead).
type Status string

// The statuses of a page.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrNotFound       = fault.New("site", fault.NotFound, "site.err.not_found")
	ErrSlugInvalid    = fault.New("site", fault.Invalid, "site.err.slug_invalid")
	ErrSlugTaken      = fault.New("site", fault.Conflict, "site.err.slug_taken")
	ErrKindInvalid    = fault.New("site", fault.Invalid, "site.err.kind_invalid")
	ErrFrontTaken     = fault.New("site", fault.Conflict, "site.err.front_taken")
	ErrPositionBad    = fault.New("site", fault.Invalid, "site.err.position_invalid")
	ErrParentInvalid  = fault.New("site", fault.Invalid, "site.err.parent_invalid")
	ErrLangInvalid    = fault.New("site", fault.Invalid, "site.err.lang_invalid")
	ErrTitleRequired  = fault.New("site", fault.Invalid, "site.err.title_required")
	ErrTitleTooLong   = fault.New("site", fault.Invalid, "site.err.title_too_long")
	ErrSummaryTooLong = fault.New("site", fault.Invalid, "site.err.summary_too_long")
	ErrBodyRequired   = fault.New("site", fault.Invalid, "site.err.body_required")
	ErrBodyTooLong    = fault.New("site", fault.Invalid, "site.err.body_too_long")
	ErrNoteTooLong    = fault.New("site", fault.Invalid, "site.err.note_too_long")
	ErrBadText        = fault.New("site", fault.Invalid, "site.err.bad_text")
	// ErrBothLanguages refuses to publish a page that lacks a language's text.
	ErrBothLanguages = fault.New("site", fault.Conflict, "site.err.both_languages")
	ErrAltRequired   = fault.New("site", fault.Invalid, "site.err.alt_required")
	ErrAltTooLong    = fault.New("site", fault.Invalid, "site.err.alt_too_long")
	ErrImageEmpty    = fault.New("site", fault.Invalid, "site.err.image_empty")
	ErrImageType     = fault.New("site", fault.Invalid, "site.err.image_type")
	ErrImageTooLarge = fault.New("site", fault.Invalid, "site.err.image_too_large")
	ErrNoStore       = fault.New("site", fault.Unavailable, "site.err.no_store")
)

var allErrors = []*fault.Error{ErrNotFound, ErrSlugInvalid, ErrSlugTaken, ErrKindInvalid, ErrFrontTaken,
	ErrPositionBad, ErrParentInvalid, ErrLangInvalid, ErrTitleRequired, ErrTitleTooLong, ErrSummaryTooLong,
	ErrBodyRequired, ErrBodyTooLong, ErrNoteTooLong, ErrBadText, ErrBothLanguages, ErrAltRequired,
	ErrAltTooLong, ErrImageEmpty, ErrImageType, ErrImageTooLarge, ErrNoStore}

// MessageIDs lists every message ID this package hands to handlers; a locale test checks each
// exists in every language.
func MessageIDs() []string {
	var ids []string
	for _, e := range allErrors {
		ids = append(ids, e.MsgID)
	}
	for _, k := range Kinds {
		ids = append(ids, k.MsgID())
	}
	return ids
}

// Reserved are slugs a page may not take: the campaign site's own routes under /kampagne/.
var Reserved = []string{"billede", "spoergsmaal", "tjenesteudbydere", "tidsplan", "nyhedsbrev", "forhaandsvisning"}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s can be a page's address.
func ValidSlug(s string) bool {
	return len(s) <= 60 && slugPattern.MatchString(s) && !slices.Contains(Reserved, s)
}

// Event is an editor's change, audited inside its transaction.
type Event struct {
	StaffID int64
	Action  string // EventPageCreated, ...
	PageID  int64  // 0 for an image
	ImageID int64
	Detail  map[string]any
}

// Event actions.
const (
	EventPageCreated     = "site_page_created"
	EventPageSaved       = "site_page_saved"
	EventPagePublished   = "site_page_published"
	EventPageUnpublished = "site_page_unpublished"
	EventImageAdded      = "site_image_added"
)

// Hooks are what pages tell the rest of the portal inside a change's transaction.
type Hooks struct {
	// Audit records an editor's change; without it every change is refused.
	Audit func(ctx context.Context, tx pgx.Tx, e Event) error
}

// Pages are the campaign site's pages and images.
type Pages struct {
	pool  *pgxpool.Pool
	store blob.Store
	hooks Hooks
	now   func() time.Time
}

// New returns Pages on pool, keeping images in store (nil: images are refused).
func New(pool *pgxpool.Pool, store blob.Store, hooks Hooks) *Pages {
	return &Pages{pool: pool, store: store, hooks: hooks, now: time.Now}
}

// SetClock sets the clock that scheduled pages are released by.
func (p *Pages) SetClock(now func() time.Time) { p.now = now }

func (p *Pages) audit(ctx context.Context, tx pgx.Tx, e Event) error {
	if p.hooks.Audit == nil {
		return errors.New("site: no audit hook: editors' changes are refused")
	}
	return p.hooks.Audit(ctx, tx, e)
}

// Text is a page's text in one language.
type Text struct {
	Title, Summary, Body string
}

// check cleans t and checks it against the limits: no control characters, valid UTF-8.
func (t Text) check() (Text, error) {
	t.Title = strings.TrimSpace(t.Title)
	t.Summary = strings.TrimSpace(t.Summary)
	t.Body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(t.Body, "\r\n", "\n"), "\r", "\n"))
	switch {
	case !input.Valid(t.Title, false) || !input.Valid(t.Summary, false) || !input.Valid(t.Body, true):
		return t, ErrBadText
	case t.Title == "":
		return t, ErrTitleRequired
	case utf8.RuneCountInString(t.Title) > MaxTitle:
		return t, ErrTitleTooLong
	case utf8.RuneCountInString(t.Summary) > MaxSummary:
		return t, ErrSummaryTooLong
	case t.Body == "":
		return t, ErrBodyRequired
	case len(t.Body) > MaxBody:
		return t, ErrBodyTooLong
	}
	return t, nil
}
