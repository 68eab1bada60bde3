package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/campaign/forum"
	"mitidportal/campaign/site"
)

// TestEditorUploadFormsAt320px: the campaign editor's pages with a file field (a new item, an
// item's new version, a campaign page's image, a forum meeting's files) do not scroll sideways
// on a 320 px phone, in both languages. The file fields were as wide as their button and file
// name text and pushed the pages 36 px past the screen.
func TestEditorUploadFormsAt320px(t *testing.T) {
	t.Parallel()
	const width = 320
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	tab := newTab(t)
	id := loginStaffInTab(t, tab, env, "smal@styrelsen.dk", "Sif Smal", "campaign_editor")
	pk, err := env.App.Packs.CreatePack(ctx, id, campaign.NewPack{Slug: "smal", Audience: campaign.AudiencePrivate,
		TitleDA: "Smal pakke", TitleEN: "Narrow pack"})
	if err != nil {
		t.Fatal(err)
	}
	it, err := env.App.Packs.CreateItem(ctx, id, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemPoster,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Plakat", Visibility: campaign.VisiblePublic},
		campaign.Upload{Filename: "plakat.pdf", Body: strings.NewReader("%PDF-1.4\nsmal")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Pages.Create(ctx, id, site.NewPage{Slug: "smal-side", Kind: site.KindArticle}); err != nil {
		t.Fatal(err)
	}
	starts := time.Now().AddDate(0, 0, 30).Truncate(time.Hour)
	m, err := env.App.Forum.CreateMeeting(ctx, id, forum.NewMeeting{TitleDA: "Møde", TitleEN: "Meeting", Audience: forum.ForAll,
		Starts: starts, Ends: starts.Add(2 * time.Hour), Place: "Landgreven 4", Capacity: 20, SignupDeadline: starts.AddDate(0, 0, -10)})
	if err != nil {
		t.Fatal(err)
	}
	do(t, tab, chromedp.EmulateViewport(width, 640, chromedp.EmulateMobile))
	for _, path := range []string{"/redaktion/pakker/smal/nyt-materiale", "/redaktion/materiale/" + strconv.FormatInt(it.ID, 10),
		"/redaktion/sider/smal-side", "/redaktion/forum/moeder/" + strconv.FormatInt(m.ID, 10)} {
		for _, lang := range languages {
			navigate(t, tab, withLang(env.URL+path, lang))
			wantPath(t, tab, path)
			if !has(t, tab, `input[type="file"]`) {
				t.Errorf("%s has no file field", path)
			}
			o := eval[overflow](t, tab, "("+measureOverflow+")("+strconv.Itoa(width)+")")
			if o.ScrollWidth > width || o.InnerWidth > width {
				t.Errorf("%s?lang=%s scrolls sideways at %d px: scrollWidth %d, layout width %d; too wide:\n  %s",
					path, lang, width, o.ScrollWidth, o.InnerWidth, strings.Join(o.Widest, "\n  "))
			}
		}
	}
}
