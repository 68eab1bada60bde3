package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign/site"
	"mitidportal/markdown"
)

// siteEnv is a portal with the seeded campaign site, a moving clock and a campaign editor.
type siteEnv struct {
	*editorEnv
	clock *apptest.Clock
}

func newSiteEnv(t *testing.T) *siteEnv {
	t.Helper()
	clock := &apptest.Clock{}
	e := &siteEnv{editorEnv: newEditorEnv(t, apptest.Options{Clock: clock}), clock: clock}
	if _, err := site.Seed(context.Background(), e.env.App.Pages, e.editor.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *siteEnv) visit(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := noRedirect.Get(e.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	return res.StatusCode, buf.String()
}

// TestSiteForVisitors: the seeded front page and pages in both languages with the menu, the
// breadcrumb and the lead; an image with its cache headers; unknown pages are 404, and the
// front page's own slug leads to /kampagne.
func TestSiteForVisitors(t *testing.T) {
	t.Parallel()
	e := newSiteEnv(t)
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/kampagne", http.StatusOK, []string{"Alle med NemID skal have MitID", `data-testid="site-menu"`,
			`href="/kampagne/hvorfor"`, `aria-current="page"`}},
		{"/kampagne?lang=en", http.StatusOK, []string{"Everyone with NemID must get MitID", "The four MitID means"}},
		{"/kampagne/de-fire-midler", http.StatusOK, []string{"De fire MitID-midler", `class="table"`,
			`class="breadcrumbs"`, `src="/kampagne/billede/`, "kodeoplæser"}},
		{"/kampagne/saadan-faar-du-mitid?lang=en", http.StatusOK, []string{"How to get MitID", "30 days", "extended once"}},
		{"/kampagne/findes-ikke", http.StatusNotFound, nil},
		{"/kampagne/NemID", http.StatusNotFound, nil},
		{"/kampagne/forside", http.StatusMovedPermanently, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body := e.visit(t, tt.path)
			if status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("no %q in the page", w)
				}
			}
		})
	}
	imgs, err := e.env.App.Pages.Images(context.Background(), 1)
	if err != nil || len(imgs) != 1 {
		t.Fatalf("images %v, %v", imgs, err)
	}
	res, err := http.Get(e.env.URL + imgs[0].URL())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || etag == "" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("image: %d %v", res.StatusCode, res.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, e.env.URL+imgs[0].URL(), nil)
	req.Header.Set("If-None-Match", etag)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional image request: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	for _, p := range []string{"/kampagne/billede/999999", "/kampagne/billede/abc", "/kampagne/billede/-1"} {
		if status, _ := e.visit(t, p); status != http.StatusNotFound {
			t.Errorf("%s: %d", p, status)
		}
	}
	// The portal's front page links to /kampagne: without a published front page it is still a
	// page, never a broken link.
	front, err := e.env.App.Pages.BySlug(context.Background(), "forside")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.env.App.Pages.Unpublish(context.Background(), e.editor.ID, front.ID); err != nil {
		t.Fatal(err)
	}
	if status, body := e.visit(t, "/kampagne"); status != http.StatusOK || !strings.Contains(body, "ved at blive skrevet") ||
		!strings.Contains(body, `href="/kampagne/hvorfor"`) {
		t.Errorf("/kampagne without a front page: %d", status)
	}
}

