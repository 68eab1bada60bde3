package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/session"
)

// packFixture is a running portal with a pack "privat" whose items were made through
// campaign.Packs (with a test audit hook) on the portal's own store and clock.
type packFixture struct {
	env   *apptest.Env
	clock *apptest.Clock
	packs *campaign.Packs
	pack  campaign.Pack
	// release is the embargo of the embargoed item.
	release time.Time
	// Items by role: poster (public PDF with a Danish name), png (public PNG), members
	// (members only), embargoed (public, released at release).
	poster, png, members, embargoed campaign.Item
	posterBody, pngBody             []byte
}

func newPackFixture(t *testing.T) *packFixture {
	t.Helper()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	f := &packFixture{env: env, clock: clock}
	f.packs = campaign.NewPacks(env.App.Pool, env.App.Packs.Store(), campaign.PackHooks{
		Audit: func(context.Context, pgx.Tx, campaign.PackEvent) error { return nil }})
	f.packs.SetClock(clock.Now)
	ctx := context.Background()
	var err error
	f.pack, err = f.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Kommunikationspakke – privat", TitleEN: "Communication pack – private"})
	if err != nil {
		t.Fatal(err)
	}
	// PDF text compresses: the ZIP deflates it.
	f.posterBody = []byte("%PDF-1.4\n" + strings.Repeat("MitID er din digitale identitet. ", 2000))
	f.poster = f.item(t, campaign.VisiblePublic, "Plakat – ældre borgere på Ærø.pdf", f.posterBody, clock.Now())
	f.pngBody = pngOf(t, 640, 480)
	f.png = f.item(t, campaign.VisiblePublic, "Plakat.png", f.pngBody, clock.Now())
	f.members = f.item(t, campaign.VisibleMembers, "Kun medlemmer.pdf", []byte("%PDF-1.4\nmedlemmer"), clock.Now())
	f.release = clock.Now().Add(48 * time.Hour)
	f.embargoed = f.item(t, campaign.VisiblePublic, "Hemmelig.pdf", []byte("%PDF-1.4\nembargo"), f.release)
	return f
}

