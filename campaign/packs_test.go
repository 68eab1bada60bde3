package campaign_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/blob"
	"mitidportal/campaign"
)

// packEnv is env with Packs on a disk store, whose audit hook records what it was told.
type packEnv struct {
	*env
	packs  *campaign.Packs
	events []campaign.PackEvent
}

func newPackEnv(t *testing.T) *packEnv {
	e := &packEnv{env: newEnv(t)}
	store, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.packs = campaign.NewPacks(e.pool, store, campaign.PackHooks{
		Audit: func(_ context.Context, _ pgx.Tx, ev campaign.PackEvent) error {
			e.events = append(e.events, ev)
			return nil
		}})
	e.packs.SetClock(func() time.Time { return e.now })
	return e
}

func pdf(text string) campaign.Upload {
	return campaign.Upload{Filename: "Folder om MitID.docx", Body: strings.NewReader("%PDF-1.4\n" + text)}
}

// TestItemVisibility: what each viewer sees of items of each visibility, before and after the
// embargo, and after withdrawal.
func TestItemVisibility(t *testing.T) {
	t.Parallel()
	e := newPackEnv(t)
	ctx := context.Background()
	pk, err := e.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Privat", TitleEN: "Private"})
	if err != nil {
		t.Fatal(err)
	}
	release := e.now.Add(48 * time.Hour)
	ids := map[campaign.Visibility]int64{}
	for _, vis := range campaign.Visibilities {
		it, err := e.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
			Audience: campaign.ForCitizens, Lang: "da", Title: "Flyer " + string(vis), Visibility: vis}, pdf(string(vis)))
		if err != nil {
			t.Fatal(err)
		}
		if it.Current.MediaType != "application/pdf" || it.Current.Filename != "Folder om MitID.pdf" {
			t.Errorf("version %+v", it.Current)
		}
		if err := e.packs.Publish(ctx, 1, it.ID, release); err != nil {
			t.Fatal(err)
		}
		ids[vis] = it.ID
	}
	viewers := map[string]campaign.Viewer{
		"anonymous": {},
		"member":    {MitID: 1, Member: true},
		"forum":     {MitID: 2, Member: true, Forum: true},
		"editor":    {Editor: true},
	}
	sees := func(v campaign.Viewer, vis campaign.Visibility) bool {
		_, err := e.packs.Item(ctx, v, ids[vis])
		if err != nil && !errors.Is(err, campaign.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	tests := []struct {
		viewer string
		vis    campaign.Visibility
		before bool // before the release time
		after  bool
	}{
		{"anonymous", campaign.VisiblePublic, false, true},
		{"anonymous", campaign.VisibleMembers, false, false},
		{"anonymous", campaign.VisibleReview, false, false},
		{"member", campaign.VisiblePublic, false, true},
		{"member", campaign.VisibleMembers, false, true},
		{"member", campaign.VisibleReview, false, false},
		{"forum", campaign.VisibleReview, false, true},
		{"editor", campaign.VisibleReview, true, true},
		{"editor", campaign.VisiblePublic, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.viewer+"/"+string(tt.vis), func(t *testing.T) {
			e.now = release.Add(-time.Second)
			if got := sees(viewers[tt.viewer], tt.vis); got != tt.before {
				t.Errorf("before the release: sees %v, want %v", got, tt.before)
			}
			e.now = release
			if got := sees(viewers[tt.viewer], tt.vis); got != tt.after {
				t.Errorf("at the release: sees %v, want %v", got, tt.after)
			}
		})
	}
	if err := e.packs.Withdraw(ctx, 1, ids[campaign.VisiblePublic]); err != nil {
		t.Fatal(err)
	}
	if sees(viewers["anonymous"], campaign.VisiblePublic) || !sees(viewers["editor"], campaign.VisiblePublic) {
		t.Error("a withdrawn item is seen by a visitor or not by an editor")
	}
	if len(e.events) != 1+3*2+1 {
		t.Errorf("%d audit events, want one per change", len(e.events))
	}
}

// TestUploadRules: the type comes from the content; images get a thumbnail; versions number up.
func TestUploadRules(t *testing.T) {
	t.Parallel()
	e := newPackEnv(t)
	ctx := context.Background()
	pk, err := e.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "erhverv", Audience: campaign.AudienceBusiness,
		TitleDA: "Erhverv", TitleEN: "Business"})
	if err != nil {
		t.Fatal(err)
	}
	item := campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemPoster, Audience: campaign.ForBusinesses,
		Lang: "en", Title: "Poster", Visibility: campaign.VisiblePublic}
	_, err = e.packs.CreateItem(ctx, 1, item, campaign.Upload{Filename: "plakat.pdf", Body: strings.NewReader("MZ\x90\x00 not a pdf")})
	if !errors.Is(err, campaign.ErrFileType) {
		t.Errorf("an executable named .pdf: %v", err)
	}
	_, err = e.packs.CreateItem(ctx, 1, item, campaign.Upload{Filename: "tom.pdf", Body: strings.NewReader("")})
	if !errors.Is(err, campaign.ErrFileEmpty) {
		t.Errorf("an empty file: %v", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	img.Set(5, 5, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	it, err := e.packs.CreateItem(ctx, 1, item, campaign.Upload{Filename: "plakat.bin", Body: &buf})
	if err != nil {
		t.Fatal(err)
	}
	if it.Current.MediaType != "image/png" || it.Current.Filename != "plakat.png" || it.Current.Thumb == "" {
		t.Fatalf("version %+v", it.Current)
	}
	thumb, err := e.packs.Store().Open(ctx, it.Current.Thumb)
	if err != nil {
		t.Fatal(err)
	}
	defer thumb.Close()
	cfg, _, err := image.DecodeConfig(thumb)
	if err != nil || cfg.Width != 320 || cfg.Height != 213 {
		t.Errorf("thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	v2, err := e.packs.AddVersion(ctx, 1, it.ID, pdf("v2"), "Ny tekst")
	if err != nil || v2.Version != 2 {
		t.Fatalf("version 2: %+v %v", v2, err)
	}
	vers, err := e.packs.Versions(ctx, campaign.Viewer{Editor: true}, it.ID)
	if err != nil || len(vers) != 2 || vers[0].ChangeNote != "Ny tekst" {
		t.Errorf("versions %+v %v", vers, err)
	}
}

// TestWithdrawAndPublishAgain: a scheduled item is hidden until its release, a withdrawn one
// from everyone but editors, and publishing it again shows it; the history keeps every version
// with its note, newest first; each change is one audit event.
func TestWithdrawAndPublishAgain(t *testing.T) {
	t.Parallel()
	e := newPackEnv(t)
	ctx := context.Background()
	pk, err := e.packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "erhverv", Audience: campaign.AudienceBusiness,
		TitleDA: "Erhverv", TitleEN: "Business"})
	if err != nil {
		t.Fatal(err)
	}
	it, err := e.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemGuidelines,
		Audience: campaign.ForBusinesses, Lang: "en", Title: "Guidelines", Visibility: campaign.VisiblePublic}, pdf("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.packs.AddVersion(ctx, 1, it.ID, pdf("v2"), "  New contact page  "); err != nil {
		t.Fatal(err)
	}
	visible := func() bool {
		_, err := e.packs.Item(ctx, campaign.Viewer{}, it.ID)
		return err == nil
	}
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"scheduled", func() error { return e.packs.Publish(ctx, 1, it.ID, e.now.Add(time.Hour)) }, false},
		{"released", func() error { e.now = e.now.Add(2 * time.Hour); return nil }, true},
		{"withdrawn", func() error { return e.packs.Withdraw(ctx, 1, it.ID) }, false},
		{"published again", func() error { return e.packs.Publish(ctx, 1, it.ID, e.now) }, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			if got := visible(); got != s.want {
				t.Errorf("visible to the public: %v, want %v", got, s.want)
			}
			if _, err := e.packs.Item(ctx, campaign.Viewer{Editor: true}, it.ID); err != nil {
				t.Errorf("editors lost the item: %v", err)
			}
		})
	}
	h, err := e.packs.History(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Version.Version != 2 || h[0].ChangeNote != "New contact page" || h[1].Version.Version != 1 {
		t.Errorf("history %+v", h)
	}
	if err := e.packs.Withdraw(ctx, 1, 999999); !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("withdraw of no item: %v, want not found", err)
	}
	var actions []string
	for _, ev := range e.events {
		actions = append(actions, ev.Action)
	}
	want := "pack_created pack_item_created pack_item_version pack_item_published pack_item_withdrawn pack_item_published"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}

// TestPackSummaryTooLong: a summary over MaxSummary is the form's rule, not the database's
// CHECK (a 500).
func TestPackSummaryTooLong(t *testing.T) {
	t.Parallel()
	e := newPackEnv(t)
	_, err := e.packs.CreatePack(context.Background(), 1, campaign.NewPack{Slug: "lang", Audience: campaign.AudienceHelper,
		TitleDA: "Lang", TitleEN: "Long", SummaryEN: strings.Repeat("x", campaign.MaxSummary+1)})
	if !errors.Is(err, campaign.ErrNoteTooLong) {
		t.Errorf("err %v, want ErrNoteTooLong", err)
	}
}