// TestSiteEditorWritesSchedulesAndCompares walks an editor's page over HTTP: create, one
// language (publishing refused), the other, a scheduled release (404 for visitors until the
// clock passes it), a second version and the diff with ins/del and their hidden words.
func TestSiteEditorWritesSchedulesAndCompares(t *testing.T) {
	t.Parallel()
	e := newSiteEnv(t)
	b := e.b
	b.page(t, "/redaktion/sider")
	res, _ := b.post(t, "/redaktion/sider", url.Values{"page_slug": {"tidsplan-2"}, "page_kind": {"article"}, "page_position": {"40"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/redaktion/sider/tidsplan-2?udfoert=oprettet" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	save := func(lang, title, body string) {
		t.Helper()
		res, page := b.post(t, "/redaktion/sider/tidsplan-2/tekst/"+lang, url.Values{"page_title": {title}, "page_body": {body},
			"page_summary": {"Kort"}, "change_note": {"ny"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %s: %d %.500s", lang, res.StatusCode, page)
		}
	}
	save("da", "Tidsplan", "Linje et\nLinje to")
	tomorrow := e.clock.Now().In(siteZone(t)).AddDate(0, 0, 1)
	schedule := url.Values{"when": {"later"}, "release_date": {tomorrow.Format("02-01-2006")}, "release_time": {"09:00"}}
	res, body := b.post(t, "/redaktion/sider/tidsplan-2/udgiv", schedule)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "både dansk og engelsk") ||
		!strings.Contains(body, `href="#when"`) {
		t.Fatalf("publishing without English: %d", res.StatusCode)
	}
	save("en", "Timeline", "Line one\nLine two")
	if res, _ := b.post(t, "/redaktion/sider/tidsplan-2/udgiv", schedule); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", res.StatusCode)
	}
	if status, _ := e.visit(t, "/kampagne/tidsplan-2"); status != http.StatusNotFound {
		t.Fatalf("a scheduled page for visitors: %d", status)
	}
	if _, menu := e.visit(t, "/kampagne"); strings.Contains(menu, "/kampagne/tidsplan-2") {
		t.Fatal("a scheduled page in the menu")
	}
	if list := b.page(t, "/redaktion/sider"); !strings.Contains(list, "Planlagt til") {
		t.Error("the list does not say the page is scheduled")
	}
	save("da", "Tidsplan", "Linje et\nLinje 2")
	release := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 0, 0, 0, siteZone(t))
	e.clock.Advance(release.Sub(e.clock.Now()) + time.Minute)
	status, page := e.visit(t, "/kampagne/tidsplan-2")
	if status != http.StatusOK || !strings.Contains(page, "Linje to") || strings.Contains(page, "Linje 2") {
		t.Fatalf("at its time visitors read %d, the pinned version: %v", status, strings.Contains(page, "Linje to"))
	}
	diff := b.page(t, "/redaktion/sider/tidsplan-2/versioner?sprog=da")
	for _, w := range []string{`<del><span class="sr-only">fjernet: </span>- Linje to</del>`,
		`<ins><span class="sr-only">tilføjet: </span>+ Linje 2</ins>`} {
		if !strings.Contains(diff, w) {
			t.Errorf("no %q in the diff", w)
		}
	}
	preview := b.page(t, "/redaktion/sider/tidsplan-2/forhaandsvisning")
	if !strings.Contains(preview, "Linje 2") || !strings.Contains(preview, "Line two") {
		t.Error("the preview does not show the newest text of both languages")
	}
}

// TestSiteEditorRefusals: the editors' forms refuse what breaks a rule at its field, never
// with a 5xx, and their GETs take bad query values without writing.
func TestSiteEditorRefusals(t *testing.T) {
	t.Parallel()
	e := newSiteEnv(t)
	b := e.b
	b.page(t, "/redaktion/sider")
	tests := []struct {
		name, path string
		fields     url.Values
		field      string
	}{
		{"reserved slug", "/redaktion/sider", url.Values{"page_slug": {"billede"}, "page_kind": {"article"}}, "page_slug"},
		{"taken slug", "/redaktion/sider", url.Values{"page_slug": {"hvorfor"}, "page_kind": {"article"}}, "page_slug"},
		{"second front", "/redaktion/sider", url.Values{"page_slug": {"ny-forside"}, "page_kind": {"front"}}, "page_kind"},
		{"no kind", "/redaktion/sider", url.Values{"page_slug": {"ny"}, "page_kind": {"blog"}}, "page_kind"},
		{"position", "/redaktion/sider", url.Values{"page_slug": {"ny"}, "page_kind": {"article"}, "page_position": {"-4"}}, "page_position"},
		{"parent", "/redaktion/sider", url.Values{"page_slug": {"ny"}, "page_kind": {"guide"}, "page_parent": {"ukendt"}}, "page_parent"},
		{"no title", "/redaktion/sider/hvorfor/tekst/da", url.Values{"page_body": {"x"}}, "page_title"},
		{"no body", "/redaktion/sider/hvorfor/tekst/da", url.Values{"page_title": {"x"}}, "page_body"},
		{"long body bytes", "/redaktion/sider/hvorfor/tekst/en", url.Values{"page_title": {"x"},
			"page_body": {strings.Repeat("æ", markdown.MaxLen/2+1)}}, "page_body"},
		{"no when", "/redaktion/sider/hvorfor/udgiv", url.Values{}, "when"},
		{"past", "/redaktion/sider/hvorfor/udgiv", url.Values{"when": {"later"}, "release_date": {"01-01-2001"}, "release_time": {"09:00"}}, "release_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tableRows(t, e.env)
			res, body := b.post(t, tt.path, tt.fields)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tt.field+`"`) {
				t.Errorf("status %d, want 422 with an error at %s", res.StatusCode, tt.field)
			}
			wantNoNewRows(t, tt.name, before, tableRows(t, e.env))
		})
	}
	for path, want := range map[string]int{
		"/redaktion/sider/hvorfor/tekst/de":                 http.StatusNotFound,
		"/redaktion/sider/findes-ikke":                      http.StatusNotFound,
		"/redaktion/sider/hvorfor/versioner?sprog=xx":       http.StatusUnprocessableEntity,
		"/redaktion/sider/hvorfor/versioner?fra=9&til=abc":  http.StatusUnprocessableEntity,
		"/redaktion/sider/hvorfor/versioner?fra=%00":        http.StatusUnprocessableEntity,
		"/redaktion/sider/hvorfor/versioner?sprog=en&fra=1": http.StatusOK,
	} {
		before := tableRows(t, e.env)
		if status, _ := b.get(t, path); status != want {
			t.Errorf("GET %s: %d, want %d", path, status, want)
		}
		wantNoNewRows(t, "GET "+path, before, tableRows(t, e.env))
	}
	for _, p := range []string{"/redaktion/sider/findes-ikke/udgiv", "/redaktion/sider/findes-ikke/afpublicer"} {
		if res, _ := b.post(t, p, url.Values{"when": {"now"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, res.StatusCode)
		}
	}
}

