package campaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/blob"
)

// Audience is whom a pack is made for (DESIGN.md §6).
type Audience string

// The packs' audiences.
const (
	AudiencePrivate  Audience = "private"  // interest organisations, associations, schools, citizen service, libraries
	AudienceBusiness Audience = "business" // interest organisations, accountants and lawyers, business centres
	AudiencePartner  Audience = "partner"  // partner channels
	AudienceHelper   Audience = "helper"   // helpers: peer-to-peer material
)

// Audiences lists every pack audience in the order pages show them.
var Audiences = []Audience{AudiencePrivate, AudienceBusiness, AudiencePartner, AudienceHelper}

// MsgID is the message ID of the audience's display name.
func (a Audience) MsgID() string { return "campaign.audience." + string(a) }

// ItemKind is the type of an item.
type ItemKind string

// The item types of the seed's packs.
const (
	ItemTeaching    ItemKind = "teaching"
	ItemQA          ItemKind = "qa"
	ItemFilmGuide   ItemKind = "film_guide"
	ItemFlyer       ItemKind = "flyer"
	ItemSocialMedia ItemKind = "social_media"
	ItemPoster      ItemKind = "poster"
	ItemStepGuide   ItemKind = "step_guide"
	ItemGuidelines  ItemKind = "guidelines"
)

// ItemKinds lists every item type in the order forms show them.
var ItemKinds = []ItemKind{ItemTeaching, ItemQA, ItemFilmGuide, ItemFlyer, ItemSocialMedia, ItemPoster,
	ItemStepGuide, ItemGuidelines}

// MsgID is the message ID of the item type's display name.
func (k ItemKind) MsgID() string { return "campaign.item_kind." + string(k) }

// ItemAudience is whom an item speaks to.
type ItemAudience string

// Items' audiences.
const (
	ForCitizens   ItemAudience = "citizens"
	ForSeniors    ItemAudience = "seniors"
	ForYoung      ItemAudience = "young"
	ForBusinesses ItemAudience = "businesses"
	ForAdvisers   ItemAudience = "advisers"
	ForPartners   ItemAudience = "partners"
	ForHelpers    ItemAudience = "helpers"
)

// ItemAudiences lists every item audience in the order forms show them.
var ItemAudiences = []ItemAudience{ForCitizens, ForSeniors, ForYoung, ForBusinesses, ForAdvisers, ForPartners, ForHelpers}

// MsgID is the message ID of the item audience's display name.
func (a ItemAudience) MsgID() string { return "campaign.item_audience." + string(a) }

// Visibility is who may see a released item.
type Visibility string

// Visibilities.
const (
	VisiblePublic  Visibility = "public"  // everyone
	VisibleMembers Visibility = "members" // members of approved organisations
	VisibleReview  Visibility = "review"  // members of forum organisations, while in review
)

// Visibilities lists every visibility in the order forms show them.
var Visibilities = []Visibility{VisiblePublic, VisibleMembers, VisibleReview}

// MsgID is the message ID of the visibility's display name.
func (v Visibility) MsgID() string { return "campaign.visibility." + string(v) }

// ItemStatus is where an item stands in its editors' hands.
type ItemStatus string

// Item states.
const (
	ItemDraft     ItemStatus = "draft"
	ItemPublished ItemStatus = "published" // released at ReleaseAt (scheduled until then)
	ItemWithdrawn ItemStatus = "withdrawn"
)

// MsgID is the message ID of the status's display name.
func (s ItemStatus) MsgID() string { return "campaign.item_status." + string(s) }

// Pack is a communication pack.
type Pack struct {
	ID        int64
	Slug      string
	Audience  Audience
	TitleDA   string
	TitleEN   string
	SummaryDA string
	SummaryEN string
	Position  int
}

// Title is the pack's title in lang ("da" or "en").
func (p Pack) Title(lang string) string {
	if lang == "en" {
		return p.TitleEN
	}
	return p.TitleDA
}

// Summary is the pack's summary in lang.
func (p Pack) Summary(lang string) string {
	if lang == "en" {
		return p.SummaryEN
	}
	return p.SummaryDA
}

// Item is an item of a pack with its current version.
type Item struct {
	ID          int64
	PackID      int64
	Position    int
	Kind        ItemKind
	Audience    ItemAudience
	Lang        string
	Title       string
	Description string
	Visibility  Visibility
	Status      ItemStatus
	// ReleaseAt is the embargo; nil while a draft was never published.
	ReleaseAt *time.Time
	// Current is the version visitors get; Current.Version is 0 before the first upload.
	Current Version
}