// item creates and publishes an item from body under name, released at release.
func (f *packFixture) item(t *testing.T, vis campaign.Visibility, name string, body []byte, release time.Time) campaign.Item {
	t.Helper()
	ctx := context.Background()
	it, err := f.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: f.pack.ID, Kind: campaign.ItemPoster,
		Audience: campaign.ForSeniors, Lang: "da", Title: strings.TrimSuffix(name, ".pdf"), Visibility: vis},
		campaign.Upload{Filename: name, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.packs.Publish(ctx, 1, it.ID, release); err != nil {
		t.Fatal(err)
	}
	return it
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	_, _ = rand.Read(img.Pix) // noise: PNG cannot compress it, so storing it is right
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fileURL(it campaign.Item) string { return "/kommunikation/fil/" + strconv.FormatInt(it.ID, 10) }

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// TestPackFileConditionalAndRange: Range (one, several, unsatisfiable), If-None-Match and
// If-Range against the SHA-256 ETag, and the headers of a download.
func TestPackFileConditionalAndRange(t *testing.T) {
	t.Parallel()
	f := newPackFixture(t)
	u := fileURL(f.poster)
	tag := etagOf(f.posterBody)
	size := len(f.posterBody)
	tests := []struct {
		name     string
		header   map[string]string
		status   int
		body     []byte // nil: not compared
		multiple bool   // multipart/byteranges
	}{
		{"whole file", nil, http.StatusOK, f.posterBody, false},
		{"one range", map[string]string{"Range": "bytes=0-8"}, http.StatusPartialContent, f.posterBody[:9], false},
		{"suffix range", map[string]string{"Range": "bytes=-10"}, http.StatusPartialContent, f.posterBody[size-10:], false},
		{"two ranges", map[string]string{"Range": "bytes=0-3,100-109"}, http.StatusPartialContent, nil, true},
		{"unsatisfiable range", map[string]string{"Range": "bytes=" + strconv.Itoa(size+10) + "-"}, http.StatusRequestedRangeNotSatisfiable, nil, false},
		{"If-None-Match with the ETag", map[string]string{"If-None-Match": tag}, http.StatusNotModified, []byte{}, false},
		{"If-None-Match with another ETag", map[string]string{"If-None-Match": `"abc"`}, http.StatusOK, f.posterBody, false},
		{"If-Range with the ETag", map[string]string{"Range": "bytes=0-8", "If-Range": tag}, http.StatusPartialContent, f.posterBody[:9], false},
		{"If-Range with a stale ETag", map[string]string{"Range": "bytes=0-8", "If-Range": `"` + strings.Repeat("0", 64) + `"`}, http.StatusOK, f.posterBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, f.env, u, tt.header)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.body != nil && body != string(tt.body) {
				t.Errorf("body of %d bytes, want %d", len(body), len(tt.body))
			}
			if tt.status == http.StatusOK || tt.status == http.StatusPartialContent || tt.status == http.StatusNotModified {
				if got := res.Header.Get("ETag"); got != tag {
					t.Errorf("ETag %s, want %s", got, tag)
				}
			}
			if tt.multiple {
				mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
				if err != nil || mt != "multipart/byteranges" {
					t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
				}
				r := multipart.NewReader(strings.NewReader(body), params["boundary"])
				var parts []string
				for {
					p, err := r.NextPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(p)
					parts = append(parts, p.Header.Get("Content-Range")+"="+string(b))
				}
				want := []string{"bytes 0-3/" + strconv.Itoa(size) + "=" + string(f.posterBody[:4]),
					"bytes 100-109/" + strconv.Itoa(size) + "=" + string(f.posterBody[100:110])}
				if strings.Join(parts, "|") != strings.Join(want, "|") {
					t.Errorf("parts %q, want %q", parts, want)
				}
			}
		})
	}
	t.Run("headers of a download", func(t *testing.T) {
		res, _ := get(t, f.env, u, nil)
		h := res.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Accept-Ranges") != "bytes" || h.Get("Cache-Control") != "public, no-cache" {
			t.Errorf("headers %v", h)
		}
		cd := h.Get("Content-Disposition")
		typ, params, err := mime.ParseMediaType(cd)
		if err != nil || typ != "attachment" || params["filename"] != "Plakat – ældre borgere på Ærø.pdf" {
			t.Errorf("Content-Disposition %q: %s %v %v", cd, typ, params, err)
		}
		// Old clients read the ASCII fallback.
		if !strings.Contains(cd, `filename="Plakat - aeldre borgere paa Aeroe.pdf"`) ||
			!strings.Contains(cd, "filename*=utf-8''Plakat%20%E2%80%93%20%C3%A6ldre%20borgere%20p%C3%A5%20%C3%86r%C3%B8.pdf") {
			t.Errorf("Content-Disposition %q lacks the ASCII fallback or the UTF-8 name", cd)
		}
	})
	t.Run("members only is private for a member and 404 for others", func(t *testing.T) {
		if res, _ := get(t, f.env, fileURL(f.members), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("anonymous: %d", res.StatusCode)
		}
		res, body := get(t, f.env, fileURL(f.members), nil, f.member(t))
		if res.StatusCode != http.StatusOK || body != "%PDF-1.4\nmedlemmer" || res.Header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("member: %d %q %q", res.StatusCode, body, res.Header.Get("Cache-Control"))
		}
	})
}

