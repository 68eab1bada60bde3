package handlers_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/staff"
)

// editorEnv is a portal with a campaign editor, their browser and an empty pack.
type editorEnv struct {
	env    *apptest.Env
	editor staff.User
	b      *browser
	pack   campaign.Pack
}

func newEditorEnv(t *testing.T, opts apptest.Options) *editorEnv {
	t.Helper()
	env := apptest.New(t, opts)
	return editorFixture(t, env, "redaktoer@styrelsen.dk", "privat")
}

func editorFixture(t *testing.T, env *apptest.Env, email, slug string) *editorEnv {
	t.Helper()
	ctx := context.Background()
	ed, _, err := env.App.Server.Staff.Create(ctx, email, "Rikke Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := env.App.Packs.CreatePack(ctx, ed.ID, campaign.NewPack{Slug: slug, Audience: campaign.AudiencePrivate,
		TitleDA: "Privatpakken", TitleEN: "The private pack"})
	if err != nil {
		t.Fatal(err)
	}
	return &editorEnv{env: env, editor: ed, b: staffSession(t, env, ed), pack: pk}
}

// field is one text field of a form, in the order sent.
type field struct{ name, value string }

// streamPost sends a multipart form as a browser does: the CSRF token first, then fields in
// their order, then (when name is not "") the file part, its content read from file while it
// is sent, so a large body is never held whole on either side.
func (b *browser) streamPost(t *testing.T, path string, fields []field, name string, file io.Reader) (*http.Response, string) {
	t.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		err := w.WriteField("csrf_token", b.csrf)
		for _, f := range fields {
			if err == nil {
				err = w.WriteField(f.name, f.value)
			}
		}
		if err == nil && name != "-" {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
			h.Set("Content-Type", "application/octet-stream")
			var p io.Writer
			if p, err = w.CreatePart(h); err == nil {
				_, err = io.Copy(p, file)
			}
		}
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()
	res, err := b.client.Post(b.env.URL+path, w.FormDataContentType(), pr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

// itemForm is a valid new item form with title.
func itemForm(title string) []field {
	return []field{{"item_title", title}, {"item_description", "Til borgerservice."}, {"kind", "flyer"},
		{"item_audience", "citizens"}, {"lang", "da"}, {"visibility", "public"}}
}

func (e *editorEnv) newItemPath() string {
	return "/redaktion/pakker/" + e.pack.Slug + "/nyt-materiale"
}

// createItem creates an item over HTTP and returns its ID.
func (e *editorEnv) createItem(t *testing.T, title, filename, content string) int64 {
	t.Helper()
	res, body := e.b.streamPost(t, e.newItemPath(), itemForm(title), filename, strings.NewReader(content))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create item: %d %.500s", res.StatusCode, body)
	}
	var id int64
	if _, err := fmt.Sscanf(res.Header.Get("Location"), "/redaktion/materiale/%d", &id); err != nil {
		t.Fatalf("create item went to %q", res.Header.Get("Location"))
	}
	return id
}

// counts is what a refused form must leave as it was: items, versions and audit entries.
func (e *editorEnv) counts(t *testing.T) string {
	t.Helper()
	var s string
	err := e.env.App.Pool.QueryRow(context.Background(), `SELECT concat_ws(',',
		(SELECT count(*) FROM pack_item), (SELECT count(*) FROM pack_item_version),
		(SELECT count(*) FROM pack), (SELECT count(*) FROM audit_log))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEditorUploadRefusals: a form that breaks a rule is shown again with the DKFDS error
// summary naming the field, and nothing is written: no item, no version, no audit entry.
func TestEditorUploadRefusals(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	tests := []struct {
		name, field string
		fields      []field
		filename    string
		content     string
	}{
		{"text file named .pdf", "file", itemForm("Folder"), "folder.pdf", "Dette er ikke en PDF"},
		{"empty file", "file", itemForm("Folder"), "tom.pdf", ""},
		{"no file part", "file", itemForm("Folder"), "-", ""},
		{"no title", "item_title", itemForm(""), "folder.pdf", testPDF},
		{"NUL in the title", "item_title", itemForm("Fol\x00der"), "folder.pdf", testPDF},
		{"control character in the title", "item_title", itemForm("Fol\x1bder"), "folder.pdf", testPDF},
		{"title too long", "item_title", itemForm(strings.Repeat("æ", campaign.MaxName+1)), "folder.pdf", testPDF},
		{"title far too long", "item_title", itemForm(strings.Repeat("x", 100_000)), "folder.pdf", testPDF},
		{"Latin-1 title", "item_title", itemForm("Bl\xe6b\xe6rgr\xf8d"), "folder.pdf", testPDF},
		{"unknown type", "kind", append(itemForm("Folder"), field{"kind", "brochure"}), "folder.pdf", testPDF},
		{"description with NUL", "item_description", append(itemForm("Folder"), field{"item_description", "a\x00b"}), "folder.pdf", testPDF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts(t)
			// A later field of the same name wins, as the form's own reading does.
			res, body := e.b.streamPost(t, e.newItemPath(), tc.fields, tc.filename, strings.NewReader(tc.content))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, `href="#`+tc.field+`"`) {
				t.Errorf("no error summary naming %s: %.300s", tc.field, body)
			}
			if strings.Contains(body, "\x00") {
				t.Error("the answer carries a NUL byte")
			}
			if after := e.counts(t); after != before {
				t.Errorf("refused upload wrote: %s → %s", before, after)
			}
		})
	}
}

// TestEditorUploadTooLarge: a file one byte over campaign.MaxItemSize is refused at its field
// and leaves nothing behind.
func TestEditorUploadTooLarge(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	before := e.counts(t)
	file := io.MultiReader(strings.NewReader(testPDF), &zeros{n: campaign.MaxItemSize + 1 - int64(len(testPDF))})
	res, body := e.b.streamPost(t, e.newItemPath(), itemForm("For stor"), "stor.pdf", file)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#file"`) {
		t.Errorf("status %d, want 422 naming #file: %.300s", res.StatusCode, body)
	}
	if after := e.counts(t); after != before {
		t.Errorf("refused upload wrote: %s → %s", before, after)
	}
}

// TestOnlyEditorUploadsTakeALargeBody: a 110 MB form (over web.LimitUploads' 101 MB) passes
// the item upload, whose route raises the bound, and is cut at it everywhere else, also on an
// editor's other routes (the CSRF check then finds no token: 403).
func TestOnlyEditorUploadsTakeALargeBody(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	big := func() io.Reader {
		return io.MultiReader(strings.NewReader(testPDF), &zeros{n: 110 << 20})
	}
	if res, body := e.b.streamPost(t, e.newItemPath(), itemForm("Stor"), "stor.pdf", big()); res.StatusCode != http.StatusSeeOther {
		t.Errorf("110 MB item upload: %d %.300s", res.StatusCode, body)
	}
	for _, path := range []string{"/redaktion/pakker", "/kontakt"} {
		before := e.counts(t)
		if res, _ := e.b.streamPost(t, path, []field{{"pack_title_da", "Stor"}}, "stor.pdf", big()); res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("110 MB form to %s: %d, want 4xx", path, res.StatusCode)
		}
		if after := e.counts(t); after != before {
			t.Errorf("110 MB form to %s wrote: %s → %s", path, before, after)
		}
	}
}