// Released reports whether the item is published and its embargo has passed at now.
func (i Item) Released(now time.Time) bool {
	return i.Status == ItemPublished && i.ReleaseAt != nil && !i.ReleaseAt.After(now)
}

// Version is one version of an item's file.
type Version struct {
	Version    int
	SHA256     string
	Size       int64
	MediaType  string
	Filename   string
	Thumb      string // SHA-256 of the thumbnail PNG, or "" (the type icon is shown)
	ChangeNote string
	CreatedBy  int64
	CreatedAt  time.Time
	// CRC32 is the file's CRC-32 (IEEE), computed on upload; -1 for a version stored before
	// it was kept.
	CRC32 int64
}

// Viewer is who looks at the packs: what they may see follows from it.
type Viewer struct {
	// MitID is the citizen's MitID, 0 when not logged in as a citizen.
	MitID int64
	// Editor: a campaign editor sees every item, also drafts, withdrawn and embargoed ones.
	Editor bool
	// Member: a member of an approved organisation.
	Member bool
	// Forum: a member of an approved forum organisation.
	Forum bool
	// OrgID is the organisation the viewer's downloads are counted for (their first approved
	// membership), 0 for none.
	OrgID int64
}

// Packs reads and writes packs, items and their files.
type Packs struct {
	pool  *pgxpool.Pool
	store blob.Store
	hooks PackHooks
	now   func() time.Time
}

// NewPacks returns Packs on pool keeping files in store.
func NewPacks(pool *pgxpool.Pool, store blob.Store, hooks PackHooks) *Packs {
	return &Packs{pool: pool, store: store, hooks: hooks, now: time.Now}
}

// SetClock replaces the clock (tests move time past an embargo).
func (p *Packs) SetClock(now func() time.Time) { p.now = now }

// Store is the file store the items' files are kept in.
func (p *Packs) Store() blob.Store { return p.store }

// ViewerOf returns the Viewer for a citizen (mitidID, 0 when none) or an editor.
func (p *Packs) ViewerOf(ctx context.Context, mitidID int64, editor bool) (Viewer, error) {
	v := Viewer{MitID: mitidID, Editor: editor}
	if mitidID == 0 {
		return v, nil
	}
	err := p.pool.QueryRow(ctx, `
		SELECT count(*) > 0, coalesce(bool_or(o.forum_member), false),
		       coalesce(min(o.id), 0)
		FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE m.mitid_id = $1 AND o.status = 'approved'`, mitidID).Scan(&v.Member, &v.Forum, &v.OrgID)
	if err != nil {
		return v, fmt.Errorf("viewer: %w", err)
	}
	return v, nil
}

// visibleTo is the SQL condition under which item alias i is visible: $1 editor, $2 now,
// $3 member, $4 forum. A draft is also seen by forum members while a feedback round that
// holds it is open and its deadline has not passed (rounds.go); after that it is the editors'
// again. Every read of items, versions, thumbnails and ZIPs goes through this one condition.
const visibleTo = `($1 OR (i.status = 'published' AND i.release_at <= $2 AND (i.visibility = 'public'
	OR (i.visibility = 'members' AND $3) OR (i.visibility = 'review' AND $4)))
	OR ($4 AND i.status = 'draft' AND EXISTS (SELECT 1 FROM feedback_round_item ri
		JOIN feedback_round r ON r.id = ri.round_id
		WHERE ri.item_id = i.id AND r.status = 'open' AND r.deadline > $2)))`

func (p *Packs) viewArgs(v Viewer) []any { return []any{v.Editor, p.now(), v.Member, v.Forum} }

// PackSummary is a pack with the number of its items the viewer sees.
type PackSummary struct {
	Pack
	Items int
}