// member returns the cookie of a citizen who is a member of an approved organisation.
func (f *packFixture) member(t *testing.T) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	var inv campaign.Invitation
	orgs := campaign.NewOrgs(f.env.App.Pool, campaign.Hooks{
		Audit:  func(context.Context, pgx.Tx, campaign.Event) error { return nil },
		Invite: func(_ context.Context, _ pgx.Tx, i campaign.Invitation) error { inv = i; return nil }})
	org, err := orgs.Apply(ctx, campaign.Application{CVR: "24256790", Name: "Ældre Sagen Ærø", Kind: campaign.KindInterest,
		ContactName: "Kontakt Person", ContactEmail: "kontakt@example.dk", Lang: "da"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.Decide(ctx, org.ID, 1, true, ""); err != nil {
		t.Fatal(err)
	}
	m := f.env.NewCitizen(t)
	if _, err := orgs.Accept(ctx, inv.Token, m.ID); err != nil {
		t.Fatal(err)
	}
	return f.env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen", "org_member"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: "Medlem"})
}

// TestPackEmbargoOnEveryRoute: an embargoed item is 404 on its file, its version, its
// thumbnail and absent from the page and the ZIP until the clock passes its release.
func TestPackEmbargoOnEveryRoute(t *testing.T) {
	t.Parallel()
	f := newPackFixture(t)
	id := strconv.FormatInt(f.embargoed.ID, 10)
	routes := []string{fileURL(f.embargoed), fileURL(f.embargoed) + "/v/1"}
	check := func(t *testing.T, released bool) {
		for _, u := range routes {
			res, _ := get(t, f.env, u, nil)
			if want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[released]; res.StatusCode != want {
				t.Errorf("GET %s: %d, want %d", u, res.StatusCode, want)
			}
		}
		_, page := get(t, f.env, "/kommunikation/privat", nil)
		if got := strings.Contains(page, `data-testid="pack-item-`+id+`"`); got != released {
			t.Errorf("pack page shows the item: %v, want %v", got, released)
		}
		names := zipNames(t, f)
		if _, got := names["Hemmelig.pdf"]; got != released {
			t.Errorf("ZIP holds the item: %v, want %v (%v)", got, released, names)
		}
	}
	t.Run("before the release", func(t *testing.T) { check(t, false) })
	f.clock.Advance(48*time.Hour + time.Minute)
	t.Run("after the release", func(t *testing.T) { check(t, true) })
	t.Run("thumbnail follows the same rule", func(t *testing.T) {
		u := "/kommunikation/miniature/" + strconv.FormatInt(f.png.ID, 10)
		if res, body := get(t, f.env, u, nil); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "\x89PNG") {
			t.Errorf("thumbnail: %d", res.StatusCode)
		}
		if err := f.packs.Withdraw(context.Background(), 1, f.png.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := get(t, f.env, u, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("thumbnail of a withdrawn item: %d", res.StatusCode)
		}
		if res, _ := get(t, f.env, fileURL(f.png), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("file of a withdrawn item: %d", res.StatusCode)
		}
	})
}

// zipNames downloads the pack's ZIP as an anonymous visitor and returns its files' methods.
func zipNames(t *testing.T, f *packFixture) map[string]uint16 {
	t.Helper()
	res, body := get(t, f.env, "/kommunikation/privat/zip", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("zip: %d", res.StatusCode)
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]uint16{}
	for _, zf := range zr.File {
		names[zf.Name] = zf.Method
	}
	return names
}

// TestPackZip: the ZIP holds what an anonymous visitor may see, with Danish names in UTF-8,
// a clash renamed, PNG stored and PDF deflated, and every file's bytes intact.
func TestPackZip(t *testing.T) {
	t.Parallel()
	f := newPackFixture(t)
	// A second file named like the first: the archive must not hold two equal names.
	f.item(t, campaign.VisiblePublic, "Plakat – ældre borgere på Ærø.pdf", []byte("%PDF-1.4\ntvilling"), f.clock.Now())
	before := f.env.App.Downloads.Pending()
	res, body := get(t, f.env, "/kommunikation/privat/zip", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if _, params, _ := mime.ParseMediaType(res.Header.Get("Content-Disposition")); params["filename"] != "MitID-privat.zip" {
		t.Errorf("Content-Disposition %q", res.Header.Get("Content-Disposition"))
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		method uint16
		body   []byte
	}{
		{"Plakat – ældre borgere på Ærø.pdf", zip.Deflate, f.posterBody},
		{"Plakat.png", zip.Store, f.pngBody},
		{"Plakat – ældre borgere på Ærø (2).pdf", zip.Deflate, []byte("%PDF-1.4\ntvilling")},
	}
	if len(zr.File) != len(want) {
		var names []string
		for _, zf := range zr.File {
			names = append(names, zf.Name)
		}
		t.Fatalf("files %q, want %d (members-only and embargoed left out)", names, len(want))
	}
	for i, w := range want {
		zf := zr.File[i]
		t.Run(w.name, func(t *testing.T) {
			// The UTF-8 flag (bit 11) marks a name that is not plain ASCII.
			ascii := strings.IndexFunc(w.name, func(r rune) bool { return r > 0x7f }) < 0
			if zf.Name != w.name || zf.Method != w.method || zf.NonUTF8 || (zf.Flags&0x800 == 0) != ascii {
				t.Errorf("entry %q method %d flags %#x, want %q method %d (UTF-8 flag unless ASCII)", zf.Name, zf.Method, zf.Flags, w.name, w.method)
			}
			// Stored files too carry the version's date (CreateRaw writes no date of its own).
			if d := zf.Modified.Sub(f.clock.Now()); d < -time.Hour || d > time.Hour {
				t.Errorf("entry %q modified %s, want about %s", zf.Name, zf.Modified, f.clock.Now())
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, w.body) {
				t.Errorf("content of %d bytes (%v), want %d", len(got), err, len(w.body))
			}
		})
	}
	if n := f.env.App.Downloads.Pending() - before; n != 3 {
		t.Errorf("%d downloads counted for the ZIP, want 3 (one per file)", n)
	}
}

// TestPackDownloadsCountedWithoutWrites: 100 parallel downloads write nothing while they run
// and are exactly 100 after the counter's flush; a 304 is not a download.
func TestPackDownloadsCountedWithoutWrites(t *testing.T) {
	t.Parallel()
	f := newPackFixture(t)
	ctx := context.Background()
	// What the app's flusher counted before is written now, so the GETs start from nothing.
	if err := f.env.App.Downloads.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before := tableRows(t, f.env)
	errs := make(chan error, 100)
	for range 100 {
		go func() {
			res, err := http.Get(f.env.URL + fileURL(f.poster))
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					err = io.ErrUnexpectedEOF
				}
			}
			errs <- err
		}()
	}
	for range 100 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	get(t, f.env, fileURL(f.poster), map[string]string{"If-None-Match": etagOf(f.posterBody)})
	// The app's own flusher may have written part of them already; the rest is written now.
	if err := f.env.App.Downloads.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	after := tableRows(t, f.env)
	for name, n := range after {
		if name != "pack_download" && n != before[name] {
			t.Errorf("table %s: %d rows before the downloads, %d after", name, before[name], n)
		}
	}
	var total int64
	if err := f.env.App.Pool.QueryRow(ctx, `SELECT coalesce(sum(downloads), 0) FROM pack_download WHERE item_id = $1`,
		f.poster.ID).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 100 {
		t.Errorf("%d downloads counted, want 100", total)
	}
}