// zeros reads n zero bytes, hashing them when h is set.
type zeros struct {
	n int64
	h hash.Hash
}

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	if z.h != nil {
		z.h.Write(p)
	}
	return len(p), nil
}

// TestEditorTypeFromContent: the type is sniffed from the content, never the name: a PNG sent
// as "plakat.pdf" is kept as image/png named plakat.png, with a thumbnail.
func TestEditorTypeFromContent(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	id := e.createItem(t, "Plakat", "plakat.pdf", string(pngOf(t, 40, 30)))
	it, err := e.env.App.Packs.Item(context.Background(), campaign.Viewer{Editor: true}, id)
	if err != nil {
		t.Fatal(err)
	}
	if it.Current.MediaType != "image/png" || it.Current.Filename != "plakat.png" || it.Current.Thumb == "" {
		t.Errorf("version %+v, want image/png plakat.png with a thumbnail", it.Current)
	}
	if it.Status != campaign.ItemDraft {
		t.Errorf("status %s, want draft", it.Status)
	}
	page := e.b.page(t, "/redaktion/pakker/"+e.pack.Slug)
	if !strings.Contains(page, "/kommunikation/miniature/"+fmt.Sprint(id)) || !strings.Contains(page, "Kladde") {
		t.Errorf("pack page lacks the thumbnail or the status: %.2000s", page)
	}
}

// sha256Hex is the hex SHA-256 of h's sum.
func sha256Hex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// inputEditors are the campaign editor and item of each input fixture, made on first use
// (the table asks for the path before it has a *testing.T, so a failure here panics).
var inputEditors sync.Map // *inputFixture → inputEditor

type inputEditor struct {
	editor staff.User
	item   int64
}

func (fx *inputFixture) editor() inputEditor {
	if e, ok := inputEditors.Load(fx); ok {
		return e.(inputEditor)
	}
	ctx := context.Background()
	ed, _, err := fx.env.App.Server.Staff.Create(ctx, "input-redaktoer@styrelsen.dk", "Rikke Redaktør", []string{"campaign_editor"})
	if err != nil {
		panic(err)
	}
	pk, err := fx.env.App.Packs.CreatePack(ctx, ed.ID, campaign.NewPack{Slug: "input-pakke", Audience: campaign.AudiencePrivate,
		TitleDA: "Pakke", TitleEN: "Pack"})
	if err != nil {
		panic(err)
	}
	it, err := fx.env.App.Packs.CreateItem(ctx, ed.ID, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Folder", Visibility: campaign.VisiblePublic},
		campaign.Upload{Filename: "folder.pdf", Body: strings.NewReader(testPDF)})
	if err != nil {
		panic(err)
	}
	e := inputEditor{editor: ed, item: it.ID}
	inputEditors.Store(fx, e)
	return e
}

func (fx *inputFixture) asEditor(t *testing.T) *browser {
	return staffSession(t, fx.env, fx.editor().editor)
}

func editorItemPath(suffix string) func(*inputFixture) string {
	return func(fx *inputFixture) string {
		return fmt.Sprintf("/redaktion/materiale/%d%s", fx.editor().item, suffix)
	}
}