// List returns every pack with the number of items v sees, in their order.
func (p *Packs) List(ctx context.Context, v Viewer) ([]PackSummary, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT `+packColumns+`, (SELECT count(*) FROM pack_item i WHERE i.pack_id = p.id AND `+visibleTo+`)
		FROM pack p ORDER BY p.position, p.id`, p.viewArgs(v)...)
	if err != nil {
		return nil, fmt.Errorf("packs: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (PackSummary, error) {
		var s PackSummary
		err := row.Scan(&s.ID, &s.Slug, &s.Audience, &s.TitleDA, &s.TitleEN, &s.SummaryDA, &s.SummaryEN,
			&s.Position, &s.Items)
		return s, err
	})
}

// PackBySlug returns the pack named slug and the items v sees in it, in their order.
// Every visitor sees every pack (a pack holds no secret); its items follow their visibility.
func (p *Packs) PackBySlug(ctx context.Context, v Viewer, slug string) (Pack, []Item, error) {
	var pk Pack
	err := p.pool.QueryRow(ctx, `SELECT `+packColumns+` FROM pack p WHERE p.slug = $1`, slug).Scan(
		&pk.ID, &pk.Slug, &pk.Audience, &pk.TitleDA, &pk.TitleEN, &pk.SummaryDA, &pk.SummaryEN, &pk.Position)
	if errors.Is(err, pgx.ErrNoRows) {
		return pk, nil, ErrNotFound
	}
	if err != nil {
		return pk, nil, fmt.Errorf("pack: %w", err)
	}
	items, err := p.items(ctx, v, `i.pack_id = $5 ORDER BY i.position, i.id`, pk.ID)
	return pk, items, err
}

// Item returns the item with id if v may see it; ErrNotFound otherwise, also for an embargoed
// or withdrawn item, so that its existence is not told.
func (p *Packs) Item(ctx context.Context, v Viewer, id int64) (Item, error) {
	items, err := p.items(ctx, v, `i.id = $5`, id)
	if err != nil {
		return Item{}, err
	}
	if len(items) == 0 {
		return Item{}, ErrNotFound
	}
	return items[0], nil
}

// Versions returns the versions of an item v may see, newest first; ErrNotFound when v may not
// see the item.
func (p *Packs) Versions(ctx context.Context, v Viewer, itemID int64) ([]Version, error) {
	vers, err := p.VersionsOf(ctx, v, []int64{itemID})
	if err != nil {
		return nil, err
	}
	if len(vers[itemID]) == 0 {
		return nil, ErrNotFound
	}
	return vers[itemID], nil
}

// VersionsOf returns, in one query, the versions of those of itemIDs that v may see, newest
// first, by item (a pack page lists every item's history).
func (p *Packs) VersionsOf(ctx context.Context, v Viewer, itemIDs []int64) (map[int64][]Version, error) {
	rows, err := p.pool.Query(ctx, `SELECT iv.item_id, `+versionColumns+`
		FROM pack_item i JOIN pack_item_version iv ON iv.item_id = i.id
		WHERE `+visibleTo+` AND i.id = ANY($5) ORDER BY iv.item_id, iv.version DESC`,
		append(p.viewArgs(v), itemIDs)...)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Version{}
	for rows.Next() {
		var id int64
		var ver Version
		if err := rows.Scan(&id, &ver.Version, &ver.SHA256, &ver.Size, &ver.MediaType, &ver.Filename, &ver.Thumb,
			&ver.ChangeNote, &ver.CreatedBy, &ver.CreatedAt, &ver.CRC32); err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		out[id] = append(out[id], ver)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	return out, nil
}

func (p *Packs) items(ctx context.Context, v Viewer, where string, arg any) ([]Item, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT `+itemColumns+`, `+nullVersionColumns+`
		FROM pack_item i LEFT JOIN pack_item_version iv ON iv.item_id = i.id AND iv.version = i.current_version
		WHERE `+visibleTo+` AND `+where, append(p.viewArgs(v), arg)...)
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Item, error) {
		var it Item
		err := scanItemVersion(row, &it)
		return it, err
	})
}

const packColumns = `p.id, p.slug, p.audience, p.title_da, p.title_en, p.summary_da, p.summary_en, p.position`

const itemColumns = `i.id, i.pack_id, i.position, i.kind, i.audience, i.lang, i.title, i.description,
	i.visibility, i.status, i.release_at`

const versionColumns = `iv.version, iv.sha256, iv.size, iv.media_type, iv.filename,
	coalesce(iv.thumb_sha256, ''), iv.change_note, iv.created_by, iv.created_at, coalesce(iv.crc32, -1)`

// nullVersionColumns reads an item's current version through a LEFT JOIN (none before the
// first upload).
const nullVersionColumns = `coalesce(iv.version, 0), coalesce(iv.sha256, ''), coalesce(iv.size, 0),
	coalesce(iv.media_type, ''), coalesce(iv.filename, ''), coalesce(iv.thumb_sha256, ''),
	coalesce(iv.change_note, ''), coalesce(iv.created_by, 0), coalesce(iv.created_at, 'epoch'::timestamptz),
	coalesce(iv.crc32, -1)`

func scanItemVersion(row pgx.Row, it *Item) error {
	v := &it.Current
	return row.Scan(&it.ID, &it.PackID, &it.Position, &it.Kind, &it.Audience, &it.Lang, &it.Title,
		&it.Description, &it.Visibility, &it.Status, &it.ReleaseAt,
		&v.Version, &v.SHA256, &v.Size, &v.MediaType, &v.Filename, &v.Thumb, &v.ChangeNote,
		&v.CreatedBy, &v.CreatedAt, &v.CRC32)
}
