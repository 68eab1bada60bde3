package browser_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
)

// The communication packs as a visitor without login meets them (issue 10): the public item
// is shown and downloads with its checksum intact, the members-only item is not shown, and
// an embargoed item is invisible with a 404 at its direct address until the portal's clock
// passes its release; then it appears and downloads.

// packItems makes a pack with a public, a members-only and an embargoed item (released at
// release) through campaign.Packs on the portal's own store and clock.
func packItems(t *testing.T, env *apptest.Env, clock *apptest.Clock, release time.Time) (public, members, embargoed campaign.Item) {
	t.Helper()
	ctx := context.Background()
	packs := campaign.NewPacks(env.App.Pool, env.App.Packs.Store(), campaign.PackHooks{
		Audit: func(context.Context, pgx.Tx, campaign.PackEvent) error { return nil }})
	packs.SetClock(clock.Now)
	pk, err := packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Kommunikationspakke – privat", TitleEN: "Communication pack – private",
		SummaryDA: "Materialer til foreninger, skoler og biblioteker.", SummaryEN: "Material for associations, schools and libraries."})
	if err != nil {
		t.Fatal(err)
	}
	item := func(title string, vis campaign.Visibility, at time.Time) campaign.Item {
		it, err := packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemPoster,
			Audience: campaign.ForSeniors, Lang: "da", Title: title, Visibility: vis},
			campaign.Upload{Filename: title + ".pdf", Body: strings.NewReader("%PDF-1.4\n" + title)})
		if err != nil {
			t.Fatal(err)
		}
		if err := packs.Publish(ctx, 1, it.ID, at); err != nil {
			t.Fatal(err)
		}
		return it
	}
	return item("Plakat – ældre borgere på Ærø", campaign.VisiblePublic, clock.Now()),
		item("Kun for medlemmer", campaign.VisibleMembers, clock.Now()),
		item("Ny plakat til foråret", campaign.VisiblePublic, release)
}

// fetchedFile is what the page's fetch of a download saw.
type fetchedFile struct {
	Status      int    `json:"status"`
	Disposition string `json:"disposition"`
	SHA256      string `json:"sha256"`
}

// fetchDownload fetches the href of the link css in the page, as the visitor's browser would
// download it, and hashes what arrived.
func fetchDownload(t *testing.T, ctx context.Context, css string) fetchedFile {
	t.Helper()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetchedFile](`fetch(document.querySelector(`+strconv.Quote(css)+`).href)
		.then(r => r.arrayBuffer().then(b => crypto.subtle.digest('SHA-256', b)).then(d => ({
			status: r.status, disposition: r.headers.get('content-disposition') || '',
			sha256: [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('')})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", css, err)
	}
	return f
}

func TestPacksVisitorAndEmbargo(t *testing.T) {
	t.Parallel()
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			// A portal per language: each moves its own clock past the release.
			clock := &apptest.Clock{}
			env := apptest.New(t, apptest.Options{Clock: clock})
			release := clock.Now().Add(48 * time.Hour)
			public, members, embargoed := packItems(t, env, clock, release)
			itemCSS := func(it campaign.Item) string {
				return `[data-testid="pack-item-` + strconv.FormatInt(it.ID, 10) + `"]`
			}
			ctx := newTab(t)
			problems := pageProblems(t, ctx)

			navigate(t, ctx, withLang(env.URL+"/", lang))
			click(t, ctx, `[data-testid="entry-packs"]`)
			wantPath(t, ctx, "/kommunikation")
			checkAxe(t, ctx, "/kommunikation?lang="+lang)
			click(t, ctx, `[data-testid="pack"] a`)
			wantPath(t, ctx, "/kommunikation/privat")
			checkAxe(t, ctx, "/kommunikation/privat?lang="+lang)
			if !has(t, ctx, itemCSS(public)) || has(t, ctx, itemCSS(members)) || has(t, ctx, itemCSS(embargoed)) {
				t.Fatalf("the visitor should see the public item only: %s", clip(mainText(t, ctx), 400))
			}
			shown := eval[string](t, ctx, `document.querySelector('`+itemCSS(public)+` [data-testid="item-sha256"]').textContent`)
			got := fetchDownload(t, ctx, itemCSS(public)+` [data-testid="item-download"]`)
			if got.Status != http.StatusOK || got.SHA256 != public.Current.SHA256 || shown != public.Current.SHA256 ||
				!strings.Contains(got.Disposition, "filename*=utf-8''Plakat%20%E2%80%93%20%C3%A6ldre") {
				t.Errorf("download: %+v, page shows SHA-256 %s, want %s", got, shown, public.Current.SHA256)
			}
			zip := fetchDownload(t, ctx, `[data-testid="pack-zip"]`)
			if zip.Status != http.StatusOK || !strings.Contains(zip.Disposition, "MitID-privat.zip") {
				t.Errorf("pack ZIP: %+v", zip)
			}

			for _, p := range problems() {
				t.Errorf("the pages reported: %s", p)
			}

			// The embargoed item's direct address, before and after its release.
			direct := withLang(env.URL+"/kommunikation/fil/"+strconv.FormatInt(embargoed.ID, 10), lang)
			if res := navigate(t, ctx, direct); res.Status != http.StatusNotFound {
				t.Errorf("the embargoed item's address answers %d before its release, want 404", res.Status)
			}
			checkAxe(t, ctx, "the embargoed item's 404 ("+lang+")")
			for _, p := range problems() {
				if p.URL != direct { // the 404 itself is what this step asks for
					t.Errorf("the pages reported: %s", p)
				}
			}
			clock.Advance(48*time.Hour + time.Minute)
			navigate(t, ctx, withLang(env.URL+"/kommunikation/privat", lang))
			if !has(t, ctx, itemCSS(embargoed)) || has(t, ctx, itemCSS(members)) {
				t.Fatalf("after the release the item should appear (and members-only stay hidden): %s", clip(mainText(t, ctx), 400))
			}
			checkAxe(t, ctx, "/kommunikation/privat after the release ("+lang+")")
			if got := fetchDownload(t, ctx, itemCSS(embargoed)+` [data-testid="item-download"]`); got.Status != http.StatusOK ||
				got.SHA256 != embargoed.Current.SHA256 {
				t.Errorf("the released item's download: %+v", got)
			}
			for _, p := range problems() {
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