// TestPackZipOfStoredFilesHasALength: a pack of images only is stored, so its exact length is
// sent (the browser shows progress) and every file's CRC-32 checks: the first's taken on upload
// and written before its data, the second's (a version stored before checksums were kept)
// taken while streaming and written after its data.
func TestPackZipOfStoredFilesHasALength(t *testing.T) {
	t.Parallel()
	f := newPackFixture(t)
	ctx := context.Background()
	pk, err := f.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "billeder", Audience: campaign.AudienceHelper,
		TitleDA: "Billeder", TitleEN: "Pictures"})
	if err != nil {
		t.Fatal(err)
	}
	bodies := [][]byte{pngOf(t, 300, 200), pngOf(t, 200, 300)}
	for i, b := range bodies {
		it, err := f.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemSocialMedia,
			Audience: campaign.ForHelpers, Lang: "da", Title: "Opslag", Visibility: campaign.VisiblePublic},
			campaign.Upload{Filename: "Opslag på Facebook.png", Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.packs.Publish(ctx, 1, it.ID, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if it.Current.CRC32 != int64(crc32.ChecksumIEEE(b)) {
			t.Errorf("CRC-32 on upload %d, want %d", it.Current.CRC32, crc32.ChecksumIEEE(b))
		}
		if i == 1 {
			if _, err := f.env.App.Pool.Exec(ctx, `UPDATE pack_item_version SET crc32 = NULL WHERE item_id = $1`, it.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, body := get(t, f.env, "/kommunikation/billeder/zip", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Fatalf("status %d, Content-Length %q for %d bytes", res.StatusCode, res.Header.Get("Content-Length"), len(body))
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Opslag på Facebook.png", "Opslag på Facebook (2).png"}
	if len(zr.File) != 2 {
		t.Fatalf("%d files", len(zr.File))
	}
	for i, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // a wrong CRC-32 is an error here
		rc.Close()
		if err != nil || !bytes.Equal(got, bodies[i]) || zf.Name != names[i] || zf.Method != zip.Store {
			t.Errorf("%q method %d: %d bytes, %v", zf.Name, zf.Method, len(got), err)
		}
		if descriptor := zf.Flags&0x8 != 0; descriptor != (i == 1) {
			t.Errorf("%q: data descriptor %v, want it only where the CRC-32 was not known", zf.Name, descriptor)
		}
	}
}