// TestSiteEditorGETsWriteNothing: every editor page of the site, read as an editor, writes no
// row (no audit entry either).
func TestSiteEditorGETsWriteNothing(t *testing.T) {
	t.Parallel()
	e := newSiteEnv(t)
	fill := strings.NewReplacer(":slug", "hvorfor", ":lang", "en", ":id", "1")
	before := tableRows(t, e.env)
	for _, r := range e.env.App.Server.Routes() {
		if r.Method != http.MethodGet || !(strings.HasPrefix(r.Path, "/redaktion/sider") || strings.HasPrefix(r.Path, "/kampagne")) {
			continue
		}
		if status, _ := e.b.get(t, fill.Replace(r.Path)); status >= 400 {
			t.Errorf("GET %s: %d", r.Path, status)
		}
	}
	wantNoNewRows(t, "editor GETs", before, tableRows(t, e.env))
}

// TestSiteImageUpload: an image streams in with its alt text and the page shows the Markdown
// to paste; refusals land at their field.
func TestSiteImageUpload(t *testing.T) {
	t.Parallel()
	e := newSiteEnv(t)
	b := e.b
	b.page(t, "/redaktion/sider/hvorfor")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	res, _ := b.streamPost(t, "/redaktion/sider/hvorfor/billede", []field{{"alt", "En kodeviser"}}, "kodeviser.png", bytes.NewReader(img.Bytes()))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	if page := b.page(t, "/redaktion/sider/hvorfor"); !strings.Contains(page, "![En kodeviser](/kampagne/billede/") {
		t.Error("the page does not show the Markdown to paste")
	}
	// No released page shows the new image yet: a visitor guessing its number gets 404, the
	// editor (previews) gets it, not to be kept by shared caches.
	imgs, err := e.env.App.Pages.Images(context.Background(), 1)
	if err != nil || len(imgs) != 1 {
		t.Fatalf("images %v, %v", imgs, err)
	}
	if res, err := http.Get(e.env.URL + imgs[0].URL()); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("a visitor fetched an image no released page shows: %v %v", res.StatusCode, err)
	} else {
		res.Body.Close()
	}
	if res, err := b.client.Get(e.env.URL + imgs[0].URL()); err != nil || res.StatusCode != http.StatusOK ||
		res.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("the editor's preview of the image: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	tests := []struct {
		name   string
		fields []field
		file   []byte
		field  string
	}{
		{"no alt", nil, img.Bytes(), "alt"},
		{"NUL alt", []field{{"alt", "a\x00b"}}, img.Bytes(), "alt"},
		{"long alt", []field{{"alt", strings.Repeat("a", 10_000)}}, img.Bytes(), "alt"},
		{"pdf", []field{{"alt", "x"}}, []byte("%PDF-1.4 x"), "file"},
		{"empty", []field{{"alt", "x"}}, nil, "file"},
		{"too large", []field{{"alt", "x"}}, append(img.Bytes(), make([]byte, site.MaxImage)...), "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tableRows(t, e.env)
			res, body := b.streamPost(t, "/redaktion/sider/hvorfor/billede", tt.fields, "billede.png", bytes.NewReader(tt.file))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tt.field+`"`) {
				t.Errorf("status %d, want 422 with an error at %s", res.StatusCode, tt.field)
			}
			wantNoNewRows(t, tt.name, before, tableRows(t, e.env))
		})
	}
}

// The input table's fixture page (input_test.go): one page per fixture, made once.
var inputSitePages sync.Map

func sitePagePath(tail string) func(*inputFixture) string {
	return func(fx *inputFixture) string {
		if _, ok := inputSitePages.Load(fx); !ok {
			_, err := fx.env.App.Pages.Create(context.Background(), fx.editor().editor.ID,
				site.NewPage{Slug: "input-side", Kind: site.KindArticle})
			if err != nil {
				panic(err)
			}
			inputSitePages.Store(fx, true)
		}
		return "/redaktion/sider/input-side" + tail
	}
}

func siteZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
