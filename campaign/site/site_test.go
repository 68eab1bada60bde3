package site_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/blob"
	"mitidportal/campaign/site"
	"mitidportal/db/dbtest"
	"mitidportal/locales"
)

// env is a fresh database with Pages on a disk store, whose audit hook records its events, and
// a clock the test moves.
type env struct {
	pool   *pgxpool.Pool
	pages  *site.Pages
	staff  int64
	now    time.Time
	mu     sync.Mutex
	events []site.Event
}

func newEnv(t *testing.T) *env {
	e := &env{pool: dbtest.New(t), now: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	store, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.pages = site.New(e.pool, store, site.Hooks{Audit: func(_ context.Context, _ pgx.Tx, ev site.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.events = append(e.events, ev)
		return nil
	}})
	e.pages.SetClock(func() time.Time { return e.now })
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO staff_user (email, name, roles)
		VALUES ('karla@example.dk', 'Karla Kampagne', '{campaign_editor}') RETURNING id`).Scan(&e.staff); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) page(t *testing.T, slug string) site.Page {
	t.Helper()
	pg, err := e.pages.Create(context.Background(), e.staff, site.NewPage{Slug: slug, Kind: site.KindArticle, Position: 10})
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

func (e *env) save(t *testing.T, id int64, lang, title, body string) {
	t.Helper()
	if _, err := e.pages.Save(context.Background(), e.staff, id, lang, site.Text{Title: title, Body: body}, ""); err != nil {
		t.Fatal(err)
	}
}

func (e *env) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.events {
		out = append(out, ev.Action)
	}
	return out
}

// TestPublishNeedsBothLanguages: a page with one language is refused; with both it is
// published, and visitors read it in each language.
func TestPublishNeedsBothLanguages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pg := e.page(t, "hvorfor")
	if err := e.pages.Publish(ctx, e.staff, pg.ID, e.now); !errors.Is(err, site.ErrBothLanguages) {
		t.Fatalf("publish without text: %v", err)
	}
	e.save(t, pg.ID, "da", "Hvorfor MitID?", "Dansk tekst")
	if err := e.pages.Publish(ctx, e.staff, pg.ID, e.now); !errors.Is(err, site.ErrBothLanguages) {
		t.Fatalf("publish with Danish only: %v", err)
	}
	if _, err := e.pages.Published(ctx, "hvorfor", "da"); !errors.Is(err, site.ErrNotFound) {
		t.Fatalf("a draft is read by visitors: %v", err)
	}
	e.save(t, pg.ID, "en", "Why MitID?", "English text")
	if err := e.pages.Publish(ctx, e.staff, pg.ID, e.now); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"da": "Hvorfor MitID?", "en": "Why MitID?"} {
		got, err := e.pages.Published(ctx, "hvorfor", lang)
		if err != nil || got.Text.Title != want {
			t.Errorf("%s: %q, %v", lang, got.Text.Title, err)
		}
	}
	want := []string{site.EventPageCreated, site.EventPageSaved, site.EventPageSaved, site.EventPagePublished}
	if got := e.actions(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audited %v, want %v", got, want)
	}
}

// TestPinnedVersion: editing a published page makes a draft visitors do not see until the page
// is published again.
func TestPinnedVersion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pg := e.page(t, "de-fire-midler")
	e.save(t, pg.ID, "da", "Fire midler", "Version et")
	e.save(t, pg.ID, "en", "Four means", "Version one")
	if err := e.pages.Publish(ctx, e.staff, pg.ID, e.now); err != nil {
		t.Fatal(err)
	}
	e.save(t, pg.ID, "da", "Fire midler", "Version to")
	got, err := e.pages.Published(ctx, "de-fire-midler", "da")
	if err != nil || got.Text.Body != "Version et" {
		t.Fatalf("visitors read %q (%v), want the pinned version", got.Text.Body, err)
	}
	now, _ := e.pages.BySlug(ctx, "de-fire-midler")
	if now.Pinned["da"] != 1 || now.Latest["da"] != 2 {
		t.Errorf("pinned %v latest %v", now.Pinned, now.Latest)
	}
	if err := e.pages.Publish(ctx, e.staff, pg.ID, e.now); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.pages.Published(ctx, "de-fire-midler", "da"); got.Text.Body != "Version to" {
		t.Errorf("after publishing again visitors read %q", got.Text.Body)
	}
	if err := e.pages.Unpublish(ctx, e.staff, pg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pages.Published(ctx, "de-fire-midler", "da"); !errors.Is(err, site.ErrNotFound) {
		t.Errorf("unpublished page read: %v", err)
	}
}

// TestSchedule: a page released tomorrow is not found, in the menu or by its slug, until the
// clock passes its time; no job runs.
func TestSchedule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pg := e.page(t, "saadan-faar-du-mitid")
	e.save(t, pg.ID, "da", "Sådan får du MitID", "Tekst")
	e.save(t, pg.ID, "en", "How to get MitID", "Text")
	release := e.now.Add(23 * time.Hour)
	if err := e.pages.Publish(ctx, e.staff, pg.ID, release); err != nil {
		t.Fatal(err)
	}
	visible := func() bool {
		_, err := e.pages.Published(ctx, "saadan-faar-du-mitid", "en")
		if err != nil && !errors.Is(err, site.ErrNotFound) {
			t.Fatal(err)
		}
		menu, merr := e.pages.Menu(ctx, "en")
		if merr != nil {
			t.Fatal(merr)
		}
		if (err == nil) != (len(menu) == 1) {
			t.Fatalf("the page (%v) and the menu (%v) disagree", err, menu)
		}
		return err == nil
	}
	if visible() {
		t.Fatal("a scheduled page is visible before its time")
	}
	e.now = release.Add(-time.Second)
	if visible() {
		t.Fatal("visible a second early")
	}
	e.now = release
	if !visible() {
		t.Fatal("not visible at its release time")
	}
}

// TestTextRules: limits and characters no field may hold are refused with their own errors.
func TestTextRules(t *testing.T) {
	e := newEnv(t)
	pg := e.page(t, "regler")
	tests := []struct {
		name string
		text site.Text
		want error
	}{
		{"no title", site.Text{Body: "x"}, site.ErrTitleRequired},
		{"long title", site.Text{Title: strings.Repeat("a", 201), Body: "x"}, site.ErrTitleTooLong},
		{"long summary", site.Text{Title: "t", Summary: strings.Repeat("a", 501), Body: "x"}, site.ErrSummaryTooLong},
		{"no body", site.Text{Title: "t"}, site.ErrBodyRequired},
		{"long body", site.Text{Title: "t", Body: strings.Repeat("æ", 60_000)}, site.ErrBodyTooLong},
		{"NUL", site.Text{Title: "t\x00", Body: "x"}, site.ErrBadText},
		{"control", site.Text{Title: "t", Body: "x\x1b[31m"}, site.ErrBadText},
		{"not UTF-8", site.Text{Title: "t", Body: "\xff\xfe"}, site.ErrBadText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.pages.Save(context.Background(), e.staff, pg.ID, "da", tt.text, "")
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := e.pages.Save(context.Background(), e.staff, pg.ID, "de", site.Text{Title: "t", Body: "x"}, ""); !errors.Is(err, site.ErrLangInvalid) {
		t.Errorf("German: %v", err)
	}
	for _, slug := range []string{"billede", "Store", "a--b", ""} {
		if _, err := e.pages.Create(context.Background(), e.staff, site.NewPage{Slug: slug, Kind: site.KindArticle}); !errors.Is(err, site.ErrSlugInvalid) {
			t.Errorf("slug %q: %v", slug, err)
		}
	}
}

// TestDiff: a changed line is removed and added; kept lines stay.
func TestDiff(t *testing.T) {
	got := site.Diff("# Titel\nen\nto\ntre", "# Titel\nen\nTO\ntre\nfire")
	want := []site.Line{{site.Same, "# Titel"}, {site.Same, "en"}, {site.Removed, "to"}, {site.Added, "TO"},
		{site.Same, "tre"}, {site.Added, "fire"}}
	if len(got) != len(want) {
		t.Fatalf("diff %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// TestImages: PNG in, its snippet out; other types, no alt text and too large are refused.
func TestImages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	img, err := e.pages.AddImage(ctx, e.staff, "En telefon [med app]", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if img.MediaType != "image/png" || img.Markdown() != "![En telefon (med app)]("+img.URL()+")" {
		t.Errorf("image %+v %s", img, img.Markdown())
	}
	for name, tt := range map[string]struct {
		alt  string
		body []byte
		want error
	}{
		"pdf":    {"alt", []byte("%PDF-1.4 hello"), site.ErrImageType},
		"no alt": {" ", buf.Bytes(), site.ErrAltRequired},
		"empty":  {"alt", nil, site.ErrImageEmpty},
		"large":  {"alt", append(buf.Bytes(), make([]byte, site.MaxImage)...), site.ErrImageTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := e.pages.AddImage(ctx, e.staff, tt.alt, bytes.NewReader(tt.body)); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSeed loads the content folder: every page published in both languages, images rewritten
// to their addresses, children listed on their parent; a second seed adds nothing.
func TestSeed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n, err := site.Seed(ctx, e.pages, e.staff, e.now)
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Fatalf("seeded %d pages", n)
	}
	front, err := e.pages.Front(ctx, "da")
	if err != nil || front.Slug != "forside" {
		t.Fatalf("front %q: %v", front.Slug, err)
	}
	means, err := e.pages.Published(ctx, "de-fire-midler", "en")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(means.Text.Body, "images/") || !strings.Contains(means.Text.Body, "](/kampagne/billede/") {
		t.Errorf("image not rewritten: %s", means.Text.Body)
	}
	// An editor takes a seeded page back; seeding again leaves it so.
	why, err := e.pages.BySlug(ctx, "hvorfor")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.pages.Unpublish(ctx, e.staff, why.ID); err != nil {
		t.Fatal(err)
	}
	events := len(e.actions())
	again, err := site.Seed(ctx, e.pages, e.staff, e.now)
	if err != nil || again != 0 || len(e.actions()) != events {
		t.Errorf("second seed: %d pages, %d new events, %v", again, len(e.actions())-events, err)
	}
}

// TestMessagesExist checks every message ID the package hands out in every language.
func TestMessagesExist(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range site.MessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}

// TestParallelSavesNumberVersionsOnce: 100 saves at once of one page's text make versions 1 to
// 100, each once (the page's row lock orders them).
func TestParallelSavesNumberVersionsOnce(t *testing.T) {
	e := newEnv(t)
	pg := e.page(t, "parallel")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.pages.Save(context.Background(), e.staff, pg.ID, "da", site.Text{Title: "T", Body: "B"}, "")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	vs, err := e.pages.Versions(context.Background(), pg.ID, "da")
	if err != nil || len(vs) != 100 || vs[0].Version != 100 || vs[99].Version != 1 {
		t.Fatalf("%d versions, newest %v: %v", len(vs), vs[0].Version, err)
	}
}
